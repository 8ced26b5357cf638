"""ArticleView: the article body. A Line-API ``ScrollView`` over a wrap layout of the article's NFC text.

Offsets are always code points into the text given to :meth:`ArticleView.set_text` (NFC; text that is
not canonical is passed through ``analysis.text.normalize_text`` first, which the app should avoid by
passing canonical text). The text is never parsed as markup.

Public API (what the app uses)::

    view = ArticleView(text="", *, max_text_width=100, name=None, id=None, classes=None)
    view.set_text(text: str) -> None             # replaces the text; clears spans, cursor to 0, no selection
    view.text -> str
    view.set_spans(spans: Iterable[ViewSpan]) -> None   # replaces all spans (may overlap; any order)
    view.spans -> tuple[ViewSpan, ...]           # sorted by (start, end)
    view.hidden_kinds: frozenset[str]            # reactive: kinds not drawn and skipped by next_span
    view.max_text_width: int | None              # reactive: text column width cap (centred); None = full
    view.cursor: int                             # reactive; assigning it moves the cursor (selection kept
                                                 #   only in `v` mode), snapped to a grapheme start
    view.selection -> tuple[int, int] | None     # normalised (start, end), end exclusive; None if empty
    view.selecting -> bool                       # True while `v` selection mode is on
    view.move_cursor(offset: int, *, select: bool = False, center: bool = False) -> None
        # select=True extends the selection from the current anchor (or from the old cursor);
        # select=False clears the selection unless `v` mode is on; center=True scrolls the cursor's
        # line to the middle of the view (use it for jumps), otherwise the view scrolls just enough.
    view.select_range(start: int, end: int) -> None   # anchor at start, cursor at end (scrolls to it)
    view.clear_selection() -> None               # also leaves `v` mode
    view.visible_range() -> tuple[int, int]      # (start of the first visible line, end of the last one)
    view.spans_at(offset: int, *, visible_only: bool = False) -> list[ViewSpan]
        # spans with start <= offset < end, innermost (shortest) first
    view.next_span(kinds: Iterable[str], direction: int = 1, *, wrap: bool = True) -> ViewSpan | None
        # the span of one of `kinds` (minus hidden_kinds) whose start is the nearest one strictly after
        # (direction=1) or before (-1) the cursor. With wrap=True (default) it wraps around the text
        # (like vim's `n`); it returns None only when no such span exists (wrap=False: none that way).
        # It does not move the cursor: do `view.move_cursor(span.start, center=True)`.
    view.offset_to_xy(offset: int) -> tuple[int, int]  # (x, y): x = cell column in the text column
    view.xy_to_offset(x: int, y: int) -> int           #   (padding excluded), y = visual line in the
                                                       #   document (not the screen row)
    view.line_count -> int                       # visual lines in the current layout

Messages (posted upward; ``message.control`` is the view, so ``@on(ArticleView.CursorMoved, "#body")``
works): ``ArticleView.CursorMoved(cursor, selection)`` after every cursor move, and
``ArticleView.SelectionChanged(selection)`` whenever the normalised selection changes.

Span kinds and their styles live in :mod:`tui.styles` (``LEGEND`` for the app's legend).

Keys: arrows (grapheme / visual line keeping the column), ctrl+left/right (word), ctrl+up/down and
``{``/``}`` (paragraph), home/end (visual line), ctrl+home/end (text), pageup/pagedown/space/shift+space;
shift+ any of those extends the selection; ``v`` toggles selection mode (moves extend while it is on);
escape clears the selection (and is left to the app when there is none). Mouse: click moves the cursor,
shift+click extends, drag selects, double-click selects a word, the wheel scrolls.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from docbao.tui.styles import KINDS, SpanStyles
from docbao.tui.widgets._wrap import WrapLayout, next_paragraph, next_word, prev_paragraph, prev_word

__all__ = ["ArticleView", "ViewSpan"]

_CHUNK_BITS = 8  # spans are indexed in buckets of 256 code points
_LONG_SPAN_CHUNKS = 64  # spans covering more buckets than this are kept in a short list instead
_WORD_CHAR = re.compile(r"[\w\u0300-\u036f]")


@dataclass(frozen=True)
class ViewSpan:
    """A stretch of the text to draw in the style of ``kind`` (see :mod:`tui.styles`).

    ``key`` is free for the app (an annotation id, an entity's canonical form…).
    """

    start: int
    end: int
    kind: str
    key: str = ""


def _canonical(text: str) -> str:
    if text.startswith("\ufeff") or "\r" in text or not unicodedata.is_normalized("NFC", text):
        from docbao.analysis.text import normalize_text

        return normalize_text(text)
    return text


class ArticleView(ScrollView, can_focus=True):
    """An article's text, wrapped, with overlapping highlighted spans, a cursor and a selection."""

    DEFAULT_CSS = """
    ArticleView {
        background: $background;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: scroll;
        scrollbar-size-vertical: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move('left')", "Left", show=False),
        Binding("right", "move('right')", "Right", show=False),
        Binding("up", "move('up')", "Up", show=False),
        Binding("down", "move('down')", "Down", show=False),
        Binding("ctrl+left", "move('word_left')", "Word left", show=False),
        Binding("ctrl+right", "move('word_right')", "Word right", show=False),
        Binding("ctrl+up,left_curly_bracket", "move('para_up')", "Paragraph up", show=False),
        Binding("ctrl+down,right_curly_bracket", "move('para_down')", "Paragraph down", show=False),
        Binding("home", "move('home')", "Line start", show=False),
        Binding("end", "move('end')", "Line end", show=False),
        Binding("ctrl+home", "move('top')", "Top", show=False),
        Binding("ctrl+end", "move('bottom')", "Bottom", show=False),
        Binding("pageup,shift+space", "move('page_up')", "Page up", show=False),
        Binding("pagedown,space", "move('page_down')", "Page down", show=False),
        Binding("shift+left", "move('left', True)", "Select left", show=False),
        Binding("shift+right", "move('right', True)", "Select right", show=False),
        Binding("shift+up", "move('up', True)", "Select up", show=False),
        Binding("shift+down", "move('down', True)", "Select down", show=False),
        Binding("ctrl+shift+left", "move('word_left', True)", "Select word left", show=False),
        Binding("ctrl+shift+right", "move('word_right', True)", "Select word right", show=False),
        Binding("ctrl+shift+up", "move('para_up', True)", "Select paragraph up", show=False),
        Binding("ctrl+shift+down", "move('para_down', True)", "Select paragraph down", show=False),
        Binding("shift+home", "move('home', True)", "Select to line start", show=False),
        Binding("shift+end", "move('end', True)", "Select to line end", show=False),
        Binding("ctrl+shift+home", "move('top', True)", "Select to top", show=False),
        Binding("ctrl+shift+end", "move('bottom', True)", "Select to bottom", show=False),
        Binding("shift+pageup", "move('page_up', True)", "Select page up", show=False),
        Binding("shift+pagedown", "move('page_down', True)", "Select page down", show=False),
        Binding(
            "v",
            "toggle_selection",
            "Select",
            id="article_view.toggle_selection",
            tooltip="Start or stop selecting: cursor moves extend the selection",
        ),
        Binding("escape", "clear_selection", "Clear selection", id="article_view.clear_selection"),
    ]

    @dataclass
    class CursorMoved(Message):
        """The cursor moved (also sent when only the selection changed with it)."""

        cursor: int
        selection: tuple[int, int] | None
        view: ArticleView = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

        @property
        def control(self) -> ArticleView:
            return self.view

    @dataclass
    class SelectionChanged(Message):
        """The normalised selection changed (None: no selection)."""

        selection: tuple[int, int] | None
        view: ArticleView = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

        @property
        def control(self) -> ArticleView:
            return self.view

    cursor: reactive[int] = reactive(0, init=False, always_update=True)
    hidden_kinds: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    max_text_width: reactive[int | None] = reactive(100, init=False)

    def __init__(
        self,
        text: str = "",
        *,
        max_text_width: int | None = 100,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._text = _canonical(text)
        self.set_reactive(ArticleView.max_text_width, max_text_width)
        self._layout: WrapLayout | None = None
        self._pad_left = 2
        self._total_width = 0
        self._spans: tuple[ViewSpan, ...] = ()
        self._buckets: dict[int, list[ViewSpan]] = {}
        self._long_spans: list[ViewSpan] = []
        self._next_cache: dict[frozenset[str], list[ViewSpan]] = {}
        self._anchor: int | None = None
        self._selecting = False
        self._goal_x: int | None = None
        self._vertical = False
        self._center_next = False
        self._old_cursor = 0
        self._old_selection: tuple[int, int] | None = None
        self._dragging = False
        self._anchor_on_drag = 0
        self._keep_anchor = False
        self._binding_state = (False, False)  # what check_action depends on, as last shown by the footer
        self._pending_center = False
        self._base_style: Style | None = None
        self._styles: SpanStyles | None = None
        self._gen = 0
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)

    # ------------------------------------------------------------------------------------------ text
    @property
    def text(self) -> str:
        return self._text

    @property
    def line_count(self) -> int:
        return self._ensure_layout().line_count

    def set_text(self, text: str) -> None:
        """Show ``text`` (canonicalised if needed). Spans are cleared; cursor at 0; no selection."""
        self._text = _canonical(text)
        self._set_spans(())
        self._layout = None
        old_selection = self.selection
        self._anchor = None
        self._selecting = False
        self._goal_x = None
        self._relayout()
        self.scroll_to(y=0, animate=False)
        self._old_cursor = self.cursor
        self._old_selection = old_selection
        self.set_reactive(ArticleView.cursor, 0)
        self._cursor_changed()

    # -------------------------------------------------------------------------------------- layout
    def _geometry(self, total: int) -> tuple[int, int]:
        """(left padding, text width) for a content width of ``total`` cells."""
        pad = 2 if total >= 24 else (1 if total >= 6 else 0)
        text_width = max(1, total - 2 * pad)
        left = pad
        if self.max_text_width and text_width > self.max_text_width:
            extra = text_width - self.max_text_width
            left += extra // 2
            text_width = self.max_text_width
        return left, text_width

    def _content_width(self) -> int:
        return self.scrollable_content_region.width if self.is_mounted else 0

    def _ensure_layout(self) -> WrapLayout:
        if self._layout is None:
            self._relayout()
        assert self._layout is not None
        return self._layout

    def _relayout(self) -> None:
        total = self._content_width()
        laid_out = total > 0
        if not laid_out:
            total = 80
        pad_left, text_width = self._geometry(total)
        layout = self._layout
        if layout is None or layout.width != text_width or layout.text is not self._text:
            self._layout = WrapLayout(self._text, text_width)
        self._pad_left = pad_left
        self._gen += 1
        self._strips.clear()
        if self.is_mounted:
            self._total_width = total if laid_out else 0
            self.virtual_size = Size(total, self._layout.line_count)
            self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self._content_width() != self._total_width or self._layout is None:
            self._relayout()
        center, self._pending_center = self._pending_center, False
        self.call_after_refresh(self._scroll_to_cursor, center=center)

    def watch_max_text_width(self) -> None:
        self._relayout()
        self._scroll_to_cursor(center=False)

    # --------------------------------------------------------------------------------------- spans
    @property
    def spans(self) -> tuple[ViewSpan, ...]:
        return self._spans

    def set_spans(self, spans: Iterable[ViewSpan]) -> None:
        """Replace all spans. Empty or reversed spans are kept for lookups but never drawn."""
        self._set_spans(spans)
        self._gen += 1
        self._strips.clear()
        self.refresh()

    def _set_spans(self, spans: Iterable[ViewSpan]) -> None:
        ordered = tuple(sorted(spans, key=lambda s: (s.start, s.end)))
        buckets: dict[int, list[ViewSpan]] = {}
        long_spans: list[ViewSpan] = []
        bits = _CHUNK_BITS
        for span in ordered:
            if span.end <= span.start:
                continue
            c0, c1 = span.start >> bits, (span.end - 1) >> bits
            if c1 - c0 > _LONG_SPAN_CHUNKS:
                long_spans.append(span)
                continue
            for c in range(c0, c1 + 1):
                bucket = buckets.get(c)
                if bucket is None:
                    buckets[c] = [span]
                else:
                    bucket.append(span)
        self._spans = ordered
        self._buckets = buckets
        self._long_spans = long_spans
        self._next_cache = {}

    def _spans_in(self, start: int, end: int) -> list[ViewSpan]:
        """Spans overlapping [start, end), each once, in no particular order."""
        bits = _CHUNK_BITS
        out: list[ViewSpan] = []
        buckets = self._buckets
        for c in range(start >> bits, ((max(end, start + 1) - 1) >> bits) + 1):
            bucket = buckets.get(c)
            if not bucket:
                continue
            for span in bucket:
                if span.start < end and span.end > start and (max(span.start, start) >> bits) == c:
                    out.append(span)
        for span in self._long_spans:
            if span.start < end and span.end > start:
                out.append(span)
        return out

    def spans_at(self, offset: int, *, visible_only: bool = False) -> list[ViewSpan]:
        """Spans with ``start <= offset < end``, shortest first (ties: earlier start)."""
        found = self._spans_in(offset, offset + 1)
        if visible_only:
            hidden = self.hidden_kinds
            found = [s for s in found if s.kind not in hidden]
        return sorted(found, key=lambda s: (s.end - s.start, s.start, s.kind))

    def next_span(self, kinds: Iterable[str], direction: int = 1, *, wrap: bool = True) -> ViewSpan | None:
        """The next (direction > 0) or previous span of ``kinds`` from the cursor; see the module doc."""
        wanted = frozenset(kinds) - self.hidden_kinds
        candidates = self._next_cache.get(wanted)
        if candidates is None:
            candidates = [s for s in self._spans if s.kind in wanted]
            self._next_cache[wanted] = candidates
        if not candidates:
            return None
        starts = [s.start for s in candidates] if len(candidates) < 64 else None
        cursor = self.cursor
        if direction >= 0:
            i = bisect_right(starts, cursor) if starts is not None else self._bisect(candidates, cursor, True)
            if i < len(candidates):
                return candidates[i]
            return candidates[0] if wrap else None
        i = bisect_left(starts, cursor) if starts is not None else self._bisect(candidates, cursor, False)
        if i > 0:
            return candidates[i - 1]
        return candidates[-1] if wrap else None

    @staticmethod
    def _bisect(spans: list[ViewSpan], offset: int, right: bool) -> int:
        if right:
            return bisect_right(spans, offset, key=lambda s: s.start)
        return bisect_left(spans, offset, key=lambda s: s.start)

    def watch_hidden_kinds(self) -> None:
        self._gen += 1
        self._strips.clear()
        self.refresh()

    # ----------------------------------------------------------------------------- cursor/selection
    @property
    def selection(self) -> tuple[int, int] | None:
        anchor = self._anchor
        if anchor is None or anchor == self.cursor:
            return None
        return (anchor, self.cursor) if anchor < self.cursor else (self.cursor, anchor)

    @property
    def selecting(self) -> bool:
        return self._selecting

    def validate_cursor(self, value: int) -> int:
        return self._ensure_layout().snap(value)

    def watch_cursor(self, old: int, new: int) -> None:
        self._old_cursor = old
        if not self._keep_anchor:  # assigned from outside: behave like move_cursor(new)
            anchor = self._anchor
            if anchor is None or anchor == old:
                self._old_selection = None
            else:
                self._old_selection = (min(anchor, old), max(anchor, old))
            if not self._selecting:
                self._anchor = None
        self._cursor_changed()

    def move_cursor(self, offset: int, *, select: bool = False, center: bool = False) -> None:
        """Move the cursor to ``offset`` (see the module doc)."""
        self._old_selection = self.selection
        if select and self._anchor is None:
            self._anchor = self.cursor
        elif not select and not self._selecting:
            self._anchor = None
        self._center_next = center
        self._keep_anchor = True
        try:
            self.cursor = offset
        finally:
            self._keep_anchor = False

    def select_range(self, start: int, end: int) -> None:
        """Select [start, end) (anchor at ``start``, cursor at ``end``) and scroll to the cursor."""
        layout = self._ensure_layout()
        self._old_selection = self.selection
        self._selecting = False
        self._anchor = layout.snap(start)
        self._keep_anchor = True
        try:
            self.cursor = end
        finally:
            self._keep_anchor = False

    def clear_selection(self) -> None:
        old = self.selection
        self._anchor = None
        self._selecting = False
        self._after_selection_change(old)

    def _after_selection_change(self, old: tuple[int, int] | None) -> None:
        self.refresh()
        self._refresh_bindings_if_changed()
        new = self.selection
        if new != old:
            self.post_message(self.SelectionChanged(new, view=self))

    def _cursor_changed(self) -> None:
        if not self._vertical:
            self._goal_x = None
        old_selection = self._old_selection
        self._scroll_to_cursor(center=self._center_next)
        self._center_next = False
        self.refresh()
        self._refresh_bindings_if_changed()
        self.post_message(self.CursorMoved(self.cursor, self.selection, view=self))
        new_selection = self.selection
        if new_selection != old_selection:
            self.post_message(self.SelectionChanged(new_selection, view=self))
        self._old_selection = new_selection

    def _refresh_bindings_if_changed(self) -> None:
        """Refresh the footer's keys only when what :meth:`check_action` looks at changed (a selection
        anchor, `v` mode): not on every cursor move."""
        state = (self._anchor is not None, self._selecting)
        if state != self._binding_state:
            self._binding_state = state
            self.refresh_bindings()

    def _viewport_height(self) -> int:
        return max(1, self.scrollable_content_region.height) if self.is_mounted else 1

    def _scroll_to_cursor(self, *, center: bool) -> None:
        if not self.is_mounted or self.scrollable_content_region.height <= 0 or self._total_width <= 0:
            # not laid out yet: scroll once the size is known (on_resize)
            self._pending_center = self._pending_center or center
            return
        _x, y = self._ensure_layout().offset_to_xy(self.cursor)
        height = self._viewport_height()
        top = round(self.scroll_y)
        if center:
            target = max(0, y - height // 2)
        elif y < top:
            target = y
        elif y >= top + height:
            target = y - height + 1
        else:
            return
        self.scroll_to(y=target, animate=False, force=True)

    # ------------------------------------------------------------------------------------- actions
    def action_move(self, how: str, select: bool = False) -> None:
        layout = self._ensure_layout()
        text = self._text
        c = self.cursor
        vertical = False
        if how == "left":
            target = layout.prev_boundary(c)
        elif how == "right":
            target = layout.next_boundary(c)
        elif how in ("up", "down", "page_up", "page_down"):
            vertical = True
            x, y = layout.offset_to_xy(c)
            if self._goal_x is None:
                self._goal_x = x
            step = max(1, self._viewport_height() - 1) if how.startswith("page") else 1
            dy = -step if how in ("up", "page_up") else step
            ny = y + dy
            if how.startswith("page") and self.is_mounted:
                self.scroll_to(y=max(0, self.scroll_y + dy), animate=False, force=True)
            if ny < 0:
                target = 0
            elif ny >= layout.line_count:
                target = len(text)
            else:
                target = layout.xy_to_offset(self._goal_x, ny)
        elif how == "word_left":
            target = prev_word(text, c)
        elif how == "word_right":
            target = next_word(text, c)
        elif how == "para_up":
            target = prev_paragraph(text, c)
        elif how == "para_down":
            target = next_paragraph(text, c)
        elif how == "home":
            target = layout.starts[layout.line_of(c)]
        elif how == "end":
            target = layout.line_end_offset(layout.line_of(c))
        elif how == "top":
            target = 0
        elif how == "bottom":
            target = len(text)
        else:
            return
        self._vertical = vertical
        try:
            self.move_cursor(target, select=select)
        finally:
            self._vertical = False

    def action_toggle_selection(self) -> None:
        old = self.selection
        if self._selecting:
            self._selecting = False  # keep the selection; the next plain move clears it
        else:
            self._selecting = True
            self._anchor = self.cursor
        self._after_selection_change(old)

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_selection":
            return self._anchor is not None or self._selecting
        return True

    # --------------------------------------------------------------------------------------- mouse
    def _event_offset(self, x: int, y: int) -> int:
        layout = self._ensure_layout()
        return layout.xy_to_offset(x - self._pad_left, y + round(self.scroll_y))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        pos = event.get_content_offset(self)
        if pos is None:
            return
        event.stop()
        self.focus()
        offset = self._event_offset(pos.x, pos.y)
        if not event.shift and not self._selecting:
            self._anchor = None
        self.move_cursor(offset, select=event.shift or self._selecting)
        if self._anchor is None:
            self._anchor_on_drag = self.cursor
        else:
            self._anchor_on_drag = self._anchor
        self._dragging = True
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        pos = event.get_content_offset_capture(self)
        height = self._viewport_height()
        if pos.y < 0:
            self.scroll_to(y=max(0, self.scroll_y - 1), animate=False, force=True)
        elif pos.y >= height:
            self.scroll_to(y=self.scroll_y + 1, animate=False, force=True)
        offset = self._event_offset(pos.x, min(max(pos.y, -1), height))
        if self._anchor is None:
            self._anchor = self._anchor_on_drag
        self.move_cursor(offset, select=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.capture_mouse(False)

    def on_click(self, event: events.Click) -> None:
        if event.chain != 2:
            return
        start, end = self._word_at(self.cursor)
        if end > start:
            self.select_range(start, end)

    def _word_at(self, offset: int) -> tuple[int, int]:
        text = self._text
        if offset >= len(text) or not _WORD_CHAR.match(text, offset):
            return offset, offset
        start = offset
        while start > 0 and _WORD_CHAR.match(text, start - 1):
            start -= 1
        end = offset
        while end < len(text) and _WORD_CHAR.match(text, end):
            end += 1
        return start, end

    # ----------------------------------------------------------------------------------- geometry
    def offset_to_xy(self, offset: int) -> tuple[int, int]:
        return self._ensure_layout().offset_to_xy(offset)

    def xy_to_offset(self, x: int, y: int) -> int:
        return self._ensure_layout().xy_to_offset(x, y)

    def visible_range(self) -> tuple[int, int]:
        layout = self._ensure_layout()
        first = min(round(self.scroll_y), layout.line_count - 1)
        last = min(layout.line_count - 1, first + self._viewport_height() - 1)
        return layout.starts[first], layout.ends[last]

    # -------------------------------------------------------------------------------------- render
    def _span_styles(self) -> SpanStyles:
        if self._styles is None:
            dark = True
            variables: dict[str, str] = {}
            try:
                app = self.app
                dark = app.current_theme.dark
                variables = app.get_css_variables()
            except Exception:
                pass
            self._styles = SpanStyles(dark=dark, variables=variables)
        return self._styles

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._styles = None
        self._base_style = None
        self._gen += 1
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._gen += 1
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._ensure_layout()
        base = self._base_style
        if base is None:  # self.rich_style costs ~0.1 ms: once per style change, not once per line
            base = self._base_style = self.rich_style
        line = y + round(self.scroll_y)
        if line >= layout.line_count or width <= 0:
            return Strip.blank(width, base)
        start = layout.starts[line]
        gap_end = layout.gap_end(line)
        cursor = self.cursor
        cursor_here = cursor if start <= cursor < gap_end else -1
        selection = self.selection
        if selection is not None:
            a, b = max(selection[0], start), min(selection[1], gap_end)
            selection = (a, b) if a < b else None
        key = (line, self._gen, width, cursor_here, selection)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._build_strip(layout, line, width, base, cursor_here, selection)
            self._strips[key] = strip
        return strip

    def _build_strip(
        self,
        layout: WrapLayout,
        line: int,
        width: int,
        base: Style,
        cursor: int,
        selection: tuple[int, int] | None,
    ) -> Strip:
        text = layout.text
        styles = self._span_styles()
        start, end = layout.starts[line], layout.ends[line]
        gap_end = layout.gap_end(line)
        hidden = self.hidden_kinds
        spans = [s for s in self._spans_in(start, end) if s.kind not in hidden and s.kind in KINDS]
        segments = [Segment(" " * self._pad_left, base)]

        complex_line = bool(layout.complex[line])
        if complex_line:
            graphemes = layout.line_graphemes(line)
            offsets = [g[0] for g in graphemes]

            def snap(o: int) -> int:
                i = bisect_right(offsets, o) - 1
                return offsets[i] if i >= 0 else start
        else:

            def snap(o: int) -> int:
                return o

        cuts = {start, end}
        for span in spans:
            if start < span.start < end:
                cuts.add(snap(span.start))
            if start < span.end < end:
                cuts.add(snap(span.end))
        if selection is not None:
            for o in selection:
                if start < o < end:
                    cuts.add(snap(o))
        cursor_end = -1
        if start <= cursor < end:
            cursor_end = layout.next_boundary(cursor)
            cuts.add(cursor)
            if cursor_end < end:
                cuts.add(cursor_end)
        points = sorted(cuts)
        for a, b in pairwise(points):
            if a >= b:
                continue
            kinds = [s.kind for s in spans if s.start <= a < s.end]
            selected = selection is not None and selection[0] <= a < selection[1]
            on_cursor = cursor <= a < cursor_end
            style = (
                base + styles.compose(kinds, selected=selected, cursor=on_cursor)
                if (kinds or selected or on_cursor)
                else base
            )
            if complex_line:
                i, j = bisect_left(offsets, a), bisect_left(offsets, b)
                chunk = "".join(g[1] for g in graphemes[i:j])
            else:
                chunk = text[a:b]
            segments.append(Segment(chunk, style))

        # the gap after the text (break spaces, the newline, the end of the text): drawn only when the
        # selection covers it or the cursor is in it; offsets past the text column share its last cell
        x0 = layout.widths[line]
        text_width = layout.width
        if x0 <= text_width and (selection is not None or end <= cursor < gap_end):
            last_col = min(x0 + (gap_end - end) - 1, text_width)
            cells: list[Style | None] = [None] * (last_col - x0 + 1)
            if selection is not None:
                a, b = max(selection[0], end), min(selection[1], gap_end)
                for g in range(a, min(b, end + len(cells))):
                    cells[g - end] = styles.selection
            if end <= cursor < gap_end:
                cells[min(cursor - end, len(cells) - 1)] = styles.cursor
            while cells and cells[-1] is None:
                cells.pop()
            for cell in cells:
                segments.append(Segment(" ", base if cell is None else base + cell))
        return Strip(segments).adjust_cell_length(width, base)
