"""All 300 real articles of the shared corpus analysed without error, every offset valid."""

import itertools

import pytest

from docbao.analysis.pipeline import analyze
from docbao.analysis.text import read_text_file
from tests.conftest import CORPUS, need


@pytest.mark.slow
def test_every_corpus_article_analyses_with_valid_offsets():
    files = sorted(need(CORPUS, "the vn_news corpus").glob("*.txt"))
    assert len(files) == 300
    n_entities = n_quotes = 0
    for f in files:
        text, _ = read_text_file(f)
        result = analyze(text)
        try:
            result.check(text)
        except AssertionError as exc:  # pragma: no cover - the message names the file
            pytest.fail(f"{f.name}: {exc}")
        for a, b in itertools.pairwise(result.entities):
            assert a.end <= b.start, f"{f.name}: overlapping {a} {b}"
        for e in result.entities:
            assert not e.text[0].isspace() and not e.text[-1].isspace(), f"{f.name}: {e}"
        n_entities += len(result.entities)
        n_quotes += len(result.quotes)
    # The corpus is news: it has many entities and quotes; a broken tagger or quote finder finds few.
    assert n_entities > 5000 and n_quotes > 300


@pytest.mark.slow
def test_a_one_megabyte_single_line_analyses_in_linear_time_with_valid_offsets():
    from docbao.analysis.text import normalize_text

    unit = "Ông Nguyễn Văn An sống ở Hà Nội và nói: “Tôi làm việc tại Bộ Y tế 😀”. Giá 2.000 đồng ngày 6/12. "
    text = normalize_text(unit * (1_000_000 // len(unit)))
    assert "\n" not in text and len(text) > 990_000
    result = analyze(text)
    result.check(text)
    n = text.count("Nguyễn Văn An")
    assert sum(e.text == "Nguyễn Văn An" and e.label == "PER" for e in result.entities) == n
    assert sum(q.kind == "direct" for q in result.quotes) == n
