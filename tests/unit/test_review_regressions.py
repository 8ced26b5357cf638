"""Regression tests for bugs found in review, each with the input that showed it."""

import json

from docbao.analysis.cache import AnalysisCache
from docbao.analysis.entities import strip_titles
from docbao.analysis.pipeline import analyze
from docbao.analysis.segment import sentences
from docbao.analysis.text import LOWER, UPPER


def ents(text):
    return [(e.text, e.label) for e in analyze(text).entities]


def test_a_spelling_fix_does_not_make_the_aligner_skip_ahead():
    # underthesea rewrites "nghó" to "ngó"; the later real "ngó" must not swallow the words between
    assert ("Nguyễn Văn An", "PER") in ents("Cô ấy nghó qua cửa sổ rồi Nguyễn Văn An ngó lại.")
    assert ("Bộ Y tế", "ORG") in ents("Nghành Y tế của tỉnh Nghệ An cho biết ngày mai Bộ Y tế sẽ ngành họp.")


def test_capitalised_honorifics_inside_a_sentence_are_part_of_the_name():
    for text, name in [("Hôm qua ông đến quận Tân Bình.", "Tân Bình"), ("Đảo Cô Tô rất đẹp.", "Cô Tô"),
                       ("Tối qua ca sĩ Đức Phúc hát ở Hà Nội.", "Đức Phúc")]:
        s = text.index(name)
        assert strip_titles(text, s, s + len(name)) == (s, s + len(name)), text
    t = "Ông Putin phát biểu."  # at the start of a sentence it is a title
    assert strip_titles(t, 0, 9) == (4, 9)


def test_capital_letter_classes_do_not_take_small_letters():
    import re

    assert re.fullmatch(f"[{UPPER}]+", "ĐẤỸÀ") and not re.search(f"[{UPPER}]", "đấỹà")
    assert re.fullmatch(f"[{LOWER}]+", "đấỹà") and not re.search(f"[{LOWER}]", "ĐẤỸÀ")


def test_a_sentence_does_not_end_before_a_small_letter():
    t = "Giá tăng 5%. đó là mức cao. Năm sau giảm."
    assert [t[s:e] for s, e in sentences(t)] == ["Giá tăng 5%. đó là mức cao.", "Năm sau giảm."]


def test_a_pronoun_with_a_verb_is_not_a_speaker_phrase():
    (q,) = analyze('"Chúng tôi sẽ không bỏ cuộc", bà đã nói.').quotes
    assert q.kind == "direct" and (q.speaker is None or q.speaker.text != "bà đã")


def test_an_attribution_on_the_next_line_does_not_make_a_term_speech():
    qs = analyze('Tàu "Hải Dương"\nBộ Ngoại giao cho biết tàu đã rời khu vực.').quotes
    assert [(q.text, q.kind) for q in qs if q.text == "Hải Dương"] == [("Hải Dương", "term")]


def test_straight_quotes_nested_in_curly_quotes_do_not_close_them():
    t = "Ông Nam nói: “Tôi đã nghe họ hét \"dừng lại\" rồi bỏ chạy thật nhanh”."
    (q,) = analyze(t).quotes
    assert q.text == 'Tôi đã nghe họ hét "dừng lại" rồi bỏ chạy thật nhanh'


def test_cache_entries_of_any_shape_are_ignored_and_old_ones_pruned(tmp_path):
    cache = AnalysisCache(tmp_path, max_entries=3)
    for i, bad in enumerate(['{"entities": [], "quotes": [[1]]}', "[" * 100_000, "null", '{"entities": 5}']):
        key = f"k{i}"
        path = cache._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(bad, encoding="utf-8")
        assert cache.get(key, "x") is None
    import os

    from docbao.analysis.spans import Analysis

    for i in range(6):
        assert cache.put(f"good{i}", Analysis())
    for n, p in enumerate(sorted((tmp_path / "analysis").rglob("*.json"), key=lambda p: (p.stem[0] == "g", p.stem))):
        os.utime(p, (1_000_000 + n, 1_000_000 + n))  # bad entries oldest, then good0 … good5
    assert cache.prune() == 7  # 10 entries, 3 kept
    assert len(list((tmp_path / "analysis").rglob("*.json"))) == 3
    kept = sorted(p.stem for p in (tmp_path / "analysis").rglob("*.json"))
    assert kept == ["good3", "good4", "good5"]  # the newest
    assert all(json.loads(p.read_text())["entities"] == [] for p in (tmp_path / "analysis").rglob("*.json"))
