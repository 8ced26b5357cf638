"""Regression tests for store bugs found in review, each with the input that showed it."""

import io
import json
import sys

import pytest

from docbao.store.annotations import AnnotationStore, StoreError
from docbao.store.articles import Library, from_text
from docbao.store.export import export, import_native, write_file
from docbao.tui.cli import main

ART = from_text("Tin Hà Nội\nHà Nội mưa lớn chiều nay.\n", name="hn.txt")


def test_an_export_never_replaces_a_database(tmp_path):
    db = tmp_path / "docbao.json"
    store = AnnotationStore.open(db)
    store.add(ART, tags=["một"])
    before = db.read_bytes()
    with pytest.raises(StoreError, match="is a docbao database"):
        write_file(db, export(store, {ART.id: ART}, "json"))
    assert db.read_bytes() == before
    store.close()


def test_export_onto_the_database_from_the_cli_is_refused(tmp_path, capsys):
    db = tmp_path / "db.json"
    art = tmp_path / "a.txt"
    art.write_text("Tin\nNội dung.", encoding="utf-8")
    assert main(["annotate", str(art), "--tag", "x", "--db", str(db)]) == 0
    before = db.read_bytes()
    assert main(["export", "-o", str(db), "--db", str(db)]) == 1
    assert "is a docbao database" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_a_lone_surrogate_is_refused_on_import_and_on_write(tmp_path):
    store = AnnotationStore.in_memory()
    good = json.loads(export(_with_one(store), {ART.id: ART}, "json"))
    good["articles"][0]["annotations"][0]["note"] = "bad \ud800 x"
    text = json.dumps(good)  # ASCII-escaped: \\ud800 survives json.dumps
    empty = AnnotationStore.in_memory()
    with pytest.raises(StoreError, match="unpaired surrogate"):
        import_native(empty, text)
    assert empty.all() == []
    with pytest.raises(StoreError, match="surrogate"):
        store.add(ART, note="x \udfff")


def test_a_write_that_cannot_encode_leaves_no_temporary_file(tmp_path):
    with pytest.raises(StoreError):
        write_file(tmp_path / "out.json", "x \ud800")
    assert list(tmp_path.iterdir()) == []


def test_imported_times_in_other_zones_are_stored_in_utc_and_edits_still_move_forward():
    store = _with_one(AnnotationStore.in_memory())
    data = json.loads(export(store, {ART.id: ART}, "json"))
    ann = data["articles"][0]["annotations"][0]
    ann["updated"] = "2999-01-01T07:00:00+07:00"  # far future, not in docbao's own format
    ann["note"] = "from the other machine"
    other = AnnotationStore.in_memory()
    import_native(other, json.dumps(data, ensure_ascii=False))
    (imported,) = other.all()
    assert imported.updated == "2999-01-01T00:00:00.000000Z"
    edited = other.update(imported.id, note="edited here")
    assert edited.updated > imported.updated  # an edit is always newer, so it wins the next merge
    report = import_native(store, export(other, {ART.id: ART}, "json"))
    assert report.updated == 1 and store.all()[0].note == "edited here"


def test_a_deeply_nested_json_article_is_one_error_not_a_crash(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    (tmp_path / "ok.txt").write_text("Tin\nNội dung.", encoding="utf-8")
    lib = Library.load([tmp_path])
    assert [a.title for a in lib.articles] == ["Tin"]
    assert len(lib.errors) == 1 and "deep.json" in str(lib.errors[0])


def test_a_document_id_like_a_superscript_digit_is_a_damaged_database(tmp_path):
    db = tmp_path / "db.json"
    first = AnnotationStore.open(db)
    first.add(ART, tags=["x"])
    first.close()
    data = json.loads(db.read_text(encoding="utf-8"))
    data["annotations"] = {"²": {"id": "x"}}
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(StoreError, match="damaged database"):
        AnnotationStore.open(db)


def test_import_from_stdin_that_is_not_utf8_is_one_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xff\xfe{bad")))
    assert main(["import", "-", "--db", str(tmp_path / "db.json")]) == 1
    err = capsys.readouterr().err
    assert "not UTF-8" in err and "Traceback" not in err


def _with_one(store):
    store.add(ART, 0, 6, tags=["a"], note="n")
    return store
