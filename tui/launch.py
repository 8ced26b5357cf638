"""Open the reader: build the library, the store and the analyzer, and run the app.

Exit codes: 0 after a normal quit; 1 when no article could be read (the reasons are printed) or the
database could not be opened (the app shows why on an error screen; nothing is written to the file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.app import DocbaoApp


def build_app(paths: list[str], db: str | None = None) -> tuple[DocbaoApp | None, list[str], int]:
    """(the app, or None when there is nothing to read; messages for stderr; exit code if no app)."""
    from store import paths as store_paths
    from store.articles import Library, default_paths

    lib = Library.load(paths or default_paths())
    errors = [str(e) for e in lib.errors]
    if not lib.articles:
        where = " ".join(paths) if paths else str(store_paths.seeds_dir())
        errors.append(f"no article to read in {where} (docbao reads .txt .md .html .htm .json files)")
        return None, errors, 1

    from store.annotations import AnnotationStore, StoreError

    db_path = store_paths.db_path(db)
    store = None
    store_error: str | None = None
    try:
        store = AnnotationStore.open(db_path)
    except StoreError as exc:
        store_error = str(exc)
    except OSError as exc:
        store_error = f"{db_path}: {exc.strerror or exc}"

    from analysis.pipeline import Analyzer
    from tui.app import DocbaoApp

    analyzer = Analyzer(cache_dir=store_paths.cache_dir())
    app = DocbaoApp(store, analyzer, lib, store_error=store_error, db_path=Path(db_path),
                    load_errors=errors)
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
