"""The quote book screen in a tiny host app: rows, filters (speaker, words, tag), open, copy, tag, paging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input

from docbao.store.annotations import AnnotationStore
from docbao.store.index import KnowledgeIndex, QuoteHit, QuoteTags
from docbao.tui.screens.quotebook import QuotebookScreen
from tests.ui.conftest import settle
from tests.unit.test_index import AN_1, AN_3, KREMLIN, PUTIN, analysed, article

ODD = "[b]Tin lạ[/b]\nPutin nói: “[red]không[/red] có gì”.\n"


class Host(App[None]):
    """Pushes the screen with callbacks that record what they were asked."""

    def __init__(self, index: KnowledgeIndex, **kwargs: Any) -> None:
        super().__init__()
        self.index = index
        self.kwargs = kwargs
        self.opened: list[tuple[str, int]] = []
        self.copied: list[tuple[str, str]] = []
        self.tagged: list[QuoteHit] = []

    def on_mount(self) -> None:
        self.push_screen(QuotebookScreen(self.index, on_open=lambda a, o: self.opened.append((a, o)),
                                         on_copy=lambda t, w: self.copied.append((t, w)),
                                         on_tag=self.tagged.append, **self.kwargs))


@pytest.fixture
def lib():
    return [article(PUTIN, "putin.txt", "2024-12-06"), article(KREMLIN, "kremlin.txt", "2024-12-07"),
            article(AN_1, "an1.txt"), article(AN_3, "an3.txt"), article(ODD, "odd.txt", "2024-01-01")]


@pytest.fixture
def index(tmp_path: Path, lib) -> KnowledgeIndex:
    ix = KnowledgeIndex()
    ix.refresh(lib, analysed(tmp_path, lib))
    return ix


def shown(screen: QuotebookScreen) -> list[str]:
    return [h.text for h in screen.hits[: screen.shown]]


def row_text(screen: QuotebookScreen, row: int) -> list[str]:
    return [str(c) for c in screen.table.get_row_at(row)]


async def test_every_direct_quote_with_speaker_article_and_date(index: KnowledgeIndex, lib) -> None:
    app = Host(index)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        screen = app.screen
        assert isinstance(screen, QuotebookScreen)
        assert screen.table.row_count == len(index.quotes()) == 6
        speaker, quote, title, date = row_text(screen, 0)
        assert (speaker, quote, date) == ("Vladimir Putin", "“Phương Tây đang leo thang căng thẳng”", "2024-12-07")
        assert title == lib[1].title
        # user text is never markup: brackets show as written
        odd = next(i for i, h in enumerate(screen.hits) if h.article.id == lib[4].id)
        assert row_text(screen, odd)[1] == "“[red]không[/red] có gì”"
        assert row_text(screen, odd)[2] == "[b]Tin lạ[/b]"
        status = str(screen.query_one("#quotebook-status").render())
        assert "6 quotes" in status
        # the footer teaches the keys: every binding has an id and a description
        assert all(b.id and b.description for b in QuotebookScreen.BINDINGS)


async def test_filter_by_speaker_words_and_tag(index: KnowledgeIndex, lib) -> None:
    store = AnnotationStore.in_memory()
    q = index.quotes(text="trời mưa")[0]
    store.add(lib[2], q.start, q.end, tags=["Thời tiết"])
    app = Host(index, tags=QuoteTags.from_annotations(store.all()))
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        screen = app.screen
        assert isinstance(screen, QuotebookScreen)
        await pilot.press("slash")
        assert screen.focused is screen.query_one("#quotebook-speaker")
        await pilot.press(*"PUTÍN")
        await settle(pilot)
        assert screen.table.row_count == 3  # Vladimir Putin: two quotes, and the odd article's
        assert {h.speaker for h in screen.hits} == {"Vladimir Putin"}
        screen.query_one("#quotebook-speaker", Input).value = ""
        screen.query_one("#quotebook-text", Input).value = "leo thang"
        await settle(pilot)
        assert shown(screen) == ["Phương Tây đang leo thang căng thẳng"]
        screen.query_one("#quotebook-text", Input).value = ""
        screen.query_one("#quotebook-tag", Input).value = "thoi tiet"
        await settle(pilot)
        assert shown(screen) == ["Trời mưa to quá"]
        assert "tag “thoi tiet”" in str(screen.query_one("#quotebook-status").render())
        # letters typed into a filter are text, not the copy or tag keys
        screen.query_one("#quotebook-tag", Input).focus()
        await pilot.press("c", "a")
        assert app.copied == [] and app.tagged == []
        # Esc clears the filter it is in, then q (or a second Esc) leaves the screen
        await pilot.press("escape")
        await settle(pilot)
        assert screen.filters["tag"] == "" and screen.table.row_count == 6
        assert screen.focused is screen.table
        await pilot.press("q")  # q leaves, as it does everywhere but in a text field
        await settle(pilot)
        assert not isinstance(app.screen, QuotebookScreen)
    store.close()


async def test_enter_opens_the_article_at_the_quote(index: KnowledgeIndex, lib) -> None:
    app = Host(index)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        screen = app.screen
        assert isinstance(screen, QuotebookScreen)
        await pilot.press("down", "enter")
        h = screen.hits[1]
        assert app.opened == [(h.article.id, h.start)]
        text = next(a.text for a in lib if a.id == h.article.id)
        assert text[h.start:h.end] == h.text


async def test_copy_and_copy_with_citation(index: KnowledgeIndex) -> None:
    app = Host(index)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        screen = app.screen
        assert isinstance(screen, QuotebookScreen)
        h = screen.hits[0]
        await pilot.press("c")
        await pilot.press("C")
        assert app.copied == [
            ("Phương Tây đang leo thang căng thẳng", "Copied"),
            (f"“Phương Tây đang leo thang căng thẳng” — Vladimir Putin, {h.article.title} ({h.article.source})",
             "Copied with citation"),
        ]


async def test_copy_without_a_callback_uses_the_app_clipboard(index: KnowledgeIndex) -> None:
    class Bare(App[None]):
        def on_mount(self) -> None:
            self.push_screen(QuotebookScreen(index, on_open=lambda a, o: None))

    app = Bare()
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        await pilot.press("C")
        assert app.clipboard.startswith("“Phương Tây đang leo thang căng thẳng” — Vladimir Putin, ")


async def test_tag_calls_back_and_new_tags_filter_at_once(index: KnowledgeIndex, lib) -> None:
    store = AnnotationStore.in_memory()
    app = Host(index, tags=QuoteTags())
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        screen = app.screen
        assert isinstance(screen, QuotebookScreen)
        screen.query_one("#quotebook-tag", Input).value = "nga"
        await settle(pilot)
        assert screen.table.row_count == 0
        screen.query_one("#quotebook-tag", Input).value = ""
        await settle(pilot)
        screen.table.focus()
        await pilot.press("down", "a")
        (h,) = app.tagged
        assert h == screen.hits[1]
        # what the app does with it: tag the quote's span in the store, then hand the screen the new tags
        art = next(a for a in lib if a.id == h.article.id)
        store.add(art, h.start, h.end, tags=["Nga"])
        screen.set_tags(QuoteTags.from_annotations(store.all()))
        screen.query_one("#quotebook-tag", Input).value = "nga"
        await settle(pilot)
        assert shown(screen) == [h.text]
    store.close()


async def test_a_page_at_a_time_and_more_at_the_end(index: KnowledgeIndex) -> None:
    app = Host(index, page_size=2, kinds=None)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        screen = app.screen
        assert isinstance(screen, QuotebookScreen)
        total = len(index.quotes(kinds=None))
        assert screen.shown == 2 and screen.table.row_count == 2
        assert f"2 of {total} quotes shown" in str(screen.query_one("#quotebook-status").render())
        await pilot.press("down")
        await settle(pilot)
        assert screen.shown == 4
        await pilot.press("end")
        for _ in range(total):
            await pilot.press("down")
        await settle(pilot)
        assert screen.shown == total == screen.table.row_count


async def test_an_index_that_changes_is_shown_when_the_screen_comes_back(tmp_path: Path, lib) -> None:
    ix = KnowledgeIndex()
    an = analysed(tmp_path, lib)
    ix.refresh(lib[:1], an)
    app = Host(ix)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, QuotebookScreen))
        screen = app.screen
        assert isinstance(screen, QuotebookScreen)
        assert screen.table.row_count == 2
        ix.refresh(lib, an)  # the app's background refresh finished
        from textual.screen import Screen

        await app.push_screen(Screen())
        app.pop_screen()
        await settle(pilot)
        assert screen.table.row_count == 6
