"""Bad input that must not break anything (F1–F11 of the issue, each with a test named for it), the native
export as the backup route (reading state and corrections), and fuzzing of article bytes and database records.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import string
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import docbao.store.articles as articles_mod
from docbao.analysis.text import BinaryFileError, decode_bytes
from docbao.store.annotations import AnnotationStore, StoreError
from docbao.store.articles import ArticleError, Library, from_text, load_file
from docbao.store.export import ExportWarning, export, import_native
from tests.conftest import run

ART = from_text("Tin Hà Nội\nHà Nội mưa lớn chiều nay, nhiều tuyến phố ngập sâu.\n", name="hn.txt",
                path="hn.txt")
META = {"1": {"app": "docbao", "schema_version": 1}}


def write_db(path: Path, tables: dict[str, Any]) -> bytes:
    raw = json.dumps({"meta": META, **tables}, ensure_ascii=True).encode()
    path.write_bytes(raw)
    return raw


def good_annotation(**over: Any) -> dict[str, Any]:
    doc = {"id": "a-1", "article": {"id": ART.id, "title": ART.title, "source": "hn.txt", "text_sha256": ""},
           "target": {"start": 4, "end": 10, "exact": ART.text[4:10], "prefix": "Tin ", "suffix": "\nHà"},
           "tags": ["x"], "note": "n", "created": "2024-01-01T00:00:00.000000Z",
           "updated": "2024-01-01T00:00:00.000000Z"}
    doc.update(over)
    return doc


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail instead of hanging forever (POSIX)."""
    if not hasattr(signal, "SIGALRM"):  # pragma: no cover - Windows
        yield
        return

    def boom(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# -- F1: a file name that is not UTF-8 ---------------------------------------------------------------------
@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="the file system refuses non-UTF-8 names")
def test_f1_a_file_name_that_is_not_utf8_gets_an_id_from_its_bytes_and_the_batch_goes_on(tmp_path) -> None:
    folder = os.fsencode(tmp_path)
    for name in (b"bad-\xff\xfe.txt", b"bad-\xfe.txt", b"good.txt"):
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write("Tin tức\nNội dung bài báo.\n".encode())
    lib = Library.load([tmp_path])
    assert lib.errors == [] and len(lib.articles) == 3
    assert len({a.id for a in lib.articles}) == 3  # the two bad names differ only in their bytes
    bad = [a for a in lib.articles if "bad" in a.path]
    assert all("\ufffd" in a.path for a in bad)
    for a in lib.articles:
        a.path.encode("utf-8")  # printable
    again = Library.load([tmp_path])
    assert [a.id for a in again.articles] == [a.id for a in lib.articles]  # stable


# -- F2: lone surrogates ------------------------------------------------------------------------------------
def test_f2_a_json_article_with_a_lone_surrogate_is_read_repaired(tmp_path) -> None:
    f = tmp_path / "a.json"
    f.write_text(json.dumps({"title": "T\ud800", "text": "Hà Nội \udc00 mưa"}), encoding="utf-8")
    (a,) = load_file(f)
    assert a.text == "Hà Nội \ufffd mưa" and a.title == "T\ufffd"
    a.text.encode("utf-8")
    store = AnnotationStore.in_memory()
    store.add(a, 0, len(a.text), note="ok")  # the repaired text annotates fine
    assert "\ufffd" in export(store, None, "json")


def test_f2_the_api_refuses_lone_surrogates() -> None:
    store = AnnotationStore.in_memory()
    bad = from_text("x \ud800 y", name="b.txt")
    with pytest.raises(StoreError, match="surrogate"):
        store.add(bad, 0, 3)
    with pytest.raises(StoreError, match="surrogate"):
        store.add(ART, note="\udcff")
    with pytest.raises(StoreError, match="surrogate"):
        store.add(ART, tags=["\ud83d"])
    assert store.all() == []


def test_f2_a_database_holding_a_lone_surrogate_still_exports_everything_and_names_it(tmp_path, capsys) -> None:
    db = tmp_path / "db.json"
    write_db(db, {"annotations": {"1": good_annotation(id="bad", note="x \ud800 y"),
                                  "2": good_annotation(id="good", note="fine")}})
    store = AnnotationStore.open(db)
    for fmt in ("json", "w3c", "md"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            text = export(store, {ART.id: ART}, fmt)
        text.encode("utf-8")
        assert "fine" in text and "x \ufffd y" in text
        named = [str(w.message) for w in caught if issubclass(w.category, ExportWarning)]
        assert len(named) == 1 and "'bad'" in named[0] and "\n" not in named[0]
    back = AnnotationStore.in_memory()
    with pytest.warns(ExportWarning, match="'bad'"):
        assert import_native(back, export(store, None, "json")).added == 2
    code, out, err = run(capsys, "export", "--db", str(db))
    assert code == 0 and json.loads(out)["articles"] and err.count("\n") == 1 and "warning" in err


# -- F3, F4: what is not a regular file, or too large ------------------------------------------------------
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_f3_a_fifo_in_a_library_folder_is_refused_without_waiting(tmp_path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_text("Tin\nNội dung.", encoding="utf-8")
    with deadline(10):
        lib = Library.load([tmp_path])
        with pytest.raises(ArticleError, match=r"not a regular file \(a FIFO\)"):
            load_file(tmp_path / "pipe.txt")
    assert [a.title for a in lib.articles] == ["Tin"]
    (err,) = lib.errors
    assert "pipe.txt" in str(err) and "FIFO" in str(err) and "\n" not in str(err)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_f4_dev_zero_and_oversized_files_are_refused_with_a_limit(tmp_path, monkeypatch) -> None:
    with deadline(10), pytest.raises(ArticleError, match=r"/dev/zero: not a regular file \(a device\)"):
        load_file("/dev/zero")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2048)
    monkeypatch.setattr(articles_mod, "MAX_FILE_BYTES", 1024)
    with pytest.raises(ArticleError, match="too large"):
        load_file(big)


# -- F8, F9: records that are not what docbao writes --------------------------------------------------------
@pytest.mark.parametrize(("table", "record", "reason"), [
    ("annotations", good_annotation(tags=5), "tags is 5, not a list of text"),
    ("reading", {"article_id": "x", "position": float("inf"), "opened": None, "read": False}, "position is inf"),
    ("reading", {"article_id": "x", "position": True, "read": False}, "position is True"),
    ("annotations", good_annotation(created="yesterday"), "created is 'yesterday'"),
    ("annotations", good_annotation(target={"start": 0, "end": 3, "exact": "ab"}), "target exact has 2 characters"),
    ("corrections", {"id": "c", "surface": "Nga", "label": "PERSON", "created": "2024-01-01T00:00:00Z"},
     "label is 'PERSON'"),
])
def test_f8_f9_a_bad_record_is_a_clear_error_on_load(tmp_path, capsys, table, record, reason) -> None:
    db = tmp_path / "db.json"
    raw = json.dumps({"meta": META, table: {"1": record}}).replace("Infinity", "1e400").encode()
    db.write_bytes(raw)
    with pytest.raises(StoreError) as info:
        AnnotationStore.open(db)
    msg = str(info.value)
    assert f"{table} record 1: {reason}" in msg and "untouched" in msg and "\n" not in msg
    for argv in (["tags"], ["export"], ["annotate", "x"]):
        code, out, err = run(capsys, *argv, "--db", str(db))
        assert code == 1 and out == "" and err.startswith("docbao: ") and err.count("\n") == 1
        assert "Traceback" not in err
    assert db.read_bytes() == raw and sorted(p.name for p in tmp_path.iterdir()) == ["db.json"]


# -- F10: "left untouched" is only said when true ------------------------------------------------------------
def test_f10_import_into_a_database_with_a_damaged_record_writes_nothing(tmp_path, capsys) -> None:
    db = tmp_path / "db.json"
    raw = write_db(db, {"annotations": {"1": good_annotation(tags=5)}})
    exported = tmp_path / "in.json"
    src = AnnotationStore.in_memory()
    src.add(ART, tags=["mới"])
    exported.write_text(export(src, None, "json"), encoding="utf-8")
    code, _out, err = run(capsys, "import", str(exported), "--db", str(db))
    assert code == 1 and "untouched" in err and err.count("\n") == 1
    assert db.read_bytes() == raw and not (tmp_path / "db.json.journal").exists()


def test_f10_opening_an_article_on_such_a_database_writes_nothing(tmp_path) -> None:
    db = tmp_path / "db.json"
    raw = write_db(db, {"reading": {"1": {"article_id": ART.id, "position": 3, "read": False,
                                          "opened": None}},
                        "annotations": {"1": good_annotation(article=None)}})
    with pytest.raises(StoreError, match="untouched"):
        AnnotationStore.open(db)
    store = AnnotationStore(AnnotationStore.in_memory().storage)  # the reader's sequence, on a good store
    assert store.reading(ART.id).position == 0
    # and on the damaged file, through a storage opened before the damage: every call refuses, none writes
    other = tmp_path / "other.json"
    s = AnnotationStore.open(other)
    s.set_reading(ART.id, position=1)
    other.write_bytes(raw)
    for call in (lambda: s.reading(ART.id), lambda: s.set_reading(ART.id, position=5),
                 lambda: s.for_article(ART)):
        with pytest.raises(StoreError, match="untouched"):
            call()
    assert other.read_bytes() == raw


# -- F11: what docbao exports, docbao imports ----------------------------------------------------------------
ODD = {
    "tags in two cases, untrimmed": good_annotation(tags=["Nga", " nga ", "Hà  Nội"]),
    "note with spaces around": good_annotation(note="  ghi chú \n"),
    "time with an offset": good_annotation(created="2024-05-01T10:00:00+07:00", updated=None),
    "no updated": {k: v for k, v in good_annotation().items() if k != "updated"},
    "no prefix": good_annotation(target={"start": 4, "end": 10, "exact": ART.text[4:10]}),
    "no title, null note and tags": good_annotation(article={"id": ART.id}, note=None, tags=None),
    "empty tag": good_annotation(tags=["", "x"]),
    "one id twice": good_annotation(id="dup"),
}


@pytest.mark.parametrize("kind", sorted(ODD))
def test_f11_odd_but_loadable_databases_export_and_import_back(tmp_path, kind) -> None:
    db = tmp_path / "db.json"
    records = {"1": ODD[kind]}
    if kind == "one id twice":
        records["2"] = good_annotation(id="dup", note="later", updated="2025-01-01T00:00:00Z")
    write_db(db, {"annotations": records,
                  "corrections": {"1": {"id": "c", "surface": "Nga", "label": None,
                                        "created": "2024-01-01T00:00:00+00:00"}},
                  "reading": {"1": {"article_id": ART.id}}})
    store = AnnotationStore.open(db)
    for fmt in ("json", "w3c"):
        dst = AnnotationStore.in_memory()
        report = import_native(dst, export(store, {ART.id: ART}, fmt), {ART.id: ART})
        assert report.added == 1 and {a.id for a in dst.all()} == {a.id for a in store.all()}
    if kind == "one id twice":
        assert dst.all()[0].note == "later"


# -- the native export is the backup: reading state and corrections come back ---------------------------------
def test_native_export_carries_reading_state_and_corrections_and_import_is_idempotent() -> None:
    src = AnnotationStore.in_memory()
    src.add(ART, tags=["a"])
    src.set_reading(ART.id, position=12, read=True)
    src.set_reading("other", position=3)
    src.add_correction("Hà Nội", "LOC")
    src.add_correction("Tin", None, scope=ART.id)
    text = export(src, None, "json")
    data = json.loads(text)
    assert {r["article_id"]: (r["position"], r["read"]) for r in data["reading"]} == {
        ART.id: (12, True), "other": (3, False)}
    dst = AnnotationStore.in_memory()
    r = import_native(dst, text)
    assert (r.reading_added, r.corrections_added) == (2, 2)
    assert dst.reading_states() == src.reading_states() and dst.corrections() == src.corrections()
    again = import_native(dst, text)
    assert (again.added, again.updated, again.reading_added, again.reading_updated,
            again.corrections_added, again.corrections_updated) == (0, 0, 0, 0, 0, 0)
    assert again.reading_unchanged == 2
    # a newer reading position elsewhere wins; an older one does not
    src.set_reading(ART.id, position=40)
    assert import_native(dst, export(src, None, "json")).reading_updated == 1
    assert dst.reading(ART.id).position == 40
    dst.set_reading(ART.id, position=50)
    assert import_native(dst, text).reading_updated == 0 and dst.reading(ART.id).position == 50
    one = json.loads(export(src, None, "json", article_id=ART.id))
    assert [r["article_id"] for r in one["reading"]] == [ART.id]


# -- fuzz: article bytes ---------------------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | st.text(max_size=120).map(lambda t: t.encode("utf-8", "surrogatepass")),
       suffix=st.sampled_from([".txt", ".md", ".json", ".html"]))
def test_fuzz_article_bytes_raise_only_the_documented_errors(tmp_path_factory, data, suffix) -> None:
    try:
        text, _ = decode_bytes(data)
        text.encode("utf-8")
    except BinaryFileError:
        pass
    f = tmp_path_factory.mktemp("fz") / f"a{suffix}"
    f.write_bytes(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            arts = load_file(f)
        except ArticleError as exc:
            assert "\n" not in str(exc)
            return
    for a in arts:
        a.text.encode("utf-8")
        a.title.encode("utf-8")
        assert a.id


# -- fuzz: database records --------------------------------------------------------------------------------------
_json = st.recursive(st.none() | st.booleans() | st.integers(-5, 10**20) | st.floats(allow_nan=True)
                     | st.text(alphabet=string.printable + "Hà\ud800", max_size=8),
                     lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids,
                                                                              max_size=3), max_leaves=8)
_times = st.sampled_from(["2024-01-01T00:00:00.000000Z", "2024-05-01T10:00:00+07:00", "yesterday", ""]) | _json


@st.composite
def _annotation_records(draw):
    doc = good_annotation()
    for key in draw(st.lists(st.sampled_from(sorted(doc)), max_size=3, unique=True)):
        doc[key] = draw(_times if key in ("created", "updated") else _json)
    if draw(st.booleans()):
        start = draw(st.integers(0, len(ART.text) - 1))
        end = draw(st.integers(start, len(ART.text)))
        doc["target"] = {"start": start, "end": end, "exact": ART.text[start:end]}
    return doc


_reading_records = st.fixed_dictionaries({"article_id": st.sampled_from([ART.id, "", "x\ud800"]) | _json,
                                          "position": st.integers(-1, 99) | _json,
                                          "read": st.booleans() | _json, "opened": _times})
_correction_records = st.fixed_dictionaries({"id": st.sampled_from(["c1", "c2", ""]),
                                             "surface": st.sampled_from(["Nga", " ", "Hà Nội"]) | _json,
                                             "label": st.sampled_from(["PER", "LOC", None, "X"]),
                                             "created": _times})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(anns=st.lists(_annotation_records(), max_size=3), reading=st.lists(_reading_records, max_size=2),
       corrections=st.lists(_correction_records, max_size=2))
def test_fuzz_records_no_traceback_and_every_export_of_a_loadable_db_imports_back(
        tmp_path_factory, capsys, anns, reading, corrections) -> None:
    db = tmp_path_factory.mktemp("db") / "db.json"
    tables = {"annotations": {str(i + 1): d for i, d in enumerate(anns)},
              "reading": {str(i + 1): d for i, d in enumerate(reading)},
              "corrections": {str(i + 1): d for i, d in enumerate(corrections)}}
    raw = json.dumps({"meta": META, **tables}, ensure_ascii=True, allow_nan=True).encode()
    db.write_bytes(raw)
    try:
        store = AnnotationStore.open(db)
    except StoreError as exc:
        assert "\n" not in str(exc) and "untouched" in str(exc)
        code, _, err = run(capsys, "export", "--db", str(db))
        assert code == 1 and "Traceback" not in err and err.count("\n") == 1
        assert db.read_bytes() == raw
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ExportWarning)
        for fmt in ("json", "w3c", "md"):
            text = export(store, {ART.id: ART}, fmt)
            text.encode("utf-8")
            if fmt != "md":
                dst = AnnotationStore.in_memory()
                report = import_native(dst, text, {ART.id: ART})
                assert report.added == len({a.id for a in store.all()})
    for argv in (["tags"], ["export"], ["export", "-f", "w3c"]):
        code, _out, err = run(capsys, *argv, "--db", str(db))
        assert code == 0 and "Traceback" not in err
    assert db.read_bytes() == raw  # reading never writes
