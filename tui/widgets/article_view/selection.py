"""The cursor and the selection as one immutable value, and every move as a pure function. No Textual.

``Selection(anchor, cursor)``: the selection is ``[min, max)`` of the two, empty when they are equal.
A move puts the cursor somewhere and either *extends* (the anchor stays) or *collapses* (the anchor
follows the cursor). ``selecting`` is vim's ``v`` mode: while it is on every move extends. ``goal_x`` is
the column vertical moves aim for, so up/down across a short line come back to the column they left;
every other move forgets it.

Moves (:data:`MOTIONS`) read the text and its :class:`~.layout.Layout`: by grapheme (left/right), by
visual line keeping the column (up/down, and page up/down by ``page`` lines), to the start/end of the
visual line (home/end), by word, by paragraph, to the start/end of the text (top/bottom). Offsets are
code points into the layout's text; every target is the start of a grapheme.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from docbao.tui.widgets.article_view.layout import Layout

__all__ = [
    "MOTIONS",
    "Motion",
    "Selection",
    "next_paragraph",
    "next_word",
    "prev_paragraph",
    "prev_word",
    "word_at",
]

_WORD = re.compile(r"[\w\u0300-\u036f]+")

Motion = Literal[
    "left", "right", "up", "down", "page_up", "page_down", "home", "end",
    "word_left", "word_right", "para_up", "para_down", "top", "bottom",
]


def next_word(text: str, offset: int) -> int:
    """Start of the next word after ``offset`` (or the end of the text)."""
    m = _WORD.search(text, offset)
    if m and m.start() == offset:
        m = _WORD.search(text, m.end())
    return m.start() if m else len(text)


def prev_word(text: str, offset: int) -> int:
    """Start of the word holding ``offset - 1``, or of the word before it (or 0)."""
    window = 256
    while True:
        lo = max(0, offset - window)
        last = None
        for m in _WORD.finditer(text, lo, offset):
            last = m
        if last is not None and (last.start() > lo or lo == 0):
            return last.start()
        if lo == 0:
            return 0
        window *= 4


def next_paragraph(text: str, offset: int) -> int:
    """Start of the next paragraph (first non-newline after the next newline), or the end of the text."""
    nl = text.find("\n", offset)
    if nl < 0:
        return len(text)
    while nl < len(text) and text[nl] == "\n":
        nl += 1
    return nl


def prev_paragraph(text: str, offset: int) -> int:
    """Start of the paragraph holding ``offset``; if already there, of the previous paragraph."""
    i = offset
    while i > 0 and text[i - 1] == "\n":  # at a paragraph start (or on blank lines): step back over them
        i -= 1
    start = text.rfind("\n", 0, i) + 1
    if start >= offset and start > 0:
        return prev_paragraph(text, start - 1) if start > 1 else 0
    return start


def word_at(text: str, offset: int) -> tuple[int, int]:
    """The word holding ``offset`` as ``(start, end)``; ``(offset, offset)`` when it is not on a word."""
    m = _WORD.match(text, offset)
    if m is None:
        return offset, offset
    start = offset
    while start > 0 and _WORD.match(text, start - 1):
        start -= 1
    return start, m.end()


def _vertical(layout: Layout, cursor: int, goal_x: int | None, lines: int) -> tuple[int, int | None]:
    x, y = layout.offset_to_xy(cursor)
    goal = x if goal_x is None else goal_x
    ny = y + lines
    if ny < 0:
        return 0, goal
    if ny >= layout.line_count:
        return len(layout.text), goal
    return layout.xy_to_offset(goal, ny), goal


_Target = Callable[[Layout, int, int | None, int], tuple[int, int | None]]

MOTIONS: dict[str, _Target] = {
    "left": lambda lay, c, g, p: (lay.prev_boundary(c), None),
    "right": lambda lay, c, g, p: (lay.next_boundary(c), None),
    "up": lambda lay, c, g, p: _vertical(lay, c, g, -1),
    "down": lambda lay, c, g, p: _vertical(lay, c, g, 1),
    "page_up": lambda lay, c, g, p: _vertical(lay, c, g, -max(1, p)),
    "page_down": lambda lay, c, g, p: _vertical(lay, c, g, max(1, p)),
    "home": lambda lay, c, g, p: (lay.starts[lay.line_of(c)], None),
    "end": lambda lay, c, g, p: (lay.line_end_offset(lay.line_of(c)), None),
    "word_left": lambda lay, c, g, p: (prev_word(lay.text, c), None),
    "word_right": lambda lay, c, g, p: (next_word(lay.text, c), None),
    "para_up": lambda lay, c, g, p: (prev_paragraph(lay.text, c), None),
    "para_down": lambda lay, c, g, p: (next_paragraph(lay.text, c), None),
    "top": lambda lay, c, g, p: (0, None),
    "bottom": lambda lay, c, g, p: (len(lay.text), None),
}
"""motion → (layout, cursor, goal column, page lines) → (target offset, goal column)."""


@dataclass(frozen=True, slots=True)
class Selection:
    """Where the cursor is, where the selection started, whether `v` mode is on, the column to aim for."""

    anchor: int = 0
    cursor: int = 0
    selecting: bool = False
    goal_x: int | None = None

    @property
    def range(self) -> tuple[int, int] | None:
        """``(start, end)``, end exclusive; None when empty."""
        a, c = self.anchor, self.cursor
        if a == c:
            return None
        return (a, c) if a < c else (c, a)

    @property
    def active(self) -> bool:
        """True when there is something for Escape to clear: a selection, or `v` mode."""
        return self.selecting or self.anchor != self.cursor

    def to(self, offset: int, *, extend: bool = False, goal_x: int | None = None) -> Selection:
        """The cursor at ``offset``; the anchor stays when extending (or in `v` mode), else follows it."""
        keep = extend or self.selecting
        return Selection(self.anchor if keep else offset, offset, self.selecting, goal_x)

    def move(self, motion: Motion, layout: Layout, *, extend: bool = False, page: int = 1) -> Selection:
        """The selection after ``motion`` (``page``: the lines a page move goes)."""
        target, goal = MOTIONS[motion](layout, self.cursor, self.goal_x, page)
        return self.to(layout.snap(target), extend=extend, goal_x=goal)

    @staticmethod
    def span(start: int, end: int) -> Selection:
        """``[start, end)`` selected, the cursor at ``end``; not in `v` mode."""
        return Selection(start, end)

    def collapsed(self) -> Selection:
        """No selection and no `v` mode; the cursor stays."""
        return Selection(self.cursor, self.cursor)

    def toggled(self) -> Selection:
        """`v`: on, it starts a selection at the cursor; off, it keeps the selection (a plain move then
        clears it)."""
        if self.selecting:
            return replace(self, selecting=False)
        return Selection(self.cursor, self.cursor, True, self.goal_x)
