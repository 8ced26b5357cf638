"""Writing a file whole or not at all, for every file docbao writes except the database (whose storage
keeps its journal open and has its own writer): exports, the analysis cache, the library index, fetched
pages, the remembered theme, the clipboard fallback.

A hidden temporary file in the same folder, flushed and fsynced, renamed over the target, then (when
``durable``) the folder fsynced so the rename survives a power cut. On any failure the temporary file is
removed and the target is as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: str | bytes, *, durable: bool = True) -> Path:
    """Replace ``path`` with ``data`` (text is written as UTF-8 with "\\n" line ends). Raises OSError, or
    UnicodeError for text that cannot be encoded (a lone surrogate)."""
    p = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable and hasattr(os, "O_DIRECTORY"):
        with contextlib.suppress(OSError):  # some file systems refuse fsync on a folder; the rename happened
            dfd = os.open(p.parent, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)
    return p
