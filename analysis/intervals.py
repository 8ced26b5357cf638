"""Overlap checks that stay near-linear for hundreds of thousands of spans (a 10 MB article):
:class:`Coverage`, a byte per character, for greedy selection in any order; :class:`Occupied`, sorted
intervals with bisect, when the containing interval must be found; :class:`SpanIndex` for positional
queries over non-overlapping spans."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Protocol, TypeVar


class _HasRange(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


T = TypeVar("T", bound=_HasRange)


class Coverage:
    """Which characters of a text are taken: O(span length) checks and adds, in any order."""

    def __init__(self, length: int) -> None:
        self._buf = bytearray(length)

    def overlaps(self, start: int, end: int) -> bool:
        return self._buf.find(1, start, end) != -1

    def add(self, start: int, end: int) -> bool:
        """Take [start, end) unless any of it is taken; returns whether it was taken now."""
        if end <= start or self.overlaps(start, end):
            return False
        self._buf[start:end] = b"\x01" * (end - start)
        return True


class Occupied:
    """Non-overlapping half-open intervals [start, end), kept sorted (cheap when added in order)."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] > start:
            return True
        return i < len(self._starts) and self._starts[i] < end

    def add(self, start: int, end: int) -> bool:
        """Add [start, end) unless it overlaps; returns whether it was added."""
        if self.overlaps(start, end):
            return False
        i = bisect.bisect_right(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)
        return True

    def containing(self, start: int, end: int) -> tuple[int, int] | None:
        """The interval that contains [start, end), if any."""
        i = bisect.bisect_right(self._starts, start)
        if i > 0 and self._ends[i - 1] >= end:
            return self._starts[i - 1], self._ends[i - 1]
        return None


def greedy_non_overlapping(items: Sequence[T]) -> list[T]:
    """Take items in the given (priority) order, skipping any that overlaps one taken; sorted by start."""
    if not items:
        return []
    cov = Coverage(max(it.end for it in items))
    taken = [it for it in items if cov.add(it.start, it.end)]
    return sorted(taken, key=lambda it: it.start)


class SpanIndex:
    """Non-overlapping spans sorted by start (so their ends are sorted too), for positional queries."""

    def __init__(self, spans: Sequence[T]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]
        self._by_label: dict[str, tuple[list, list[int]]] = {}
        for sp in self.spans:
            lst, ends = self._by_label.setdefault(getattr(sp, "label", ""), ([], []))
            lst.append(sp)
            ends.append(sp.end)

    def last_before(self, pos: int, label: str) -> object | None:
        """The last span of ``label`` ending at or before ``pos``."""
        lst, ends = self._by_label.get(label, ([], []))
        i = bisect.bisect_right(ends, pos)
        return lst[i - 1] if i else None

    def within(self, a: int, b: int) -> list:
        i = bisect.bisect_left(self.starts, a)
        j = bisect.bisect_left(self.starts, b)
        return [s for s in self.spans[i:j] if s.end <= b]

    def near(self, lo: int, hi: int) -> list:
        """Spans overlapping [lo, hi), in order of their starts (overlapping spans too)."""
        longest = getattr(self, "_longest", None)
        if longest is None:
            longest = self._longest = max((s.end - s.start for s in self.spans), default=0)
        i = bisect.bisect_left(self.starts, lo - longest)
        j = bisect.bisect_left(self.starts, hi)
        return [s for s in self.spans[i:j] if s.end > lo]

    def before(self, pos: int, window: int = 400) -> list:
        """Spans that end at or before ``pos`` and start within ``window`` characters of it, in order."""
        i = bisect.bisect_left(self.starts, max(0, pos - window))
        j = bisect.bisect_left(self.starts, pos)
        return [s for s in self.spans[i:j] if s.end <= pos]

    def starting_at(self, pos: int) -> list:
        i = bisect.bisect_left(self.starts, pos)
        out = []
        while i < len(self.spans) and self.starts[i] == pos:
            out.append(self.spans[i])
            i += 1
        return out
