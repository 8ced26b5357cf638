"""Editing a note in the user's $VISUAL / $EDITOR, with the app suspended."""

from __future__ import annotations

import os
import shlex
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["edit_in_editor"]


def edit_in_editor(app: Any, text: str) -> str | None:
    """``text`` as the editor left it, or None when that was not possible (the user is told why and the
    note stays as it was: a write error, an editor that cannot start or fails, a file not saved as UTF-8)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "nano"
    fd, name = tempfile.mkstemp(prefix="docbao-note-", suffix=".md", text=True)
    path = Path(name)
    try:
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
        except (OSError, UnicodeError) as exc:  # a full disk; a lone surrogate pasted into the note
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            app.notify(f"Could not write the note for the editor: {why}; the note was not changed",
                        severity="error", markup=False)
            return None
        try:
            code = app._run_editor([*shlex.split(editor), str(path)])
        except Exception as exc:  # SuspendNotSupported, FileNotFoundError for a missing editor
            app.notify(f"Could not run the editor {editor!r}: {exc or type(exc).__name__}",
                        severity="error", markup=False)
            return None
        if code != 0:
            app.notify(f"The editor exited with status {code}; the note was not changed",
                        severity="warning", markup=False)
            return None
        try:
            return path.read_text(encoding="utf-8").rstrip("\n")
        except UnicodeDecodeError as exc:
            app.notify(f"The editor saved the note in another encoding than UTF-8 (byte {exc.start}); the "
                        "note was not changed. Save it as UTF-8 and try again.", title="Note not changed",
                        severity="error", timeout=10, markup=False)
            return None
        except OSError as exc:
            app.notify(f"Could not read the note back from the editor: {exc.strerror or exc}; the note "
                        "was not changed", title="Note not changed", severity="error", timeout=10,
                        markup=False)
            return None
    finally:
        path.unlink(missing_ok=True)
