"""AnnotationStore API: annotations, tags, corrections, reading state; plain dataclasses out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from docbao.analysis.lexicon import Lexicon, LexiconEntry
from docbao.store.annotations import (
    Anchored,
    Annotation,
    AnnotationStore,
    ArticleRef,
    Correction,
    ReadingState,
    StoreError,
    Target,
    normalize_tags,
)
from docbao.store.articles import from_text

TEXT = "Tổng thống Nga Vladimir Putin đã gặp ông Lukashenko tại Minsk hôm thứ Sáu."


@pytest.fixture(params=["memory", "file"])
def store(request, tmp_path: Path) -> AnnotationStore:
    if request.param == "memory":
        return AnnotationStore.in_memory()
    return AnnotationStore.open(tmp_path / "db.json")


@pytest.fixture
def art():
    return from_text(TEXT, title="Putin gặp Lukashenko", name="a.txt", path="/news/a.txt")


def test_add_span_returns_frozen_dataclasses(store, art) -> None:
    start = TEXT.index("Vladimir Putin")
    ann = store.add(art, start, start + 14, tags=["Nga"], note="  tổng thống  ")
    assert isinstance(ann, Annotation) and isinstance(ann.article, ArticleRef) and isinstance(ann.target, Target)
    assert ann.target == Target(start, start + 14, "Vladimir Putin", TEXT[:start], TEXT[start + 14:start + 14 + 32])
    assert ann.article == ArticleRef(art.id, art.title, "/news/a.txt", art.sha256)
    assert ann.note == "tổng thống" and ann.tags == ("Nga",)
    assert ann.created == ann.updated and ann.created.endswith("Z")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ann.note = "x"  # type: ignore[misc]
    assert store.get(ann.id) == ann
    assert store.all() == [ann]


def test_prefix_and_suffix_are_32_characters(store) -> None:
    text = "a" * 100 + "XYZ" + "b" * 100
    art = from_text(text, name="long.txt")
    t = store.add(art, 100, 103).target
    assert (t.prefix, t.exact, t.suffix) == ("a" * 32, "XYZ", "b" * 32)


def test_whole_article_annotation(store, art) -> None:
    ann = store.add(art, tags=["đọc sau"])
    assert ann.target is None
    [placed] = store.for_article(art)
    assert placed == Anchored(ann, None, None, "article")


@pytest.mark.parametrize(("start", "end"), [(5, None), (None, 5), (5, 5), (6, 5), (-1, 3), (0, len(TEXT) + 1),
                                            (0.5, 3), (True, 3)])
def test_bad_spans_are_refused(store, art, start, end) -> None:
    with pytest.raises(StoreError):
        store.add(art, start, end)
    assert store.all() == []


def test_tag_rules() -> None:
    assert normalize_tags(["  Nga ", "nga", "NGA", "", "   ", "chính  trị", "Chính trị", "Mỹ"]) == (
        "Nga", "chính trị", "Mỹ")
    assert normalize_tags("một") == ("một",)
    # NFD input (macOS keyboards, some terminals) is the same tag as NFC
    assert normalize_tags(["Vie\u0302\u0323t", "Việt"]) == ("Việt",)
    with pytest.raises(StoreError):
        normalize_tags([1])  # type: ignore[list-item]


def test_update_and_delete(store, art) -> None:
    ann = store.add(art, tags=["a"], note="n")
    up = store.update(ann.id, tags=["b", "B", " c "])
    assert up.tags == ("b", "c") and up.note == "n" and up.updated >= ann.updated and up.created == ann.created
    up2 = store.update(ann.id, note="mới")
    assert up2.tags == ("b", "c") and up2.note == "mới"
    assert store.update(ann.id, note="mới") == up2  # unchanged: same value, no new timestamp
    assert store.get(ann.id) == up2
    store.delete(ann.id)
    assert store.get(ann.id) is None and store.all() == []
    with pytest.raises(StoreError, match="no annotation"):
        store.delete(ann.id)
    with pytest.raises(StoreError, match="no annotation"):
        store.update("nope", note="x")


def test_for_article_sorted_and_filtered(store, art) -> None:
    other = from_text("Một bài khác về Hà Nội.", name="b.txt")
    late = store.add(art, 40, 50)
    whole = store.add(art)
    early = store.add(art, 0, 5)
    store.add(other, 0, 3)
    placed = store.for_article(art)
    assert [p.annotation.id for p in placed] == [early.id, late.id, whole.id]
    assert [(p.start, p.end, p.status) for p in placed] == [(0, 5, "exact"), (40, 50, "exact"),
                                                            (None, None, "article")]
    assert [a.id for a in store.for_article_id(art.id)] == [late.id, whole.id, early.id]


def test_tags_counts_and_by_article(store, art) -> None:
    other = from_text("Bài thứ hai.", name="b.txt")
    store.add(art, tags=["Nga", "chính trị"])
    store.add(art, tags=["nga"])
    store.add(other, tags=["Nga", "kinh tế"])
    assert store.tags() == {"Nga": 3, "chính trị": 1, "kinh tế": 1}
    assert store.counts_by_article() == {art.id: 2, other.id: 1}
    assert store.tags_by_article() == {art.id: ["Nga", "chính trị"], other.id: ["Nga", "kinh tế"]}
    assert len(store.with_tag("NGA")) == 3


def test_corrections_and_lexicon(store, art) -> None:
    c1 = store.add_correction("Nga", "LOC")
    assert isinstance(c1, Correction) and c1.scope == "global"
    c2 = store.add_correction(" Nga ", None)  # replaces the same (surface, scope), keeps the id
    assert c2.id == c1.id and c2.label is None
    c3 = store.add_correction("năm 2020", None, scope=art.id)
    assert [c.id for c in store.corrections()] == [c1.id, c3.id]
    lex = store.lexicon()
    assert isinstance(lex, Lexicon)
    assert set(lex.entries) == {LexiconEntry("Nga", None, "global"), LexiconEntry("năm 2020", None, art.id)}
    with pytest.raises(StoreError, match="PER, LOC, ORG, MISC"):
        store.add_correction("x", "PERSON")
    with pytest.raises(StoreError):
        store.add_correction("   ", "PER")
    store.remove_correction(c1.id)
    assert [c.id for c in store.corrections()] == [c3.id]
    with pytest.raises(StoreError, match="no correction"):
        store.remove_correction(c1.id)


def test_reading_state(store, art) -> None:
    assert store.reading(art.id) == ReadingState(art.id, 0, None, False)
    st = store.set_reading(art.id, position=42)
    assert st.position == 42 and st.read is False and st.opened
    st2 = store.set_reading(art.id, read=True)
    assert st2.position == 42 and st2.read is True and st2.opened >= st.opened
    assert store.reading(art.id) == st2
    assert store.reading_states() == {art.id: st2}
    with pytest.raises(StoreError):
        store.set_reading(art.id, position=-1)


def test_reopen_gives_the_same_values(tmp_path: Path, art) -> None:
    db = tmp_path / "db.json"
    s1 = AnnotationStore.open(db)
    a = s1.add(art, 0, 11, tags=["Việt"], note="ghi chú")
    s1.add_correction("Minsk", "LOC")
    s1.set_reading(art.id, position=3, read=True)
    s2 = AnnotationStore.open(db)
    assert s2.all() == s1.all() == [a]
    assert s2.corrections() == s1.corrections()
    assert s2.reading(art.id) == s1.reading(art.id)


def test_damaged_record_is_a_store_error(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    db.write_text('{"meta": {"1": {"app": "docbao", "schema_version": 1}}, "annotations": {"1": {"id": "x"}}}')
    before = db.read_bytes()
    with pytest.raises(StoreError, match=r"damaged database \(annotations record 1: article is null") as info:
        AnnotationStore.open(db)  # refused on load, before any read or write could use it
    assert "untouched" in str(info.value) and "\n" not in str(info.value)
    assert db.read_bytes() == before
