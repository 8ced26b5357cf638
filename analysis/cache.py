"""The on-disk cache of analyses: derivable data, kept apart from the user's database.

One JSON file per key under the cache folder. Writes are atomic (temp file + rename). A missing,
unreadable, corrupt or inconsistent entry is ignored (and rebuilt by the caller), never an error.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from docbao.analysis.spans import Analysis
from docbao.files import write_atomic


class AnalysisCache:
    """At most ``max_entries`` files: every ``PRUNE_EVERY`` writes, the least recently written go."""

    PRUNE_EVERY = 200

    def __init__(self, folder: Path, max_entries: int = 20_000) -> None:
        self.folder = Path(folder) / "analysis"
        self.max_entries = max_entries
        self._writes = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, text: str) -> Analysis | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            result = Analysis.from_dict(data)
            result.check(text)  # a stale or tampered entry must not put wrong offsets on screen
            return result
        except Exception:  # any damage to a derivable file means: compute it again
            return None

    def put(self, key: str, analysis: Analysis) -> bool:
        """Store; returns False (silently) if the cache folder cannot be written."""
        path = self._path(key)
        try:  # derivable: no fsync
            write_atomic(path, json.dumps(analysis.to_dict(), ensure_ascii=False), durable=False)
        except OSError:
            return False
        self._writes += 1
        if self._writes % self.PRUNE_EVERY == 0:
            self.prune()
        return True

    def prune(self) -> int:
        """Delete the oldest entries beyond ``max_entries``; returns how many were deleted."""
        try:
            entries = [(e.stat().st_mtime, e.path) for d in os.scandir(self.folder) if d.is_dir()
                       for e in os.scandir(d.path) if e.name.endswith(".json")]
        except OSError:
            return 0
        excess = len(entries) - self.max_entries
        if excess <= 0:
            return 0
        entries.sort()
        for _, path in entries[:excess]:
            with contextlib.suppress(OSError):
                os.unlink(path)
        return excess
