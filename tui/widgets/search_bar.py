"""The reader's search line: `/` opens it; typing searches as you type (the screen handles Input.Changed);
Enter (Input.Submitted) and shift+Enter step to the next / previous hit; Esc closes it (the hits stay
highlighted, ctrl+g steps on, until the query is emptied)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

__all__ = ["SearchBar"]


class SearchBar(Input):
    DEFAULT_CSS = """
    SearchBar { dock: bottom; height: 1; border: none; padding: 0 1; margin: 0; display: none; }
    SearchBar.-open { display: block; }
    SearchBar:focus { border: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close search", id="search.close"),
        Binding("shift+enter", "step(-1)", "Previous hit", id="search.prev"),
    ]

    @dataclass
    class Step(Message):
        direction: int

    class Closed(Message):
        pass

    def __init__(self, **kwargs: object) -> None:
        super().__init__(placeholder="search: accents optional (ha noi finds Hà Nội) · Enter next · "
                                     "shift+Enter previous · Esc close", **kwargs)  # type: ignore[arg-type]

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self) -> None:
        self.add_class("-open")
        self.focus()

    def action_close(self) -> None:
        self.remove_class("-open")
        self.post_message(self.Closed())

    def action_step(self, direction: int) -> None:
        self.post_message(self.Step(direction))
