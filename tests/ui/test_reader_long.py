"""A very long article: its whole analysis runs in a worker process (keys never wait for the GIL), comes
back through the cache, and stops with the worker when the reader is left."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from docbao.analysis import batch
from docbao.analysis.pipeline import Analyzer
from docbao.store.articles import from_text
from docbao.tui.screens.library import LibraryScreen
from tests.conftest import SEED
from tests.ui.conftest import open_reader, settle


def long_article() -> Any:
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    return from_text("Tin dài về Minsk\n" + "\n\n".join([body] * 6), name="long.txt")


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, list[int]]]:
    """Every BatchRunner.start: (in a worker process?, its worker pids). A low threshold: 2,000 characters."""
    monkeypatch.setattr("docbao.tui.screens.reader.SEPARATE_CHARS", 2000)
    seen: list[tuple[bool, list[int]]] = []
    real = batch.BatchRunner.start

    def start(self: batch.BatchRunner, *args: Any, **kwargs: Any) -> None:
        real(self, *args, **kwargs)
        seen.append((not self.in_process, self.worker_pids))

    monkeypatch.setattr(batch.BatchRunner, "start", start)
    return seen


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_a_long_article_is_analysed_whole_in_a_worker_process(make_app, workers, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    article = long_article()
    here: list[int] = []  # the lengths of the texts analysed whole in this process
    real = Analyzer._analyze

    def spy(self: Analyzer, key: str, text: str, *args: Any) -> Any:
        here.append(len(text))
        return real(self, key, text, *args)

    monkeypatch.setattr(Analyzer, "_analyze", spy)
    app = make_app(analyzer=Analyzer(cache_dir=tmp_path / "cache"), articles=[article])
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot, "Minsk")
        counts = reader.model.counts()
    assert here == []  # not on the app's thread
    monkeypatch.setattr(Analyzer, "_analyze", real)
    expected = Analyzer(None).analyze(article.text)
    assert [sep for sep, _ in workers] == [True]
    assert counts == (len(expected.entities), len(expected.quotes))
    assert counts[0] > 6 * 5  # the seed's entities, six times over
    assert all(gone(pid) for pid in workers[0][1])  # the worker was stopped when its one article was done
    assert len(list((tmp_path / "cache").rglob("*.json"))) == 1  # the way the analysis came back


async def test_leaving_the_reader_stops_the_worker_of_a_long_analysis(make_app, workers, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # 2 MB: about 12 s of work, so the worker is surely still busy when the reader is left
    slow = "\n\n".join(["Ông Nguyễn Văn An đến Hà Nội hôm qua và nói rằng mọi việc vẫn ổn."] * 30_000)
    article = from_text("Bài rất dài\n" + slow, name="slow.txt")
    app = make_app(analyzer=Analyzer(cache_dir=tmp_path / "cache"), articles=[article])
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("enter")
        await settle(pilot, lambda: bool(workers) and bool(workers[0][1]), timeout=30)
        await pilot.press("escape")
        pids = workers[0][1]
        deadline = time.monotonic() + 10
        while not all(gone(p) for p in pids) and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert all(gone(p) for p in pids)
    # nothing half-written: no analysis reached the cache (the first test shows one does when it ends)
    assert not list((tmp_path / "cache").rglob("*.json"))


async def test_without_a_writable_cache_the_long_analysis_stays_on_the_thread(make_app, workers,
                                                                              tmp_path: Path) -> None:
    """The worker's result comes back through the cache: with none to write, no worker is started (its
    work would be lost and done twice)."""
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be", encoding="utf-8")
    article = long_article()
    app = make_app(analyzer=Analyzer(cache_dir=blocked), articles=[article])
    async with app.run_test(size=(100, 30)) as pilot:
        reader = await open_reader(pilot, "Minsk")
        counts = reader.model.counts()
    assert workers == []
    assert counts == (len((a := Analyzer(None).analyze(article.text)).entities), len(a.quotes))
