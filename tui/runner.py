"""The analyzer's own thread: every call on the analyzer runs there, in order."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["AnalysisRunner"]

T = TypeVar("T")


class AnalysisRunner:
    """Runs every call on the analyzer on one daemon thread, in order.

    The NLP model is loaded (``warm()``) and used on that thread only, and never by two threads at once.
    A daemon thread, so quitting never waits for a long analysis to finish.
    """

    def __init__(self, analyzer: Any) -> None:
        self.analyzer = analyzer
        self._queue: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._warm = False

    def submit(self, fn: Callable[[Any], T]) -> Future[T]:
        """Run ``fn(analyzer)`` on the analysis thread; warm the analyzer there first, once."""
        fut: Future[T] = Future()

        def job() -> T:
            if not self._warm:
                warm = getattr(self.analyzer, "warm", None)
                if callable(warm):
                    warm()
                self._warm = True
            return fn(self.analyzer)

        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="docbao-analysis", daemon=True)
                self._thread.start()
        self._queue.put((job, fut))
        return fut

    def _run(self) -> None:
        while True:
            job, fut = self._queue.get()
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(job())
            except BaseException as exc:  # delivered to whoever waits on the future
                fut.set_exception(exc)


# From this many characters the whole-article analysis runs in a worker process (the visible part is still
# analysed on the thread): on the thread, its pure-Python steps share the GIL with the UI, and keys wait
# 20-80 ms each; a worker leaves them at their idle 4 ms. The worker costs about 0.3 s to start and warm.
SEPARATE_CHARS = 200_000


def analyse_apart(analyzer: Any, article: Any, lexicon: Any, stop: Callable[[], bool]) -> Any | None:
    """The whole analysis of a long ``article`` from a worker process, through the analyzer's cache; None
    when there is no cache to pass it through, when ``stop()`` turned true (the worker is stopped at once),
    or when the worker failed (the caller then analyses on its thread)."""
    cache_dir = getattr(analyzer, "cache_dir", None)
    if cache_dir is None:
        return None
    folder = Path(cache_dir) / "analysis"
    try:  # the result comes back through the cache: without a writable one the worker's work would be lost
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    import atexit

    from docbao.analysis.batch import BatchRunner

    batch = BatchRunner(cache_dir, jobs=1, lexicon=lexicon, separate=True)
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.05):
            if stop():
                batch.cancel()
                return

    atexit.register(batch.close)  # quitting mid-analysis stops the worker too
    threading.Thread(target=watch, name="docbao-analysis-watch", daemon=True).start()
    try:
        batch.start()
        result = batch.run([article])
    except Exception:  # no worker could be started (out of processes or files): analyse on the thread
        return None
    finally:
        finished.set()
        batch.close()
        atexit.unregister(batch.close)
    if result.cancelled or result.failed or stop():
        return None
    return analyzer.cached(article.text, lexicon, article_id=article.id)
