"""ArticleView: the article body. A Line-API ``ScrollView`` over a wrap layout of the article's NFC text.

Offsets are always code points into the text given to :meth:`ArticleView.set_text` (NFC; text that is
not canonical is passed through ``analysis.text.normalize_text`` first, which the app should avoid by
passing canonical text). The text is never parsed as markup.

Public API (what the app uses)::

    view = ArticleView(text="", *, max_text_width=100, name=None, id=None, classes=None)
    view.set_text(text: str) -> None             # replaces the text; clears spans and search hits, cursor
                                                 #   to 0, no selection
    view.text -> str
    view.set_spans(spans: Iterable[ViewSpan] | SpanIndex) -> None   # replaces all spans (may overlap; any order)
    view.spans -> tuple[ViewSpan, ...]           # sorted by (start, end)
    view.hidden_kinds: frozenset[str]            # reactive: kinds not drawn and skipped by next_span
    view.max_text_width: int | None              # reactive: text column width cap (centred); None = full
    view.cursor: int                             # reactive; assigning it moves the cursor (selection kept
                                                 #   only in `v` mode), snapped to a grapheme start. The
                                                 #   view's own moves are announced by CursorMoved, not
                                                 #   by watchers of `cursor`
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
    view.set_search_hits(hits: Sequence[tuple[int, int]], current: int | None = None) -> None
        # draws every hit [start, end) in the style of kind "search" and hits[current] in that of
        # "search-current" (IndexError when current is out of range); replaces the previous hits. It does
        # not move the cursor: do `view.move_cursor(hits[current][0], center=True)`. Hits are drawn under
        # the selection and the cursor, over every span; "search" in hidden_kinds hides them.
    view.search_hits -> tuple[tuple[int, int], ...]    # the hits as last set; () after set_text
    view.search_current -> int | None                  # the index of the current hit
    view.offset_to_xy(offset: int) -> tuple[int, int]  # (x, y): x = cell column in the text column
    view.xy_to_offset(x: int, y: int) -> int           #   (padding excluded), y = visual line in the
                                                       #   document (not the screen row)
    view.line_count -> int                       # visual lines in the current layout

Messages (posted upward; ``message.control`` is the view, so ``@on(ArticleView.CursorMoved, "#body")``
works): ``ArticleView.CursorMoved(cursor, selection)`` after every cursor move, and
``ArticleView.SelectionChanged(selection)`` whenever the normalised selection changes.

Span kinds live in :mod:`tui.model.kinds`, their styles in :mod:`tui.styles`.

Keys (each a Binding with an id ``article_view.…``, so a keymap can rebind it): arrows (grapheme /
visual line keeping the column), ctrl+left/right (word), ctrl+up/down and ``{``/``}`` (paragraph),
home/end (visual line), ctrl+home/end (text), pageup/pagedown; as in less and vim, ``j``/``k`` (line
down/up), ``g``/``G`` (start/end of the article), ``space``/``b`` and shift+space (page down/up); shift+
any of the first ones extends the selection; ``v`` toggles selection mode (moves extend while it is on);
escape clears the selection (and is left to the app when there is none). Mouse: click moves the cursor,
shift+click extends, drag selects, double-click selects a word, the wheel scrolls.

Inside: :mod:`.layout` (graphemes, widths, the wrap), :mod:`.spans` (the span index) and
:mod:`.selection` (the cursor and selection value and its moves) never import Textual (ArticleView is
imported on first use, so they can be used and tested alone); :mod:`.draw` turns a line into rich
segments; :mod:`.view` is the widget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docbao.tui.model.spans import ViewSpan

if TYPE_CHECKING:
    from docbao.tui.widgets.article_view.view import ArticleView

__all__ = ["ArticleView", "ViewSpan"]


def __getattr__(name: str) -> object:
    if name == "ArticleView":
        from docbao.tui.widgets.article_view.view import ArticleView

        return ArticleView
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
