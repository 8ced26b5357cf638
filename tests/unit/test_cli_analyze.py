import json

from docbao.tui.cli import main
from tests.conftest import run

CONTRACT_KEYS = {"path", "id", "title", "text_sha256", "entities", "quotes"}


def test_json_contract_on_the_seed(capsys, seed_text):
    from tests.conftest import SEED

    code, out, err = run(capsys, "analyze", "--json", str(SEED))
    assert code == 0, err
    (line,) = out.strip().split("\n")
    rec = json.loads(line)
    assert set(rec) >= CONTRACT_KEYS
    assert rec["path"] == str(SEED)
    import hashlib

    assert rec["text_sha256"] == hashlib.sha256(seed_text.encode()).hexdigest()
    assert rec["entities"] and rec["quotes"]
    for e in rec["entities"]:
        assert set(e) == {"start", "end", "label", "text"}
        assert seed_text[e["start"]:e["end"]] == e["text"]
        assert e["label"] in {"PER", "LOC", "ORG", "MISC"}
    for q in rec["quotes"]:
        assert set(q) == {"start", "end", "text", "kind", "speaker"}
        assert seed_text[q["start"]:q["end"]] == q["text"]
        assert q["kind"] in {"direct", "indirect", "term"}
        if q["speaker"] is not None:
            sp = q["speaker"]
            assert seed_text[sp["start"]:sp["end"]] == sp["text"]


def test_offsets_are_into_the_canonical_text_of_a_crlf_bom_nfd_file(capsys, tmp_path):
    import unicodedata

    raw = "\ufeffTin Hà Nội\r\nÔng Nguyễn Văn An ở Hà Nội nói: “Trời mưa to quá”.\r\n"
    f = tmp_path / "x.txt"
    f.write_bytes(unicodedata.normalize("NFD", raw).encode("utf-8"))
    code, out, _ = run(capsys, "analyze", "--json", str(f))
    rec = json.loads(out)
    text = unicodedata.normalize("NFC", raw[1:].replace("\r\n", "\n"))
    assert code == 0
    assert any(e["text"] == "Hà Nội" for e in rec["entities"])
    for e in rec["entities"]:
        assert text[e["start"]:e["end"]] == e["text"]
    (q,) = [q for q in rec["quotes"] if q["kind"] == "direct"]
    assert q["text"] == "Trời mưa to quá" and text[q["start"]:q["end"]] == q["text"]


def test_unreadable_file_gets_one_line_and_nonzero_exit_but_others_are_processed(capsys, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Tin tức\nBà Trần Thị Hoa sống ở Đà Nẵng.", encoding="utf-8")
    binary = tmp_path / "bad.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    code, out, err = run(capsys, "analyze", "--json", str(binary), str(tmp_path / "nope.txt"), str(good))
    assert code == 1
    assert len(out.strip().split("\n")) == 1 and json.loads(out)["title"] == "Tin tức"
    lines = err.strip().split("\n")
    assert len(lines) == 2
    assert str(binary) in lines[0] and "binary" in lines[0]
    assert "nope.txt" in lines[1] and "no such file" in lines[1]
    assert "Traceback" not in err


def test_readable_output_lists_entities_and_quotes(capsys):
    from tests.conftest import SEED

    code, out, _ = run(capsys, "analyze", str(SEED))
    assert code == 0
    assert "Entities" in out and "Quotes" in out and "Putin" in out


def test_cache_is_used_and_a_corrupt_entry_is_rebuilt(capsys, tmp_path, monkeypatch):
    from tests.conftest import SEED

    cache = tmp_path / "cache"
    monkeypatch.setenv("DOCBAO_CACHE_DIR", str(cache))
    run(capsys, "analyze", "--json", str(SEED))
    entries = list(cache.rglob("*.json"))
    assert len(entries) == 1
    first = run(capsys, "analyze", "--json", str(SEED))[1]
    entries[0].write_text("{corrupt", encoding="utf-8")
    code, again, err = run(capsys, "analyze", "--json", str(SEED))
    assert code == 0 and again == first and err == ""
    assert json.loads(entries[0].read_text(encoding="utf-8"))["entities"]  # rebuilt


def test_help_teaches(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["analyze", "--help"])
    out = capsys.readouterr().out
    assert "--json" in out and "examples" in out and "code points" in out


# -- F1, F2, F3: one bad file never stops the batch (the analyzer is faked: these are about reading files) ----
class _FakeAnalyzer:
    def __init__(self, *args, **kwargs):
        pass

    def analyze(self, text, lexicon=None, article_id=None, **kwargs):
        from docbao.analysis.spans import Analysis, Span

        i = text.find("Hà Nội")
        return Analysis(entities=(Span(i, i + 6, "LOC", "Hà Nội"),) if i >= 0 else ())


def _fake(monkeypatch):
    import docbao.analysis.pipeline as pipeline

    monkeypatch.setattr(pipeline, "Analyzer", _FakeAnalyzer)


def test_f1_a_file_name_that_is_not_utf8_is_analysed_and_the_batch_goes_on(capsys, tmp_path, monkeypatch):
    import os
    import sys

    import pytest

    if sys.platform in ("darwin", "win32"):
        pytest.skip("the file system refuses non-UTF-8 names")
    _fake(monkeypatch)
    with open(os.path.join(os.fsencode(tmp_path), b"tin-\xff.txt"), "wb") as fh:
        fh.write("Tin\nMưa ở Hà Nội.".encode())
    (tmp_path / "z.txt").write_text("Tin hai\nHà Nội nắng.", encoding="utf-8")
    code, out, err = run(capsys, "analyze", "--json", str(tmp_path))
    assert code == 0, err
    recs = [json.loads(line) for line in out.splitlines()]
    assert len(recs) == 2 and "\ufffd" in recs[0]["path"] and recs[1]["title"] == "Tin hai"
    assert all(r["entities"][0]["text"] == "Hà Nội" for r in recs)


def test_f2_an_article_with_a_lone_surrogate_is_analysed(capsys, tmp_path, monkeypatch):
    _fake(monkeypatch)
    (tmp_path / "a.json").write_text(json.dumps({"title": "T", "text": "Hà Nội \ud800 mưa"}), encoding="utf-8")
    code, out, err = run(capsys, "analyze", "--json", str(tmp_path / "a.json"))
    assert code == 0, err
    assert json.loads(out)["entities"] == [{"start": 0, "end": 6, "label": "LOC", "text": "Hà Nội"}]


def test_f3_a_fifo_is_one_line_and_the_batch_goes_on(capsys, tmp_path, monkeypatch):
    import os

    import pytest

    if not hasattr(os, "mkfifo"):
        pytest.skip("needs FIFOs (POSIX)")
    _fake(monkeypatch)
    os.mkfifo(tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text("Tin\nHà Nội.", encoding="utf-8")
    code, out, err = run(capsys, "analyze", "--json", str(tmp_path))
    assert code == 1 and len(out.splitlines()) == 1
    assert err.count("\n") == 1 and "a.txt" in err and "FIFO" in err


def test_f7_a_file_with_a_stray_byte_is_analysed_with_a_warning(capsys, tmp_path, monkeypatch):
    _fake(monkeypatch)
    (tmp_path / "a.txt").write_bytes("Tin\nHà Nội \x81 mưa.".encode().replace(b"\xc2\x81", b"\x81"))
    code, out, err = run(capsys, "analyze", "--json", str(tmp_path / "a.txt"))
    assert code == 0 and json.loads(out)["title"] == "Tin"
    assert err.count("\n") == 1 and "warning" in err and "a.txt" in err and "1 byte" in err


def _labels_of(out, surface):
    (line,) = out.strip().split("\n")
    return [e["label"] for e in json.loads(line)["entities"] if e["text"] == surface]


def test_the_readers_corrections_apply_to_analyze_unless_turned_off(capsys, tmp_path):
    from docbao.store.annotations import AnnotationStore

    f = tmp_path / "a.txt"
    f.write_text("Tin trong nước\nÔng Nguyễn Văn An làm việc ở Hà Nội.\n", encoding="utf-8")
    db = tmp_path / "db.json"
    store = AnnotationStore.open(db)
    store.add_correction("Hà Nội", "ORG")
    store.close()
    code, out, err = run(capsys, "analyze", "--json", "--db", str(db), str(f))
    assert code == 0, err
    assert _labels_of(out, "Hà Nội") == ["ORG"]
    code, out, err = run(capsys, "analyze", "--json", "--db", str(db), "--no-corrections", str(f))
    assert code == 0, err
    assert _labels_of(out, "Hà Nội") == ["LOC"]


def test_an_unreadable_database_is_one_warning_and_the_analysis_goes_on(capsys, tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Tin trong nước\nÔng Nguyễn Văn An làm việc ở Hà Nội.\n", encoding="utf-8")
    db = tmp_path / "db.json"
    db.write_text("{not json", encoding="utf-8")
    code, out, err = run(capsys, "analyze", "--json", "--db", str(db), str(f))
    assert code == 0
    assert _labels_of(out, "Hà Nội") == ["LOC"]
    assert err.count("\n") == 1 and "corrections not applied" in err
    assert db.read_text(encoding="utf-8") == "{not json"  # never touched


def test_jobs_2_gives_what_jobs_1_gives_and_fills_the_cache(capsys, tmp_path, monkeypatch):
    """Two worker processes (real ones: a fresh interpreter each, the real models) analyse the seeds; the
    output is the same, in file order, and their results are in the cache for the next run."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("DOCBAO_CACHE_DIR", str(cache))
    code, parallel, err = run(capsys, "analyze", "--json", "--jobs", "2", "seeds")
    assert code == 0, err
    assert len(list(cache.rglob("*.json"))) == 4
    code, alone, err = run(capsys, "analyze", "--json", "--jobs", "1", "--no-cache", "seeds")
    assert code == 0, err
    assert parallel == alone
    assert [json.loads(line)["path"] for line in alone.splitlines()] == sorted(
        json.loads(line)["path"] for line in alone.splitlines())


def test_jobs_2_without_a_cache_leaves_no_cache_behind(capsys, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("DOCBAO_CACHE_DIR", str(cache))
    code, out, err = run(capsys, "analyze", "--json", "--jobs", "2", "--no-cache", "seeds")
    assert code == 0, err
    assert len(out.splitlines()) == 4 and not cache.exists()


def test_an_article_a_worker_cannot_analyse_is_one_line_and_the_others_are_printed(capsys, tmp_path, monkeypatch):
    from docbao.analysis import batch

    class Refused:
        def run(self, todo, on_progress=None):
            return batch.BatchResult(total=len(todo), failed={todo[0].id: "MemoryError: out of memory"})

    monkeypatch.setattr(batch, "BatchRunner", lambda *a, **k: Refused())
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"Tin {name}\n\nÔng Nguyễn Văn {name.upper()} nói.", encoding="utf-8")
    code, out, err = run(capsys, "analyze", "--json", "--jobs", "2", "--no-cache", str(tmp_path))
    assert code == 1
    assert [json.loads(line)["title"] for line in out.splitlines()] == ["Tin b"]
    assert err.strip() == f"docbao: {tmp_path / 'a.txt'}: could not be analysed (MemoryError: out of memory)"


def test_jobs_must_be_a_whole_number(capsys):
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--jobs", "0", "seeds"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.strip() == "docbao analyze: argument -j/--jobs: 1 or more, not 0 (see `docbao analyze --help`)"
