"""The reader's search line: `/` opens it; typing searches as you type (the screen handles Input.Changed);
Enter (Input.Submitted) and shift+Enter step to the next / previous hit; Esc closes it (the hits stay
highlighted, ctrl+g steps on, until the query is emptied)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import events
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
        Binding("enter", "submit", "Next hit", id="search.next"),
        Binding("shift+enter", "step(-1)", "Previous hit", id="search.prev"),
    ]

    @dataclass
    class Step(Message):
        direction: int

    class Closed(Message):
        pass

    def __init__(self, **kwargs: object) -> None:
        self.opening = False
        self._early = False
        super().__init__(placeholder="search: accents optional (ha noi finds Hà Nội) · Enter next · "
                                     "shift+Enter previous · Esc close", **kwargs)  # type: ignore[arg-type]

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(self) -> None:
        self.add_class("-open")
        # until the focus arrives (a frame later): keys typed meanwhile belong here (none if it has it: the
        # palette's Search, or a search key the bar itself does not take, reopens it focused)
        self.opening = not self.has_focus
        self._early = False
        self.select_on_focus = True  # the old query is selected on focus, so that typing replaces it
        self.focus()

    def key_early(self, event: events.Key) -> bool:
        """A key that came before the focus: printable ones are typed, backspace deletes, Enter steps to the
        first hit, in the order they came; others are dropped. False for keys with ctrl or alt, which are
        not the query's (they go on to their bindings)."""
        if "ctrl+" in event.key or "alt+" in event.key:
            return False
        if event.is_printable and event.character:
            self.type_early(event.character)
        elif event.key == "backspace":
            self.type_early("")
            self.value = self.value[:-1]
            self.cursor_position = len(self.value)
        elif event.key == "enter":
            self.post_message(self.Submitted(self, self.value))
        return True

    def type_early(self, char: str) -> None:
        """A key typed after `/` but before the focus arrived: it starts a new query (as a key typed later
        replaces the selected old one), and the focus will not select it."""
        self.value = (self.value if self._early else "") + char
        self._early = True
        self.select_on_focus = False
        self.cursor_position = len(self.value)

    def _on_focus(self, event: events.Focus) -> None:  # runs before Input's own (Textual walks the MRO)
        self.opening = self._early = False

    def _on_blur(self, event: events.Blur) -> None:
        self.opening = self._early = False

    def action_close(self) -> None:
        self.opening = self._early = False
        self.remove_class("-open")
        self.post_message(self.Closed())

    def action_step(self, direction: int) -> None:
        self.post_message(self.Step(direction))
