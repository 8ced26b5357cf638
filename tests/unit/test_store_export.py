"""Export (json, w3c, jsonl, md) and import: round trip, idempotence, invalid files refused whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docbao.analysis.spans import Analysis, Span
from docbao.store.annotations import AnnotationStore, StoreError
from docbao.store.articles import from_text
from docbao.store.export import FORMAT, export, import_native, parse_native, to_native

TEXT = ("Ông Putin phát biểu tại cuộc họp ở Minsk. Tổng thống Nga cho biết: \"Các nước phương Tây đang leo "
        "thang căng thẳng\". Ông Lukashenko đồng ý.")


@pytest.fixture
def art():
    return from_text(TEXT, title="Putin ở Minsk", name="p.txt", path="/news/p.txt")


@pytest.fixture
def filled(art) -> AnnotationStore:
    store = AnnotationStore.in_memory()
    q = TEXT.index("Các nước")
    store.add(art, q, q + 52, tags=["trích dẫn", "Nga"], note="Lời *Putin*\ndòng hai")
    store.add(art, tags=["chính trị"])
    store.add(art, TEXT.index("Minsk"), TEXT.index("Minsk") + 5)
    store.add_correction("Nga", "LOC")
    store.add_correction("Ông", None, scope=art.id)
    return store


def test_native_json_shape(filled, art) -> None:
    data = json.loads(export(filled, None, "json"))
    assert data["format"] == FORMAT and data["version"] == 1
    [article] = data["articles"]
    assert (article["id"], article["title"], article["source"]) == (art.id, "Putin ở Minsk", "/news/p.txt")
    anns = article["annotations"]
    assert anns[0]["target"] is None  # whole-article first, then spans by position
    assert [a["target"]["exact"] for a in anns[1:]] == ["Minsk", TEXT[TEXT.index("Các nước"):][:52]]
    assert all(a["text_sha256"] == art.sha256 for a in anns)
    assert {c["surface"] for c in data["corrections"]} == {"Nga", "Ông"}
    assert "\\u" not in export(filled, None, "json")  # Vietnamese as is


def test_export_one_article(filled, art) -> None:
    other = from_text("Hà Nội.", name="h.txt")
    filled.add(other, tags=["x"])
    data = json.loads(export(filled, None, "json", article_id=other.id))
    assert [a["id"] for a in data["articles"]] == [other.id] and data["corrections"] == []
    with pytest.raises(StoreError, match="no article with id"):
        export(filled, None, "json", article_id="nope")


def test_w3c_export(filled, art) -> None:
    data = json.loads(export(filled, None, "w3c"))
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld" and data["type"] == "AnnotationCollection"
    items = data["first"]["items"]
    assert data["total"] == len(items) == 3
    for item in items:
        assert item["type"] == "Annotation" and item["id"].startswith("urn:uuid:")
        source = item["target"]["source"] if "source" in item["target"] else item["target"]
        # the file's name, never its local path
        assert source == {"id": "urn:docbao:file:p.txt", "type": "Text", "format": "text/plain"}
    quote = next(i for i in items if any(b["purpose"] == "commenting" for b in i.get("body", [])))
    assert {b["value"] for b in quote["body"] if b["purpose"] == "tagging"} == {"trích dẫn", "Nga"}
    sel = {s["type"]: s for s in quote["target"]["selector"]}
    pos, q = sel["TextPositionSelector"], sel["TextQuoteSelector"]
    assert TEXT[pos["start"]:pos["end"]] == q["exact"] and q["prefix"] and q["suffix"]
    highlight = next(i for i in items if "body" not in i)
    assert highlight["motivation"] == "highlighting"


def test_w3c_uses_the_article_url_when_there_is_one() -> None:
    store = AnnotationStore.in_memory()
    store.add(from_text("x y z", name="u.json", source="https://vnexpress.net/bai-1.html"))
    item = json.loads(export(store, None, "w3c"))["first"]["items"][0]
    assert item["target"]["id"] == "https://vnexpress.net/bai-1.html"


def test_md_digest(filled, art) -> None:
    md = export(filled, {art.id: art}, "md")
    assert md.startswith("# docbao: highlights and notes")
    assert "## Putin ở Minsk" in md and "> Minsk" in md
    assert "Tags: `trích dẫn`, `Nga`" in md
    assert "Lời \\*Putin\\*" in md  # user text escaped, not interpreted
    assert "**About the whole article**" in md


def test_md_marks_orphans_against_the_current_text(filled, art) -> None:
    edited = from_text(TEXT.replace("Minsk", "thủ đô"), title="Putin ở Minsk", name="p.txt", path="/news/p.txt")
    md = export(filled, {edited.id: edited}, "md")
    assert "no longer found" in md


def fake_analyze(text: str, lexicon=None, article_id=None) -> Analysis:
    """Stands in for analysis.pipeline.analyze: labels 'Nga', 'Minsk', 'Ông' wherever they occur."""
    spans = []
    for word, label in (("Nga", "PER"), ("Minsk", "LOC"), ("Ông", "PER")):
        i = text.find(word)
        while i >= 0:
            spans.append(Span(i, i + len(word), label, word))
            i = text.find(word, i + 1)
    return Analysis(entities=tuple(spans))


def test_jsonl_applies_corrections(filled, art) -> None:
    other = from_text("Ông Putin về Nga.", name="o.txt")
    out = export(filled, {art.id: art, other.id: other}, "jsonl", analyze=fake_analyze)
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 2
    first = lines[0]
    assert first["text"] == TEXT and first["meta"]["id"] == art.id
    labels = {TEXT[s["start"]:s["end"]]: s["label"] for s in first["spans"]}
    assert labels == {"Nga": "LOC", "Minsk": "LOC"}  # "Nga" relabelled globally; "Ông" not an entity here
    second = {lines[1]["text"][s["start"]:s["end"]]: s["label"] for s in lines[1]["spans"]}
    assert second == {"Ông": "PER", "Nga": "LOC"}  # the "Ông" correction was scoped to the first article
    assert all(set(s) == {"start", "end", "label"} for s in first["spans"])


def test_jsonl_passes_the_lexicon_and_needs_texts(filled, art) -> None:
    seen = {}

    def spy(text, lexicon=None, article_id=None):
        seen["lexicon"], seen["article_id"] = lexicon, article_id
        return Analysis()

    export(filled, {art.id: art}, "jsonl", analyze=spy)
    assert seen["article_id"] == art.id and {e.surface for e in seen["lexicon"].entries} == {"Nga", "Ông"}
    with pytest.raises(StoreError, match="needs the articles"):
        export(filled, None, "jsonl", analyze=spy)


def test_unknown_format(filled) -> None:
    with pytest.raises(StoreError, match="unknown export format"):
        export(filled, None, "csv")


def test_import_is_idempotent_and_newer_wins(filled, art) -> None:
    text = export(filled, None, "json")
    target = AnnotationStore.in_memory()
    r1 = import_native(target, text, {art.id: art})
    assert (r1.added, r1.updated, r1.unchanged, r1.orphaned) == (3, 0, 0, 0)
    assert r1.corrections_added == 2
    r2 = import_native(target, text, {art.id: art})
    assert (r2.added, r2.updated, r2.unchanged, r2.orphaned) == (0, 0, 3, 0)
    assert target.all() == filled.all()
    # edit on the source side: the newer version wins on import; an older one does not overwrite
    ann = filled.all()[0]
    filled.update(ann.id, note="sửa mới")
    r3 = import_native(target, export(filled, None, "json"))
    assert (r3.added, r3.updated, r3.unchanged) == (0, 1, 2)
    assert target.get(ann.id).note == "sửa mới"
    target.update(ann.id, note="sửa mới hơn")
    r4 = import_native(target, text)  # the old export
    assert r4.updated == 0 and target.get(ann.id).note == "sửa mới hơn"


def test_import_counts_orphans_and_missing_articles(filled, art) -> None:
    edited = from_text(TEXT.replace("Minsk", "thủ đô"), title="Putin ở Minsk", name="p.txt")
    r = import_native(AnnotationStore.in_memory(), export(filled, None, "json"), {edited.id: edited})
    assert r.orphaned == 1
    r2 = import_native(AnnotationStore.in_memory(), export(filled, None, "json"), {})
    assert r2.missing_articles == 3 and r2.orphaned == 0
    assert "1 orphaned" in r.summary()


def _valid() -> dict:
    return {"format": FORMAT, "version": 1, "articles": [{"id": "a1", "title": "T", "source": "", "annotations": [
        {"id": "x1", "text_sha256": "", "target": {"start": 0, "end": 3, "exact": "abc", "prefix": "",
                                                    "suffix": "d"},
         "tags": ["t"], "note": "", "created": "2024-01-01T00:00:00Z", "updated": "2024-01-01T00:00:00Z"}]}]}


def _mutations():
    def m(fn):
        data = _valid()
        fn(data)
        return json.dumps(data)

    ann = lambda d: d["articles"][0]["annotations"][0]  # noqa: E731
    return {
        "not json": "{",
        "not ours": json.dumps({"hello": 1}),
        "w3c pages elsewhere": json.dumps({"type": "AnnotationCollection", "first": "https://x.example/p1"}),
        "newer": m(lambda d: d.update(version=2)),
        "no articles": m(lambda d: d.pop("articles")),
        "bad start": m(lambda d: ann(d)["target"].update(start="0")),
        "end before start": m(lambda d: ann(d)["target"].update(start=3, end=1)),
        "exact length": m(lambda d: ann(d)["target"].update(exact="ab")),
        "bad tags": m(lambda d: ann(d).update(tags=[1])),
        "bad time": m(lambda d: ann(d).update(created="yesterday")),
        "bad label": m(lambda d: d.update(corrections=[{"id": "c", "surface": "x", "label": "PERSON",
                                                         "scope": "global", "created": "2024-01-01T00:00:00Z"}])),
        # valid first annotation, broken last one: the whole file is refused
        "late error": m(lambda d: d["articles"].append({"id": "a2", "annotations": [{"id": "y"}]})),
    }


@pytest.mark.parametrize("kind", sorted(_mutations()))
def test_invalid_import_writes_nothing(tmp_path: Path, kind: str, art) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(art)
    before = db.read_bytes()
    with pytest.raises(StoreError) as info:
        import_native(store, _mutations()[kind], name="in.json")
    msg = str(info.value)
    assert msg.startswith("in.json: ") and "nothing was imported" in msg and "\n" not in msg
    assert db.read_bytes() == before
    json.loads(_valid_text := json.dumps(_valid()))
    assert import_native(store, _valid_text).added == 1  # the valid file imports


# -- property: export then import into an empty store gives the same annotations --------------------------
_chars = st.characters(blacklist_categories=("Cs",))
_texts = st.text(alphabet=_chars, min_size=1, max_size=80)
_tags = st.lists(st.text(alphabet=_chars, max_size=12), max_size=4)


@st.composite
def _operations(draw):
    texts = draw(st.lists(_texts, min_size=1, max_size=3))
    ops = []
    for _ in range(draw(st.integers(1, 8))):
        i = draw(st.integers(0, len(texts) - 1))
        n = len(texts[i])
        if draw(st.booleans()):
            start = draw(st.integers(0, n - 1))
            end = draw(st.integers(start + 1, n))
        else:
            start = end = None
        ops.append((i, start, end, draw(_tags), draw(st.text(alphabet=_chars, max_size=40))))
    corrections = draw(st.lists(st.tuples(_texts, st.sampled_from(["PER", "LOC", "ORG", "MISC", None]),
                                          st.sampled_from(["global", "a0"])), max_size=3))
    return texts, ops, corrections


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_operations())
def test_round_trip_export_import(data) -> None:
    texts, ops, corrections = data
    arts = [from_text(t, title=f"Bài {i}", name=f"a{i}.txt", path=f"/n/{i}.txt") for i, t in enumerate(texts)]
    src = AnnotationStore.in_memory()
    for i, start, end, tags, note in ops:
        ann = src.add(arts[i], start, end, tags=tags, note=note)
        if note and len(note) % 2:
            src.update(ann.id, tags=[*tags, "sửa"])
    for surface, label, scope in corrections:
        if " ".join(surface.split()):
            src.add_correction(surface, label, scope)
    text = export(src, None, "json")
    dst = AnnotationStore.in_memory()
    report = import_native(dst, text)
    assert report.added == len(src.all())
    assert dst.all() == src.all()
    assert dst.corrections() == src.corrections()
    assert to_native(dst)["articles"] == to_native(src)["articles"]
    again = import_native(dst, text)
    assert again.added == again.updated == 0 and dst.all() == src.all()
    parse_native(text)  # stays valid
