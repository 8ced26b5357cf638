"""App-wide: the command palette (folded matching, every action), export, help, themes, the error screen for a
database that cannot be opened, and building the app the way `docbao` does."""

from __future__ import annotations

import json
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input

from docbao.store.annotations import AnnotationStore
from docbao.tui.commands_palette import DocbaoCommands
from docbao.tui.screens.dialogs import ExportDialog
from docbao.tui.screens.error import ErrorScreen
from docbao.tui.screens.help import HelpScreen
from docbao.tui.screens.library import LibraryScreen
from docbao.tui.screens.reader import ReaderScreen
from tests.ui.conftest import TEXT, open_reader, settle


async def palette_hits(app, screen, query: str) -> list[str]:
    provider = DocbaoCommands(screen)
    await provider.startup()
    return [str(h.text) async for h in provider.search(query)]


async def test_palette_matches_vietnamese_without_accents(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        hits = await palette_hits(app, app.screen, "ha noi")
        assert "Open: Hà Nội mưa lớn" in hits
        hits = await palette_hits(app, app.screen, "da nang")
        assert "Open: Đà Nẵng đón khách" in hits
        hits = await palette_hits(app, app.screen, "sort annotations")
        assert "Sort by annotations" in hits


async def test_palette_offers_every_reader_action(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        provider = DocbaoCommands(reader)
        titles = [c.title for c in provider._commands()]
        for binding in reader.BINDINGS:
            assert binding.description in titles, binding.description
        for expected in ("Export all annotations as Markdown…", "Export this article's annotations as JSON…",
                         "Corrections: list and undo…", "Light theme", "Help"):
            assert expected in titles


async def test_palette_runs_a_reader_action(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"hide person")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert "PER" in reader.view.hidden_kinds


async def test_palette_opens_an_article_by_title(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"da nang")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert app.screen.article.title == "Đà Nẵng đón khách"


async def test_export_markdown_from_the_palette(make_app, store, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        store.add(reader.article, TEXT.index("Minsk"), TEXT.index("Minsk") + 5, tags=["[quan trọng]"], note="ghi chú")
        await pilot.press("ctrl+p")
        await settle(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"export all markdown")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ExportDialog))
        target = tmp_path / "out" / "ghi-chú.md"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        text = target.read_text(encoding="utf-8")
        assert "[quan trọng]" in text and "ghi chú" in text and "Minsk" in text
        assert any("exported to" in n.message for n in app._notifications)


async def test_export_json_and_w3c(make_app, store, articles, tmp_path: Path) -> None:
    store.add(articles[0], 0, 3, tags=["t"])
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.export_to("json", tmp_path / "a.json")
        assert app.export_to("w3c", tmp_path / "a.jsonld")
        assert app.export_to("md", tmp_path / "one.md", article_id=articles[0].id)
        native = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
        assert "t" in json.dumps(native, ensure_ascii=False)
        w3c = json.loads((tmp_path / "a.jsonld").read_text(encoding="utf-8"))
        assert "http://www.w3.org/ns/anno.jsonld" in json.dumps(w3c)
        # an unwritable place is reported, not a crash
        blocker = tmp_path / "file"
        blocker.write_text("x")
        assert not app.export_to("json", blocker / "x.json")
        await settle(pilot)
        assert any(n.severity == "error" for n in app._notifications)
        # an export aimed at a docbao database is refused, and the database is left as it was
        db = tmp_path / "annotations.json"
        other = AnnotationStore.open(db)
        other.add(articles[1], tags=["giữ"])
        other.close()
        before = db.read_bytes()
        assert not app.export_to("json", db)
        await settle(pilot)
        assert any(n.title == "Export failed" and "docbao database" in n.message for n in app._notifications)
        assert db.read_bytes() == before


async def test_export_dialog_cancel(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        app.action_export("json")
        await settle(pilot, lambda: isinstance(app.screen, ExportDialog))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_help_screen_lists_the_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await open_reader(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = " ".join(str(app.screen.query_one("#help-text").render()).split())
        reader = app.screen.under
        described = [b for b in reader.help_bindings() if getattr(b, "description", "")]
        assert len(described) > 30  # the reader's keys and the article view's, generated from the bindings
        by_action: dict[str, list[str]] = {}
        for b in described:
            by_action.setdefault(b.action, []).append(" ".join((b.tooltip or b.description).split()[:4]))
        for action, descriptions in by_action.items():
            assert any(d in text for d in descriptions), action
        for expected in ("ctrl+p", "Colours", "j", "Search"):
            assert expected in text, expected
        # keys as the footer shows them, each key of a binding apart: never a raw name list
        assert "curly_bracket" not in text and "," not in text.split("Paragraph up")[0].split()[-1]
        assert "{" in text and "}" in text
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))


async def test_light_and_dark_themes(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot)
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert not app.current_theme.dark
        await pilot.press("ctrl+t")
        assert app.current_theme.dark


async def test_a_corrupt_database_opens_an_error_screen_and_is_left_alone(tmp_path: Path, monkeypatch) -> None:
    from docbao.tui.launch import build_app

    db = tmp_path / "docbao.json"
    garbage = b'{"annotations": {"1": {"id": "x", '  # cut off mid-write by some other program
    db.write_bytes(garbage)
    seed = Path(__file__).resolve().parents[2] / "seeds"
    app, _errors, _code = build_app([str(seed)], str(db))
    assert app is not None
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, ErrorScreen))
        assert app.store is None and app.store_error
        shown = str(app.screen.query_one("#error-message").render())
        assert str(db.name) in shown
        app.open_article(app.articles[0].id)  # nothing can reach the library or the reader
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        await pilot.press("q")
    assert db.read_bytes() == garbage


async def test_launch_opens_the_store_after_the_first_paint(tmp_path: Path, monkeypatch) -> None:
    from docbao.tui.launch import build_app

    db = tmp_path / "docbao.json"
    seed = Path(__file__).resolve().parents[2] / "seeds"
    app, _errors, _code = build_app([str(seed)], str(db))
    assert app is not None and app.store is None
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: app.store is not None)
        assert isinstance(app.screen, LibraryScreen)
        app.store.add(app.articles[0], tags=["sau"])
        app.screen.refresh_rows()
        row = app.screen.table.rows[app.screen.table.index[app.articles[0].id]]
        assert row.tags == ["sau"]
    assert "sau" in db.read_text(encoding="utf-8")


async def test_build_app_reports_unreadable_files(tmp_path: Path, monkeypatch) -> None:
    from docbao.tui.launch import build_app

    monkeypatch.setenv("DOCBAO_DB", str(tmp_path / "db.json"))
    good = tmp_path / "tin.txt"
    good.write_text("Tin Hà Nội\nNội dung.\n", encoding="utf-8")
    bad = tmp_path / "anh.txt"
    bad.write_bytes(b"\x00\x01\x02binary")
    app, errors, code = build_app([str(good), str(bad), str(tmp_path / "missing.txt")])
    assert app is not None and len(app.articles) == 1
    assert len(errors) == 2
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        (note,) = [n for n in app._notifications if "skipped" in (n.title or "")]
        assert note.title == "2 file(s) skipped"
        assert "anh.txt" in note.message and "missing.txt" in note.message  # each named
    nothing, errors, code = build_app([str(bad)])
    assert nothing is None and code == 1 and "no article to read" in errors[-1]


async def test_enter_before_the_database_is_open_opens_the_article_once_it_is(analyzer, articles, data_dir,
                                                                               monkeypatch) -> None:
    """A quick Enter after the first paint, before the store (opened just after it) is ready, is not lost."""
    from docbao.store.annotations import AnnotationStore
    from docbao.tui.app import DocbaoApp
    from docbao.tui.screens.reader import ReaderScreen
    from tests.ui.conftest import build, settle

    opened: list[AnnotationStore] = []

    def factory() -> AnnotationStore:
        opened.append(AnnotationStore.in_memory())
        return opened[-1]

    app = build(None, analyzer, articles, data_dir=data_dir, store_factory=factory)
    really_open = DocbaoApp._open_store
    monkeypatch.setattr(DocbaoApp, "_open_store", lambda self: None)  # hold the store back, as if slow
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert app.store is None
        app.open_article(articles[0].id)
        await settle(pilot)
        assert not isinstance(app.screen, ReaderScreen)  # nothing to read into yet, and no error either
        really_open(app)
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert app.screen.article.id == articles[0].id and opened
