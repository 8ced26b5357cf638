"""One visual line as rich segments: the text in runs of equal style, then the gap when it shows.

Pure (rich only): :func:`line_segments` takes the layout, the spans on the line, the selection and the
cursor, and returns what :meth:`~.view.ArticleView.render_line` wraps in a strip. A run's style composes
the kinds of the spans over it (see :mod:`tui.styles`), then the selection, then the cursor. Span edges
that fall inside a grapheme are moved to its start, so a grapheme is always drawn in one piece.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import pairwise

from rich.segment import Segment
from rich.style import Style

from docbao.tui.model.spans import ViewSpan
from docbao.tui.styles import SpanStyles
from docbao.tui.widgets.article_view.layout import Layout

__all__ = ["line_segments"]


def line_segments(
    layout: Layout,
    line: int,
    *,
    pad_left: int,
    base: Style,
    styles: SpanStyles,
    spans: Sequence[ViewSpan],
    cursor: int,
    selection: tuple[int, int] | None,
) -> list[Segment]:
    """The segments of ``line``: left padding, then the text; ``spans`` are those to draw on it."""
    start, end = layout.starts[line], layout.ends[line]
    segments = [Segment(" " * pad_left, base)]
    graphemes = layout.line_graphemes(line) if layout.complex[line] else None
    offsets = [g[0] for g in graphemes] if graphemes is not None else None

    def cut(o: int) -> int:  # the grapheme start at or before o
        if offsets is None:
            return o
        i = bisect_right(offsets, o) - 1
        return offsets[i] if i >= 0 else start

    cuts = {start, end}
    for o in (*(e for s in spans for e in (s.start, s.end)), *(selection or ())):
        if start < o < end:
            cuts.add(cut(o))
    cursor_end = -1
    if start <= cursor < end:
        cursor_end = layout.next_boundary(cursor)
        cuts.update((cursor, min(cursor_end, end)))
    for a, b in pairwise(sorted(cuts)):
        kinds = [s.kind for s in spans if s.start <= a < s.end]
        selected = selection is not None and selection[0] <= a < selection[1]
        on_cursor = cursor <= a < cursor_end
        style = base + styles.compose(kinds, selected=selected, cursor=on_cursor) if (
            kinds or selected or on_cursor) else base
        if graphemes is not None and offsets is not None:
            chunk = "".join(g[1] for g in graphemes[bisect_left(offsets, a) : bisect_left(offsets, b)])
        else:
            chunk = layout.text[a:b]
        segments.append(Segment(chunk, style))
    segments.extend(_gap_segments(layout, line, base, styles, cursor, selection))
    return segments


def _gap_segments(
    layout: Layout, line: int, base: Style, styles: SpanStyles, cursor: int, selection: tuple[int, int] | None
) -> list[Segment]:
    """The gap after the text (break spaces, the newline, the end of the text): drawn only where the
    selection covers it or the cursor is in it; offsets past the text column share its last cell."""
    end, gap_end = layout.ends[line], layout.gap_end(line)
    x0 = layout.widths[line]
    in_gap = end <= cursor < gap_end
    if x0 > layout.width or not (in_gap or (selection is not None and selection[0] < gap_end
                                            and selection[1] > end)):
        return []
    cells: list[Style | None] = [None] * (min(x0 + (gap_end - end) - 1, layout.width) - x0 + 1)
    if selection is not None:
        for g in range(max(selection[0], end), min(selection[1], gap_end, end + len(cells))):
            cells[g - end] = styles.selection
    if in_gap:
        cells[min(cursor - end, len(cells) - 1)] = styles.cursor
    while cells and cells[-1] is None:
        cells.pop()
    return [Segment(" ", base if cell is None else base + cell) for cell in cells]
