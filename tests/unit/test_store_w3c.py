"""The `w3c` export against docbao's own checks of the W3C Web Annotation Data Model (tests/unit/w3c, named by
the W3C test-suite assertion ids), and W3C import: docbao's own exports and other tools' TextQuote/TextPosition
annotations, anchored to articles."""

from __future__ import annotations

import copy
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from docbao.analysis.spans import Analysis, Span
from docbao.store.annotations import AnnotationStore
from docbao.store.articles import from_text, load_file
from docbao.store.export import export, import_native, to_w3c
from tests.unit.w3c.schemas import (
    ANNO_CONTEXT,
    ANNOTATION_MUSTS,
    ANNOTATION_SHOULDS,
    CHECKS,
    COLLECTION_MUSTS,
    PAGE_MUSTS,
)

VALIDATORS = {name: Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
              for name, schema in CHECKS.items()}


def failures(check: str, instance: Any) -> list[str]:
    """Why `instance` fails the check named by a W3C assertion id; empty when it passes."""
    found = [best_match([e]) for e in VALIDATORS[check].iter_errors(instance)]  # into anyOf branches
    return [f"{check}: {e.message} at {list(e.absolute_path)}" for e in found]


TEXT = ("Ông Putin phát biểu tại cuộc họp ở Minsk. Tổng thống Nga cho biết: \"Các nước phương Tây đang leo "
        "thang căng thẳng\". Ông Lukashenko đồng ý.")


@pytest.fixture
def art(tmp_path: Path):
    f = tmp_path / "news" / "putin-minsk.txt"
    f.parent.mkdir()
    f.write_text(TEXT, encoding="utf-8")
    return load_file(f)[0]


@pytest.fixture
def web():
    return from_text("Hà Nội mưa lớn chiều nay, nhiều tuyến phố ngập sâu.", name="hn.json",
                     source="https://vnexpress.net/ha-noi-mua-lon.html")


@pytest.fixture
def store(art, web) -> AnnotationStore:
    s = AnnotationStore.in_memory()
    q = TEXT.index("Các nước")
    s.add(art, q, q + 52, tags=["trích dẫn", "Nga"], note="Lời Putin, cần kiểm chứng")
    s.add(art, tags=["chính trị"])
    s.add(art, TEXT.index("Minsk"), TEXT.index("Minsk") + 5)
    s.add(web, 0, 6, note="check the figures")
    s.add(web, tags=["thời tiết"])
    return s


@pytest.fixture
def doc(store) -> dict[str, Any]:
    return json.loads(export(store, None, "w3c"))


@pytest.fixture
def quote(doc) -> dict[str, Any]:
    """The richest exported annotation: a quoted range with tags and a note."""
    [item] = [i for i in doc["first"]["items"]
              if any(b["value"] == "Lời Putin, cần kiểm chứng" for b in i.get("body", []))]
    return item


def test_the_checks_are_well_formed_schemas_named_by_assertion_id() -> None:
    assert len(CHECKS) == len(ANNOTATION_MUSTS) + len(ANNOTATION_SHOULDS) + len(COLLECTION_MUSTS) + len(PAGE_MUSTS)
    for name, schema in CHECKS.items():
        Draft202012Validator.check_schema(schema)
        assert re.fullmatch(r"\d+(\.\d+)*-[A-Za-z]+", name) and schema["title"] == name


@pytest.mark.parametrize("must", ANNOTATION_MUSTS)
def test_every_annotation_passes_each_must(doc, must) -> None:
    items = doc["first"]["items"]
    assert len(items) == 5
    for item in items:
        assert failures(must, item) == [], item["id"]


@pytest.mark.parametrize("should", ANNOTATION_SHOULDS)
def test_every_annotation_meets_each_adopted_should(doc, should) -> None:
    for item in doc["first"]["items"]:
        assert failures(should, item) == [], item["id"]


@pytest.mark.parametrize("must", COLLECTION_MUSTS)
def test_the_collection_passes_each_must(doc, must) -> None:
    assert failures(must, doc) == []


@pytest.mark.parametrize("must", PAGE_MUSTS)
def test_the_embedded_page_passes_each_must(doc, must) -> None:
    assert failures(must, doc) == []
    if must != "5.2-pageContextValidated":  # a page on its own would carry its own @context
        assert failures(must, doc["first"]) == []
    page = doc["first"]
    assert page["partOf"] == doc["id"] and page["startIndex"] == 0 and page["id"] != doc["id"]


def test_an_empty_export_passes_the_collection_and_page_musts() -> None:
    empty = to_w3c(AnnotationStore.in_memory())
    assert empty["total"] == 0 and empty["first"]["items"] == []
    for must in (*COLLECTION_MUSTS, *PAGE_MUSTS):
        assert failures(must, empty) == []


def test_what_the_adopted_shoulds_come_to(doc) -> None:
    assert doc["label"] and doc["total"] == len(doc["first"]["items"])
    for item in doc["first"]["items"]:
        assert item["generator"]["name"].startswith("docbao")
        assert all(b["format"] == "text/plain" for b in item.get("body", []))
        target = item["target"]
        assert target.get("source", target)["format"] == "text/plain"
    langs = {b["value"]: b["language"] for i in doc["first"]["items"] for b in i.get("body", [])
             if b["purpose"] == "commenting"}
    assert langs == {"Lời Putin, cần kiểm chứng": "vi", "check the figures": "und"}


DROP = object()  # an edit that removes the key
# (check, what is edited, {path: new value}): each breaks the named rule, so each check is shown able to fail.
# "annotation" is the quote fixture (selector 0 is its TextPositionSelector, 1 its TextQuoteSelector, body 2 its
# note); "collection" and "page" are the whole exported document, the page being its `first`.
BREAKS: list[tuple[str, str, dict[tuple[Any, ...], Any]]] = [
    ("3.1-annotationContextValidated", "annotation", {("@context",): "http://www.w3.org/ns/oa.jsonld"}),
    ("3.1-annotationContextValidated", "annotation", {("@context",): [ANNO_CONTEXT]}),  # one value: a string
    ("3.1-annotationIdValidated", "annotation", {("id",): DROP}),
    ("3.1-annotationIdValidated", "annotation", {("id",): "notes/1"}),
    ("3.1-annotationTypeValidated", "annotation", {("type",): "Note"}),
    ("3.1-targetKeyFound", "annotation", {("target",): DROP}),
    ("3.2-targetObjectsRecognized", "annotation", {("target", "source"): "news/putin-minsk.txt"}),
    ("3.2-targetObjectsRecognized", "annotation", {("target",): []}),
    ("3.2-targetObjectsRecognized", "annotation", {("target",): {"type": "Text", "format": "text/plain"}}),
    ("3.2-bodyObjectsRecognized", "annotation", {("body", 2, "value"): DROP}),
    ("3.2-bodyObjectsRecognized", "annotation", {("body", 2, "value"): ["one", "two"]}),
    ("3.2.5-notBodyBodyValue", "annotation", {("bodyValue",): "a note"}),
    ("3.2.5-bodyValueValidated", "annotation", {("body",): DROP, ("bodyValue",): ["a", "b"]}),
    ("4.2-selectorValidIfPresent", "annotation", {("target", "selector", 1, "type"): DROP}),
    ("4.2.4-textQuoteSelectorValid", "annotation", {("target", "selector", 1, "exact"): DROP}),
    ("4.2.4-textQuoteSelectorValid", "annotation", {("target", "selector", 1, "prefix"): None}),
    ("4.2-TextDataPositionSelectorValid", "annotation", {("target", "selector", 0, "start"): -1}),
    ("4.2-TextDataPositionSelectorValid", "annotation", {("target", "selector", 0, "end"): DROP}),
    ("3.3.1-annotationCreatedValidated", "annotation", {("created",): "yesterday"}),
    ("3.3.1-annotationModifiedValidated", "annotation", {("modified",): "2024-03-01"}),
    ("3.3.1-annotationGeneratedValidated", "annotation", {("generated",): "2024-03-01T10:00:00"}),  # no timezone
    ("3.3.6-annotationRightsValidated", "annotation", {("rights",): "CC BY 4.0"}),
    ("3.3.7-annotationCanonicalValidated", "annotation", {("canonical",): ["urn:uuid:1", "urn:uuid:2"]}),
    ("3.3.7-annotationViaValidated", "annotation", {("via",): "an old copy"}),
    ("3.3.1-annotationCreatorImplemented", "annotation", {("creator",): DROP}),
    ("3.3.1-annotationCreatorImplemented", "annotation", {("creator", "type"): DROP}),
    ("3.3.1-annotationGeneratorImplemented", "annotation", {("generator", "type"): "Robot"}),
    ("3.3.5-annotationMotivationImplemented", "annotation", {("motivation",): "quoting"}),
    ("3.3.5-annotationMotivationImplemented", "annotation", {("motivation",): DROP}),
    ("3.3.5-bodyPurpose", "annotation", {("body", 0, "purpose"): "labelling"}),
    ("3.2.4-bodyETBTypeTextualBody", "annotation", {("body", 2, "type"): DROP}),
    ("3.2.1-bodyFormat", "annotation", {("body", 1, "format"): DROP}),
    ("3.2.1-bodyFormat", "annotation", {("body", 1, "format"): "plain text"}),
    ("3.2.1-bodyLanguage", "annotation", {("body", 2, "language"): DROP}),
    ("3.2.1-bodyLanguage", "annotation", {("body", 2, "language"): "Vietnamese"}),
    ("4-targSpecificResource", "annotation", {("target", "type"): DROP}),
    ("3.2.1-targFormat", "annotation", {("target", "source", "format"): DROP}),
    ("3.2.2-targType", "annotation", {("target", "source", "type"): "Article"}),
    ("5.1-collectionContextValidated", "collection", {("@context",): DROP}),
    ("5.1-collectionIdValidated", "collection", {("id",): DROP}),
    ("5.1-collectionTypeValidated", "collection", {("type",): "AnnotationPage"}),
    ("5.1-collectionLabelValidated", "collection", {("label",): []}),
    ("5.1-collectionTotalValidated", "collection", {("total",): -1}),
    ("5.1-collectionTotalValidated", "collection", {("total",): "5"}),
    ("5.1-collectionFirstValidated", "collection", {("first",): DROP}),
    ("5.1-collectionFirstValidated", "collection", {("first", "type"): "AnnotationCollection"}),
    ("5.1-collectionLastValidated", "collection", {("last",): "page 2"}),
    ("3.3.1-collectionCreatedValidated", "collection", {("created",): "yesterday"}),
    ("3.3.1-collectionModifiedValidated", "collection", {("modified",): 20240301}),
    ("3.3.6-collectionRightsValidated", "collection", {("rights",): "all rights reserved"}),
    ("5.2-pageContextValidated", "page", {("@context",): DROP}),
    ("5.2-pageIdValidated", "page", {("first", "id"): DROP}),
    ("5.2-pageTypeValidated", "page", {("first", "type"): "AnnotationCollection"}),
    ("5.2-pageItemsValidated", "page", {("first", "items"): DROP}),
    ("5.2-pageItemsValidated", "page", {("first", "items", 0, "type"): "Note"}),
    ("5.2-pageStartIndexValidated", "page", {("first", "startIndex"): -1}),
    ("5.2-pagePartOfValidated", "page", {("first", "partOf"): "the collection"}),
    ("5.2-pageNextValidated", "page", {("first", "next"): 2}),
    ("5.2-pagePrevValidated", "page", {("first", "prev"): "previous page"}),
]


def edited(obj: Any, edits: dict[tuple[Any, ...], Any]) -> Any:
    out = copy.deepcopy(obj)
    for path, value in edits.items():
        *parents, last = path
        node = out
        for key in parents:
            node = node[key]
        if value is DROP:
            del node[last]
        else:
            node[last] = value
    return out


@pytest.mark.parametrize(("check", "subject", "edits"), BREAKS,
                         ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(BREAKS)])
def test_each_check_fails_when_its_rule_is_broken(doc, quote, check, subject, edits) -> None:
    original = quote if subject == "annotation" else doc
    assert failures(check, original) == []
    assert failures(check, edited(original, edits)), (check, edits)


def test_every_check_has_a_case_that_breaks_it() -> None:
    assert {check for check, _, _ in BREAKS} == set(CHECKS)


def test_the_export_used_to_omit_the_collection_and_page_ids(doc) -> None:
    no_ids = edited(doc, {("id",): DROP, ("first", "id"): DROP})
    assert failures("5.1-collectionIdValidated", no_ids) and failures("5.2-pageIdValidated", no_ids)
    assert failures("5.2-pageIdValidated", no_ids["first"])


# Forms the model allows that docbao does not write: the checks must not be stricter than the model.
ALLOWED: list[tuple[str, dict[tuple[Any, ...], Any]]] = [
    ("3.1-annotationContextValidated", {("@context",): [ANNO_CONTEXT, {"dc": "http://purl.org/dc/terms/"}]}),
    ("3.1-annotationTypeValidated", {("type",): ["Annotation", "oa:Annotation"]}),
    ("3.2-targetObjectsRecognized", {("target",): ["https://example.org/a", {"source": "https://example.org/b"}]}),
    ("3.2-bodyObjectsRecognized", {("body",): "https://example.org/comment/1"}),
    ("3.2.5-bodyValueValidated", {("body",): DROP, ("bodyValue",): "a note"}),
    ("3.3.1-annotationCreatorImplemented", {("creator",): [{"type": "Person", "name": "Lan"},
                                                           {"type": ["Organization"], "id": "https://example.org"}]}),
    ("3.2.1-bodyLanguage", {("body", 2, "language"): ["vi", "en-GB", "zh-Hant-TW"]}),
    ("3.2.1-bodyFormat", {("body", 2, "format"): "text/html; charset=utf-8"}),
    ("4.2-TextDataPositionSelectorValid", {("target", "selector", 0): {"type": "TextPositionSelector",
                                                                       "start": 0, "end": 0}}),
]


@pytest.mark.parametrize(("check", "edits"), ALLOWED, ids=[c for c, _ in ALLOWED])
def test_forms_the_model_allows_pass(quote, check, edits) -> None:
    assert failures(check, edited(quote, edits)) == []


def test_a_collection_with_nothing_in_it_needs_no_first_page(doc) -> None:
    assert failures("5.1-collectionFirstValidated", edited(doc, {("total",): 0, ("first",): DROP})) == []
    assert failures("5.1-collectionFirstValidated", edited(doc, {("first",): "urn:uuid:1#page-1"})) == []


def test_the_target_source_is_the_url_else_the_file_name_never_a_local_path(store, doc, art, tmp_path) -> None:
    text = export(store, None, "w3c")
    assert str(tmp_path) not in text and art.path not in text
    sources = {(i["target"]["source"] if "source" in i["target"] else i["target"])["id"]
               for i in doc["first"]["items"]}
    assert sources == {"urn:docbao:file:putin-minsk.txt", "https://vnexpress.net/ha-noi-mua-lon.html"}


# -- import ---------------------------------------------------------------------------------------------------
def test_own_w3c_export_imports_back_exactly_and_idempotently(store, art, web) -> None:
    text = export(store, None, "w3c")
    for library in ({art.id: art, web.id: web}, None):
        dst = AnnotationStore.in_memory()
        r = import_native(dst, text, library, name="w.jsonld")
        assert (r.added, r.updated, r.orphaned, r.skipped) == (5, 0, 0, ())
        expected = store.all()
        if library is None:  # the export never holds a local path: the file's name stands for it
            expected = [dataclasses.replace(a, article=dataclasses.replace(
                a.article, source="urn:docbao:file:putin-minsk.txt")) if a.article.id == art.id else a
                for a in expected]
        assert dst.all() == expected
        again = import_native(dst, text, library)
        assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
        assert dst.all() == expected


def _foreign(selectors: list[dict[str, Any]], source: str, ident: str, **extra: Any) -> dict[str, Any]:
    return {"@context": "http://www.w3.org/ns/anno.jsonld", "id": f"https://annotator.example/a/{ident}",
            "type": "Annotation", "created": "2024-03-01T10:00:00Z",
            "body": [{"type": "TextualBody", "value": "ghi chú từ công cụ khác"},
                     {"type": "TextualBody", "purpose": "tagging", "value": "nguồn"}],
            "target": {"source": source, "selector": selectors}, **extra}


def test_other_tools_annotations_are_anchored_matched_reanchored_or_orphaned(art, web) -> None:
    edited = from_text(TEXT.replace("Ông Putin phát biểu", "Hôm qua, Tổng thống Putin phát biểu"),
                       title=art.title, name="putin-minsk.txt", path=art.path, source=art.path)
    url = web.source
    hn = web.text.index("nhiều tuyến")
    items = [
        # exact where its position says (code points): matched
        _foreign([{"type": "TextPositionSelector", "start": hn, "end": hn + 11},
                  {"type": "TextQuoteSelector", "exact": "nhiều tuyến", "prefix": "chiều nay, ", "suffix": " phố"}],
                 url, "1"),
        # positions counted in another unit (UTF-16, bytes…): found by its quote elsewhere, re-anchored
        _foreign([{"type": "TextPositionSelector", "start": 2, "end": 9},
                  {"type": "TextQuoteSelector", "exact": "mưa lớn"}], url, "2"),
        # a file-backed article, by its file name; the text was edited since: re-anchored
        _foreign([{"type": "TextQuoteSelector", "exact": "phát biểu tại cuộc họp", "prefix": "Ông Putin "}],
                 "file:///home/someone/Documents/putin-minsk.txt", "3"),
        # its quote is no longer in the text: orphaned, kept
        _foreign([{"type": "TextQuoteSelector", "exact": "mưa đá trắng trời"}], url, "4"),
        # no text selector docbao can use: skipped, named
        _foreign([{"type": "FragmentSelector", "value": "xywh=0,0,10,10"}], url, "5"),
        # an article that is not in the library: kept with its quote
        _foreign([{"type": "TextQuoteSelector", "exact": "Đà Nẵng"}], "https://example.org/khac", "6"),
    ]
    page = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationPage", "items": items}
    store = AnnotationStore.in_memory()
    library = {edited.id: edited, web.id: web}
    r = import_native(store, json.dumps(page, ensure_ascii=False), library, name="other.jsonld")
    assert (r.added, r.matched, r.reanchored, r.orphaned, r.missing_articles) == (5, 1, 2, 1, 1)
    assert len(r.skipped) == 1 and "selectors" in r.skipped[0]
    assert "1 matched, 2 re-anchored" in r.summary() and "1 orphaned" in r.summary()
    by_id = {a.id: a for a in store.all()}
    one = by_id["https://annotator.example/a/1"]
    assert one.article.id == web.id and one.tags == ("nguồn",) and one.note == "ghi chú từ công cụ khác"
    two = by_id["https://annotator.example/a/2"].target
    assert web.text[two.start:two.end] == "mưa lớn"
    three = by_id["https://annotator.example/a/3"]
    assert three.article.id == edited.id
    assert edited.text[three.target.start:three.target.end] == "phát biểu tại cuộc họp"
    assert [p.status for p in store.for_article(edited)] == ["exact"]
    assert by_id["https://annotator.example/a/6"].target.exact == "Đà Nẵng"
    again = import_native(store, json.dumps(page, ensure_ascii=False), library)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)


def test_a_w3c_file_docbao_cannot_read_is_refused_whole(tmp_path) -> None:
    store = AnnotationStore.in_memory()
    with pytest.raises(Exception, match="nothing was imported"):
        import_native(store, json.dumps({"type": "AnnotationPage", "items": 5}), name="x.jsonld")
    assert store.all() == []


# -- doccano -------------------------------------------------------------------------------------------------
def fake_analyze(text: str, lexicon=None, article_id=None) -> Analysis:
    i = text.find("Minsk")
    return Analysis(entities=(Span(i, i + 5, "LOC", "Minsk"),) if i >= 0 else ())


def test_doccano_and_prodigy_lines(store, art) -> None:
    [line] = export(store, {art.id: art}, "doccano", analyze=fake_analyze).splitlines()
    rec = json.loads(line)
    i = TEXT.index("Minsk")
    assert rec["text"] == TEXT and rec["label"] == [[i, i + 5, "LOC"]]
    [line] = export(store, {art.id: art}, "jsonl", analyze=fake_analyze).splitlines()
    assert json.loads(line)["spans"] == [{"start": i, "end": i + 5, "label": "LOC"}]


def test_every_format_has_a_one_line_example_in_the_docs() -> None:
    from tests.conftest import ROOT

    docs = (ROOT / "docs" / "export-format.md").read_text(encoding="utf-8")
    for fmt in ("json", "w3c", "jsonl", "doccano", "md"):
        assert f"## `{fmt}`" in docs
        section = docs.split(f"## `{fmt}`", 1)[1].split("\n## ", 1)[0]
        assert "one line" in section.lower() or "example" in section.lower(), fmt


def test_w3c_collection_ids_are_fresh_per_export(store) -> None:
    a, b = to_w3c(store), to_w3c(store)
    assert a["id"] != b["id"] and a["first"]["items"] == b["first"]["items"]

