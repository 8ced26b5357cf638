"""Re-anchoring span annotations when the article's text changed."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz

from docbao.store.anchoring import anchor, make_target
from docbao.store.annotations import AnnotationStore
from docbao.store.articles import from_text

TEXT = ("Ông Putin phát biểu tại cuộc họp của Hội đồng Nhà nước Tối cao Liên bang Nga và Belarus ngày 6/12. "
        "Tổng thống Nga cho biết: \"Các nước phương Tây đang cố tình leo thang căng thẳng\". "
        "Ông Lukashenko nói thêm trong bài phát biểu tại Minsk rằng hai nước sẽ hợp tác chặt chẽ hơn. "
        "Tổng thống Nga cũng nhắc đến kinh tế.")
QUOTE = "Các nước phương Tây đang cố tình leo thang căng thẳng"


def _target(text: str, sub: str, nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return make_target(text, start, start + len(sub))


def test_unchanged_text_is_exact() -> None:
    t = _target(TEXT, QUOTE)
    p = anchor(TEXT, t)
    assert (p.status, p.start, p.end) == ("exact", t.start, t.end)


def test_insertion_before_the_span_moves_it() -> None:
    t = _target(TEXT, QUOTE)
    edited = "HÀ NỘI (TTXVN) - Tin mới nhất. " + TEXT
    p = anchor(edited, t)
    assert p.status == "moved"
    assert edited[p.start:p.end] == QUOTE and p.start == t.start + 31


def test_deletion_before_the_span_moves_it() -> None:
    t = _target(TEXT, "Minsk")
    edited = TEXT.replace("Ông Putin phát biểu tại cuộc họp", "Ông Putin nói")
    p = anchor(edited, t)
    assert p.status == "moved" and edited[p.start:p.end] == "Minsk"


def test_repeated_quote_picks_the_occurrence_with_matching_context() -> None:
    # "Tổng thống Nga" occurs twice; annotate the second, then shift the text.
    t = _target(TEXT, "Tổng thống Nga", nth=1)
    edited = "Mở đầu. " + TEXT
    p = anchor(edited, t)
    assert p.status == "moved"
    assert p.start == edited.index("Tổng thống Nga cũng")


def test_repeated_quote_prefers_nearest_when_context_ties() -> None:
    text = "ab x ab x ab x ab"
    t = make_target(text, 10, 12)  # third "ab"
    edited = "zz" + text  # all contexts equal inside, nearest wins... and context differs only at the ends
    p = anchor(edited, t)
    assert p.start == 12 and p.status == "moved"


def test_edit_inside_the_span_is_fuzzy() -> None:
    t = _target(TEXT, QUOTE)
    edited = TEXT.replace("đang cố tình leo thang", "hiện đang cố ý leo thang")
    p = anchor(edited, t)
    assert p.status == "fuzzy"
    assert edited[p.start:p.end] == "Các nước phương Tây hiện đang cố ý leo thang căng thẳng"


def test_edit_inside_and_around_the_span_still_fuzzy() -> None:
    t = _target(TEXT, QUOTE)
    edited = TEXT.replace("Tổng thống Nga cho biết: \"", "Ông nhấn mạnh: «").replace(
        "đang cố tình", "đang cố ý").replace("căng thẳng\".", "căng thẳng».")
    p = anchor(edited, t)
    assert p.status == "fuzzy"
    assert edited[p.start:p.end] == "Các nước phương Tây đang cố ý leo thang căng thẳng"


def test_typo_fixed_inside_a_short_span() -> None:
    text = "Cuộc gặp diễn ra ở thủ đô Minsk của Belarus vào ngày 6/12, theo hãng tin Reuters."
    t = _target(text, "Minsk của Belarus")
    edited = text.replace("Minsk của Belarus", "Minsk của Bêlarút")
    p = anchor(edited, t)
    assert p.status == "fuzzy" and edited[p.start:p.end] == "Minsk của Bêlarút"


def test_span_deleted_is_orphan() -> None:
    t = _target(TEXT, QUOTE)
    edited = TEXT.replace("Tổng thống Nga cho biết: \"" + QUOTE + "\". ", "")
    p = anchor(edited, t)
    assert (p.status, p.start, p.end) == ("orphan", None, None)


def test_short_span_deleted_does_not_jump_to_an_unrelated_occurrence() -> None:
    text = "Nga và Belarus ký kết. Sau đó, phía Nga hoan nghênh. Cuối cùng Mỹ phản đối."
    t = _target(text, "Nga", nth=1)
    edited = text.replace("Sau đó, phía Nga hoan nghênh. ", "")
    assert anchor(edited, t).status == "orphan"


def test_empty_text_is_orphan() -> None:
    assert anchor("", _target(TEXT, QUOTE)).status == "orphan"


def test_same_hash_skips_search() -> None:
    t = _target(TEXT, "Minsk")
    p = anchor(TEXT, t, "h", "h")
    assert (p.status, p.start) == ("exact", t.start)


@pytest.mark.parametrize("edit", [
    lambda s: "Tin nóng. " + s,
    lambda s: s.replace("Ông Lukashenko", "Tổng thống Belarus Lukashenko"),
    lambda s: s.replace("hợp tác chặt chẽ hơn", "hợp tác chặt chẽ hơn nữa"),
])
def test_store_for_article_reanchors_and_keeps_orphans(edit) -> None:
    store = AnnotationStore.in_memory()
    old = from_text(TEXT, title="Putin", name="p.txt")
    quote = store.add(old, TEXT.index(QUOTE), TEXT.index(QUOTE) + len(QUOTE), tags=["trích dẫn"])
    minsk = store.add(old, TEXT.index("Minsk"), TEXT.index("Minsk") + 5, tags=["nơi"])
    whole = store.add(old, tags=["bài"])
    new_text = edit(TEXT).replace("Tổng thống Nga cho biết: \"" + QUOTE + "\". ", "")
    new = from_text(new_text, title="Putin", name="p.txt")
    assert new.id == old.id and new.sha256 != old.sha256
    placed = store.for_article(new)
    by_id = {p.annotation.id: p for p in placed}
    assert by_id[minsk.id].status in ("moved", "exact")
    assert new_text[by_id[minsk.id].start:by_id[minsk.id].end] == "Minsk"
    assert by_id[whole.id].status == "article"
    assert by_id[quote.id].status == "orphan"  # kept and listed, never dropped
    assert [p.annotation.id for p in placed] == [minsk.id, whole.id, quote.id]
    assert store.get(quote.id) is not None


@pytest.mark.parametrize("length", [10, 20, 40, 300])
def test_random_edits_on_the_seed_article(length: int) -> None:
    """On a real article, at random places: text inserted before a span moves it, text inserted inside makes
    it fuzzy (covering the new words), the span and its surroundings replaced make it an orphan unless a
    look-alike remains."""
    import random

    from docbao.store.articles import default_paths, load_file

    seed = next(p for p in sorted(default_paths()[0].glob("*.txt")) if "putin" in p.name)
    text = load_file(seed)[0].text
    rng = random.Random(length)
    for _ in range(25):
        s = rng.randrange(100, len(text) - length - 100)
        t = make_target(text, s, s + length)
        before = anchor("Tin cập nhật. " + text[:s - 30] + " (thêm) " + text[s - 30:], t)
        assert before.status == "moved" and before.start == s + 14 + 8
        mid = s + length // 2
        inside = text[:mid] + " chen vao " + text[mid:]
        placed = anchor(inside, t)
        if placed.status != "moved":  # a quote that occurs elsewhere with the same context may move there
            assert placed.status == "fuzzy" and placed.start == s and placed.end == s + length + 10
        gone = text[:s - 40] + "~" * 10 + text[s + length + 40:]
        lost = anchor(gone, t)
        if fuzz.partial_ratio(t.exact, gone) < 75:  # no look-alike left anywhere
            assert lost.status == "orphan"
        elif lost.status != "orphan":  # a look-alike with agreeing context (the article repeats phrases)
            assert fuzz.ratio(t.exact, gone[lost.start:lost.end]) >= 75


def test_rebase_stores_new_placements_and_keeps_orphans(tmp_path) -> None:
    store = AnnotationStore.open(tmp_path / "db.json")
    old = from_text(TEXT, title="Putin", name="p.txt")
    minsk = store.add(old, TEXT.index("Minsk"), TEXT.index("Minsk") + 5, tags=["nơi"])
    quote = store.add(old, TEXT.index(QUOTE), TEXT.index(QUOTE) + len(QUOTE))
    new_text = "Cập nhật lúc 9 giờ. " + TEXT.replace(QUOTE, "")
    new = from_text(new_text, title="Putin", name="p.txt")
    placed = {p.annotation.id: p for p in store.rebase(new)}
    assert placed[minsk.id].status == "moved" and placed[quote.id].status == "orphan"
    after = store.get(minsk.id)
    assert after.target.start == new_text.index("Minsk") and after.article.text_sha256 == new.sha256
    assert after.updated == minsk.updated and after.tags == ("nơi",)
    assert store.get(quote.id) == quote  # orphan untouched
    writes = store.storage.writes
    assert {p.status for p in store.rebase(new)} == {"exact", "orphan"}
    assert store.storage.writes == writes  # nothing left to store: no write
