"""The Analyzer: disk cache, corrections as a lexicon, progressive analysis."""

from docbao.analysis.lexicon import Lexicon, LexiconEntry
from docbao.analysis.pipeline import Analyzer

TEXT = "Ông Nguyễn Văn An làm việc ở Hà Nội. Công ty Sao Mai có trụ sở tại Đà Nẵng.\nBà Lan nói: “Tốt lắm”."
OTHER = "Tin thể thao.\nĐội tuyển Việt Nam thắng Thái Lan ở Mỹ Đình."


def labels(result, surface):
    return [e.label for e in result.entities if e.text == surface]


def test_cached_is_none_until_analysed_then_equal(tmp_path):
    an = Analyzer(tmp_path)
    assert an.cached(TEXT) is None
    first = an.analyze(TEXT)
    assert an.cached(TEXT) == first


def test_a_correction_changes_the_result_and_the_cache_key(tmp_path):
    an = Analyzer(tmp_path)
    before = an.analyze(TEXT)
    assert labels(before, "Hà Nội") == ["LOC"]
    lex = Lexicon((LexiconEntry("Hà Nội", "ORG"), LexiconEntry("Công ty Sao Mai", None)))
    assert an.cached(TEXT, lex) is None  # a new key: the old analysis is not served
    after = an.analyze(TEXT, lex)
    assert labels(after, "Hà Nội") == ["ORG"]
    assert labels(after, "Công ty Sao Mai") == []
    assert an.cached(TEXT) == before  # the uncorrected analysis is still there


def test_a_correction_only_invalidates_articles_that_contain_it(tmp_path):
    an = Analyzer(tmp_path)
    other = an.analyze(OTHER)
    lex = Lexicon((LexiconEntry("Hà Nội", "ORG"),))
    assert an.cached(OTHER, lex) == other


def test_article_scoped_correction_applies_only_to_that_article(tmp_path):
    an = Analyzer(tmp_path)
    lex = Lexicon((LexiconEntry("Hà Nội", "MISC", scope="a1"),))
    assert labels(an.analyze(TEXT, lex, article_id="a1"), "Hà Nội") == ["MISC"]
    assert labels(an.analyze(TEXT, lex, article_id="a2"), "Hà Nội") == ["LOC"]


def test_mark_as_entity_adds_a_span_the_rules_missed(tmp_path):
    an = Analyzer(tmp_path)
    assert labels(an.analyze(TEXT), "Sao Mai") == []
    lex = Lexicon((LexiconEntry("Sao Mai", "MISC"),))
    # inside the longer organisation "Công ty Sao Mai", which stays whole
    assert labels(an.analyze(TEXT, lex), "Công ty Sao Mai") == ["ORG"]
    lex2 = Lexicon((LexiconEntry("Tốt lắm", "MISC"),))
    assert labels(an.analyze(TEXT, lex2), "Tốt lắm") == ["MISC"]


def test_progressive_yields_the_visible_part_first_then_the_whole(tmp_path):
    an = Analyzer(tmp_path)
    long_text = "\n".join([TEXT] * 30)
    steps = list(an.analyze_progressive(long_text, first=(0, 100)))
    middle = next(iter(Analyzer(None).analyze_progressive(long_text, first=(2000, 2050))))
    middle.check(long_text)
    assert middle.entities and all(1800 < e.start < 2300 for e in middle.entities)
    assert len(steps) == 2
    partial, full = steps
    assert partial.meta.get("partial") and not full.meta.get("partial")
    assert partial.entities and all(e.start < 200 for e in partial.entities)  # the first paragraphs only
    partial.check(long_text)
    assert len(full.entities) > len(partial.entities)
    # once cached, one step only
    assert list(an.analyze_progressive(long_text, first=(0, 100))) == [full]


def test_corrupt_cache_entry_is_rebuilt(tmp_path):
    an = Analyzer(tmp_path)
    good = an.analyze(TEXT)
    for f in (tmp_path / "analysis").rglob("*.json"):
        f.write_text('{"version": "1.0", "entities": [{"start": 0, "end": 5, "label": "PER", "text": "WRONG"}], '
                     '"quotes": []}', encoding="utf-8")
    assert an.cached(TEXT) is None  # offsets that do not match the text are refused
    assert an.analyze(TEXT) == good


def test_unwritable_cache_folder_still_analyses(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    an = Analyzer(blocker)  # the cache "folder" is a file: writes fail
    assert an.analyze(TEXT).entities
