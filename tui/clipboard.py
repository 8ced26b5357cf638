"""Copying text out of a terminal app, by every route that might work, and saying which did.

Routes, in order:

1. OSC 52, always: the terminal (or tmux) puts the text on the clipboard. The app cannot know whether it
   worked (many terminals ignore it), so it never counts as confirmed. Inside tmux ($TMUX set) the sequence
   is also sent wrapped for passthrough (``ESC P tmux; … ESC \\``), which reaches the outer terminal when
   tmux has ``allow-passthrough on``; the plain sequence lands in tmux's buffer with ``set-clipboard on``.
2. A native backend (pyperclip by default): confirmed when it returns. pyperclip raises
   ``PyperclipException`` where no xclip/xsel/wl-copy exists; any error is caught and reported.
3. If nothing was confirmed, a file in the data dir (``clipboard.txt``), so the text is never lost.

Tests inject a fake native backend (any object with ``name`` and ``copy(text)``).
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from docbao.analysis.text import one_line
from docbao.files import write_atomic

__all__ = ["Clipboard", "CopyResult", "NativeBackend", "PyperclipBackend", "osc52", "preview"]


class NativeBackend(Protocol):
    name: str

    def copy(self, text: str) -> None: ...


class PyperclipBackend:
    """The system clipboard through pyperclip (xclip, xsel, wl-copy, pbcopy, Windows)."""

    name = "system clipboard"

    def copy(self, text: str) -> None:
        import pyperclip  # lazy: only when something is copied

        pyperclip.copy(text)


def osc52(text: str, *, tmux: bool = False) -> str:
    """The OSC 52 escape sequence that sets the clipboard; wrapped for tmux passthrough if asked."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    seq = f"\x1b]52;c;{payload}\a"
    if tmux:
        # Inside a DCS passthrough every ESC of the inner sequence is doubled.
        return "\x1bPtmux;" + seq.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return seq


def _reason(exc: BaseException) -> str:
    if type(exc).__name__ == "PyperclipException":
        return "unavailable (no xclip, xsel or wl-copy found)"
    first = str(exc).strip().split("\n")[0]
    return f"failed ({preview(first or type(exc).__name__, 60)})"


def preview(text: str, limit: int = 48) -> str:
    """One line, at most ``limit`` characters, for a notification."""
    return one_line(text, limit)


@dataclass
class CopyResult:
    text: str
    routes: list[str] = field(default_factory=list)  # what was tried and (as far as we know) worked
    confirmed: bool = False  # a route that reports success (the native clipboard) worked
    file: Path | None = None  # the fallback file, when it was written
    errors: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """A sentence for the user: what was copied and by which route."""
        short = preview(self.text)
        what = short if short.startswith(("“", '"', "«")) else f"“{short}”"
        routes = " and ".join(self.routes) if self.routes else "no route"
        msg = f"Copied {what} ({len(self.text)} characters) by {routes}"
        if self.file is not None:
            msg += f"; also saved to {self.file}, since no clipboard could confirm it"
        if self.errors:
            msg += " (" + "; ".join(self.errors) + ")"
        return msg


class Clipboard:
    """Copy by OSC 52, the native clipboard, and a fallback file."""

    def __init__(
        self,
        native: NativeBackend | None = None,
        fallback_dir: Path | Callable[[], Path] | None = None,
        environ: Mapping[str, str] | None = None,
        *,
        use_native: bool = True,
    ) -> None:
        self.native: NativeBackend | None = (native or PyperclipBackend()) if use_native else None
        self._fallback_dir = fallback_dir
        self._environ = environ if environ is not None else os.environ

    def fallback_dir(self) -> Path:
        if self._fallback_dir is None:
            from docbao.store.paths import data_dir

            return data_dir()
        return self._fallback_dir() if callable(self._fallback_dir) else self._fallback_dir

    def copy(self, text: str, write: Callable[[str], None] | None = None,
             set_app_clipboard: Callable[[str], None] | None = None) -> CopyResult:
        """Copy ``text``. ``write`` sends bytes to the terminal (None when there is no terminal);
        ``set_app_clipboard`` records it in the app (``App.copy_to_clipboard``, which also writes OSC 52)."""
        result = CopyResult(text)
        in_tmux = bool(self._environ.get("TMUX"))
        try:
            if set_app_clipboard is not None:
                set_app_clipboard(text)  # Textual writes the plain OSC 52 itself
            elif write is not None:
                write(osc52(text))
            if write is not None and in_tmux:
                write(osc52(text, tmux=True))
            result.routes.append("OSC 52 via tmux" if in_tmux else "OSC 52 (terminal)")
        except Exception as exc:  # a closed terminal must not lose the copy
            result.errors.append(f"OSC 52 failed: {exc}")
        if self.native is not None:
            try:
                self.native.copy(text)
            except Exception as exc:  # pyperclip.PyperclipException and anything else
                result.errors.append(f"{self.native.name}: {_reason(exc)}")
            else:
                result.confirmed = True
                result.routes.append(self.native.name)
        if not result.confirmed:
            try:
                path = self.fallback_dir() / "clipboard.txt"
                result.file = write_atomic(path, text + ("" if text.endswith("\n") else "\n"))
            except (OSError, UnicodeError) as exc:
                result.errors.append(f"could not write the clipboard file: {getattr(exc, 'strerror', None) or exc}")
        return result
