"""Tag, note, edit, delete: the dialogs, the store, the marks in the text and the Notes tab."""

from __future__ import annotations

import contextlib
from pathlib import Path

from textual.widgets import Input, TextArea

from docbao.tui.screens.dialogs import AnnotateDialog, ConfirmDialog, TagSuggester, parse_tags
from docbao.tui.screens.reader import ReaderScreen
from tests.ui.conftest import TEXT, open_reader, settle

QUOTE = "Phương Tây đang leo thang căng thẳng"


async def test_tag_the_quote_under_the_cursor(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index(QUOTE) + 5)
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        await pilot.press(*"[quan trọng], Nga")
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        (ann,) = store.all()
        assert ann.tags == ("[quan trọng]", "Nga")
        assert ann.target is not None and ann.target.exact == QUOTE
        # marked in the text and listed in the Notes tab, as typed (not markup)
        assert any(s.kind == "annotation" and s.key == ann.id for s in reader.view.spans)
        notes = reader.query_one("#notes-list")
        assert "#[quan trọng]" in str(notes.get_option_at_index(0).prompt)
        assert "note #[quan trọng] #Nga" in str(reader.query_one("#reader-info").render())


async def test_tag_the_selection_with_a_multiline_note(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        start = TEXT.index("hiệp ước")
        reader.view.select_range(start, start + len("hiệp ước"))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        dialog = app.screen
        await pilot.press(*"an ninh")
        dialog.query_one(TextArea).focus()
        await pilot.press(*"dòng một", "enter", *"dòng hai")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        (ann,) = store.all()
        assert ann.target.exact == "hiệp ước"
        assert ann.note == "dòng một\ndòng hai"
        assert ann.tags == ("an ninh",)
        assert reader.view.selection is None


async def test_note_for_the_whole_article_when_nothing_is_under_the_cursor(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index("gặp"))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        assert "whole article" in app.screen.heading
        await pilot.press(*"tổng quan", "enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        (ann,) = store.all()
        assert ann.target is None and ann.tags == ("tổng quan",)
        assert "whole article" in str(reader.query_one("#notes-list").get_option_at_index(0).prompt)


async def test_note_in_editor(make_app, store) -> None:
    seen: list[str] = []

    def editor(text: str) -> str:
        seen.append(text)
        return "viết trong $EDITOR\ndòng hai"

    app = make_app(editor=editor)
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index(QUOTE))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        app.screen.query_one(TextArea).text = "bản nháp"
        await pilot.press("ctrl+e")
        assert seen == ["bản nháp"]
        assert app.screen.query_one(TextArea).text == "viết trong $EDITOR\ndòng hai"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.all()[0].note == "viết trong $EDITOR\ndòng hai"


async def test_editor_that_cannot_run_is_reported(make_app, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, AnnotateDialog)  # still there, nothing lost
        assert any("editor" in n.message.lower() for n in app._notifications)


async def test_cancel_saves_nothing(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        await pilot.press(*"x", "escape")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.all() == []


async def test_tag_suggestions_from_existing_tags(make_app, store, articles) -> None:
    store.add(articles[1], tags=["quan trọng"])
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index(QUOTE))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        await pilot.press(*"Nga, qua")
        await settle(pilot)
        inp = app.screen.query_one("#tags", Input)
        assert inp._suggestion == "Nga, quan trọng"
        await pilot.press("right")  # accept the suggestion
        assert inp.value == "Nga, quan trọng"
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.for_article(reader.article)[0].annotation.tags == ("Nga", "quan trọng")


async def test_suggester_folds_accents() -> None:
    s = TagSuggester({"quan trọng": 3, "Đà Nẵng": 1})
    assert await s.get_suggestion("da n") == "Đà Nẵng"
    assert await s.get_suggestion("x, #quan t") == "x, #quan trọng"
    assert await s.get_suggestion("") is None
    assert parse_tags(" #a, b ,, a , [c] ") == ("a", "b", "[c]")


async def test_edit_then_delete_with_confirmation(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        ann = store.add(reader.article, TEXT.index("Minsk"), TEXT.index("Minsk") + 5, tags=["cũ"], note="ghi chú")
        reader.refresh_notes()
        reader.go_to(TEXT.index("Minsk") + 1)
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        inp = app.screen.query_one("#tags", Input)
        assert inp.value == "cũ"
        assert app.screen.query_one(TextArea).text == "ghi chú"
        inp.value = "mới"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.get(ann.id).tags == ("mới",)
        assert store.get(ann.id).note == "ghi chú"
        # delete asks first; "n" keeps it
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.get(ann.id) is not None
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.get(ann.id) is None
        assert not any(s.kind == "annotation" for s in reader.view.spans)


async def test_edit_and_delete_from_the_notes_tab(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        ann = store.add(reader.article, tags=["bài hay"])
        reader.refresh_notes()
        await pilot.press("T")
        assert reader.query_one("#notes-list").has_focus
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await pilot.press("d")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.get(ann.id) is None


async def test_nothing_to_edit_says_so(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("e")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert sum("No note under the cursor" in n.message for n in app._notifications) == 2


async def test_a_failed_save_is_reported_not_a_crash(make_app, store, monkeypatch) -> None:
    from docbao.store.annotations import StoreError

    def full(*_a, **_k):
        raise StoreError("/home/u/docbao.json: could not write: No space left on device")

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        monkeypatch.setattr(store, "add", full)
        reader.go_to(TEXT.index(QUOTE))
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        await pilot.press(*"x", "enter")
        await settle(pilot, lambda: any("No space left" in n.message for n in app._notifications))
        assert any("No space left" in n.message and n.severity == "error" for n in app._notifications)
        # F5: the dialog stays open with what was typed, to try again (or Esc to drop it)
        assert isinstance(app.screen, AnnotateDialog)
        assert app.screen.query_one("#tags").value == "x"
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.all() == []
        monkeypatch.setattr(store, "set_reading", full)
        await pilot.press("m")
        await pilot.press("q")  # leaving still works; the position could not be saved, and says so
        await settle(pilot)
        assert not isinstance(app.screen, ReaderScreen)


async def test_editor_saving_non_utf8_leaves_the_note_unchanged(make_app, monkeypatch) -> None:
    monkeypatch.setenv("EDITOR", "fake-editor")
    app = make_app()
    ran: list[list[str]] = []

    def cp1258_editor(argv: list[str]) -> int:  # saves the note in the Windows Vietnamese code page
        ran.append(argv)
        Path(argv[-1]).write_bytes("Đây là ghi chú".encode("cp1258"))
        return 0

    # the terminal cannot be suspended under the pilot: the editor "runs" in place
    monkeypatch.setattr("docbao.tui.app.subprocess.call", cp1258_editor)
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(app.screen, AnnotateDialog))
        app.screen.query_one(TextArea).text = "bản nháp"
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert ran and ran[0][0] == "fake-editor"
        assert isinstance(app.screen, AnnotateDialog)
        assert app.screen.query_one(TextArea).text == "bản nháp"
        assert any("UTF-8" in n.message for n in app._notifications), [n.message for n in app._notifications]
