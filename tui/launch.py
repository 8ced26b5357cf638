"""Open the reader. (Placeholder until the Textual app lands: prints the library.)"""

from __future__ import annotations

import sys

from store.articles import Library, default_paths


def launch(paths: list[str], db: str | None = None) -> int:
    lib = Library.load(paths or default_paths())
    for err in lib.errors:
        print(f"docbao: {err}", file=sys.stderr)
    for a in lib.articles:
        print(f"{a.id}  {a.title}")
    return 1 if lib.errors and not lib.articles else 0
