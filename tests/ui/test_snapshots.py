"""Snapshots (pytest-textual-snapshot) with a fake analyzer and articles built in memory, so they depend on
nothing of this machine. Before each shot: workers done, toasts cleared, cursors not blinking. The main views
are shot at 140×40, 80×24 and 60×20 in the dark and the light theme (every key that matters in the footer,
every dialog with its buttons); a few more at 120×34. Update with
``pytest tests/ui/test_snapshots.py --snapshot-update`` and look at the report."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, TextArea

from docbao.tui.screens.corrections import CorrectionDialog
from docbao.tui.screens.dialogs import AnnotateDialog
from tests.ui.conftest import TEXT, analysis_of, open_reader, settle

SIZE = (120, 34)
QUOTE = "Phương Tây đang leo thang căng thẳng"


async def still(pilot: Any) -> None:
    """Quiet the app for a stable picture."""
    app = pilot.app
    await app.workers.wait_for_complete()
    await settle(pilot)
    for widget in app.screen.query(Input):
        widget.cursor_blink = False
    for widget in app.screen.query(TextArea):
        widget.cursor_blink = False
    app.clear_notifications()
    await settle(pilot)
    app.clear_notifications()  # a toast posted while settling (marked read on reaching the end)
    await settle(pilot)


def test_library(snap_compare, make_app, analyzer, store, articles) -> None:
    analyzer.cache[TEXT] = analysis_of()
    store.add(articles[3], tags=["[quan trọng]", "kinh tế"])
    app = make_app()

    async def run_before(pilot: Any) -> None:
        await settle(pilot, lambda: all(r.entities is not None for r in app.library.rows))
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


SIZES = [(140, 40), (80, 24), (60, 20)]
THEMES = ["textual-dark", "textual-light"]


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", ["library", "reader", "tag-dialog", "correction-dialog"])
def test_views_at_three_sizes_in_both_themes(snap_compare, make_app, store, articles, analyzer, view, size,
                                             theme) -> None:
    analyzer.cache[TEXT] = analysis_of()
    store.add(articles[3], tags=["kinh tế"])
    app = make_app(theme=theme, mark_read="never")  # no "marked as read" toast racing the shot

    async def run_before(pilot: Any) -> None:
        if view == "library":
            await settle(pilot, lambda: all(r.entities is not None for r in app.library.rows))
        else:
            reader = await open_reader(pilot)
            reader.go_to(TEXT.index(QUOTE) + 2)
            if view == "tag-dialog":
                await pilot.press("a")
                await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
                await pilot.press(*"Nga")
            elif view == "correction-dialog":
                reader.go_to(TEXT.index("Minsk"))
                await pilot.press("x")
                await settle(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        await still(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_reader_search_hits(snap_compare, make_app) -> None:
    app = make_app()

    async def run_before(pilot: Any) -> None:
        await open_reader(pilot)
        await pilot.press("slash", *"lukashenko", "enter")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_library_filtered(snap_compare, make_app) -> None:
    app = make_app()

    async def run_before(pilot: Any) -> None:
        await settle(pilot, lambda: app.library.text_indexed)
        await pilot.press("slash", *"ha noi")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reader_with_highlights(snap_compare, make_app, store, articles) -> None:
    store.add(articles[0], TEXT.index("hiệp ước"), TEXT.index("hiệp ước") + len("hiệp ước an ninh"),
              tags=["an ninh"])
    app = make_app()

    async def run_before(pilot: Any) -> None:
        reader = await open_reader(pilot)
        await pilot.press("p")  # the text alone
        await settle(pilot)
        reader.go_to(TEXT.index(QUOTE))
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reader_light_theme_with_selection(snap_compare, make_app) -> None:
    app = make_app(theme="textual-light")

    async def run_before(pilot: Any) -> None:
        reader = await open_reader(pilot)
        start = TEXT.index("Bộ Ngoại giao")
        reader.view.select_range(start, start + 30)
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_side_panel_entities(snap_compare, make_app) -> None:
    app = make_app()

    async def run_before(pilot: Any) -> None:
        await open_reader(pilot)
        await pilot.press("E")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_side_panel_quotes_and_notes(snap_compare, make_app, store, articles) -> None:
    store.add(articles[0], TEXT.index(QUOTE), TEXT.index(QUOTE) + len(QUOTE), tags=["[quan trọng]"],
              note="Câu này đáng chú ý.\nDòng thứ hai.")
    store.add(articles[0], tags=["bài hay"])

    app = make_app()

    async def run_before(pilot: Any) -> None:
        await open_reader(pilot)
        await pilot.press("T")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_tag_note_dialog(snap_compare, make_app, store, articles) -> None:
    store.add(articles[1], tags=["quan trọng"])
    app = make_app()

    async def run_before(pilot: Any) -> None:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index(QUOTE) + 2)
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        await pilot.press(*"Nga, qua")
        app.screen.query_one(TextArea).text = "Ông Putin nói tại Minsk.\n[ghi chú] không phải markup"
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_help_screen(snap_compare, make_app) -> None:
    app = make_app()

    async def run_before(pilot: Any) -> None:
        await open_reader(pilot)
        await pilot.press("question_mark")
        await still(pilot)

    assert snap_compare(app, terminal_size=(120, 48), run_before=run_before)


def test_error_screen(snap_compare, make_app) -> None:
    from pathlib import Path

    app = make_app(store=None, store_error="/home/user/.local/share/docbao/docbao.json: not valid JSON "
                   "(line 3); it was left untouched", db_path=Path("/home/user/.local/share/docbao/docbao.json"))

    async def run_before(pilot: Any) -> None:
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
