"""`docbao quotes` and `docbao entities`: the seed article with the real analyzer, then the commands' outputs,
filters, exports and errors with the small rule analyzer of test_batch (in this process: --jobs 1)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from docbao.analysis.text import fold
from docbao.store.annotations import AnnotationStore
from docbao.store.articles import load_file
from docbao.tui.cli import main
from tests.conftest import ROOT, SEED, run
from tests.unit.test_batch import RuleAnalyzer

SEEDS = ROOT / "seeds"


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# -- the real analyzer, on the bundled seeds --------------------------------------------------------------

def test_putins_direct_quotes_from_the_seed_article(capsys) -> None:
    # --jobs 2: the real analyzer in two worker processes (without it, so little text is analysed here)
    code, out, err = run(capsys, "quotes", "--json", "--speaker", "putin", "--jobs", "2", str(SEEDS) + "/")
    assert code == 0, err
    recs = lines(out)
    assert recs, "no quote of Putin found in the seeds"
    (seed,) = load_file(SEED)
    text = seed.text
    for r in recs:
        assert r["kind"] == "direct"
        assert r["id"] == seed.id and r["title"] == seed.title and Path(r["path"]).name == SEED.name
        assert text[r["start"]:r["end"]] == r["text"]
        sp = r["speaker"]
        assert sp is not None and text[sp["start"]:sp["end"]] == sp["text"]
        assert "putin" in fold(r["speaker_name"]) or "putin" in fold(sp["text"])
        assert r["citation"].startswith(f"“{r['text']}” — ")
    # Putin's long direct quote ("Các nước phương Tây đang cố tình leo thang căng thẳng - …")
    assert text.index("Các nước phương Tây đang cố tình") in {r["start"] for r in recs}
    # exactly the direct quotes `docbao analyze --json` attributes to Putin, with the same offsets and texts
    code, out, err = run(capsys, "analyze", "--json", str(SEED))
    assert code == 0, err
    (analysis,) = lines(out)
    expected = [q for q in analysis["quotes"]
                if q["kind"] == "direct" and q["speaker"] and "putin" in fold(q["speaker"]["text"])]
    got = [{k: r[k] for k in ("start", "end", "text", "kind", "speaker")} for r in recs]
    assert sorted(got, key=lambda q: q["start"]) == sorted(expected, key=lambda q: q["start"])


# -- the rule analyzer ------------------------------------------------------------------------------------

NEWS = {
    "putin.txt": "Putin gặp Lukashenko\nTổng thống Vladimir Putin gặp ông Alexander Lukashenko tại Minsk.\n"
                 "Tổng thống Putin nói: “Liên bang Nga sẽ bảo vệ Belarus”.\n"
                 "Lukashenko đáp: “Minsk sẵn sàng đón tên lửa Oreshnik”.\n",
    "kremlin.txt": "Điện Kremlin lên tiếng\nĐiện Kremlin cho biết Putin sẽ tới Minsk.\n"
                   "Putin nói thêm: “Phương Tây đang leo thang căng thẳng”.\n",
    "an.md": "# Ông An ở Hà Nội\n\nÔng Nguyễn Văn An sống ở Hà Nội. An nói: “Trời mưa to quá”.\n",
}


@pytest.fixture
def news(tmp_path: Path, monkeypatch) -> Path:
    import docbao.analysis.pipeline as pipeline

    monkeypatch.setattr(pipeline, "Analyzer", RuleAnalyzer)  # this process only: run the commands with -j 1
    folder = tmp_path / "news"
    folder.mkdir()
    for name, text in NEWS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_quotes_table_by_default(capsys, news: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run(capsys, "quotes", "-j", "1", str(news))
    assert code == 0, err
    assert "4 direct quotes" in out
    for words in ("Phương Tây đang leo thang", "Vladimir Putin", "Trời mưa to quá", "Nguyễn Văn An"):
        assert words in out


def test_quotes_json_lines_with_the_offsets_of_analyze(capsys, news: Path) -> None:
    code, out, err = run(capsys, "quotes", "--json", "-j", "1", "--speaker", "PUTÍN", str(news))
    assert code == 0, err
    recs = lines(out)
    # no dates: by article title, then by position
    assert [r["text"] for r in recs] == ["Phương Tây đang leo thang căng thẳng", "Liên bang Nga sẽ bảo vệ Belarus"]
    assert {r["speaker_name"] for r in recs} == {"Vladimir Putin"}
    for r in recs:
        text = (news / Path(r["path"]).name).read_text(encoding="utf-8")
        assert text[r["start"]:r["end"]] == r["text"]
        assert text[r["speaker"]["start"]:r["speaker"]["end"]] == r["speaker"]["text"]
        assert r["path"] == str(news / Path(r["path"]).name)
        code, out2, _ = run(capsys, "analyze", "--json", r["path"])
        (a,) = lines(out2)
        assert a["id"] == r["id"] and a["title"] == r["title"]
        assert {"start": r["start"], "end": r["end"], "text": r["text"], "kind": r["kind"],
                "speaker": r["speaker"]} in a["quotes"]
    # the text filter, accents optional; an alias with its title
    code, out, _ = run(capsys, "quotes", "--json", "-j", "1", "--text", "troi mua", str(news))
    assert [r["speaker_name"] for r in lines(out)] == ["Nguyễn Văn An"]
    code, out, _ = run(capsys, "quotes", "--json", "-j", "1", "--speaker", "tong thong putin", str(news))
    assert len(lines(out)) == 2


def test_a_second_run_uses_the_cache_and_the_index(capsys, news: Path, tmp_path: Path) -> None:
    run(capsys, "quotes", "--json", "-j", "1", str(news))
    from docbao.store.index import KnowledgeIndex
    from docbao.store.paths import cache_dir

    assert (cache_dir() / "index").is_dir()
    ix = KnowledgeIndex.open(cache_dir())
    from docbao.store.articles import Library

    report = ix.refresh(Library.load([news]).articles, RuleAnalyzer(cache_dir()))
    assert report.reused == 3 and not report.missing


def test_export_markdown_and_csv(capsys, news: Path, tmp_path: Path) -> None:
    md = tmp_path / "quotes.md"
    code, out, err = run(capsys, "quotes", "-j", "1", "--format", "md", "-o", str(md), str(news))
    assert code == 0 and out == "" and "wrote" in err
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# Quote book")
    assert "## Vladimir Putin" in text
    assert "- “Phương Tây đang leo thang căng thẳng” — Vladimir Putin, Điện Kremlin lên tiếng (" in text
    out_csv = tmp_path / "quotes.csv"
    code, _, err = run(capsys, "quotes", "-j", "1", "--format", "csv", "-o", str(out_csv), "--kind", "all",
                       str(news))
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out_csv.read_text(encoding="utf-8"))))
    assert len(rows) == 4
    assert set(rows[0]) >= {"speaker", "quote", "article", "source", "date", "citation"}
    r = next(r for r in rows if r["quote"] == "Trời mưa to quá")
    assert r["speaker"] == "Nguyễn Văn An" and r["article"] == "Ông An ở Hà Nội"
    # the file is cited by its name, never by where it sits on disk (the path has its own column)
    assert r["citation"] == "“Trời mưa to quá” — Nguyễn Văn An, Ông An ở Hà Nội (an.md)"
    assert r["source"] == "an.md" and r["path"].endswith("an.md")
    # to standard output without -o
    code, out, _ = run(capsys, "quotes", "-j", "1", "--format", "csv", "--speaker", "an", str(news))
    assert out.splitlines()[0].startswith("speaker,quote,article,source,date")


def test_quotes_by_tag_from_the_database(capsys, news: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    (art,) = load_file(news / "kremlin.txt")
    start = art.text.index("Phương Tây")
    with AnnotationStore.open(db) as store:
        store.add(art, start, start + 10, tags=["Kiểm chứng"])
    code, out, err = run(capsys, "quotes", "--json", "-j", "1", "--tag", "kiem chung", "--db", str(db), str(news))
    assert code == 0, err
    assert [r["text"] for r in lines(out)] == ["Phương Tây đang leo thang căng thẳng"]


def test_corrections_from_the_database_apply(capsys, news: Path, tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    code, out, _ = run(capsys, "entities", "--json", "-j", "1", "--label", "PER", "--db", str(db), str(news))
    assert "Alexander Lukashenko" in {r["name"] for r in lines(out)}
    with AnnotationStore.open(db) as store:
        store.add_correction("Alexander Lukashenko", None)
    code, out, err = run(capsys, "entities", "--json", "-j", "1", "--label", "PER", "--db", str(db), str(news))
    assert code == 0, err
    names = {r["name"]: r for r in lines(out)}
    assert "Alexander Lukashenko" not in names and names["Lukashenko"]["mentions"] == 2


def test_entities_json_one_group_per_line(capsys, news: Path) -> None:
    code, out, err = run(capsys, "entities", "--json", "-j", "1", str(news))
    assert code == 0, err
    recs = lines(out)
    assert [r["label"] for r in recs] == sorted((r["label"] for r in recs), key=["PER", "LOC", "ORG", "MISC"].index)
    putin = next(r for r in recs if r["name"] == "Vladimir Putin")
    assert putin["id"] == "PER:vladimir putin" and "Tổng thống Putin" in putin["aliases"]
    assert putin["mentions"] == 5 and len(putin["articles"]) == 2
    for a in putin["articles"]:
        text = Path(a["path"]).read_text(encoding="utf-8")
        assert text[a["start"]:a["end"]] == a["text"] and {"id", "title", "count"} <= set(a)
    assert {"Minsk", "Điện Kremlin"} <= {c["name"] for c in putin["cooccurring"]}
    code, out, _ = run(capsys, "entities", "--json", "-j", "1", "--label", "places", "--limit", "1", str(news))
    assert [r["label"] for r in lines(out)] == ["LOC"]
    code, out, _ = run(capsys, "entities", "--json", "-j", "1", "--name", "ha noi", str(news))
    assert [r["name"] for r in lines(out)] == ["Hà Nội"]


def test_entities_table(capsys, news: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run(capsys, "entities", "-j", "1", str(news))
    assert code == 0, err
    assert "People (PER)" in out and "Places (LOC)" in out and "Vladimir Putin" in out


def test_help_has_examples(capsys) -> None:
    for cmd in ("quotes", "entities"):
        with pytest.raises(SystemExit) as exc:
            main([cmd, "--help"])
        assert exc.value.code == 0
        out = capsys.readouterr().out
        assert "examples:" in out and f"docbao {cmd} " in out
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "docbao quotes" in out and "docbao entities" in out


@pytest.mark.parametrize("argv", [
    ["entities", "--label", "people-ish", "X"],
    ["quotes", "--jobs", "0", "X"],
    ["quotes", "--jobs", "many", "X"],
    ["quotes"],
    ["quotes", "--kind", "some", "X"],
    ["quotes", "--json", "--format", "md", "X"],
])
def test_bad_usage_is_one_line_and_status_2(capsys, argv, news: Path) -> None:
    argv = [str(news) if a == "X" else a for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("docbao")


def test_bad_paths_and_outputs(capsys, news: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, "quotes", "-j", "1", str(tmp_path / "nowhere"))
    assert code == 1 and out == "" and len(err.strip().splitlines()) == 1 and "no such file" in err
    code, out, err = run(capsys, "quotes", "-j", "1", "--format", "md", "-o", str(tmp_path), str(news))
    assert code == 2 and "is a folder" in err and len(err.strip().splitlines()) == 1
    # an unreadable file among good ones: the others are listed, the status says something went wrong
    (news / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    code, out, err = run(capsys, "quotes", "--json", "-j", "1", str(news))
    assert code == 1 and len(lines(out)) == 4 and "broken.txt" in err
