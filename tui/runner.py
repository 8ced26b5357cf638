"""The analyzer's own thread: every call on the analyzer runs there, in order."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
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
