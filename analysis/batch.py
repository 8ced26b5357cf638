"""Whole-library analysis in the background: many articles over a pool of worker processes.

``BatchRunner(cache_dir, jobs).run(articles, on_progress=...)`` (or ``.iter(articles)``, a generator of
:class:`Progress`) analyses every article whose analysis is not in the cache yet and writes each result to
the cache as it comes, so a run that is stopped resumes where it was: cached articles are skipped.

- ``jobs`` worker processes (default: the cores this process may use), each one a fresh interpreter that
  imports this module alone (never the app, never Textual: it is started with ``python -c``, not forked and
  not through multiprocessing, which would re-import the caller's ``__main__``), builds the analyzer, warms
  its models once, then analyses one article at a time as the parent hands them out (longest first, so
  no worker is left with a long article at the end). ``jobs=1`` runs in this process, or in one worker
  with ``separate=True`` (the reader analyses a very long article so, off its own GIL).
- Progress: done, total, cached, analysed, failed, and an estimated time left (from the characters
  analysed per second so far), after every article.
- :meth:`BatchRunner.cancel` (any thread) stops the run within a fraction of a second: workers get SIGTERM,
  which interrupts the analysis; the cache writes a temporary file and renames it, and an interrupted write
  removes its temporary file, so no half-written entry is ever left under a key. In-process (``jobs=1``)
  the run stops between two articles.

Workers talk to the parent in JSON lines over their standard input and a private copy of their standard
output (their own stdout goes to stderr, so a library that prints cannot break the protocol).

Textual-free and store-free: an article is anything with ``id`` and ``text`` (store.articles.Article).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from docbao.analysis.lexicon import Lexicon, LexiconEntry

__all__ = ["DEFAULT_ANALYZER", "BatchResult", "BatchRunner", "ItemResult", "Progress", "default_jobs"]

DEFAULT_ANALYZER = "docbao.analysis.pipeline:Analyzer"
# Modules a worker must never have imported: the app and the UI toolkit (checked in every worker's hello).
FORBIDDEN_IN_WORKERS = ("textual", "docbao.tui", "docbao.store", "tinydb")
POLL_SECONDS = 0.05  # how often the parent looks at cancel() while workers are busy
STOP_GRACE_SECONDS = 2.0  # after SIGTERM, how long a worker may take to exit before it is killed


class Analyzable(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...


class AnalyzerLike(Protocol):
    def warm(self) -> None: ...

    def cached(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Any: ...

    def analyze(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Any: ...


def default_jobs() -> int:
    """The number of cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class ItemResult:
    """What happened to one article."""

    article_id: str
    status: str  # "cached" (skipped: already in the cache), "analysed", "failed"
    entities: int = 0
    quotes: int = 0  # speech (direct + indirect), terms not counted
    seconds: float = 0.0
    error: str = ""


@dataclass(frozen=True)
class Progress:
    done: int  # articles finished (cached, analysed or failed)
    total: int
    cached: int
    analysed: int
    failed: int
    elapsed: float  # seconds since the run started
    eta: float | None  # estimated seconds left; None until something was analysed (0.0 when finished)
    item: ItemResult | None = None  # the article that just finished (None for the first report)
    finished: bool = False
    cancelled: bool = False

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    def describe(self) -> str:
        """One line for a status bar: "1,234 of 10,000 analysed · about 3 min left"."""
        line = f"{self.done:,} of {self.total:,} articles"
        if self.failed:
            line += f" ({self.failed:,} failed)"
        if self.cancelled:
            return line + " · stopped"
        if self.finished:
            return line + " · done"
        if self.eta is not None:
            line += f" · about {_duration(self.eta)} left"
        return line


@dataclass
class BatchResult:
    total: int = 0
    cached: int = 0
    analysed: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # article id → one-line error
    cancelled: bool = False
    elapsed: float = 0.0
    workers: int = 0  # processes started (0: nothing to analyse, or jobs=1 in-process)
    worker_pids: list[int] = field(default_factory=list)  # of the workers that started and warmed
    warm_seconds: list[float] = field(default_factory=list)  # model warm-up, per worker (or in-process)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.cancelled


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "< 1 s"
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    if seconds < 3600:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def _one_line(exc: BaseException) -> str:
    msg = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def resolve_factory(spec: str) -> Callable[[str | None], AnalyzerLike]:
    """``"package.module:attr"`` → the callable that makes an analyzer from a cache folder."""
    module, _, attr = spec.partition(":")
    if not module or not attr:
        raise ValueError(f"an analyzer is named 'module:attribute', not {spec!r}")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise ValueError(f"{spec} is not callable")
    return obj  # type: ignore[no-any-return]


def _lexicon_doc(lexicon: Lexicon | None) -> list[list[str | None]]:
    return [[e.surface, e.label, e.scope] for e in lexicon.entries] if lexicon else []


def _lexicon_from(doc: Sequence[Sequence[str | None]]) -> Lexicon | None:
    entries = tuple(LexiconEntry(str(s), None if label is None else str(label), str(scope))
                    for s, label, scope in doc)
    return Lexicon(entries) if entries else None


def _counts(analysis: Any) -> tuple[int, int]:
    ents = len(getattr(analysis, "entities", ()) or ())
    quotes = sum(1 for q in getattr(analysis, "quotes", ()) or () if getattr(q, "kind", "") != "term")
    return ents, quotes


class BatchRunner:
    """Analyse articles into the cache with ``jobs`` processes. See the module docstring.

    ``analyzer`` names the factory ("module:attr", called with the cache folder) that every worker uses to
    build its analyzer; it must give an object with ``warm()``, ``cached()`` and ``analyze()`` that writes
    to the cache (docbao.analysis.pipeline.Analyzer does).
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None, jobs: int | None = None, *,
                 lexicon: Lexicon | None = None, analyzer: str = DEFAULT_ANALYZER, separate: bool = False) -> None:
        if jobs is not None and jobs < 1:
            raise ValueError(f"jobs must be 1 or more, not {jobs}")
        self.cache_dir = None if cache_dir is None else str(cache_dir)
        self.jobs = jobs or default_jobs()
        # jobs=1 analyses in this process, unless ``separate``: then in one worker process, so that a long
        # analysis does not hold this process's GIL (a UI's keys would wait for it)
        self.in_process = self.jobs == 1 and not separate
        self.lexicon = lexicon
        self.analyzer_spec = analyzer
        self._cancel = threading.Event()
        self._local: AnalyzerLike | None = None
        self._pool: _Pool | None = None  # kept between runs after start(), until close()
        self.result = BatchResult()
        # the forbidden modules (FORBIDDEN_IN_WORKERS) each worker of the last run had imported: [] each
        self.worker_modules: list[list[str]] = []

    # -- control -------------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the run (thread-safe, at any time, even before it starts): workers are stopped, nothing
        half-written stays in the cache."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def start(self, timeout: float = 120.0) -> None:
        """Start the workers now and wait until their models are warm (``jobs=1``: warm this process's
        analyzer), so the runs that follow begin at full speed. They are kept for the next runs until
        :meth:`close` (a run that is cancelled or stopped early stops them). Without start(), every run
        starts its own workers and stops them when it ends."""
        if self.in_process:
            self._analyzer().warm()
            return
        if self._pool is None or not self._pool.alive():
            self._pool = _Pool(self.jobs, self.cache_dir, self.lexicon, self.analyzer_spec)
        deadline = time.monotonic() + timeout
        while (any(w.alive and not w.ready for w in self._pool.workers) and time.monotonic() < deadline
               and not self._cancel.is_set()):
            self._pool.poll(POLL_SECONDS)

    @property
    def worker_pids(self) -> list[int]:
        """The process ids of the warm workers kept by :meth:`start`."""
        return [w.pid for w in self._pool.workers if w.ready and w.alive] if self._pool is not None else []

    def close(self) -> None:
        """Stop the workers kept by :meth:`start` (idempotent)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.stop()

    def __enter__(self) -> BatchRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, articles: Iterable[Analyzable], on_progress: Callable[[Progress], object] | None = None, *,
            interval: float = 0.0) -> BatchResult:
        """Run to the end (or until cancelled), calling ``on_progress`` after every article, or at most
        every ``interval`` seconds (the first and the last report always come: a UI passes 0.1)."""
        last = float("-inf")
        for p in self.iter(articles):
            if on_progress is None:
                continue
            now = time.monotonic()
            if p.finished or p.item is None or now - last >= interval:
                last = now
                on_progress(p)
        return self.result

    def _analyzer(self) -> AnalyzerLike:
        """The analyzer of this process (for the cache check and for jobs=1); models stay unloaded."""
        if self._local is None:
            self._local = resolve_factory(self.analyzer_spec)(self.cache_dir)
        return self._local

    # -- the run -------------------------------------------------------------------------------------
    def iter(self, articles: Iterable[Analyzable]) -> Iterator[Progress]:
        """Yield a :class:`Progress` at the start and after every article; the last one is ``finished``.

        Stopping the iteration early (closing the generator) stops the workers too. A runner that was
        cancelled stays cancelled (even if cancel() came before the run started): make a new one."""
        self.worker_modules = []
        arts = list(articles)
        started = time.monotonic()
        self.result = res = BatchResult(total=len(arts))
        tracker = _Tracker(len(arts), started)
        yield tracker.report(None)
        analyzer = self._analyzer()
        todo: list[Analyzable] = []
        for a in arts:
            if self._cancel.is_set():
                break
            try:
                hit = analyzer.cached(a.text, self.lexicon, a.id)
            except Exception:  # an unreadable cache entry is a miss
                hit = None
            if hit is None:
                todo.append(a)
                continue
            ents, quotes = _counts(hit)
            res.cached += 1
            yield tracker.report(ItemResult(a.id, "cached", ents, quotes))
        todo.sort(key=lambda a: -len(a.text))  # longest first: the workers finish together
        tracker.to_analyse(sum(len(a.text) for a in todo))
        if todo and not self._cancel.is_set():
            steps = self._in_process(todo, tracker) if self.in_process else self._in_workers(todo, tracker)
            try:
                for p in steps:
                    item = p.item
                    if item is not None and item.status == "analysed":
                        res.analysed += 1
                    elif item is not None and item.status == "failed":
                        res.failed[item.article_id] = item.error
                    yield p
            finally:
                steps.close()  # the caller stopped iterating: stop the workers now, not at garbage collection
        res.cancelled = self._cancel.is_set()
        res.elapsed = time.monotonic() - started
        yield tracker.report(None, finished=True, cancelled=res.cancelled)

    def _in_process(self, todo: list[Analyzable], tracker: _Tracker) -> Generator[Progress, None, None]:
        analyzer = self._analyzer()
        t = time.monotonic()
        try:
            analyzer.warm()
        except Exception as exc:
            error = _one_line(exc)
            for a in todo:
                yield tracker.report(ItemResult(a.id, "failed", error=error), chars=len(a.text))
            return
        self.result.warm_seconds.append(time.monotonic() - t)
        for a in todo:
            if self._cancel.is_set():
                return
            t = time.monotonic()
            try:
                analysis = analyzer.analyze(a.text, self.lexicon, a.id)
            except Exception as exc:
                item = ItemResult(a.id, "failed", seconds=time.monotonic() - t, error=_one_line(exc))
            else:
                ents, quotes = _counts(analysis)
                item = ItemResult(a.id, "analysed", ents, quotes, time.monotonic() - t)
            yield tracker.report(item, chars=len(a.text))

    def _in_workers(self, todo: list[Analyzable], tracker: _Tracker) -> Generator[Progress, None, None]:
        kept = self._pool if self._pool is not None and self._pool.alive() else None
        pool = kept or _Pool(min(self.jobs, len(todo)), self.cache_dir, self.lexicon, self.analyzer_spec)
        pool.set_lexicon(self.lexicon)
        queue = deque(todo)
        completed = False
        self.result.workers = len(pool.workers)
        self.result.worker_pids = [w.pid for w in pool.workers if w.ready]
        try:
            for w in pool.idle():  # a kept pool: its workers are warm and waiting
                if queue:
                    pool.send(w, queue.popleft())
            while not self._cancel.is_set():
                if not queue and not pool.busy():
                    completed = True
                    break
                if queue and not pool.alive():
                    # every worker is gone (a warm-up that failed, a crash): the rest fail with its reason
                    error = pool.last_error or "the analysis workers stopped"
                    while queue:
                        art = queue.popleft()
                        yield tracker.report(ItemResult(art.id, "failed", error=error), chars=len(art.text))
                    break
                for w, msg in pool.poll(POLL_SECONDS):
                    if msg.get("ready"):
                        self.result.worker_pids.append(w.pid)  # (as they come: a UI can show them)
                    elif "ready" not in msg:
                        finished, w.task = w.task, None
                        if finished is None:
                            continue
                        if msg.get("ok"):
                            item = ItemResult(finished.id, "analysed", int(msg.get("entities", 0)),
                                              int(msg.get("quotes", 0)), float(msg.get("seconds", 0.0)))
                        else:
                            item = ItemResult(finished.id, "failed", error=str(msg.get("error") or "failed"))
                        yield tracker.report(item, chars=len(finished.text))
                    # a task goes to a worker only once it is ready: then it reads at once, and a long
                    # article written to its pipe never blocks this loop
                    if queue and w.alive and w.ready and w.task is None and not self._cancel.is_set():
                        pool.send(w, queue.popleft())
        finally:
            ready = [w for w in pool.workers if w.ready]
            self.result.workers = len(pool.workers)
            self.result.worker_pids = [w.pid for w in ready]
            self.result.warm_seconds = [w.warm for w in ready]
            self.worker_modules = [w.modules for w in ready]
            if kept is None or not completed:  # a run's own workers; or stopped mid-way: tasks in flight
                pool.stop()
                if kept is not None:
                    self._pool = None


class _Tracker:
    """Counts and the estimate of time left (characters analysed per second so far)."""

    def __init__(self, total: int, started: float) -> None:
        self.total = total
        self.started = started
        self.done = self.cached = self.analysed = self.failed = 0
        self.chars_left = 0
        self.chars_done = 0
        self.analysing_since: float | None = None

    def to_analyse(self, chars: int) -> None:
        self.chars_left = chars
        self.analysing_since = time.monotonic()

    def report(self, item: ItemResult | None, *, chars: int = 0, finished: bool = False,
               cancelled: bool = False) -> Progress:
        now = time.monotonic()
        if item is not None:
            self.done += 1
            if item.status == "cached":
                self.cached += 1
            elif item.status == "analysed":
                self.analysed += 1
            else:
                self.failed += 1
            self.chars_done += chars
            self.chars_left = max(0, self.chars_left - chars)
        eta: float | None = None
        if finished:
            eta = 0.0
        elif self.analysing_since is not None and self.chars_done:
            rate = self.chars_done / max(now - self.analysing_since, 1e-6)
            eta = self.chars_left / rate
        return Progress(self.done, self.total, self.cached, self.analysed, self.failed, now - self.started, eta,
                        item, finished, cancelled)


# -- the worker processes ------------------------------------------------------------------------------

@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen[bytes]
    buffer: bytes = b""
    task: Analyzable | None = None
    alive: bool = True
    ready: bool = False
    pid: int = 0
    warm: float = 0.0  # seconds to import and warm the analyzer
    modules: list[str] = field(default_factory=list)  # FORBIDDEN_IN_WORKERS it had imported (none, we hope)


def _child_env() -> dict[str, str]:
    """The parent's environment, with the folders docbao is imported from first on the path, so the child
    imports the same docbao (an editable checkout, a wheel) whatever its working directory."""
    import docbao

    env = dict(os.environ)
    root = str(Path(docbao.__file__).resolve().parent.parent)
    # the folders put on the path by hand (a test runner's root, PYTHONPATH); not the interpreter's own
    system = tuple({sys.prefix, sys.base_prefix, sys.exec_prefix})
    extra = [p for p in sys.path if p and os.path.isdir(p) and not p.startswith(system)]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys([root, *extra]))
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("PYTHONIOENCODING", "utf-8")
    return env


WORKER_CODE = "from docbao.analysis.batch import worker_main; worker_main()"


class _Pool:
    def __init__(self, n: int, cache_dir: str | None, lexicon: Lexicon | None, analyzer: str) -> None:
        self.selector = selectors.DefaultSelector()
        self.workers: list[_Worker] = []
        self.last_error = ""
        self.lexicon = _lexicon_doc(lexicon)
        init = json.dumps({"cache_dir": cache_dir, "lexicon": self.lexicon, "analyzer": analyzer},
                          ensure_ascii=False) + "\n"
        env = _child_env()
        try:
            for _ in range(n):
                proc = subprocess.Popen(
                    [sys.executable, "-c", WORKER_CODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL, env=env, bufsize=0, start_new_session=True)
                w = _Worker(proc)
                self.workers.append(w)
                assert proc.stdout is not None
                os.set_blocking(proc.stdout.fileno(), False)
                self.selector.register(proc.stdout, selectors.EVENT_READ, w)
                self._write(w, init)
        except BaseException:
            self.stop()
            raise

    def _write(self, w: _Worker, line: str) -> None:
        stdin: IO[bytes] | None = w.proc.stdin
        try:
            assert stdin is not None
            stdin.write(line.encode("utf-8"))
            stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            self._lost(w)

    def set_lexicon(self, lexicon: Lexicon | None) -> None:
        """The corrections for the tasks that follow (workers keep them until told otherwise)."""
        doc = _lexicon_doc(lexicon)
        if doc != self.lexicon:
            self.lexicon = doc
            line = json.dumps({"lexicon": doc}, ensure_ascii=False) + "\n"
            for w in self.workers:
                if w.alive:
                    self._write(w, line)

    def alive(self) -> bool:
        return any(w.alive for w in self.workers)

    def idle(self) -> list[_Worker]:
        return [w for w in self.workers if w.alive and w.ready and w.task is None]

    def send(self, w: _Worker, article: Analyzable) -> None:
        w.task = article
        self._write(w, json.dumps({"id": article.id, "text": article.text}, ensure_ascii=False) + "\n")

    def busy(self) -> bool:
        return any(w.task is not None for w in self.workers)

    def _lost(self, w: _Worker) -> None:
        if w.alive:
            w.alive = False
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(w.proc.stdout)  # type: ignore[arg-type]

    def poll(self, timeout: float) -> list[tuple[_Worker, dict[str, Any]]]:
        """Messages from the workers (a dead worker's task comes back as a failure)."""
        out: list[tuple[_Worker, dict[str, Any]]] = []
        if not self.selector.get_map():
            time.sleep(min(timeout, 0.01))
        else:
            for key, _ in self.selector.select(timeout):
                w: _Worker = key.data
                try:
                    chunk = os.read(key.fd, 1 << 16)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    self._lost(w)
                    continue
                w.buffer += chunk
                while b"\n" in w.buffer:
                    line, w.buffer = w.buffer.split(b"\n", 1)
                    try:
                        msg = json.loads(line)
                    except ValueError:
                        continue
                    if msg.get("ready") is False:
                        self.last_error = str(msg.get("error") or "the analyzer could not start")
                    elif msg.get("ready"):
                        w.ready = True
                        w.pid = int(msg.get("pid", 0))
                        w.warm = float(msg.get("warm", 0.0))
                        w.modules = [str(m) for m in msg.get("modules") or []]
                    out.append((w, msg))
        for w in self.workers:
            if not w.alive and w.task is not None:
                code = w.proc.poll()
                why = self.last_error or f"the analysis worker stopped (exit status {code})"
                out.append((w, {"ok": False, "error": why}))
        return out

    def stop(self) -> None:
        """Stop every worker: SIGTERM (interrupts an analysis; the cache cleans its temporary file), then
        SIGKILL for any still there after a grace period. Pipes closed, processes reaped."""
        for w in self.workers:
            if w.proc.poll() is None:
                with contextlib.suppress(OSError):
                    w.proc.terminate()
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for w in self.workers:
            try:
                w.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    w.proc.kill()
                w.proc.wait()
            self._lost(w)
            for stream in (w.proc.stdin, w.proc.stdout):
                with contextlib.suppress(OSError, ValueError):
                    if stream is not None:
                        stream.close()
        self.selector.close()


class _Stop(BaseException):
    """Raised in a worker by SIGTERM: unwinds through the analysis and any cache write in progress."""


def _on_term(signum: int, frame: object) -> None:
    raise _Stop


def _watch_parent(parent: int) -> None:
    """A worker whose parent is gone (killed, or its terminal closed) stops within a second: SIGTERM unwinds
    the analysis and any cache write in progress, as when the parent stops it."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)


def worker_main() -> None:
    """A worker process: an init line, then one JSON task per line; one JSON answer per task."""
    signal.signal(signal.SIGTERM, _on_term)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the protocol

    def send(msg: dict[str, Any]) -> None:
        out.write(json.dumps(msg, ensure_ascii=False) + "\n")
        out.flush()

    try:
        stdin = sys.stdin.buffer
        init = json.loads(stdin.readline() or b"{}")
        try:
            t = time.monotonic()
            analyzer = resolve_factory(str(init.get("analyzer") or DEFAULT_ANALYZER))(init.get("cache_dir"))
            analyzer.warm()
            lexicon = _lexicon_from(init.get("lexicon") or [])
        except Exception as exc:
            send({"ready": False, "error": _one_line(exc)})
            return
        modules = sorted(n for n in sys.modules if any(n == f or n.startswith(f + ".") for f in
                                                         FORBIDDEN_IN_WORKERS))
        send({"ready": True, "pid": os.getpid(), "warm": time.monotonic() - t, "modules": modules})
        for line in stdin:
            task = json.loads(line)
            if "id" not in task:  # a control line: new corrections
                lexicon = _lexicon_from(task.get("lexicon") or [])
                continue
            t = time.monotonic()
            try:
                analysis = analyzer.analyze(task["text"], lexicon, task["id"])
            except Exception as exc:
                send({"id": task["id"], "ok": False, "error": _one_line(exc)})
                continue
            ents, quotes = _counts(analysis)
            send({"id": task["id"], "ok": True, "entities": ents, "quotes": quotes,
                  "seconds": time.monotonic() - t})
    except (_Stop, BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        with contextlib.suppress(Exception):
            out.close()
