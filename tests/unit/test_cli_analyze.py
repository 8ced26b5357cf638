import json

from docbao.tui.cli import main

CONTRACT_KEYS = {"path", "id", "title", "text_sha256", "entities", "quotes"}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


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
