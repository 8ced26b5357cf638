"""The spans drawn over the article's text, indexed for the two questions the view asks. Pure: no Textual.

``SpanIndex(spans)`` keeps every span, sorted by ``(start, end)`` (ties in the order given), and answers:
which spans overlap a stretch of text (drawing a line), which hold an offset, innermost first (what is
under the cursor), and which span of some kinds comes next or before an offset, wrapping around the text
like vim's ``n``. Kinds can be hidden from the last two questions. Empty or reversed spans are kept in
``spans`` but hold no offset and overlap nothing.

Spans are bucketed by 256-code-point chunk of the text, so a line's lookup costs the spans near it, not
all of them; a span longer than 64 chunks (a note on a whole section) is kept in a short list instead.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["SpanIndex", "ViewSpan"]

_CHUNK_BITS = 8
_LONG_SPAN_CHUNKS = 64


@dataclass(frozen=True)
class ViewSpan:
    """A stretch ``[start, end)`` of the text to draw in the style of ``kind`` (see :mod:`tui.styles`).

    ``key`` is free for the app (an annotation id, an entity's canonical form…).
    """

    start: int
    end: int
    kind: str
    key: str = ""


class SpanIndex:
    """Overlapping spans of any kinds, indexed by position."""

    def __init__(self, spans: Iterable[ViewSpan] = ()) -> None:
        self.spans: tuple[ViewSpan, ...] = tuple(sorted(spans, key=lambda s: (s.start, s.end)))
        self._buckets: dict[int, list[ViewSpan]] = {}
        self._long: list[ViewSpan] = []
        self._by_kinds: dict[frozenset[str], tuple[list[ViewSpan], list[int]]] = {}
        bits = _CHUNK_BITS
        for span in self.spans:
            if span.end <= span.start:
                continue
            c0, c1 = span.start >> bits, (span.end - 1) >> bits
            if c1 - c0 > _LONG_SPAN_CHUNKS:
                self._long.append(span)
                continue
            for c in range(c0, c1 + 1):
                self._buckets.setdefault(c, []).append(span)

    def __len__(self) -> int:
        return len(self.spans)

    def overlapping(self, start: int, end: int) -> list[ViewSpan]:
        """The spans overlapping ``[start, end)`` (a point when ``end <= start``), each once, in no order."""
        end = max(end, start + 1)
        bits = _CHUNK_BITS
        out: list[ViewSpan] = []
        for c in range(start >> bits, ((end - 1) >> bits) + 1):
            for span in self._buckets.get(c, ()):
                # a span in several buckets is reported from the first one the range shares with it
                if span.start < end and span.end > start and (max(span.start, start) >> bits) == c:
                    out.append(span)
        out.extend(s for s in self._long if s.start < end and s.end > start)
        return out

    def at(self, offset: int, hidden: frozenset[str] = frozenset()) -> list[ViewSpan]:
        """The spans with ``start <= offset < end`` and a kind not in ``hidden``, innermost (shortest) first;
        ties: earlier start, then kind."""
        found = [s for s in self.overlapping(offset, offset + 1) if s.kind not in hidden]
        return sorted(found, key=lambda s: (s.end - s.start, s.start, s.kind))

    def next(
        self,
        kinds: Iterable[str],
        offset: int,
        direction: int = 1,
        *,
        wrap: bool = True,
        hidden: frozenset[str] = frozenset(),
    ) -> ViewSpan | None:
        """The span of one of ``kinds`` (minus ``hidden``) whose start is the nearest strictly after
        ``offset`` (``direction >= 0``) or strictly before it (``direction < 0``). With ``wrap`` it wraps
        around the text; None only when there is no such span (without ``wrap``: none that way)."""
        wanted = frozenset(kinds) - hidden
        entry = self._by_kinds.get(wanted)
        if entry is None:
            candidates = [s for s in self.spans if s.kind in wanted]
            entry = self._by_kinds[wanted] = (candidates, [s.start for s in candidates])
        candidates, starts = entry
        if not candidates:
            return None
        if direction >= 0:
            i = bisect_right(starts, offset)
            return candidates[i] if i < len(candidates) else (candidates[0] if wrap else None)
        i = bisect_left(starts, offset)
        return candidates[i - 1] if i > 0 else (candidates[-1] if wrap else None)
