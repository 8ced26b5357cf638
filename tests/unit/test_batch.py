"""Whole-library analysis (docbao.analysis.batch): a pool of worker processes that warm once, write the cache,
resume, report progress, and stop promptly when cancelled.

The workers here build :class:`RuleAnalyzer`, a small stand-in with the real analyzer's methods and its real
cache (docbao.analysis.cache), so these tests do not depend on the shipped models; the seed test in
test_library_cmds.py runs the real one end to end. This module imports nothing but the analysis package at
the top, because the workers import it (and must never import the app).
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest

from docbao.analysis.batch import BatchRunner, Progress, default_jobs
from docbao.analysis.cache import AnalysisCache
from docbao.analysis.entities import apply_lexicon
from docbao.analysis.lexicon import Lexicon, LexiconEntry
from docbao.analysis.spans import Analysis, Quote, Span, Speaker
from docbao.analysis.text import normalize_text, text_sha256

FAKE = "tests.unit.test_batch:RuleAnalyzer"
BROKEN = "tests.unit.test_batch:BrokenAnalyzer"
SLOW_MARK = "⏳"  # an article containing it takes 30 s to analyse (for cancellation)
FAIL_MARK = "💥"  # an article containing it cannot be analysed
DELAY_ENV = "DOCBAO_TEST_RULE_DELAY"

NAMES = {
    "Tổng thống Vladimir Putin": "PER", "Tổng thống Putin": "PER", "Vladimir Putin": "PER", "Putin": "PER",
    "Alexander Lukashenko": "PER", "Lukashenko": "PER", "Nguyễn Văn An": "PER", "Trần Văn An": "PER",
    "An": "PER", "Lê Thị Hoa": "PER", "Hoa": "PER",
    "Liên bang Nga": "LOC", "Nga": "LOC", "Belarus": "LOC", "Minsk": "LOC", "Hà Nội": "LOC", "Việt Nam": "LOC",
    "Hà Nam": "LOC", "Nam": "LOC", "Điện Kremlin": "ORG", "Bộ Ngoại giao": "ORG", "Oreshnik": "MISC",
}
_NAME_RE = re.compile(r"(?<!\w)(%s)(?!\w)" % "|".join(re.escape(n) for n in sorted(NAMES, key=len, reverse=True)))
_QUOTE_RE = re.compile(r"“([^”]+)”")


def rule_analysis(text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Analysis:
    """Entities from NAMES, quotes in “…” with the nearest person before them in the paragraph (else after)."""
    ents = [Span(m.start(), m.end(), NAMES[m.group(1)], m.group(1)) for m in _NAME_RE.finditer(text)]
    if lexicon:
        lex = lexicon.for_article(article_id)
        ents = apply_lexicon(text, ents, Lexicon(tuple(e for e in lex.entries if e.surface in text)))
    quotes = []
    for m in _QUOTE_RE.finditer(text):
        para_start = text.rfind("\n", 0, m.start()) + 1
        para_end = text.find("\n", m.end())
        para_end = len(text) if para_end < 0 else para_end
        people = [e for e in ents if e.label == "PER" and para_start <= e.start and e.end <= para_end
                  and not (m.start() <= e.start < m.end())]
        before = [e for e in people if e.end <= m.start()]
        after = [e for e in people if e.start >= m.end()]
        sp = before[-1] if before else (after[0] if after else None)
        speaker = Speaker(sp.text, sp.start, sp.end) if sp else None
        quotes.append(Quote(m.start(1), m.end(1), m.group(1), "direct", speaker))
    return Analysis(tuple(ents), tuple(quotes), "rule")


class RuleAnalyzer:
    """The methods of docbao.analysis.pipeline.Analyzer over :func:`rule_analysis`, with the real cache.

    Every analysis it writes records, in its version, the process that made it and how many times that
    process's analyzer was warmed before it: "rule-PID-WARMS" (0: never; like the real one, it works cold).
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.cache = AnalysisCache(Path(cache_dir)) if cache_dir is not None else None
        self.warms = 0
        self.delay = float(os.environ.get(DELAY_ENV, "0"))  # seconds per analysis (the workers inherit it)

    def warm(self) -> None:
        self.warms += 1

    def key(self, text: str, lexicon: Lexicon | None, article_id: str | None) -> str:
        lex = lexicon.for_article(article_id) if lexicon else None
        lex = Lexicon(tuple(e for e in lex.entries if e.surface in text)) if lex else None
        return f"{text_sha256(text)}-rule-{lex.version if lex else 'none'}"

    def cached(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None
               ) -> Analysis | None:
        return self.cache.get(self.key(text, lexicon, article_id), text) if self.cache is not None else None

    def analyze(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Analysis:
        hit = self.cached(text, lexicon, article_id)
        if hit is not None:
            return hit
        if FAIL_MARK in text:
            raise ValueError("cannot analyse this one")
        time.sleep(self.delay)
        if SLOW_MARK in text:
            end = time.monotonic() + 30
            while time.monotonic() < end:
                time.sleep(0.02)
        a = rule_analysis(text, lexicon, article_id)
        result = Analysis(a.entities, a.quotes, f"rule-{os.getpid()}-{self.warms}")
        if self.cache is not None:
            self.cache.put(self.key(text, lexicon, article_id), result)
        return result


class BrokenAnalyzer(RuleAnalyzer):
    def warm(self) -> None:
        raise RuntimeError("the entity model /somewhere/ner.crf is missing")


class Doc:
    def __init__(self, article_id: str, text: str) -> None:
        self.id = article_id
        self.text = normalize_text(text)


def docs(n: int, prefix: str = "a") -> list[Doc]:
    out = []
    for i in range(n):
        out.append(Doc(f"{prefix}{i}", f"Bài {prefix}{i}\nÔng Putin gặp ông Lukashenko ở Minsk lần thứ {i}.\n"
                                       f"Putin nói: “Nga và Belarus là đồng minh số {i}”.\n" + "Thêm chữ. " * i))
    return docs_sorted(out)


def docs_sorted(items: list[Doc]) -> list[Doc]:
    return sorted(items, key=lambda d: d.id)


def cache_version(cache_dir: Path, doc: Doc, lexicon: Lexicon | None = None) -> str | None:
    hit = RuleAnalyzer(cache_dir).cached(doc.text, lexicon, doc.id)
    return None if hit is None else hit.version


def tmp_files(cache_dir: Path) -> list[Path]:
    return [p for p in (cache_dir / "analysis").rglob("*") if p.name.startswith(".tmp-")]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone for our purposes (reaped by its parent soon); check /proc where there is one
    status = Path(f"/proc/{pid}/status")
    if status.exists():
        return "zombie" not in status.read_text().lower()
    return True


# -- the tests ---------------------------------------------------------------------------------------------

def test_two_workers_analyse_everything_into_the_cache_each_warmed_once(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(DELAY_ENV, "0.2")  # long enough for both workers to start and share the work
    arts = docs(8)
    runner = BatchRunner(tmp_path, jobs=2, analyzer=FAKE)
    reports: list[Progress] = []
    result = runner.run(arts, on_progress=reports.append)
    assert result.ok and result.analysed == 8 and result.cached == 0 and result.workers == 2
    versions = {d.id: cache_version(tmp_path, d) for d in arts}
    assert all(v is not None for v in versions.values())
    pids = {str(v).split("-")[1] for v in versions.values()}
    warms = {str(v).split("-")[2] for v in versions.values()}
    assert str(os.getpid()) not in pids  # analysed in worker processes, not here
    assert pids <= {str(p) for p in result.worker_pids} and len(result.worker_pids) == 2
    assert warms == {"1"}  # each worker warmed its analyzer once, before its first analysis
    assert len(result.warm_seconds) == 2
    # the workers never imported the app, Textual or the store
    assert runner.worker_modules == [[], []]
    # progress: a first report, one per article, a last one
    assert reports[0].done == 0 and reports[0].total == 8 and reports[0].item is None
    assert [r.done for r in reports[1:-1]] == list(range(1, 9))
    assert reports[-1].finished and reports[-1].eta == 0.0 and reports[-1].describe().endswith("done")
    assert all(r.eta is not None for r in reports[2:])
    assert {r.item.article_id for r in reports if r.item} == {d.id for d in arts}
    assert all(r.item.entities > 0 and r.item.quotes == 1 for r in reports if r.item)


def test_a_second_run_resumes_cached_articles_are_skipped(tmp_path: Path) -> None:
    first = docs(5)
    BatchRunner(tmp_path, jobs=2, analyzer=FAKE).run(first)
    again = BatchRunner(tmp_path, jobs=2, analyzer=FAKE).run(first)
    assert again.cached == 5 and again.analysed == 0 and again.workers == 0
    more = first + docs(2, prefix="b")
    result = BatchRunner(tmp_path, jobs=2, analyzer=FAKE).run(more)
    assert (result.cached, result.analysed) == (5, 2)
    assert result.workers == 2


def test_jobs_1_runs_in_this_process(tmp_path: Path) -> None:
    arts = docs(3)
    result = BatchRunner(tmp_path, jobs=1, analyzer=FAKE).run(arts)
    assert result.analysed == 3 and result.workers == 0 and result.worker_pids == []
    assert {cache_version(tmp_path, d) for d in arts} == {f"rule-{os.getpid()}-1"}


def test_corrections_reach_the_workers(tmp_path: Path) -> None:
    arts = docs(2)
    lex = Lexicon((LexiconEntry("Lukashenko", None),))
    BatchRunner(tmp_path, jobs=2, lexicon=lex, analyzer=FAKE).run(arts)
    for d in arts:
        hit = RuleAnalyzer(tmp_path).cached(d.text, lex, d.id)
        assert hit is not None and hit.version.startswith("rule-")
        assert "Lukashenko" not in {e.text for e in hit.entities}
        assert RuleAnalyzer(tmp_path).cached(d.text, None, d.id) is None  # another key without the correction


def test_cancel_stops_the_workers_promptly_and_leaves_no_half_written_entry(tmp_path: Path) -> None:
    slow = [Doc(f"slow{i}", f"Bài chậm {i} {SLOW_MARK}\nPutin nói: “chờ”.\n") for i in range(2)]
    quick = docs(6)
    runner = BatchRunner(tmp_path, jobs=2, analyzer=FAKE)
    box: dict[str, object] = {}

    def run() -> None:
        box["result"] = runner.run(slow + quick)

    t = threading.Thread(target=run)
    t.start()
    deadline = time.monotonic() + 20
    while len(runner.result.worker_pids) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)  # both workers are now deep in a slow article
    pids = list(runner.result.worker_pids)
    t0 = time.monotonic()
    runner.cancel()
    t.join(10)
    assert not t.is_alive()
    assert time.monotonic() - t0 < 3.0  # promptly: the slow articles had 29 s to go
    result = box["result"]
    assert isinstance(result, type(runner.result)) and result.cancelled and not result.ok
    assert len(pids) == 2 and not any(alive(p) for p in pids)
    for d in slow:
        assert cache_version(tmp_path, d) is None
    assert tmp_files(tmp_path) == []
    for entry in (tmp_path / "analysis").rglob("*.json"):  # whatever was written is whole
        assert entry.read_text(encoding="utf-8").endswith("}")
    # and the next run resumes: the quick ones are analysed, nothing is redone twice
    rest = BatchRunner(tmp_path, jobs=2, analyzer=FAKE).run(quick)
    assert rest.ok and rest.cached + rest.analysed == len(quick)


def test_cancel_in_process_stops_between_articles(tmp_path: Path) -> None:
    arts = docs(6)
    runner = BatchRunner(tmp_path, jobs=1, analyzer=FAKE)
    seen = []
    for p in runner.iter(arts):
        seen.append(p)
        if p.analysed == 2:
            runner.cancel()
    assert seen[-1].finished and seen[-1].cancelled
    assert runner.result.cancelled and runner.result.analysed == 2
    assert sum(cache_version(tmp_path, d) is not None for d in arts) == 2


def test_started_workers_are_kept_warm_between_runs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(DELAY_ENV, "0.05")
    with BatchRunner(tmp_path, jobs=2, analyzer=FAKE) as runner:
        runner.start()
        pids = sorted(runner.worker_pids)
        assert len(pids) == 2 and all(alive(p) for p in pids)
        first = runner.run(docs(6))
        assert first.analysed == 6 and sorted(first.worker_pids) == pids
        # a second run with other corrections: the same warm workers, told the new corrections
        lex = Lexicon((LexiconEntry("Lukashenko", None),))
        runner.lexicon = lex
        more = docs(4, prefix="b")
        second = runner.run(more)
        assert second.analysed == 4 and sorted(second.worker_pids) == pids
        for d in more:
            hit = RuleAnalyzer(tmp_path).cached(d.text, lex, d.id)
            assert hit is not None and "Lukashenko" not in {e.text for e in hit.entities}
            assert hit.version.endswith("-1")  # warmed once, at start(): never again
    assert not any(alive(p) for p in pids)  # close() stopped them


def test_cancel_before_the_run_starts_is_not_lost(tmp_path: Path) -> None:
    runner = BatchRunner(tmp_path, jobs=2, analyzer=FAKE)
    runner.cancel()  # the UI's quit came before the worker thread got going
    result = runner.run(docs(4))
    assert result.cancelled and result.analysed == 0 and result.workers == 0


def test_closing_the_iterator_stops_the_workers(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(DELAY_ENV, "0.2")
    slow = [Doc(f"slow{i}", f"Chậm {i} {SLOW_MARK}\n") for i in range(2)]
    runner = BatchRunner(tmp_path, jobs=2, analyzer=FAKE)
    gen = runner.iter(slow + docs(8))
    for p in gen:
        if len(runner.result.worker_pids) == 2 and p.analysed:
            break  # both workers are up and busy
    pids = list(runner.result.worker_pids)
    assert len(pids) == 2
    t0 = time.monotonic()
    gen.close()
    assert time.monotonic() - t0 < 3.0
    assert not any(alive(p) for p in pids)
    assert tmp_files(tmp_path) == []


def test_a_worker_that_cannot_warm_fails_every_article_with_its_reason(tmp_path: Path) -> None:
    arts = docs(4)
    result = BatchRunner(tmp_path, jobs=2, analyzer=BROKEN).run(arts)
    assert result.analysed == 0 and set(result.failed) == {d.id for d in arts}
    assert all("ner.crf is missing" in why for why in result.failed.values())
    in_process = BatchRunner(tmp_path, jobs=1, analyzer=BROKEN).run(arts)
    assert set(in_process.failed) == {d.id for d in arts}


def test_an_article_that_fails_does_not_stop_the_others(tmp_path: Path) -> None:
    arts = [*docs(3), Doc("bad", f"Bài hỏng {FAIL_MARK}\n")]
    for jobs in (2, 1):
        result = BatchRunner(tmp_path / str(jobs), jobs=jobs, analyzer=FAKE).run(arts)
        assert result.analysed == 3 and list(result.failed) == ["bad"]
        assert result.failed["bad"] == "ValueError: cannot analyse this one"


def test_progress_at_most_every_interval_first_and_last_always(tmp_path: Path) -> None:
    arts = docs(20)
    BatchRunner(tmp_path, jobs=1, analyzer=FAKE).run(arts)  # cached: 20 reports come at once
    reports: list[Progress] = []
    result = BatchRunner(tmp_path, jobs=1, analyzer=FAKE).run(arts, on_progress=reports.append, interval=60)
    assert result.cached == 20
    assert [r.done for r in reports] == [0, 20] and reports[-1].finished


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        BatchRunner(None, jobs=0)
    assert default_jobs() >= 1
    assert BatchRunner(None).jobs == default_jobs()


def test_progress_describes_itself() -> None:
    p = Progress(done=3, total=10, cached=1, analysed=2, failed=0, elapsed=2.0, eta=125.0)
    assert p.describe() == "3 of 10 articles · about 2 min left"
    assert Progress(10, 10, 0, 9, 1, 5.0, 0.0, finished=True).describe() == "10 of 10 articles (1 failed) · done"
    assert Progress(0, 0, 0, 0, 0, 0.0, None).fraction == 1.0


def test_workers_stop_when_their_parent_is_killed(tmp_path: Path) -> None:
    """SIGKILL, or a closed terminal, gives the parent no chance to stop its workers: they notice it is gone
    and stop by themselves (a long analysis would otherwise run on for minutes)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    parent = (f"import sys, threading, time\nsys.path.insert(0, {str(root)!r})\n"
              "from docbao.analysis.batch import BatchRunner\n"
              "from tests.unit.test_batch import SLOW_MARK, Doc\n"
              f"r = BatchRunner({str(tmp_path)!r}, jobs=2, analyzer={FAKE!r})\n"
              "r.start()\n"
              "slow = [Doc(f's{i}', f'Bài chậm {i} {SLOW_MARK}') for i in range(2)]\n"
              "threading.Thread(target=r.run, args=(slow,), daemon=True).start()\n"
              "time.sleep(0.5)\n"  # both workers are deep in a 29 s analysis
              "print(*r.worker_pids, flush=True)\ntime.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE, text=True, cwd=root)
    assert proc.stdout is not None
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2 and all(alive(p) for p in pids)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in pids)
