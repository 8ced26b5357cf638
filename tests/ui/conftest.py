"""Fixtures for the app's pilot and snapshot tests: an in-memory store, a fake analyzer with fixed results,
a fake native clipboard, and articles built in memory (so nothing depends on this machine's paths)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from docbao.analysis.lexicon import Lexicon
from docbao.analysis.spans import Analysis, Quote, Span, Speaker
from docbao.store.annotations import AnnotationStore
from docbao.store.articles import Article, from_text
from docbao.tui.app import DocbaoApp
from docbao.tui.clipboard import Clipboard

QUOTE_TEXT = "Phương Tây đang leo thang căng thẳng"
TEXT = (
    "Ông Putin gặp ông Lukashenko tại Minsk ngày 6/12.\n"
    "Tổng thống Nga nói: “Phương Tây đang leo thang căng thẳng”, theo Điện Kremlin.\n"
    "Bộ Ngoại giao Belarus cho biết hai bên đã ký hiệp ước an ninh mới ở Moskva.\n"
    "Ông Lukashenko nói thêm rằng Minsk sẵn sàng đón tên lửa Oreshnik.\n"
)


def span(text: str, surface: str, label: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Span(start, start + len(surface), label, surface)


def analysis_of(text: str = TEXT) -> Analysis:
    ents = [
        span(text, "Putin", "PER"),
        span(text, "Lukashenko", "PER"),
        span(text, "Minsk", "LOC"),
        span(text, "Nga", "LOC"),
        span(text, "Điện Kremlin", "ORG"),
        span(text, "Bộ Ngoại giao Belarus", "ORG"),
        span(text, "Moskva", "LOC"),
        span(text, "Lukashenko", "PER", 1),
        span(text, "Minsk", "LOC", 1),
        span(text, "Oreshnik", "MISC"),
    ]
    qtext = "Phương Tây đang leo thang căng thẳng"
    qs = text.index(qtext)
    sp = text.index("Tổng thống Nga")
    quote = Quote(qs, qs + len(qtext), qtext, "direct", Speaker("Tổng thống Nga", sp, sp + len("Tổng thống Nga")))
    itext = "Minsk sẵn sàng đón tên lửa Oreshnik"
    iq = text.index(itext)
    indirect = Quote(iq, iq + len(itext), itext, "indirect",
                     Speaker("Ông Lukashenko", text.index("Ông Lukashenko"),
                             text.index("Ông Lukashenko") + len("Ông Lukashenko")))
    ents.sort(key=lambda e: e.start)
    result = Analysis(tuple(ents), (quote, indirect), "test")
    result.check(text)
    return result


@dataclass
class FakeAnalyzer:
    """Any object with warm/cached/analyze/analyze_progressive will do (see tui.app)."""

    results: dict[str, Analysis] = field(default_factory=dict)
    cache: dict[str, Analysis] = field(default_factory=dict)
    gate: threading.Event | None = None  # when set, analysis waits for it (to test responsiveness)
    fail: bool = False
    threads: set[str] = field(default_factory=set)
    warmed: int = 0
    lexicons: list[Lexicon | None] = field(default_factory=list)
    firsts: list[tuple[int, int]] = field(default_factory=list)

    def warm(self) -> None:
        self.warmed += 1
        self.threads.add(threading.current_thread().name)

    def cached(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None
               ) -> Analysis | None:
        return self.cache.get(text)

    def _result(self, text: str) -> Analysis:
        if text in self.results:
            return self.results[text]
        return analysis_of(text) if text == TEXT else Analysis()

    def analyze(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Analysis:
        return self._result(text)

    def analyze_progressive(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None,
                            first: tuple[int, int] = (0, 0)) -> Iterator[Analysis]:
        self.threads.add(threading.current_thread().name)
        self.lexicons.append(lexicon)
        self.firsts.append(first)
        if self.fail:
            raise RuntimeError("the model is missing")
        full = self._result(text)
        line_end = text.find("\n") + 1 or len(text)
        part = Analysis(tuple(e for e in full.entities if e.end <= line_end), (), full.version,
                        meta={"partial": True})
        yield part
        if self.gate is not None:
            self.gate.wait(10)
        if lexicon:
            rejected = {e.surface for e in lexicon.for_article(article_id).entries if e.label is None}
            full = Analysis(tuple(e for e in full.entities if e.text not in rejected), full.quotes,
                            full.version)
        yield full


class FakeNative:
    name = "fake clipboard"

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.copied: list[str] = []

    def copy(self, text: str) -> None:
        if self.fail:
            import pyperclip

            raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism for your system.")
        self.copied.append(text)


def make_articles() -> list[Article]:
    main = from_text(TEXT, title="Putin gặp Lukashenko ở Minsk", name="putin.txt",
                     source="https://example.vn/putin-minsk")
    others = [
        from_text("Hà Nội mưa lớn\nNước ngập nhiều tuyến phố ở Hà Nội chiều nay.\n", name="ha-noi.txt",
                  source="https://example.vn/ha-noi"),
        from_text("Đà Nẵng đón khách\nDu lịch Đà Nẵng hồi phục mạnh.\n", name="da-nang.txt",
                  source="https://example.vn/da-nang"),
        from_text("[quan trọng] Giá vàng tăng\nGiá vàng trong nước tăng mạnh sáng nay, theo SJC.\n",
                  name="vang.txt", source="https://example.vn/vang"),
    ]
    return [main, *others]


@pytest.fixture
def articles() -> list[Article]:
    return make_articles()


@pytest.fixture
def analyzer() -> FakeAnalyzer:
    return FakeAnalyzer()


@pytest.fixture
def native() -> FakeNative:
    return FakeNative()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


def build(store: Any, analyzer: Any, articles: list[Article], *, native: Any = None, data_dir: Path,
          environ: dict[str, str] | None = None, **kwargs: Any) -> DocbaoApp:
    clipboard = Clipboard(native=native or FakeNative(), fallback_dir=data_dir, environ=environ or {})
    return DocbaoApp(store, analyzer, articles, clipboard=clipboard, data_dir=data_dir, **kwargs)


@pytest.fixture
def make_app(store: AnnotationStore, analyzer: FakeAnalyzer, articles: list[Article], native: FakeNative,
             data_dir: Path) -> Any:
    def _make(**kwargs: Any) -> DocbaoApp:
        return build(kwargs.pop("store", store), kwargs.pop("analyzer", analyzer), kwargs.pop("articles", articles),
                     native=kwargs.pop("native", native), data_dir=kwargs.pop("data_dir", data_dir), **kwargs)

    return _make


async def settle(pilot: Any, until: Any = None, timeout: float = 5.0) -> None:
    """Let workers and messages run; with ``until`` (a callable), wait until it is true."""
    import time

    end = time.monotonic() + timeout
    await pilot.pause()
    while until is not None and not until():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    await pilot.pause()


async def open_reader(pilot: Any, title_part: str = "Putin") -> Any:
    """From the library, open the article whose title contains ``title_part``; wait for its analysis."""
    from docbao.tui.screens.library import LibraryScreen
    from docbao.tui.screens.reader import ReaderScreen

    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
    lib = app.screen
    table = lib.table
    idx = next(i for i, r in enumerate(table.rows) if title_part in r.title)
    table.move_to(table.rows[idx].article_id)
    await pilot.press("enter")
    await settle(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.analysed)
    return app.screen
