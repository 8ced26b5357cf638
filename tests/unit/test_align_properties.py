"""Property tests: whatever text we throw at the analysis, every span slices to its own text.

The text is built from pieces that trouble aligners: NFD Vietnamese, tabs and runs of spaces, curly,
straight and angle quotes, emoji with skin tones and variation selectors, URLs, numbers like 6/12 and 2.000.
"""

import itertools
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docbao.analysis.align import align_tokens
from docbao.analysis.entities import tag_sentence
from docbao.analysis.pipeline import analyze
from docbao.analysis.text import normalize_text

WORDS = [
    "Ông", "Nguyễn Văn An", "bà", "Trần Thị Hoa", "ở", "Hà Nội", "TP.HCM", "Bộ Y tế", "cho biết", "rằng",
    "nói", "hoà bình", "thuỷ", "Đà Nẵng", "Mỹ", "Nga", "Putin", "Tổng thống", "ngày 6/12", "năm 2020",
    "2.000 đồng", "https://vnexpress.net/a-b-123.html", "😀", "👍🏽", "❤️", "(ISW)", "UBND", "Công ty ABC",
    "-", "–", ",", ".", ":", "…", "quí", "khoẻ", "Œuvre", "東京", "Москва", "عربي", "x²", "#hashtag", "@user",
]
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(WORDS).map(lambda w: unicodedata.normalize("NFD", w)),
    st.sampled_from([" ", "  ", "\t", " \t ", "\n", "\n\n", "“", "”", '"', "«", "»", "'"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=4),
)
TEXTS = st.lists(PIECES, min_size=1, max_size=40).map(lambda xs: " ".join(xs))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_aligned_tokens_slice_in_order_without_overlap(raw):
    text = normalize_text(raw).replace("\n", " ")
    if not text.strip():
        return
    tokens = [t for t, _ in tag_sentence(text)]
    places = align_tokens(text, tokens)
    assert len(places) == len(tokens)
    last_end = 0
    for p in places:
        if p is None:
            continue
        start, end = p
        assert last_end <= start < end <= len(text)
        assert not text[start].isspace() and not text[end - 1].isspace()
        last_end = end


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_every_span_of_the_analysis_slices_to_its_text(raw):
    text = normalize_text(raw)
    result = analyze(text)
    result.check(text)  # raises on any span whose text differs from text[start:end]
    ents = sorted(result.entities, key=lambda e: e.start)
    for a, b in itertools.pairwise(ents):
        assert a.end <= b.start, f"overlapping entities {a} {b}"
    for e in ents:
        assert e.text == e.text.strip(), f"entity with white space at an end: {e}"
        assert e.label in ("PER", "LOC", "ORG", "MISC")
    for q in result.quotes:
        assert "\n" not in q.text, "a quote never crosses a paragraph"
        assert q.kind in ("direct", "indirect", "term")


def test_alignment_survives_underthesea_rewrites():
    # tone-mark placement (hoà → hòa), spelling fixes, collapsed spaces and tabs, split emoji
    text = "Ông  Nguyễn\tVăn   An ở TP.HCM, quí vị hoà nhạc 😀👍🏽 ❤️ ở Hà Nội"
    tokens = [t for t, _ in tag_sentence(text)]
    places = align_tokens(text, tokens)
    surfaces = [text[s:e] for s, e in (p for p in places if p)]
    assert "Nguyễn\tVăn   An" in surfaces
    assert "hoà nhạc" in surfaces
    assert "Hà Nội" in surfaces


def test_a_token_whose_letters_changed_takes_the_gap_between_neighbours():
    text = "aaa XYZ bbb"
    assert align_tokens(text, ["aaa", "QQ", "bbb"]) == [(0, 3), (4, 7), (8, 11)]


def test_nfd_input_gives_the_same_entities_as_nfc():
    nfc = "Ông Nguyễn Văn An làm việc ở Hà Nội."
    a = analyze(normalize_text(unicodedata.normalize("NFD", nfc)))
    b = analyze(nfc)
    assert [(e.start, e.end, e.label) for e in a.entities] == [(e.start, e.end, e.label) for e in b.entities]
    assert any(e.text == "Hà Nội" for e in b.entities)


def test_analyze_refuses_text_that_is_not_canonical():
    import pytest

    with pytest.raises(ValueError, match="canonical"):
        analyze("a\r\nb")
