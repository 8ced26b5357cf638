"""The on-disk cache of analyses: derivable data, kept apart from the user's database.

One JSON file per key under the cache folder. Writes are atomic (temp file + rename). A missing,
unreadable, corrupt or inconsistent entry is ignored (and rebuilt by the caller), never an error.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from analysis.spans import Analysis


class AnalysisCache:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / "analysis"

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, text: str) -> Analysis | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            result = Analysis.from_dict(data)
            result.check(text)  # a stale or tampered entry must not put wrong offsets on screen
            return result
        except (OSError, ValueError, KeyError, TypeError, AssertionError):
            return None

    def put(self, key: str, analysis: Analysis) -> bool:
        """Store; returns False (silently) if the cache folder cannot be written."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(analysis.to_dict(), fh, ensure_ascii=False)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError:
            return False
        return True
