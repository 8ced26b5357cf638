"""SafeStorage: the file on disk, bad files refused untouched, failed writes leave the old file intact."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

import docbao.store.storage as storage_mod
from docbao.store.annotations import AnnotationStore, StoreError
from docbao.store.articles import from_text
from docbao.store.storage import SCHEMA_VERSION, SafeStorage

TEXT = "Tổng thống Nga Vladimir Putin đã gặp ông Lukashenko tại Minsk hôm thứ Sáu."


def _always_compact(monkeypatch) -> None:
    monkeypatch.setattr(storage_mod, "COMPACT_MIN_BYTES", 0)
    monkeypatch.setattr(storage_mod, "COMPACT_RATIO", 0.0)


@pytest.fixture
def article():
    return from_text(TEXT, title="Putin gặp Lukashenko", name="a.txt")


def test_file_is_utf8_json_with_meta_and_no_escapes(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    assert not db.exists()  # opening creates nothing; the first write does
    store.add(article, 15, 29, tags=["chính trị"], note="Tổng thống")
    raw = db.read_bytes()
    assert "chính trị".encode() in raw and b"\\u" not in raw
    data = json.loads(raw)
    meta = next(iter(data["meta"].values()))
    assert (meta["app"], meta["schema_version"]) == ("docbao", SCHEMA_VERSION)
    assert len(data["annotations"]) == 1
    # one document per line: readable and diffable
    assert all(len(line) < 2000 for line in raw.decode().splitlines())


def test_no_temp_files_left_and_lock_is_a_sidecar(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    for _ in range(3):
        store.add(article)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.json", "db.json.journal", "db.json.lock"]


def test_stale_temp_files_of_a_killed_writer_are_removed(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    stale = tmp_path / ".db.json.12345.deadbeef.tmp"
    stale.write_text('{"half": ')
    AnnotationStore.open(db).add(article)
    assert not stale.exists()


def test_write_replaces_the_file_atomically(tmp_path: Path, article, monkeypatch) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(article)
    ino, size = db.stat().st_ino, db.stat().st_size
    store.add(article)  # appended to the journal: the snapshot is not touched
    assert (db.stat().st_ino, db.stat().st_size) == (ino, size)
    _always_compact(monkeypatch)
    store.add(article)  # a compaction: a new snapshot renamed over the old one, never rewritten in place
    assert db.stat().st_ino != ino and store.storage.compactions == 2
    assert len(AnnotationStore.open(db).all()) == 3


def test_symlinked_database_stays_a_symlink(tmp_path: Path, article) -> None:
    real = tmp_path / "real" / "db.json"
    real.parent.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(real)
    AnnotationStore.open(link).add(article)
    assert link.is_symlink() and real.is_file()
    assert len(AnnotationStore.open(real).all()) == 1


def test_creates_missing_folders_on_first_write(tmp_path: Path, article) -> None:
    db = tmp_path / "a" / "b" / "db.json"
    AnnotationStore.open(db).add(article)
    assert db.is_file()


def test_default_path_comes_from_docbao_db(tmp_path: Path, monkeypatch, article) -> None:
    monkeypatch.setenv("DOCBAO_DB", str(tmp_path / "env.json"))
    store = AnnotationStore.open()
    assert store.path == (tmp_path / "env.json").resolve()
    store.add(article)
    assert (tmp_path / "env.json").is_file()


BAD_FILES = {
    "corrupt": b'{"meta": {"1": {"app": "docbao", "schema_version": 1}}, "annotations": {"1": {"id": ]}}',
    "truncated": (b'{\n"meta": {\n"1": {"app": "docbao", "schema_version": 1}\n},\n'
                  b'"annotations": {\n"1": {"id": "x", "ar'),
    "empty": b"",
    "whitespace": b"  \n",
    "not json": "Đây không phải JSON.\n".encode(),
    "binary": bytes(range(256)),
    "not an object": b"[1, 2, 3]",
    "foreign tinydb": b'{"_default": {"1": {"name": "x"}}}',
    "not a table": b'{"meta": {"1": {"app": "docbao", "schema_version": 1}}, "annotations": [1, 2]}',
    "bad doc id": b'{"meta": {"1": {"app": "docbao", "schema_version": 1}}, "annotations": {"x": {}}}',
    "newer schema": json.dumps({"meta": {"1": {"app": "docbao", "schema_version": SCHEMA_VERSION + 1}},
                                "annotations": {}}).encode(),
    "bad schema": b'{"meta": {"1": {"app": "docbao", "schema_version": "1"}}}',
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_file_clear_error_and_byte_identical(tmp_path: Path, kind: str, article) -> None:
    db = tmp_path / "db.json"
    db.write_bytes(BAD_FILES[kind])
    before = db.read_bytes(), db.stat().st_mtime_ns, db.stat().st_ino
    with pytest.raises(StoreError) as info:
        AnnotationStore.open(db)
    msg = str(info.value)
    assert str(db) in msg and "\n" not in msg
    assert "untouched" in msg and ("--db" in msg or "move it aside" in msg)
    if kind == "newer schema":
        assert "newer docbao" in msg and "upgrade" in msg
    assert (db.read_bytes(), db.stat().st_mtime_ns, db.stat().st_ino) == before


def test_file_damaged_after_open_is_refused_not_overwritten(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(article)
    db.write_bytes(b'{"meta": ')  # another program breaks the file while we are running
    before = db.read_bytes()
    with pytest.raises(StoreError, match="not valid JSON"):
        store.add(article)
    with pytest.raises(StoreError):
        store.all()
    assert db.read_bytes() == before


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a file"):
        AnnotationStore.open(tmp_path)


def _fail_with(code: int, where: str):
    def fake(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return where, fake


def _files(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.name != db.name + ".lock"}


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EIO])
@pytest.mark.parametrize("where", ["_os_write", "_os_fsync", "_os_replace", "compaction _os_write",
                                   "compaction _os_fsync"])
def test_failed_write_clear_error_old_file_intact(tmp_path: Path, monkeypatch, article, code, where) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    kept = store.add(article, tags=["giữ"])
    before = _files(db)
    if where.startswith("compaction") or where == "_os_replace":
        _always_compact(monkeypatch)  # every write compacts
    monkeypatch.setattr(storage_mod, where.split()[-1], _fail_with(code, where)[1])
    with pytest.raises(StoreError) as info:
        store.add(article, tags=["mất"])
    msg = str(info.value)
    assert str(db) in msg and "intact" in msg and "\n" not in msg
    if code == errno.ENOSPC:
        assert "disk is full" in msg
    if code == errno.EACCES:
        assert "permission denied" in msg
    assert _files(db) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # the store forgot the failed write and goes on working once the disk is fine again
    assert [a.id for a in store.all()] == [kept.id]
    monkeypatch.undo()
    store.add(article, tags=["sau"])
    assert sorted(t for a in AnnotationStore.open(db).all() for t in a.tags) == ["giữ", "sau"]
    assert sorted(t for a in store.all() for t in a.tags) == ["giữ", "sau"]


def test_permission_error_creating_temp_file(tmp_path: Path, monkeypatch, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(article)
    before = db.read_bytes()
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(storage_mod.os, "open", refuse)
    _always_compact(monkeypatch)  # the temporary file is a compaction's
    with pytest.raises(StoreError, match="permission denied"):
        store.add(article)
    monkeypatch.undo()
    assert db.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_read_only_folder(tmp_path: Path, article) -> None:  # pragma: no cover - CI runs as root here
    db = tmp_path / "ro" / "db.json"
    store = AnnotationStore.open(db)
    store.add(article)
    before = db.read_bytes()
    db.parent.chmod(0o555)
    try:
        with pytest.raises(StoreError, match="permission denied"):
            store.add(article)
        assert db.read_bytes() == before
        assert len(AnnotationStore.open(db).all()) == 1  # reading a read-only database works
    finally:
        db.parent.chmod(0o755)


def test_unchanged_file_is_not_reparsed(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(article)
    loads = store.storage.loads
    for _ in range(5):
        store.all()
        store.add(article)
    assert store.storage.loads == loads
    other = AnnotationStore.open(db)
    added = other.add(article)
    # only the journal line the other store appended is read, not the whole file again
    assert added.id in {a.id for a in store.all()}
    assert store.storage.loads == loads


def test_writes_are_buffered_into_one_per_call(tmp_path: Path, article) -> None:
    store = AnnotationStore.open(tmp_path / "db.json")
    ann = store.add(article)
    writes = store.storage.writes
    store.update(ann.id, tags=["a"])  # remove + insert in TinyDB: one file write
    assert store.storage.writes == writes + 1
    store.update(ann.id, tags=["a"])  # no change: no write
    assert store.storage.writes == writes + 1


def test_transaction_rolls_back_on_error(tmp_path: Path, article) -> None:
    for store in (AnnotationStore.open(tmp_path / "db.json"), AnnotationStore.in_memory()):
        first = store.add(article)
        with pytest.raises(RuntimeError), store.transaction():
            store.add(article)
            raise RuntimeError("boom")
        assert [a.id for a in store.all()] == [first.id]


def test_lone_surrogate_is_refused_and_nothing_is_written(tmp_path: Path, article) -> None:
    # A note with an unpaired surrogate could be stored (escaped) but never exported: refuse it at the door.
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    kept = store.add(article, note="ok")
    before = db.read_bytes()
    with pytest.raises(StoreError, match="surrogate"):
        store.add(article, note="x\ud800y")
    with pytest.raises(StoreError, match="surrogate"):
        store.update(kept.id, tags=["a\udc80"])
    assert db.read_bytes() == before
    before.decode("utf-8")  # valid UTF-8


def test_storage_direct_write_outside_transaction_detects_conflict(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    a = SafeStorage(db)
    a.write({"t": {"1": {"x": 1}}})
    data = a.read()
    b = SafeStorage(db)
    b.write({**b.read(), "t": {"1": {"x": 2}}})
    data["t"] = {"1": {"x": 3}}
    with pytest.raises(StoreError, match="another process"):
        a.write(data)
    assert SafeStorage(db).read()["t"] == {"1": {"x": 2}}


def test_hand_formatted_file_is_read_and_rewritten_in_our_layout(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    db.write_text(json.dumps({"meta": {"1": {"app": "docbao", "schema_version": 1}}, "annotations": {}},
                             indent=4))
    store = AnnotationStore.open(db)
    assert store.all() == []
    store.add(article)
    assert db.read_text().startswith('{\n"meta": {\n"1": ')
    assert len(AnnotationStore.open(db).all()) == 1


def test_stores_release_their_file_descriptors(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    AnnotationStore.open(db).add(article)
    before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    for _ in range(50):
        s = AnnotationStore.open(db)
        s.add(article)
        s.close()
    for _ in range(50):
        AnnotationStore.open(db).all()  # not closed: released when garbage collected
    import gc

    gc.collect()
    if before is not None:
        assert len(os.listdir("/proc/self/fd")) <= before + 2


# -- the storage's own contract: TinyDB usage, the journal ---------------------------------------------------
def test_a_write_right_after_its_own_write_is_no_conflict(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    s = SafeStorage(db)
    s.write({"t": {"1": {"x": 1}}})
    s.write({"t": {"1": {"x": 2}}})  # no read() between: our own write is what the data came from
    s.write({"t": {"1": {"x": 2}, "2": {"y": 3}}})
    assert SafeStorage(db).read() == {"t": {"1": {"x": 2}, "2": {"y": 3}}}


def test_table_update_in_place_is_saved_not_lost(tmp_path: Path) -> None:
    from tinydb import TinyDB, where

    db = tmp_path / "db.json"
    tdb = TinyDB(storage=lambda: SafeStorage(db))
    tdb.insert_multiple([{"name": "a", "n": 1}, {"name": "b", "n": 1}])
    tdb.update({"n": 2}, where("name") == "a")  # TinyDB changes the stored dict in place
    tdb.update(lambda doc: doc.update(n=doc["n"] + 5), where("name") == "b")
    tdb.insert({"name": "c", "n": 0})  # a later write must not bring the old bytes back
    again = TinyDB(storage=lambda: SafeStorage(db))
    assert sorted((d["name"], d["n"]) for d in again.all()) == [("a", 2), ("b", 6), ("c", 0)]
    tdb.remove(where("name") == "c")
    tdb.drop_table("other")
    assert sorted(d["name"] for d in TinyDB(storage=lambda: SafeStorage(db)).all()) == ["a", "b"]


def test_a_write_appends_one_line_to_the_journal(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(article)
    journal = tmp_path / "db.json.journal"
    lines = journal.read_bytes().splitlines()
    store.add(article, tags=["Hà Nội"])
    after = journal.read_bytes().splitlines()
    assert after[:len(lines)] == lines and len(after) == len(lines) + 1
    assert "Hà Nội".encode() in after[-1] and b"\\u" not in after[-1]  # UTF-8 as is
    assert json.loads(after[0])["base"] == next(iter(json.loads(db.read_bytes())["meta"].values()))["journal"]


def test_a_torn_journal_line_is_ignored_then_cut_off(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    kept = store.add(article)
    journal = tmp_path / "db.json.journal"
    with open(journal, "ab") as fh:
        fh.write(b'{"ops": [["p", "annotations", "9", {"id": "half')  # a crash mid-append, never reported
    other = AnnotationStore.open(db)
    assert [a.id for a in other.all()] == [kept.id]
    added = other.add(article)
    assert b"half" not in journal.read_bytes()
    assert {a.id for a in AnnotationStore.open(db).all()} == {kept.id, added.id}


def test_a_journal_from_before_the_last_compaction_is_ignored(tmp_path: Path, article, monkeypatch) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(article, tags=["một"])
    old_journal = (tmp_path / "db.json.journal").read_bytes()
    _always_compact(monkeypatch)
    store.add(article, tags=["hai"])  # folded into a new snapshot, with a new journal
    monkeypatch.undo()
    (tmp_path / "db.json.journal").write_bytes(old_journal)  # a crash between the two renames
    fresh = AnnotationStore.open(db)
    assert sorted(t for a in fresh.all() for t in a.tags) == ["hai", "một"]
    fresh.add(article, tags=["ba"])  # compacts again: the stale journal is replaced, not appended to
    assert sorted(t for a in AnnotationStore.open(db).all() for t in a.tags) == ["ba", "hai", "một"]


def test_a_damaged_journal_is_reported_and_left_alone(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add(article)
    store.add(article)
    journal = tmp_path / "db.json.journal"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = b"not json\n"
    journal.write_bytes(b"".join(lines))
    before = _files(db)
    with pytest.raises(StoreError, match=r"damaged|not valid JSON") as info:
        AnnotationStore.open(db)
    assert "untouched" in str(info.value) and "journal" in str(info.value)
    with pytest.raises(StoreError):
        store.add(article)
    assert _files(db) == before


def test_compaction_keeps_everything_and_happens_when_the_journal_grows(tmp_path: Path, article,
                                                                         monkeypatch) -> None:
    db = tmp_path / "db.json"
    monkeypatch.setattr(storage_mod, "COMPACT_MIN_BYTES", 2048)
    store = AnnotationStore.open(db)
    ids = [store.add(article, tags=[f"t{i}"], note="ghi chú " * 5).id for i in range(40)]
    assert store.storage.compactions >= 3
    assert (tmp_path / "db.json.journal").stat().st_size < 4096
    assert [a.id for a in AnnotationStore.open(db).all()] == ids


def test_a_schema_1_database_is_read_and_upgraded_on_the_first_write(tmp_path: Path, article) -> None:
    db = tmp_path / "db.json"
    db.write_text(json.dumps({"meta": {"1": {"app": "docbao", "schema_version": 1}}, "annotations": {}}))
    store = AnnotationStore.open(db)
    assert store.all() == []
    store.add(article)
    meta = next(iter(json.loads(db.read_text())["meta"].values()))
    assert meta["schema_version"] == SCHEMA_VERSION and (tmp_path / "db.json.journal").exists()


def test_the_store_module_does_not_import_fcntl_or_textual() -> None:
    import subprocess
    import sys

    code = ("import sys; import docbao.store.storage, docbao.store.annotations, docbao.store.export; "
            "print(sorted(m for m in ('fcntl', 'textual', 'filelock') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"  # filelock (and through it fcntl) only when a write takes the lock


def test_storage_refuses_data_that_is_not_tables(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="TinyDB tables"):
        SafeStorage(tmp_path / "db.json").write({"t": [1, 2]})  # type: ignore[dict-item]
    assert not (tmp_path / "db.json").exists()
