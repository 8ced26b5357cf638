import itertools

from hypothesis import given
from hypothesis import strategies as st

from docbao.analysis.intervals import Occupied, SpanIndex, greedy_non_overlapping
from docbao.analysis.spans import Span

RANGES = st.lists(st.tuples(st.integers(0, 60), st.integers(1, 15)).map(lambda t: (t[0], t[0] + t[1])),
                  max_size=40)


@given(RANGES)
def test_occupied_agrees_with_brute_force(ranges):
    occ = Occupied()
    taken: list[tuple[int, int]] = []
    for s, e in ranges:
        brute = all(e <= a or s >= b for a, b in taken)
        assert occ.overlaps(s, e) is (not brute)
        assert occ.add(s, e) is brute
        if brute:
            taken.append((s, e))


@given(RANGES)
def test_greedy_keeps_priority_order_and_never_overlaps(ranges):
    spans = [Span(s, e, "PER", "x" * (e - s)) for s, e in ranges]
    kept = greedy_non_overlapping(spans)
    for a, b in itertools.pairwise(kept):
        assert a.end <= b.start
    # every dropped span overlaps a kept span that came before it in priority order
    for i, sp in enumerate(spans):
        if sp not in kept:
            assert any(not (sp.end <= k.start or sp.start >= k.end) for k in spans[:i] if k in kept)


def test_span_index_queries():
    spans = [Span(0, 3, "PER", "abc"), Span(5, 8, "LOC", "def"), Span(10, 12, "PER", "gh")]
    idx = SpanIndex(spans)
    assert [s.start for s in idx.within(4, 12)] == [5, 10]
    assert [s.start for s in idx.before(9)] == [0, 5]
    assert idx.last_before(9, "PER") == spans[0]
    assert idx.last_before(12, "PER") == spans[2]
    assert idx.last_before(2, "PER") is None
    assert idx.starting_at(5) == [spans[1]]


def test_near_gives_every_span_overlapping_a_window_overlapping_ones_too():
    from docbao.analysis.intervals import SpanIndex
    from docbao.analysis.spans import Span

    spans = [Span(0, 50, "ORG", "x" * 50), Span(10, 12, "PER", "ab"), Span(60, 70, "LOC", "c" * 10),
             Span(100, 101, "PER", "d")]
    idx = SpanIndex(spans)
    assert [(s.start, s.end) for s in idx.near(40, 65)] == [(0, 50), (60, 70)]
    assert [(s.start, s.end) for s in idx.near(12, 60)] == [(0, 50)]  # ends are exclusive, as are windows
    assert idx.near(71, 100) == [] and SpanIndex([]).near(0, 10) == []
