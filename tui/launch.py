"""Open the reader: build the library, the store and the analyzer, and run the app.

Exit codes: 0 after a normal quit; 1 when no article could be read (the reasons are printed) or the
database could not be opened (the app shows why on an error screen; nothing is written to the file).
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docbao.tui.app import DocbaoApp


class LazyAnalyzer:
    """The real :class:`analysis.pipeline.Analyzer`, imported and built on first use, so importing the NLP
    stack never delays the first paint (the library's count worker or the first article pays for it)."""

    def __init__(self, cache_dir: Path | None) -> None:
        self._cache_dir = cache_dir
        self._real: Any = None
        self._lock = threading.Lock()

    def _analyzer(self) -> Any:
        with self._lock:
            if self._real is None:
                from docbao.analysis.pipeline import Analyzer

                self._real = Analyzer(cache_dir=self._cache_dir)
            return self._real

    def __getattr__(self, name: str) -> Any:
        return getattr(self._analyzer(), name)


def binding_ids() -> frozenset[str]:
    """The ids of every binding a keymap may remap (imports every screen: only when a keymap is given)."""
    from docbao.tui.app import DocbaoApp
    from docbao.tui.screens import dialogs, entity_index, help, library, library_table, quotebook, reader
    from docbao.tui.widgets.article_view import ArticleView
    from docbao.tui.widgets.search_bar import SearchBar

    classes: list[Any] = [DocbaoApp, ArticleView, SearchBar, library.LibraryScreen, library_table.ArticleTable,
                          reader.ReaderScreen, help.HelpScreen, quotebook.QuotebookScreen,
                          entity_index.EntityIndexScreen]
    classes += [c for c in vars(dialogs).values() if isinstance(c, type) and hasattr(c, "BINDINGS")]
    return frozenset(b.id for c in classes for b in getattr(c, "BINDINGS", ()) if getattr(b, "id", None))


def settings() -> tuple[Any, Any, str]:
    """(the config, the remembered state, the theme to start with). Raises ConfigError: one line naming the
    file (or DOCBAO_THEME) and the key."""
    from textual.theme import BUILTIN_THEMES

    from docbao.tui.config import State, default_path, effective_theme, load

    themes = frozenset(BUILTIN_THEMES)
    config = load(default_path(), themes=themes, binding_ids=binding_ids)  # the ids only for a keymap
    state = State.load()
    return config, state, effective_theme(config, state, os.environ, themes=themes)


def build_app(paths: list[str], db: str | None = None) -> tuple[DocbaoApp | None, list[str], int]:
    """(the app, or None when there is nothing to read; messages for stderr; exit code if no app)."""
    from docbao.store import paths as store_paths
    from docbao.store.articles import Library, default_paths
    from docbao.tui.config import ConfigError

    try:
        config, state, theme = settings()
    except ConfigError as exc:
        return None, [str(exc)], 2
    lib = Library.load(paths or [str(p) for p in config.library_paths] or default_paths())
    errors = [str(e) for e in lib.errors]
    if not lib.articles:
        where = " ".join(paths) if paths else str(store_paths.seeds_dir())
        errors.append(f"no article to read in {where} (docbao reads .txt .md .html .htm .json files)")
        return None, errors, 1

    db_path = store_paths.db_path(db)

    def open_store() -> Any:
        from docbao.store.annotations import AnnotationStore

        return AnnotationStore.open(db_path)  # StoreError for a corrupt/foreign/newer file: shown, untouched

    from docbao.tui.app import DocbaoApp

    cache = store_paths.cache_dir()
    app = DocbaoApp(None, LazyAnalyzer(cache), lib, store_factory=open_store, db_path=Path(db_path),
                    load_errors=errors, theme=theme, keymap=config.keymap, citation_format=config.citation_format,
                    mark_read=config.mark_read, remember_theme=state.save_theme, export_folder=config.export_folder,
                    cache_dir=cache)
    return app, errors, 0


def launch(paths: list[str], db: str | None = None) -> int:
    app, errors, code = build_app(paths, db)
    if app is None:
        for err in errors:
            print(f"docbao: {err}", file=sys.stderr)
        return code
    try:
        app.run()
    finally:
        close = getattr(app.store, "close", None)
        if callable(close):
            close()
    for err in errors:
        print(f"docbao: skipped {err}", file=sys.stderr)
    if app.store_error is not None:
        print(f"docbao: {app.store_error}", file=sys.stderr)
        return 1
    return int(app.return_code or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(launch(sys.argv[1:], os.environ.get("DOCBAO_DB")))
