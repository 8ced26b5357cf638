"""Property tests: whatever text we throw at the analysis, every span slices to its own text.

The text is built from pieces that trouble tokenizers: NFD Vietnamese, tabs and runs of spaces, curly,
straight and angle quotes, emoji with skin tones and variation selectors, URLs, numbers like 6/12 and 2.000.
"""

import itertools
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docbao.analysis.features import tokenize
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
        assert q.kind in ("direct", "indirect", "term")
        assert "\n" not in q.text or q.kind == "direct", "only a direct quote runs over paragraphs"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_tokens_cover_every_non_space_character_once_in_order(raw):
    text = normalize_text(raw)
    toks = tokenize(text)
    last = 0
    for t in toks:
        assert last <= t.start < t.end and text[t.start:t.end] == t.text
        assert not text[last:t.start].strip(), "a character between tokens was dropped"
        last = t.end
    assert not text[last:].strip()


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
