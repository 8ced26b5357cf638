"""`?`: the keys of the screen you came from, the app's keys, and what the colours mean."""

from __future__ import annotations

import dataclasses
import textwrap
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("escape,q,question_mark", "close", "Close", id="help.close", key_display="esc"),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Static(self._content(), markup=False, id="help-text")

    def _content(self) -> Content:
        parts: list[Content | str | tuple[str, str]] = [("docbao — keys\n", "bold")]
        title = getattr(self.under, "HELP_TITLE", type(self.under).__name__.replace("Screen", ""))
        help_bindings = getattr(self.under, "help_bindings", None)
        bindings = help_bindings() if callable(help_bindings) else getattr(self.under, "BINDINGS", [])
        rows = binding_rows(self.app, bindings)
        parts.append((f"\n{title}\n", "bold underline"))
        parts.extend(_rows(rows))
        app_rows = binding_rows(self.app, self.app.BINDINGS)
        app_rows.append(("ctrl+p", "command palette: every action, and open any article by title"))
        parts.append(("\nEverywhere\n", "bold underline"))
        parts.extend(_rows(app_rows))
        extra = getattr(self.under, "help_notes", None)
        if callable(extra):
            parts.append("\n")
            parts.append(extra())
        parts.append(("\nEsc closes this help.", "dim"))
        return Content.assemble(*parts)

    def action_close(self) -> None:
        self.dismiss(None)


def binding_rows(app: Any, bindings: Any) -> list[tuple[str, str]]:
    """(keys, what they do) for every binding with a description, from the bindings themselves (so help
    follows a remapped keymap); bindings with one action share a row."""
    rows: dict[str, tuple[list[str], str]] = {}
    keymap = getattr(app, "_keymap", {}) or {}
    for b in bindings:
        if not isinstance(b, Binding) or not b.description:
            continue
        keys, _ = rows.setdefault(b.action, ([], b.tooltip or b.description))
        remapped = keymap.get(b.id) if b.id else None
        if b.key_display:
            names = [app.get_key_display(b)]
        else:  # "ctrl+up,left_curly_bracket" → ^↑ {  (each key as the footer would show it)
            names = [app.get_key_display(dataclasses.replace(b, key=k.strip()))
                     for k in (remapped or b.key).split(",") if k.strip()]
        for shown in names:
            if shown not in keys:
                keys.append(shown)
    return [(" ".join(keys), desc) for keys, desc in rows.values()]


def _rows(rows: list[tuple[str, str]], total: int = 90) -> list[Content | str | tuple[str, str]]:
    width = min(24, max((len(k) for k, _ in rows), default=0))
    out: list[Content | str | tuple[str, str]] = []
    for key, desc in rows:
        lines = textwrap.wrap(desc, max(20, total - width - 4)) or [""]
        out.append((f"  {key:<{width}}  ", "bold"))
        out.append(Content(lines[0] + "\n"))
        for more in lines[1:]:
            out.append(Content(" " * (width + 4) + more + "\n"))
    return out
