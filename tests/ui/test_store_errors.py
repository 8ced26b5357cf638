"""A store that another process changes into something it refuses (a newer schema, a hand edit) during a
session: the app shows the error screen (never a traceback) and never writes over the file."""

from __future__ import annotations

import json
import os
from pathlib import Path

from docbao.store.annotations import AnnotationStore
from docbao.store.storage import SCHEMA_VERSION
from docbao.tui.screens.error import ErrorScreen
from docbao.tui.screens.help import HelpScreen
from docbao.tui.screens.library import LibraryScreen
from tests.ui.conftest import build, open_reader, settle

NEWER = json.dumps({"meta": {"1": {"app": "docbao", "schema_version": SCHEMA_VERSION + 1}},
                    "annotations": {}}).encode()


def rewrite_newer(db: Path) -> None:
    """What a newer docbao in another process does: replace the file with a newer schema."""
    tmp = db.with_suffix(".tmp")
    tmp.write_bytes(NEWER)
    os.replace(tmp, db)


async def test_newer_schema_in_the_reader_shows_the_error_screen(tmp_path, analyzer, articles, data_dir) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    try:
        app = build(store, analyzer, articles, data_dir=data_dir, db_path=db)
        async with app.run_test(size=(120, 30)) as pilot:
            await open_reader(pilot)
            rewrite_newer(db)
            await pilot.press("right")  # the info line; the auto read mark (a write: a notification)
            await settle(pilot)
            await pilot.press("a")  # reads the known tags
            await settle(pilot, lambda: isinstance(app.screen, ErrorScreen))
            assert "newer docbao" in app.screen.message
            await pilot.press("q")
        assert db.read_bytes() == NEWER
    finally:
        store.close()


async def test_newer_schema_in_the_library_shows_the_error_screen(tmp_path, analyzer, articles,
                                                                  data_dir) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.set_reading(articles[1].id, read=True)
    try:
        app = build(store, analyzer, articles, data_dir=data_dir, db_path=db)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
            await settle(pilot)
            rewrite_newer(db)
            await pilot.press("question_mark")
            await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("question_mark")  # back to the library, which re-reads the store
            await settle(pilot, lambda: isinstance(app.screen, ErrorScreen))
            assert "newer docbao" in app.screen.message
        assert db.read_bytes() == NEWER
    finally:
        store.close()


async def test_newer_schema_while_the_library_counts_shows_the_error_screen(tmp_path, analyzer, articles,
                                                                           data_dir) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.set_reading(articles[1].id, read=True)
    try:
        app = build(store, analyzer, articles, data_dir=data_dir, db_path=db)
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
            lib = app.screen
            await settle(pilot)
            rewrite_newer(db)
            lib.fill_counts()  # as after a corrections change: reads the corrections in a worker
            await settle(pilot, lambda: isinstance(app.screen, ErrorScreen))
            assert "newer docbao" in app.screen.message
        assert db.read_bytes() == NEWER
    finally:
        store.close()


async def test_cursor_moves_do_not_read_the_store(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot)
        calls = []
        real = store.reading
        store.reading = lambda *a, **k: calls.append(a) or real(*a, **k)  # type: ignore[method-assign]
        await pilot.press("right", "right", "down")  # the end is on screen: marked read
        await settle(pilot)
        assert "· read" in str(app.screen.query_one("#reader-info").render())
        await pilot.press("m", "left")
        await settle(pilot)
        assert "read" not in str(app.screen.query_one("#reader-info").render())
        assert calls == []
        assert not real(app.screen.article.id).read  # m was saved
