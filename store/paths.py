"""Where docbao keeps its files. Every location can be overridden, for users and for tests.

- database (the user's annotations; precious): ``--db PATH`` > ``$DOCBAO_DB`` > user data dir / docbao.json
- cache (derivable analyses; safe to delete): ``$DOCBAO_CACHE_DIR`` > user cache dir
- data dir (clipboard fallback file, exports): ``$DOCBAO_DATA_DIR`` > user data dir
- library (articles fetched from the web, ``docbao add`` and feeds): ``$DOCBAO_LIBRARY_DIR`` > data dir / library
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "docbao"


def data_dir() -> Path:
    env = os.environ.get("DOCBAO_DATA_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_data_dir(APP, appauthor=False))


def cache_dir() -> Path:
    env = os.environ.get("DOCBAO_CACHE_DIR")
    return Path(env).expanduser() if env else Path(platformdirs.user_cache_dir(APP, appauthor=False))


def library_dir() -> Path:
    """The user's own library: articles fetched from the web (one folder per site). Not created here."""
    env = os.environ.get("DOCBAO_LIBRARY_DIR")
    return Path(env).expanduser() if env else data_dir() / "library"


def db_path(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    env = os.environ.get("DOCBAO_DB")
    return Path(env).expanduser() if env else data_dir() / "docbao.json"


def seeds_dir() -> Path:
    """The bundled sample library: inside the installed package, or the repository's seeds/ folder."""
    here = Path(__file__).resolve().parent
    bundled = here / "_seeds"  # a wheel puts seeds/ here
    if bundled.is_dir():
        return bundled
    return here.parent / "seeds"  # editable install / source checkout
