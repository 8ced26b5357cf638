"""`docbao export / import / annotate / tags`: exit codes, stdout, one-line errors, help that teaches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docbao.store.annotations import AnnotationStore
from docbao.store.articles import default_paths, load_file
from docbao.tui.cli import main
from tests.conftest import run

ARTICLE = "Hà Nội mùa thu\n\nThủ tướng Phạm Minh Chính gặp Tổng thống Mỹ tại Hà Nội. Ông nói: “Hợp tác là chìa khoá”.\n"


@pytest.fixture
def article_file(tmp_path: Path) -> Path:
    p = tmp_path / "news" / "ha-noi.txt"
    p.parent.mkdir()
    p.write_text(ARTICLE, encoding="utf-8")
    return p


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "db.json")


def test_annotate_prints_id_and_tags_lists(capsys, article_file, db) -> None:
    code, out, err = run(capsys, "annotate", str(article_file), "--tag", "Hà Nội", "--tag", "hà nội ",
                         "--note", "thủ đô", "--db", db)
    assert code == 0 and err == ""
    ann_id = out.strip()
    store = AnnotationStore.open(db)
    ann = store.get(ann_id)
    assert ann.tags == ("Hà Nội",) and ann.note == "thủ đô" and ann.target is None
    code, out, _ = run(capsys, "annotate", str(article_file), "--start", "0", "--end", "6", "-t", "tựa",
                       "--db", db)
    assert code == 0 and store.get(out.strip()).target.exact == "Hà Nội"
    code, out, _ = run(capsys, "annotate", str(article_file), "--quote", "Phạm Minh Chính", "-t", "Hà Nội",
                       "--db", db)
    span = store.get(out.strip()).target
    assert ARTICLE[span.start:span.end] == "Phạm Minh Chính"
    code, out, _ = run(capsys, "tags", "--db", db)
    assert code == 0 and out.splitlines() == ["2  Hà Nội", "1  tựa"]


def test_annotate_by_id_in_library(capsys, article_file, db) -> None:
    art = load_file(article_file)[0]
    code, out, _ = run(capsys, "annotate", art.id, "--library", str(article_file.parent), "--db", db)
    assert code == 0 and AnnotationStore.open(db).get(out.strip()).article.id == art.id
    seed = load_file(next(p for p in sorted(default_paths()[0].glob("*.txt"))))[0]
    code, out, _ = run(capsys, "annotate", seed.id, "--db", db)  # default library: the bundled samples
    assert code == 0


@pytest.mark.parametrize("args", [
    ["annotate", "no-such-id"],
    ["annotate", "{file}", "--start", "3"],
    ["annotate", "{file}", "--start", "5", "--end", "2"],
    ["annotate", "{file}", "--start", "0", "--end", "99999"],
    ["annotate", "{file}", "--quote", "không có"],
    ["annotate", "{file}", "--quote", "Hà", "--start", "0", "--end", "2"],
    ["import", "{missing}"],
    ["export", "--format", "json", "--article", "nope"],
])
def test_errors_are_one_line_no_traceback(capsys, article_file, db, tmp_path, args) -> None:
    argv = [a.format(file=article_file, missing=tmp_path / "missing.json") for a in args]
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 1 and out == ""
    assert err.startswith("docbao: ") and err.count("\n") == 1 and "Traceback" not in err


def test_bad_database_is_reported_and_left_alone(capsys, tmp_path) -> None:
    db = tmp_path / "db.json"
    db.write_bytes(b'{"broken": ')
    code, _, err = run(capsys, "tags", "--db", str(db))
    assert code == 1 and str(db) in err and "untouched" in err and err.count("\n") == 1
    assert db.read_bytes() == b'{"broken": '


def test_export_formats_and_output_file(capsys, article_file, db, tmp_path) -> None:
    run(capsys, "annotate", str(article_file), "--quote", "Hà Nội", "-t", "nơi", "--note", "ghi chú", "--db", db)
    code, out, _ = run(capsys, "export", "--db", db)
    assert code == 0 and json.loads(out)["format"] == "docbao-annotations"
    code, out, _ = run(capsys, "export", "-f", "w3c", "--db", db)
    assert json.loads(out)["first"]["items"][0]["type"] == "Annotation"
    code, out, _ = run(capsys, "export", "-f", "md", str(article_file.parent), "--db", db)
    assert code == 0 and "> Hà Nội" in out and "ghi chú" in out
    target = tmp_path / "out" / "x.json"
    target.parent.mkdir()
    code, out, err = run(capsys, "export", "-o", str(target), "--db", db)
    assert code == 0 and out == "" and str(target) in err
    assert json.loads(target.read_text(encoding="utf-8"))["articles"][0]["annotations"][0]["note"] == "ghi chú"


def test_export_jsonl_uses_the_analyzer(capsys, article_file, db, monkeypatch) -> None:
    import docbao.store.export as export_mod
    from docbao.analysis.spans import Analysis, Span

    def fake(text, lexicon=None, article_id=None):
        i = text.index("Hà Nội")
        return Analysis(entities=(Span(i, i + 6, "LOC", "Hà Nội"),))

    monkeypatch.setattr(export_mod, "_default_analyze", lambda: fake)
    code, out, _ = run(capsys, "export", "-f", "jsonl", str(article_file), "--db", db)
    assert code == 0
    [line] = out.splitlines()
    assert json.loads(line)["spans"] == [{"start": 0, "end": 6, "label": "LOC"}]


def test_import_reports_and_is_idempotent(capsys, article_file, db, tmp_path) -> None:
    run(capsys, "annotate", str(article_file), "-t", "a", "--db", db)
    run(capsys, "annotate", str(article_file), "--quote", "Tổng thống Mỹ", "--db", db)
    exported = tmp_path / "backup.json"
    run(capsys, "export", "-o", str(exported), "--db", db)
    other = str(tmp_path / "other.json")
    lib = str(article_file.parent)
    code, out, _ = run(capsys, "import", str(exported), "--library", lib, "--db", other)
    assert code == 0 and "2 added, 0 updated, 0 unchanged, 0 orphaned" in out
    before = Path(other).read_bytes()
    code, out, _ = run(capsys, "import", str(exported), "--library", lib, "--db", other)
    assert code == 0 and "0 added, 0 updated, 2 unchanged, 0 orphaned" in out
    assert Path(other).read_bytes() == before  # nothing changed: not even rewritten
    # the article changed since: the span no longer found is reported orphaned (and kept)
    article_file.write_text(ARTICLE.replace("Tổng thống Mỹ", "ông Biden"), encoding="utf-8")
    code, out, _ = run(capsys, "import", str(exported), "--library", lib, "--db", str(tmp_path / "third.json"))
    assert "2 added, 0 updated, 0 unchanged, 1 orphaned" in out


def test_import_invalid_file_writes_nothing(capsys, db, tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "docbao-annotations", "version": 1, "articles": [{"id": 5}]}')
    code, _, err = run(capsys, "import", str(bad), "--db", db)
    assert code == 1 and "nothing was imported" in err and str(bad) in err
    assert not Path(db).exists()


def test_tags_empty(capsys, db) -> None:
    code, out, err = run(capsys, "tags", "--db", db)
    assert code == 0 and out == "" and f"no database at {db} yet, so no tags" in err  # a mistyped --db shows
    assert not Path(db).exists()  # reading never creates the database


def test_tags_of_a_database_without_any(capsys, db, article_file) -> None:
    assert run(capsys, "annotate", str(article_file), "--note", "chỉ ghi chú", "--db", db)[0] == 0
    code, out, err = run(capsys, "tags", "--db", db)
    assert code == 0 and out == "" and "docbao: no tags yet (" in err


@pytest.mark.parametrize("cmd", ["export", "import", "annotate", "tags"])
def test_help_teaches_with_examples(capsys, cmd) -> None:
    with pytest.raises(SystemExit) as info:
        main([cmd, "--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and "example" in out and f"docbao {cmd}" in out and "--db" in out


def test_import_from_stdin_and_export_to_stdout_dash(capsys, monkeypatch, article_file, db, tmp_path) -> None:
    import io

    run(capsys, "annotate", str(article_file), "-t", "x", "--db", db)
    code, out, _ = run(capsys, "export", "-o", "-", "--db", db)
    assert code == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(out))
    code, out, _ = run(capsys, "import", "-", "--db", str(tmp_path / "copy.json"))
    assert code == 0 and "imported standard input: 1 added" in out
