"""The span index of the article view: overlapping spans, innermost-first lookups, next/previous by kind."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from docbao.tui.model.spans import SpanIndex, ViewSpan

TEXT = "Thủ tướng Phạm Minh Chính nói: “Việt Nam luôn coi trọng quan hệ với Nhật Bản”.\n\nHà Nội, 12/3."


def at(surface: str, kind: str, key: str = "") -> ViewSpan:
    start = TEXT.index(surface)
    return ViewSpan(start, start + len(surface), kind, key)


PMC = at("Phạm Minh Chính", "PER", "pmc")
QUOTE = ViewSpan(TEXT.index("“"), TEXT.index("”") + 1, "quote")
VN = at("Việt Nam", "LOC")
JP = at("Nhật Bản", "LOC")
HN = at("Hà Nội", "LOC")
SPANS = [PMC, QUOTE, VN, JP, HN]


def test_spans_are_sorted_by_start_then_end_keeping_ties_in_order() -> None:
    index = SpanIndex(reversed(SPANS))
    assert index.spans == (PMC, QUOTE, VN, JP, HN)
    a, b = ViewSpan(3, 5, "PER", "a"), ViewSpan(3, 5, "LOC", "b")
    assert SpanIndex([a, b]).spans == (a, b) and SpanIndex([b, a]).spans == (b, a)
    assert len(index) == 5 and len(SpanIndex()) == 0


def test_next_wraps_skips_hidden_and_is_strictly_after_or_before() -> None:
    index = SpanIndex(reversed(SPANS))
    assert index.next({"LOC"}, 0) == VN
    assert index.next({"LOC"}, VN.start) == JP  # strictly after the offset
    assert index.next({"LOC"}, HN.start) == VN  # wraps around
    assert index.next({"LOC"}, HN.start, wrap=False) is None
    assert index.next({"LOC", "PER"}, HN.start, -1) == JP
    assert index.next({"PER"}, 0, -1) == PMC  # wraps backwards
    assert index.next({"PER"}, 0, -1, wrap=False) is None
    assert index.next({"ORG"}, 0) is None
    assert index.next({"LOC", "quote"}, 0, hidden=frozenset({"LOC"})) == QUOTE
    assert index.next({"LOC"}, 0, hidden=frozenset({"LOC"})) is None


def test_at_is_innermost_first_and_can_leave_hidden_kinds_out() -> None:
    index = SpanIndex(SPANS)
    inner = VN.start + 1
    assert [s.kind for s in index.at(inner)] == ["LOC", "quote"]
    assert [s.kind for s in index.at(inner, frozenset({"LOC"}))] == ["quote"]
    assert index.at(VN.end) == [QUOTE]  # end is exclusive
    assert index.at(len(TEXT)) == []


def test_empty_and_reversed_spans_are_kept_but_hold_nothing() -> None:
    empty, backwards = ViewSpan(5, 5, "PER"), ViewSpan(9, 4, "LOC")
    index = SpanIndex([empty, backwards, VN])
    assert index.spans == (empty, backwards, VN)  # by start, as given
    assert index.at(5) == [] and index.overlapping(0, 20) == []
    assert index.overlapping(VN.start, VN.start) == [VN]  # an empty range asks about one offset


def test_long_spans_and_spans_across_buckets_are_reported_once() -> None:
    whole = ViewSpan(0, 100_000, "annotation")
    across = ViewSpan(250, 270, "PER")  # crosses the 256 bucket boundary
    index = SpanIndex([whole, across, ViewSpan(600, 700, "LOC")])
    assert sorted(index.overlapping(0, 1000), key=lambda s: s.start) == [whole, across, index.spans[2]]
    assert index.overlapping(260, 261) == [across, whole] or index.overlapping(260, 261) == [whole, across]
    assert [s.kind for s in index.at(260)] == ["PER", "annotation"]
    assert index.overlapping(100_000, 100_010) == []


_span = st.builds(ViewSpan, st.integers(0, 2000), st.integers(0, 2000), st.sampled_from(["PER", "LOC", "quote"]))


@settings(max_examples=200, deadline=None)
@given(spans=st.lists(_span, max_size=40), start=st.integers(0, 2100), length=st.integers(0, 600),
       kinds=st.sets(st.sampled_from(["PER", "LOC", "quote"])), direction=st.sampled_from([1, -1]))
def test_property_lookups_agree_with_a_scan(spans: list[ViewSpan], start: int, length: int, kinds: set[str],
                                            direction: int) -> None:
    index = SpanIndex(spans)
    end = start + length
    real = [s for s in spans if s.end > s.start]
    want = [s for s in real if s.start < max(end, start + 1) and s.end > start]
    got = index.overlapping(start, end)
    assert sorted(got, key=repr) == sorted(want, key=repr) and len(got) == len(want)
    assert [s for s in index.at(start)] == sorted((s for s in real if s.start <= start < s.end),
                                                   key=lambda s: (s.end - s.start, s.start, s.kind))
    of_kind = [s for s in index.spans if s.kind in kinds]
    nxt = index.next(kinds, start, direction)
    if not of_kind:
        assert nxt is None
    elif direction > 0:
        after = [s for s in of_kind if s.start > start]
        assert nxt == (after[0] if after else of_kind[0])
    else:
        before = [s for s in of_kind if s.start < start]
        assert nxt == (before[-1] if before else of_kind[-1])
