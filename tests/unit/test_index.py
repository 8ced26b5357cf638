"""The knowledge index (docbao.store.index): grouping, quotes and their queries, tags, co-occurrence, the file
in the cache folder, incremental updates, and a query on 10,000 articles within 50 ms."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import pytest

from docbao.analysis.lexicon import Lexicon, LexiconEntry
from docbao.analysis.spans import Analysis, Quote, Span, Speaker
from docbao.analysis.text import text_sha256
from docbao.store.annotations import AnnotationStore
from docbao.store.articles import Article, from_text
from docbao.store.index import (
    KnowledgeIndex,
    QuoteTags,
    analysis_key,
    citation,
    quotes_csv,
    quotes_markdown,
)
from tests.unit.test_batch import RuleAnalyzer, rule_analysis

PUTIN = (
    "Putin gặp Lukashenko\n"
    "Tổng thống Vladimir Putin gặp ông Alexander Lukashenko tại Minsk.\n"
    "Tổng thống Putin nói: “Liên bang Nga sẽ bảo vệ Belarus”.\n"
    "Lukashenko đáp: “Minsk sẵn sàng đón tên lửa Oreshnik”.\n"
)
KREMLIN = (
    "Điện Kremlin lên tiếng\n"
    "Điện Kremlin cho biết Putin sẽ tới Minsk. Nga và Belarus ký hiệp ước.\n"
    "Putin nói thêm: “Phương Tây đang leo thang căng thẳng”.\n"
)
AN_1 = "Ông An ở Hà Nội\nÔng Nguyễn Văn An sống ở Hà Nội. An nói: “Trời mưa to quá”.\n"
AN_2 = "Ông Trần Văn An\nÔng Trần Văn An ở Hà Nam.\n"
AN_3 = "Chuyện ông An\nAn kể: “Tôi đi làm từ sáng sớm”. Nước ngập ở Việt Nam.\n"


def article(text: str, name: str, date: str | None = None, source: str = "") -> Article:
    a = from_text(text, name=name, path=f"news/{name}", source=source or f"https://example.vn/{name}")
    if date:
        a.meta["date"] = date
    return a


@pytest.fixture
def lib() -> list[Article]:
    return [article(PUTIN, "putin.txt", "2024-12-06"), article(KREMLIN, "kremlin.txt", "2024-12-07"),
            article(AN_1, "an1.txt"), article(AN_2, "an2.txt"), article(AN_3, "an3.txt")]


def analysed(cache: Path, articles: list[Article], lexicon: Lexicon | None = None) -> RuleAnalyzer:
    an = RuleAnalyzer(cache)
    an.warm()
    for a in articles:
        an.analyze(a.text, lexicon, a.id)
    return an


@pytest.fixture
def index(tmp_path: Path, lib: list[Article]) -> KnowledgeIndex:
    an = analysed(tmp_path, lib)
    ix = KnowledgeIndex.open(tmp_path)
    report = ix.refresh(lib, an)
    assert report.extracted == len(lib) and not report.missing
    return ix


def group_named(ix: KnowledgeIndex, label: str, name: str):
    (g,) = [g for g in ix.groups(label) if g.name == name]
    return g


# -- groups ----------------------------------------------------------------------------------------------

def test_titles_are_stripped_and_a_short_name_joins_the_longer_one(index: KnowledgeIndex) -> None:
    putin = group_named(index, "PER", "Vladimir Putin")
    assert {"Putin", "Vladimir Putin", "Tổng thống Putin", "Tổng thống Vladimir Putin"} <= set(putin.aliases)
    assert putin.articles == 2 and putin.mentions == 5  # 3 + 2, the title lines included
    assert not [g for g in index.groups("PER") if g.name == "Putin"]
    luka = group_named(index, "PER", "Alexander Lukashenko")
    assert luka.mentions == 3 and luka.articles == 1
    # places join the same way: Nga is the Liên bang Nga of the library
    russia = group_named(index, "LOC", "Liên bang Nga")
    assert set(russia.aliases) == {"Liên bang Nga", "Nga"} and russia.articles == 2


def test_an_ambiguous_short_name_joins_only_the_longer_name_in_its_own_article(index: KnowledgeIndex) -> None:
    names = {g.name: g for g in index.groups("PER")}
    # "An" in the article that names Nguyễn Văn An is him; in the article that names no An in full it stays
    # apart, because the library has two (Nguyễn Văn An and Trần Văn An)
    assert names["Nguyễn Văn An"].mentions == 3  # the title line's "An" too
    assert names["Trần Văn An"].mentions == 2
    assert names["An"].mentions == 2 and names["An"].articles == 1
    # "Nam" is the end of both Hà Nam and Việt Nam: not joined to either (and not here at all: no bare Nam)
    assert {g.name for g in index.groups("LOC")} >= {"Hà Nam", "Việt Nam", "Hà Nội"}


def test_groups_by_label_most_mentioned_first_and_by_name(index: KnowledgeIndex) -> None:
    per = index.groups("PER")
    assert [g.mentions for g in per] == sorted((g.mentions for g in per), reverse=True)
    assert all(g.label == "PER" for g in per)
    assert [g.name for g in index.groups("ORG")] == ["Điện Kremlin"]
    assert [g.name for g in index.groups("MISC")] == ["Oreshnik"]
    assert [g.name for g in index.groups(name="ha noi")] == ["Hà Nội"]
    assert [g.name for g in index.groups("PER", name="PUTÍN")] == ["Vladimir Putin"]
    assert index.groups("PER", name="utin") == []  # a word start, not any substring
    assert len(index.groups(limit=2)) == 2


def test_articles_of_a_group_with_the_first_mention(index: KnowledgeIndex, lib: list[Article]) -> None:
    putin = group_named(index, "PER", "Vladimir Putin")
    arts = index.articles_of(putin.id)
    by_id = {a.id: a for a in lib}
    assert {ga.article.id for ga in arts} == {lib[0].id, lib[1].id}
    for ga in arts:
        text = by_id[ga.article.id].text
        assert ga.start == text.find("Putin") and text[ga.start:ga.end] == ga.surface == "Putin"
        assert ga.article.path.startswith("news/")
    assert arts[0].count >= arts[1].count


def test_cooccurring_groups(index: KnowledgeIndex) -> None:
    putin = group_named(index, "PER", "Vladimir Putin")
    co = dict((g.name, n) for g, n in index.cooccurring(putin.id, limit=None))
    assert co["Minsk"] == 2 and co["Liên bang Nga"] == 2 and co["Belarus"] == 2
    assert co["Điện Kremlin"] == 1 and co["Alexander Lukashenko"] == 1
    assert "Vladimir Putin" not in co and "Hà Nội" not in co
    assert [g.label for g, _ in index.cooccurring(putin.id, label="LOC")] == ["LOC"] * 3
    assert index.cooccurring("PER:nobody") == []


# -- quotes ----------------------------------------------------------------------------------------------

def test_quotes_by_speaker_any_alias_accents_and_case_optional(index: KnowledgeIndex, lib) -> None:
    hits = index.quotes(speaker="putin")
    assert [h.text for h in hits] == ["Phương Tây đang leo thang căng thẳng", "Liên bang Nga sẽ bảo vệ Belarus"]
    assert {h.speaker for h in hits} == {"Vladimir Putin"}
    for q in ("PUTÍN", "vladimir", "Vladimir Putin", "tong thong putin"):
        assert index.quotes(speaker=q) == hits, q
    assert index.quotes(speaker="utin") == []
    assert [h.text for h in index.quotes(speaker="lukashenko")] == ["Minsk sẵn sàng đón tên lửa Oreshnik"]
    by_id = {a.id: a for a in lib}
    for h in index.quotes(kinds=None):
        text = by_id[h.article.id].text
        assert text[h.start:h.end] == h.text
        if h.speaker_text is not None:
            assert text[h.speaker_start:h.speaker_end] == h.speaker_text


def test_quotes_newest_first_and_speaker_of_an_unnamed_an(index: KnowledgeIndex) -> None:
    hits = index.quotes()
    assert [h.article.date for h in hits][:3] == ["2024-12-07", "2024-12-06", "2024-12-06"]
    assert all(h.article.date is None for h in hits[3:])
    an = {h.text: h for h in index.quotes(speaker="an")}
    assert an["Trời mưa to quá"].speaker == "Nguyễn Văn An"
    assert an["Tôi đi làm từ sáng sớm"].speaker == "An"  # two Văn An in the library: not guessed


def test_quotes_by_text_and_kind_and_article(index: KnowledgeIndex, lib) -> None:
    assert [h.text for h in index.quotes(text="LEO THANG")] == ["Phương Tây đang leo thang căng thẳng"]
    assert [h.text for h in index.quotes(text="troi mua")] == ["Trời mưa to quá"]
    assert index.quotes(text="trời  mưa to") == index.quotes(text="troi mua to")
    assert index.quotes(kinds=("indirect",)) == []
    assert len(index.quotes(article_id=lib[0].id)) == 2
    assert len(index.quotes(limit=1)) == 1


def test_quotes_by_tag_from_the_annotation_store(index: KnowledgeIndex, lib) -> None:
    store = AnnotationStore.in_memory()
    putin = lib[0]
    q = index.quotes(speaker="putin", article_id=putin.id)[0]
    store.add(putin, q.start, q.end, tags=["Nga – phương Tây"])  # a span tag: this quote only
    store.add(lib[2], tags=["Thời tiết"])  # a whole-article tag: all its quotes
    tags = QuoteTags.from_annotations(store.all())
    assert [h.text for h in index.quotes(tag="nga – phuong tay", tags=tags)] == [q.text]
    assert [h.text for h in index.quotes(tag="THỜI TIẾT", tags=tags)] == ["Trời mưa to quá"]
    assert index.quotes(tag="khác", tags=tags) == []
    assert index.quotes(tag="thời tiết") == []  # no tags given: nothing is tagged
    # the store's per-article tags work too (every quote of a tagged article)
    by_article = index.quotes(tag="Nga – phương Tây", tags=store.tags_by_article())
    assert {h.article.id for h in by_article} == {putin.id} and len(by_article) == 2
    store.close()


def test_citation_json_markdown_and_csv(index: KnowledgeIndex, lib) -> None:
    h = index.quotes(speaker="lukashenko")[0]
    assert h.citation() == (f"“Minsk sẵn sàng đón tên lửa Oreshnik” — Alexander Lukashenko, {lib[0].title} "
                            f"(https://example.vn/putin.txt)")
    assert citation(" x ", None, "T", "") == "“x” — T"
    rec = h.to_json()
    assert {"id", "title", "path", "start", "end", "text", "kind", "speaker"} <= set(rec)
    assert rec["speaker"] == {"text": h.speaker_text, "start": h.speaker_start, "end": h.speaker_end}
    assert rec["path"] == "news/putin.txt" and rec["date"] == "2024-12-06"
    md = quotes_markdown(index.quotes())
    assert md.startswith("# Quote book\n")
    assert "## Vladimir Putin" in md and "- “Phương Tây đang leo thang căng thẳng” — Vladimir Putin" in md
    assert "· 2024-12-07" in md
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(quotes_csv(index.quotes()))))
    assert len(rows) == len(index.quotes())
    assert rows[0]["speaker"] == "Vladimir Putin" and rows[0]["date"] == "2024-12-07"
    assert rows[0]["citation"].startswith("“Phương Tây")
    assert {"speaker", "quote", "article", "source", "date", "citation"} <= set(rows[0])


def test_a_file_is_cited_by_its_name_never_by_where_it_sits_on_disk(tmp_path: Path) -> None:
    where = str(tmp_path / "tin" / "putin.txt")
    a = from_text(PUTIN, name="putin.txt", path=where, source=where)
    ix = KnowledgeIndex.open(tmp_path)
    ix.refresh([a], analysed(tmp_path, [a]))
    hits = ix.quotes()
    assert hits and all(h.citation().endswith("(putin.txt)") for h in hits)
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(quotes_csv(hits))))
    assert {r["source"] for r in rows} == {"putin.txt"} and {r["path"] for r in rows} == {where}
    assert str(tmp_path) not in quotes_markdown(hits)
    assert citation("x", "A", "T", "https://example.vn/a") == "“x” — A, T (https://example.vn/a)"


def test_markup_and_odd_text_stay_text(tmp_path: Path) -> None:
    a = article("[b]Tin[/b]\nPutin nói: “[red]không[/red] | *đâu* #1”.\n", "odd.txt")
    an = analysed(tmp_path, [a])
    ix = KnowledgeIndex.open(tmp_path)
    ix.refresh([a], an)
    (h,) = ix.quotes()
    assert h.text == "[red]không[/red] | *đâu* #1"
    md = quotes_markdown([h])
    assert "\\[red\\]không\\[/red\\] \\| \\*đâu\\* \\#1" in md


# -- the file in the cache, and keeping it current --------------------------------------------------------

def test_saved_in_the_cache_folder_and_reused_after_a_restart(tmp_path: Path, index, lib) -> None:
    assert index.save()
    assert index.path is not None and index.path.is_relative_to(tmp_path)
    again = KnowledgeIndex.open(tmp_path)
    report = again.refresh(lib, RuleAnalyzer(tmp_path))
    assert (report.reused, report.extracted) == (len(lib), 0)
    assert again.quotes(speaker="putin") == index.quotes(speaker="putin")
    assert again.groups("PER") == index.groups("PER")


def test_a_damaged_or_older_file_is_rebuilt(tmp_path: Path, index, lib) -> None:
    index.save()
    assert index.path is not None
    index.path.write_text("{not json", encoding="utf-8")
    ix = KnowledgeIndex.open(tmp_path)
    assert ix.refresh(lib, RuleAnalyzer(tmp_path)).extracted == len(lib)
    index.path.write_text(json.dumps({"format": 0, "records": [{"id": "x"}]}), encoding="utf-8")
    assert KnowledgeIndex.open(tmp_path).refresh(lib, RuleAnalyzer(tmp_path)).extracted == len(lib)


def test_one_changed_article_is_re_read_alone(tmp_path: Path, index, lib) -> None:
    changed = article(AN_3.replace("Tôi đi làm", "Tôi đi chợ"), "an3.txt")
    assert changed.id == lib[4].id and changed.sha256 != lib[4].sha256
    new_lib = [*lib[:4], changed]
    an = RuleAnalyzer(tmp_path)
    report = index.refresh(new_lib, an)
    assert report.missing == (changed.id,) and report.reused == 4  # not analysed yet: left out meanwhile
    assert index.quotes(text="tôi đi") == []
    analysed(tmp_path, [changed])
    report = index.refresh(new_lib, an)
    assert (report.extracted, report.reused) == (1, 4)
    assert [h.text for h in index.quotes(text="tôi đi")] == ["Tôi đi chợ từ sáng sớm"]
    # or straight from a fresh analysis (the reader just made it)
    again = article(AN_3.replace("Tôi đi làm", "Tôi đi học"), "an3.txt")
    an.warm()
    fresh = an.analyze(again.text, None, again.id)
    index.update(again, fresh, analysis_key(an, again.text, None, again.id))
    assert [h.text for h in index.quotes(text="tôi đi")] == ["Tôi đi học từ sáng sớm"]


def test_a_correction_re_reads_only_the_articles_it_applies_to(tmp_path: Path, index, lib) -> None:
    lex = Lexicon((LexiconEntry("Lukashenko", None),))  # "not an entity", everywhere
    an = RuleAnalyzer(tmp_path)
    report = index.refresh(lib, an, lex)
    assert report.missing == (lib[0].id,) and report.reused == 4  # only the article that says Lukashenko
    analysed(tmp_path, [lib[0]], lex)
    report = index.refresh(lib, an, lex)
    assert (report.extracted, report.reused) == (1, 4)
    assert "Alexander Lukashenko" in {g.name for g in index.groups("PER")}  # "Alexander Lukashenko" still is
    assert index.group("PER:alexander lukashenko").mentions == 1  # type: ignore[union-attr]
    # and an article-scoped correction touches that article alone (lib[0] is back to its first analysis)
    lex2 = Lexicon((LexiconEntry("Hà Nội", "ORG", lib[2].id),))
    report = index.refresh(lib, an, lex2)
    assert report.missing == (lib[2].id,) and (report.extracted, report.reused) == (1, 3)


def test_articles_leave_and_come_back(tmp_path: Path, index, lib) -> None:
    an = RuleAnalyzer(tmp_path)
    report = index.refresh(lib[:2], an)
    assert report.removed == 3 and len(index) == 2 and index.quotes(speaker="an") == []
    assert index.refresh(lib, an).reused == 5  # the records were kept aside
    index.remove(lib[0].id)
    assert lib[0].id not in index and len(index.quotes(speaker="putin")) == 1


def test_renamed_article_keeps_its_record_with_the_new_title(tmp_path: Path, index, lib) -> None:
    moved = Article(lib[0].id, "Tiêu đề mới", lib[0].text, path="elsewhere/putin.txt", source="s")
    report = index.refresh([moved, *lib[1:]], RuleAnalyzer(tmp_path))
    assert report.reused == 5
    assert {h.article.title for h in index.quotes(speaker="putin")} == {"Tiêu đề mới", lib[1].title}


def test_an_empty_index_answers_empty() -> None:
    ix = KnowledgeIndex()
    assert ix.quotes() == [] and ix.groups() == [] and ix.articles_of("PER:x") == [] and len(ix) == 0
    assert ix.save()  # in memory: nothing to write


# -- incremental updates give what a fresh build gives ----------------------------------------------------

class RuleMemory:
    """rule_analysis on the fly, no disk."""

    def key(self, text: str, lexicon, article_id) -> str:
        return text_sha256(text)

    def cached(self, text: str, lexicon=None, article_id=None) -> Analysis:
        return rule_analysis(text, lexicon, article_id)


SENTENCES = [
    "Putin nói: “Nga sẽ đáp trả”.", "Tổng thống Vladimir Putin tới Minsk.", "Ông An nói: “Tôi đồng ý”.",
    "Ông Nguyễn Văn An ở Hà Nội.", "Ông Trần Văn An ở Hà Nam.", "Lukashenko đáp: “Belarus sẵn sàng”.",
    "Alexander Lukashenko gặp Putin.", "Liên bang Nga và Belarus ký hiệp ước.", "Bà Lê Thị Hoa ở Việt Nam.",
    "Hoa kể: “Nước lên nhanh”.", "Điện Kremlin cho biết: “Không bình luận”.", "Tên lửa Oreshnik ở Minsk.",
]


def snapshot(ix: KnowledgeIndex) -> dict:
    groups = ix.groups()
    return {
        "groups": sorted((g.id, g.name, g.aliases, g.mentions, g.articles) for g in groups),
        "by_label": {lab: [g.id for g in ix.groups(lab)] for lab in ("PER", "LOC", "ORG", "MISC")},
        "quotes": ix.quotes(kinds=None),
        "articles_of": {g.id: ix.articles_of(g.id) for g in groups},
        "cooccurring": {g.id: ix.cooccurring(g.id, limit=None) for g in groups},
        "article_groups": {a: sorted(ix.article_groups(a)) for a in sorted(ix._view.records)},
        "speakers": {q: ix.quotes(speaker=q, kinds=None) for q in ("putin", "an", "van an", "hoa", "luka", "nga")},
        "names": {q: [g.id for g in ix.groups(name=q)] for q in ("putin", "an", "nga")},
        "texts": {q: ix.quotes(text=q, kinds=None) for q in ("nga", "toi dong", "n")},
        "speaker and text": ix.quotes(speaker="an", text="toi"),
    }


@pytest.mark.parametrize("seed", [5, 6, 7])
def test_incremental_updates_match_a_fresh_build(seed: int) -> None:
    import random

    rnd = random.Random(seed)
    an = RuleMemory()
    ix = KnowledgeIndex()
    ix.full_share = 10.0  # always the incremental path (but for the first article)
    current: dict[str, Article] = {}
    for step in range(120):
        op = rnd.random()
        if op < 0.45 or len(current) < 3:  # a new article
            name = f"a{step}.txt"
            text = f"Tin {step}\n" + " ".join(rnd.sample(SENTENCES, rnd.randint(1, 4))) + "\n"
            a = article(text, name, rnd.choice([None, "2024-01-0" + str(rnd.randint(1, 9))]))
            current[a.id] = a
            ix.update(a, an.cached(a.text), an.key(a.text, None, a.id))
        elif op < 0.75:  # an article changes
            aid = rnd.choice(sorted(current))
            old = current[aid]
            text = old.text + " ".join(rnd.sample(SENTENCES, 2)) + "\n"
            a = Article(aid, old.title, text, old.path, old.source, meta=dict(old.meta))
            current[aid] = a
            ix.refresh(list(current.values()), an)
        else:  # one goes
            aid = rnd.choice(sorted(current))
            del current[aid]
            if rnd.random() < 0.5:
                ix.remove(aid)
            else:
                ix.refresh(list(current.values()), an)
        fresh = KnowledgeIndex()
        fresh.refresh(list(current.values()), an)
        assert snapshot(ix) == snapshot(fresh), f"step {step}"
    assert ix.derives["full"] == 1 and ix.derives["incremental"] >= 100


# -- 10,000 articles --------------------------------------------------------------------------------------

class MemoryAnalyzer:
    """Analyses already made, by text (no disk): for the size test."""

    def __init__(self, analyses: dict[str, Analysis]) -> None:
        self.analyses = analyses

    def key(self, text: str, lexicon, article_id) -> str:
        return str(hash(text))

    def cached(self, text: str, lexicon=None, article_id=None) -> Analysis | None:
        return self.analyses.get(text)


SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Quốc", "Thanh", "Hữu", "Ngọc", "Đức"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hải", "Hùng", "Khoa", "Lan", "Long", "Mai", "Nam", "Phong",
         "Quân", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy"]
PLACES = ["Hà Nội", "Đà Nẵng", "Huế", "Cần Thơ", "Hải Phòng", "Nha Trang", "Vinh", "Đà Lạt"]


def synthetic(n: int) -> tuple[list[Article], MemoryAnalyzer]:
    import random

    rnd = random.Random(7)
    people = [f"{s} {m} {g}" for s in SURNAMES for m in MIDDLE for g in GIVEN]
    arts, analyses = [], {}
    for i in range(n):
        who = rnd.sample(people, 4)
        where = rnd.sample(PLACES, 2)
        text = f"Tin số {i}\n"
        ents, quotes = [], []
        for j, p in enumerate(who):
            s = len(text) + 4
            text += f"Ông {p} ở {where[j % 2]}"
            ents.append(Span(s, s + len(p), "PER", p))
            ps = s + len(p) + 3
            ents.append(Span(ps, ps + len(where[j % 2]), "LOC", where[j % 2]))
            text += " nói: “"
            qs = len(text)
            qt = f"Câu nói thứ {j} của bài {i} về {rnd.choice(PLACES)}"
            text += qt + "”.\n"
            quotes.append(Quote(qs, qs + len(qt), qt, "direct", Speaker(p, s, s + len(p))))
        a = from_text(text, name=f"s{i}.txt", path=f"s/{i}.txt")
        analysis = Analysis(tuple(ents), tuple(quotes), "mem")
        analysis.check(a.text)
        arts.append(a)
        analyses[a.text] = analysis
    return arts, MemoryAnalyzer(analyses)


@pytest.mark.slow
def test_one_query_takes_at_most_50_ms_on_10000_articles() -> None:
    arts, an = synthetic(10_000)
    ix = KnowledgeIndex()
    ix.refresh(arts, an)
    assert len(ix) == 10_000 and len(ix.quotes()) == 40_000
    name = ix.quotes()[0].speaker
    assert name is not None
    queries = {
        "speaker": lambda: ix.quotes(speaker=name.split()[-1]),
        "speaker, full name": lambda: ix.quotes(speaker=name),
        "text": lambda: ix.quotes(text="cau noi thu 3 cua bai 99"),
        "people": lambda: ix.groups("PER"),
        "articles of": lambda: ix.articles_of(ix.groups("LOC")[0].id),
        "co-occurring": lambda: ix.cooccurring(ix.groups("LOC")[0].id),
    }
    for what, q in queries.items():
        q()
        times = []
        for _ in range(5):
            t = time.perf_counter()
            got = q()
            times.append(time.perf_counter() - t)
        assert got, what
        assert statistics.median(times) <= 0.050, f"{what}: {statistics.median(times) * 1000:.1f} ms"
