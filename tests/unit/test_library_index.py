"""The library's model without Textual: the filter language, sorting, the reader's neighbours, counts."""

from __future__ import annotations

import pytest

from docbao.store.articles import from_text
from docbao.store.citation import bare_quote, cite_source, cite_title, render
from docbao.tui.model.library import LibraryIndex, Row, count_cell, parse_query


def _rows() -> list[Row]:
    return [
        Row("a", "Hà Nội mở tuyến buýt", 120, tags=["giao thông"], read=True, opened="2026-11-30T08:00:00Z",
            date="2026-11-29", site="vnexpress.net", feed="VnExpress Thời sự", notes=2,
            people=frozenset({"nguyen van an"})),
        Row("b", "Bão số 9 vào miền Trung", 300, tags=["thời tiết", "tin nóng"], notes=0,
            date="2026-11-30", site="tuoitre.vn", people=frozenset({"tran thi binh"})),
        Row("c", "Chứng khoán tăng điểm", 80, tags=[], read=True, opened="2026-12-01T09:00:00Z", notes=5,
            date="2026-11-01", site="cafef.vn"),
        Row("d", "Áo dài ở Huế", 50, tags=["văn hoá"], people=frozenset({"an"})),
    ]


BODIES = ["Ông Nguyễn Văn An nói về giao thông Hà Nội.", "Bão mạnh, gió giật cấp 12.",
          "Chỉ số VN-Index tăng.", "Người Huế mặc áo dài.\nHà\nNội cũng vậy."]


@pytest.fixture
def index() -> LibraryIndex:
    idx = LibraryIndex(_rows())
    idx.set_bodies(BODIES)
    return idx


def _ids(idx: LibraryIndex, view: list[int]) -> list[str]:
    return [idx.rows[i].article_id for i in view]


def test_parse_query_reads_fields_and_quoted_values():
    q = parse_query('tag:"Tin nóng" who:An is:unread site:vnexpress HÀ  nội')
    assert (q.tags, q.who, q.site, q.read, q.text) == (("tin nong",), ("an",), ("vnexpress",), False, "ha noi")
    assert parse_query("is:read").read is True
    assert parse_query('tag:"tin nó').tags == ("tin no",)  # an open quote while typing: closed at the end
    assert parse_query("").empty and not parse_query("tag:x").empty
    assert parse_query("note: x").text == "note: x"  # an unknown field is text


def test_free_text_is_a_folded_phrase_over_titles_tags_and_bodies(index):
    assert _ids(index, index.filter("ha noi")) == ["d", "a"]  # title order; "Hà\nNội" in d's body matches
    assert _ids(index, index.filter("THỜI TIẾT")) == ["b"]  # a tag, as text
    assert _ids(index, index.filter("gio giat")) == ["b"]
    assert _ids(index, index.filter("")) == ["d", "b", "c", "a"]


def test_commas_part_phrases_that_may_stand_anywhere(index):
    assert _ids(index, index.filter("giao an")) == []  # a phrase: "ha noi" must not match "hà … nội"
    assert _ids(index, index.filter("giao thong, an")) == ["a"]  # "giao thông" … "An": both, apart
    assert _ids(index, index.filter("an, giao")) == ["a"]  # in any order
    assert _ids(index, index.filter("hue, ao dai")) == ["d"]
    assert _ids(index, index.filter("hue,")) == ["d"]  # a trailing comma while typing the next phrase
    # typing on never shows what the full query would not, nor hides what it would
    for query in ("giao thong, an", "an, giao", "hue, ao dai", "ha noi, buyt"):
        for k in range(1, len(query) + 1):
            idx = LibraryIndex(_rows())
            idx.set_bodies(BODIES)
            for p in range(1, k):
                idx.filter(query[:p])
            fresh = LibraryIndex(_rows())
            fresh.set_bodies(BODIES)
            assert idx.filter(query[:k]) == fresh.filter(query[:k]), query[:k]


def test_an_article_analysed_in_the_reader_is_found_by_who_at_once(index):
    assert _ids(index, index.filter("who:putin")) == []
    index.set_analysed("c", 7, 2, frozenset({"vladimir putin"}))
    assert _ids(index, index.filter("who:putin")) == ["c"]
    assert (index.rows[2].entities, index.rows[2].quotes) == (7, 2)
    index.set_analysed("nope", 1, 1, frozenset())  # an article no longer in the library: nothing happens


def test_tag_filter_matches_tags_only_not_text(index):
    assert _ids(index, index.filter("giao thông")) == ["a"]
    assert _ids(index, index.filter("tag:giao")) == []  # a whole tag, not a word of one
    assert _ids(index, index.filter('tag:"giao thong"')) == ["a"]
    assert _ids(index, index.filter("tag:thoi tiet")) == []  # "tiet" is free text, not in b's text
    assert _ids(index, index.filter('tag:"thời tiết" tag:"tin nóng"')) == ["b"]


def test_who_read_site_and_feed_filters(index):
    assert _ids(index, index.filter("who:an")) == ["d", "a"]  # a whole word of a name, not "tran"
    assert _ids(index, index.filter('who:"Trần Thị Bình"')) == ["b"]
    assert _ids(index, index.filter("who:bin")) == []
    assert _ids(index, index.filter("is:unread")) == ["d", "b"]
    assert _ids(index, index.filter("is:read who:an")) == ["a"]
    assert _ids(index, index.filter("site:tuoitre")) == ["b"]
    assert _ids(index, index.filter('feed:"thoi su"')) == ["a"]


def test_typing_on_narrows_the_same_way_a_fresh_filter_does(index):
    for prefix in ("h", "ha", "ha ", "ha n", "ha no"):
        index.filter(prefix)
    narrowed = index.filter("ha noi")
    fresh = LibraryIndex(_rows())
    fresh.set_bodies(BODIES)
    assert narrowed == fresh.filter("ha noi")
    index.filter("ha noi x")
    assert _ids(index, index.filter("ha")) == _ids(fresh, fresh.filter("ha"))  # deleting widens again


@pytest.mark.parametrize(("sort", "order"), [
    ("title", ["d", "b", "c", "a"]),
    ("opened", ["c", "a", "d", "b"]),  # most recent first, never opened last (in title order)
    ("annotations", ["c", "a", "d", "b"]),
    ("date", ["b", "a", "c", "d"]),  # newest first, unknown last
])
def test_sorts(index, sort, order):
    assert _ids(index, index.set_sort(sort)) == order


def test_sort_keeps_the_filter_and_cycles_and_rejects_unknown(index):
    index.filter("is:unread")
    assert _ids(index, index.set_sort("date")) == ["b", "d"]
    assert index.next_sort() == "title"
    index.set_sort("title")
    assert index.next_sort() == "opened"
    with pytest.raises(ValueError):
        index.set_sort("colour")


def test_neighbours_follow_the_order_shown(index):
    index.set_sort("title")
    assert index.neighbour("b", 1) == "c" and index.neighbour("b", -1) == "d"
    assert index.neighbour("d", -1) is None and index.neighbour("a", 1) is None
    index.filter("is:unread")
    assert index.neighbour("d", 1) == "b"
    assert index.neighbour("a", 1) is None  # filtered out


def test_the_library_starts_on_the_last_article_read(index):
    assert index.last_read() == "c"
    assert LibraryIndex([Row("x", "X", 1)]).last_read() is None
    assert index.unread() == 2


def test_added_rows_take_their_place_in_the_current_filter_and_order(index):
    index.filter("tag:web")
    index.add_rows([Row("e", "Bài mới từ web", 10, tags=["web"])])
    assert _ids(index, index.view) == ["e"]
    assert index.by_id["e"] == 4
    assert _ids(index, index.filter("")) == ["d", "e", "b", "c", "a"]


def test_a_changed_row_is_matched_on_its_new_tags(index):
    index.filter("tag:moi")
    index.rows[2].tags.append("mới")
    index.row_changed(2)
    assert _ids(index, index.filter("tag:moi")) == ["c"]


def test_counts_tell_not_analysed_from_zero():
    assert (count_cell(None), count_cell(-1), count_cell(0), count_cell(7)) == ("…", "–", "0", "7")


# -- citations ------------------------------------------------------------------------------------------
def test_cite_title_keeps_short_titles_and_cuts_long_ones_at_a_word():
    assert cite_title("  Tựa   ngắn ") == "Tựa ngắn"
    long = " ".join(["Thủ tướng"] * 30)
    cut = cite_title(long)
    assert len(cut) <= 100 and cut.endswith("…") and long.startswith(cut[:-1]) and not cut[:-1].endswith(" ")
    assert long[len(cut) - 1] == " "  # the cut fell between two words
    one_word = "x" * 150
    assert len(cite_title(one_word)) == 100


def test_cite_source_is_the_url_else_the_file_name_never_a_path():
    art = from_text("Chữ.", title="T", path="/home/u/tin/a b.txt")
    assert cite_source(art) == "a b.txt"
    art = from_text("Chữ.", title="T", path="/home/u/tin/a.txt", source="https://x.vn/a")
    assert cite_source(art) == "https://x.vn/a"
    art.meta["canonical"] = "https://x.vn/canonical"
    assert cite_source(art) == "https://x.vn/canonical"
    assert cite_source(from_text("Chữ.", title="T")) == ""


def test_render_drops_an_empty_part_with_the_punctuation_that_served_it():
    fmt = "“{quote}” — {speaker}, {title} ({source})"
    assert render(fmt, quote="q", speaker="", title="T", source="s") == "“q” — T (s)"
    assert render(fmt, quote="q", speaker="A", title="T", source="") == "“q” — A, T"
    assert render(fmt, quote="q", speaker="A", title="", source="s") == "“q” — A (s)"
    assert render("{quote} [{date}]", quote="q", date=None) == "q"


def test_bare_quote_strips_one_pair_of_marks_only():
    assert bare_quote("“a\n b”") == "a b"
    assert bare_quote('"a" và "b"') == '"a" và "b"'  # two quotes, not one wrapped in marks
    assert bare_quote("«a»") == "a" and bare_quote("“") == "“"
