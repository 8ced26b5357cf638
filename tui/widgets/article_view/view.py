"""The article body widget: keys and the mouse become :class:`Selection` moves; a move scrolls and redraws.

The public API is described in the package's docstring (:mod:`docbao.tui.widgets.article_view`). The
widget holds one :class:`~.selection.Selection`, one :class:`~.layout.Layout` (rebuilt when the text or
the width changes) and two :class:`~.spans.SpanIndex` (the app's spans, the search hits); every change of
the selection goes through :meth:`ArticleView._apply`, which posts the messages.
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, cast

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from docbao.tui.model.spans import SpanIndex, ViewSpan
from docbao.tui.styles import KINDS, SpanStyles
from docbao.tui.widgets.article_view.draw import line_segments
from docbao.tui.widgets.article_view.layout import Layout, text_column
from docbao.tui.widgets.article_view.selection import MOTIONS, Motion, Selection, word_at

__all__ = ["ArticleView"]

# (motion, keys, keys that extend the selection, description); ids: article_view.<motion>, .select_<motion>
_MOVES: tuple[tuple[str, str, str, str], ...] = (
    ("left", "left", "shift+left", "Left"),
    ("right", "right", "shift+right", "Right"),
    ("up", "up", "shift+up", "Up"),
    ("down", "down", "shift+down", "Down"),
    ("word_left", "ctrl+left", "ctrl+shift+left", "Word left"),
    ("word_right", "ctrl+right", "ctrl+shift+right", "Word right"),
    ("para_up", "ctrl+up,left_curly_bracket", "ctrl+shift+up", "Paragraph up"),
    ("para_down", "ctrl+down,right_curly_bracket", "ctrl+shift+down", "Paragraph down"),
    ("home", "home", "shift+home", "Line start"),
    ("end", "end", "shift+end", "Line end"),
    ("top", "ctrl+home", "ctrl+shift+home", "Top"),
    ("bottom", "ctrl+end", "ctrl+shift+end", "Bottom"),
    ("page_up", "pageup", "shift+pageup", "Page up"),
    ("page_down", "pagedown", "shift+pagedown", "Page down"),
)
# reading keys as in less and vim (ids: article_view.read_<motion>), apart so a keymap can move them alone
_READING: tuple[tuple[str, str, str], ...] = (
    ("down", "j", "Line down"),
    ("up", "k", "Line up"),
    ("top", "g", "Start of the article"),
    ("bottom", "G", "End of the article"),
    ("page_down", "space", "Page down"),
    ("page_up", "b,shift+space", "Page up"),
)


def _canonical(text: str) -> str:
    if text.startswith("\ufeff") or "\r" in text or not unicodedata.is_normalized("NFC", text):
        from docbao.analysis.text import normalize_text

        return normalize_text(text)
    return text


class ArticleView(ScrollView, can_focus=True):
    """An article's text, wrapped, with overlapping highlighted spans, search hits, a cursor and a
    selection."""

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
        *(Binding(keys, f"move('{m}')", desc, id=f"article_view.{m}", show=False) for m, keys, _s, desc in _MOVES),
        *(Binding(keys, f"move('{m}')", desc, id=f"article_view.read_{m}", show=False) for m, keys, desc in _READING),
        *(Binding(keys, f"move('{m}', True)", f"Select: {desc.lower()}", id=f"article_view.select_{m}", show=False)
          for m, _k, keys, desc in _MOVES),
        Binding("v", "toggle_selection", "Select", id="article_view.toggle_selection",
                tooltip="Start or stop selecting: cursor moves extend the selection"),
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

    # the view moves the cursor with set_reactive (see _apply): watch_cursor sees only assignments from outside
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
        self.set_reactive(ArticleView.max_text_width, max_text_width)
        self._text = _canonical(text)
        self._layout = Layout(self._text, text_column(80, max_text_width)[1])
        self._pad_left = 2
        self._laid_out_width = 0  # the content width the layout was made for (0: not yet known)
        self._sel = Selection()
        self._spans = SpanIndex()
        self._hits = SpanIndex()
        self._hit_list: tuple[tuple[int, int], ...] = ()
        self._hit_current: int | None = None
        self._center_on_resize = False  # a centring jump asked for before the view had a size
        self._base_style: Style | None = None
        self._styles: SpanStyles | None = None
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)

    # -- text and layout -----------------------------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    @property
    def line_count(self) -> int:
        return self._layout.line_count

    def set_text(self, text: str) -> None:
        """Show ``text`` (canonicalised if needed). Spans and search hits are cleared; cursor at 0."""
        self._text = _canonical(text)
        self._spans = SpanIndex()
        self._hits, self._hit_list, self._hit_current = SpanIndex(), (), None
        self._relayout(force=True)
        self.scroll_to(y=0, animate=False)
        self._apply(Selection(), moved=True)

    def _relayout(self, *, force: bool = False) -> None:
        total = self.scrollable_content_region.width if self.is_mounted else 0
        self._pad_left, width = text_column(total or 80, self.max_text_width)
        if force or width != self._layout.width:
            self._layout = Layout(self._text, width)
        self._invalidate()
        if self.is_mounted:
            self._laid_out_width = total
            self.virtual_size = Size(total or 80, self._layout.line_count)

    def _invalidate(self) -> None:
        self._strips.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._laid_out_width:
            self._relayout()
        center, self._center_on_resize = self._center_on_resize, False
        self.call_after_refresh(self._scroll_to_cursor, center=center)

    def watch_max_text_width(self) -> None:
        self._relayout()
        self._scroll_to_cursor(center=False)

    def watch_hidden_kinds(self) -> None:
        self._invalidate()

    # -- spans and search hits -------------------------------------------------------------------------
    @property
    def spans(self) -> tuple[ViewSpan, ...]:
        return self._spans.spans

    def set_spans(self, spans: Iterable[ViewSpan] | SpanIndex) -> None:
        """Replace all spans (or give them indexed already). Empty or reversed spans are kept for lookups
        but never drawn."""
        self._spans = spans if isinstance(spans, SpanIndex) else SpanIndex(spans)
        self._invalidate()

    def spans_at(self, offset: int, *, visible_only: bool = False) -> list[ViewSpan]:
        """Spans with ``start <= offset < end``, shortest first (ties: earlier start)."""
        return self._spans.at(offset, self.hidden_kinds if visible_only else frozenset())

    def next_span(self, kinds: Iterable[str], direction: int = 1, *, wrap: bool = True) -> ViewSpan | None:
        """The next (direction > 0) or previous span of ``kinds`` from the cursor; see the package doc."""
        return self._spans.next(kinds, self.cursor, direction, wrap=wrap, hidden=self.hidden_kinds)

    @property
    def search_hits(self) -> tuple[tuple[int, int], ...]:
        return self._hit_list

    @property
    def search_current(self) -> int | None:
        return self._hit_current

    def set_search_hits(self, hits: Sequence[tuple[int, int]], current: int | None = None) -> None:
        """Draw the search hits ``[(start, end), …]``, ``hits[current]`` as the current one."""
        hit_list = tuple((int(a), int(b)) for a, b in hits)
        if current is not None and not 0 <= current < len(hit_list):
            raise IndexError(f"current hit {current} of {len(hit_list)}")
        self._hit_list, self._hit_current = hit_list, current
        self._hits = SpanIndex(ViewSpan(a, b, "search-current" if i == current else "search")
                               for i, (a, b) in enumerate(hit_list))
        self._invalidate()

    # -- cursor and selection --------------------------------------------------------------------------
    @property
    def selection(self) -> tuple[int, int] | None:
        return self._sel.range

    @property
    def selecting(self) -> bool:
        return self._sel.selecting

    def validate_cursor(self, value: int) -> int:
        return self._layout.snap(value)

    def watch_cursor(self, value: int) -> None:
        self._apply(self._sel.to(value), moved=True)

    def move_cursor(self, offset: int, *, select: bool = False, center: bool = False) -> None:
        """Move the cursor to ``offset`` (see the package doc)."""
        self._apply(self._sel.to(self._layout.snap(offset), extend=select), moved=True, center=center)

    def select_range(self, start: int, end: int) -> None:
        """Select [start, end) (anchor at ``start``, cursor at ``end``) and scroll to the cursor."""
        self._apply(Selection.span(self._layout.snap(start), self._layout.snap(end)), moved=True)

    def clear_selection(self) -> None:
        self._apply(self._sel.collapsed(), moved=False)

    def _apply(self, new: Selection, *, moved: bool, center: bool = False) -> None:
        """Make ``new`` the selection: scroll (when the cursor moved), redraw, tell the footer when what
        Escape does changed, post CursorMoved (when moved) and SelectionChanged (when the range changed)."""
        old, self._sel = self._sel, new
        self.set_reactive(ArticleView.cursor, new.cursor)
        if moved:
            self._scroll_to_cursor(center=center)
        self.refresh()
        if old.active != new.active:
            self.refresh_bindings()
        if moved:
            self.post_message(self.CursorMoved(new.cursor, new.range, view=self))
        if old.range != new.range:
            self.post_message(self.SelectionChanged(new.range, view=self))

    def _viewport_height(self) -> int:
        return max(1, self.scrollable_content_region.height) if self.is_mounted else 1

    def _scroll_to_cursor(self, *, center: bool) -> None:
        if not self.is_mounted or self.scrollable_content_region.height <= 0 or self._laid_out_width <= 0:
            self._center_on_resize = self._center_on_resize or center  # on_resize scrolls once sized
            return
        y = self._layout.offset_to_xy(self.cursor)[1]
        height, top = self._viewport_height(), round(self.scroll_y)
        if center:
            target = max(0, y - height // 2)
        elif y < top:
            target = y
        elif y >= top + height:
            target = y - height + 1
        else:
            return
        self.scroll_to(y=target, animate=False, force=True)

    # -- actions ---------------------------------------------------------------------------------------
    def action_move(self, how: str, select: bool = False) -> None:
        if how not in MOTIONS:
            return
        page = max(1, self._viewport_height() - 1)
        if how in ("page_up", "page_down") and self.is_mounted:  # the text moves by a page, and the cursor
            dy = page if how == "page_down" else -page
            self.scroll_to(y=max(0, self.scroll_y + dy), animate=False, force=True)
        self._apply(self._sel.move(cast(Motion, how), self._layout, extend=select, page=page), moved=True)

    def action_toggle_selection(self) -> None:
        self._apply(self._sel.toggled(), moved=False)

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_selection":
            return self._sel.active  # else Escape goes on to the screen
        return True

    # -- mouse -----------------------------------------------------------------------------------------
    def _event_offset(self, x: int, y: int) -> int:
        return self._layout.xy_to_offset(x - self._pad_left, y + round(self.scroll_y))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        pos = event.get_content_offset(self)
        if event.button != 1 or pos is None:
            return
        event.stop()
        self.focus()
        self.move_cursor(self._event_offset(pos.x, pos.y), select=event.shift)
        self.capture_mouse()  # a drag selects while the view holds the mouse

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self.app.mouse_captured is not self:
            return
        pos = event.get_content_offset_capture(self)
        height = self._viewport_height()
        if pos.y < 0:
            self.scroll_to(y=max(0, self.scroll_y - 1), animate=False, force=True)
        elif pos.y >= height:
            self.scroll_to(y=self.scroll_y + 1, animate=False, force=True)
        self.move_cursor(self._event_offset(pos.x, min(max(pos.y, -1), height)), select=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self.app.mouse_captured is self:
            self.capture_mouse(False)

    def on_click(self, event: events.Click) -> None:
        if event.chain == 2:
            start, end = word_at(self._text, self.cursor)
            if end > start:
                self.select_range(start, end)

    # -- geometry --------------------------------------------------------------------------------------
    def offset_to_xy(self, offset: int) -> tuple[int, int]:
        return self._layout.offset_to_xy(offset)

    def xy_to_offset(self, x: int, y: int) -> int:
        return self._layout.xy_to_offset(x, y)

    def visible_range(self) -> tuple[int, int]:
        layout = self._layout
        first = min(round(self.scroll_y), layout.line_count - 1)
        last = min(layout.line_count - 1, first + self._viewport_height() - 1)
        return layout.starts[first], layout.ends[last]

    # -- drawing ---------------------------------------------------------------------------------------
    def _span_styles(self) -> SpanStyles:
        if self._styles is None:
            dark, variables = True, {}
            with contextlib.suppress(Exception):  # no app yet: the dark fallback palette
                dark, variables = self.app.current_theme.dark, self.app.get_css_variables()
            self._styles = SpanStyles(dark=dark, variables=variables)
        return self._styles

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)

    def _theme_changed(self) -> None:
        self._styles = self._base_style = None
        self._invalidate()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        layout = self._layout
        base = self._base_style
        if base is None:  # self.rich_style costs ~0.1 ms: once per style change, not once per line
            base = self._base_style = self.rich_style
        line = y + round(self.scroll_y)
        if line >= layout.line_count or width <= 0:
            return Strip.blank(width, base)
        start, gap_end = layout.starts[line], layout.gap_end(line)
        cursor = self.cursor if start <= self.cursor < gap_end else -1
        selection = self._sel.range
        if selection is not None:
            a, b = max(selection[0], start), min(selection[1], gap_end)
            selection = (a, b) if a < b else None
        key = (line, width, cursor, selection)
        strip = self._strips.get(key)
        if strip is None:
            end, hidden = layout.ends[line], self.hidden_kinds
            spans = [s for index in (self._spans, self._hits) for s in index.overlapping(start, end)
                     if s.kind not in hidden and s.kind in KINDS]
            segments = line_segments(layout, line, pad_left=self._pad_left, base=base, styles=self._span_styles(),
                                     spans=spans, cursor=cursor, selection=selection)
            strip = self._strips[key] = Strip(segments).adjust_cell_length(width, base)
        return strip
