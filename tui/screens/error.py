"""A screen that says what went wrong and what to do, instead of a half-working app.

Used when the annotation database cannot be opened (corrupt, not docbao's, written by a newer version):
the app then never creates a store, so it cannot overwrite the file.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from docbao.tui.screens.footer import QuietFooter

__all__ = ["ErrorScreen"]


class ErrorScreen(Screen[None]):
    BINDINGS = [Binding("q,escape", "app.quit", "Quit", id="error.quit")]  # noqa: RUF012
    HELP_TITLE = "Error"

    def __init__(self, message: str, db_path: Path | None = None) -> None:
        super().__init__()
        self.message = message
        self.db_path = db_path

    def compose(self) -> ComposeResult:
        where = str(self.db_path) if self.db_path else "the database file"
        todo = [
            f"• The file {where} was left exactly as it is: nothing was written.",
            "• If it is a backup or another program's file, point docbao elsewhere: "
            "docbao --db OTHER.json (or set DOCBAO_DB).",
            "• If it is damaged, move it aside (docbao starts a new database) and restore a backup if you "
            "have one; its text is JSON and can be repaired by hand.",
            "• If a newer docbao wrote it, upgrade docbao.",
        ]
        with Vertical(id="error-box"):
            yield Static(Content.styled("docbao cannot open its annotation database", "bold"),
                         id="error-title")
            yield Static(Content(self.message), id="error-message", markup=False)
            yield Static(Content("\n".join(todo)), id="error-todo", markup=False)
            yield Static(Content.styled("Press q to quit.", "dim"))
        yield QuietFooter()
