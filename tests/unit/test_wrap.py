"""The article widget's wrap layout: visual lines ↔ code-point offsets, widths measured per grapheme."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from docbao.tui.widgets._wrap import (
    TAB_WIDTH,
    WrapLayout,
    next_paragraph,
    next_word,
    prev_paragraph,
    prev_word,
    render_cluster,
)

VI = (
    "Thủ tướng Phạm Minh Chính cho biết: “Việt Nam luôn coi trọng quan hệ đối tác chiến lược "
    "toàn diện với Nhật Bản”. Hà Nội, ngày 12/3, trời nắng đẹp."
)


def lines(layout: WrapLayout) -> list[str]:
    return [layout.text[s:e] for s, e in zip(layout.starts, layout.ends, strict=True)]


def drawn_width(layout: WrapLayout, i: int) -> int:
    return sum(w for _o, _d, w in layout.line_graphemes(i))


def check_invariants(layout: WrapLayout) -> None:
    text = layout.text
    starts, ends = layout.starts, layout.ends
    assert starts[0] == 0
    for i in range(layout.line_count):
        assert starts[i] <= ends[i]
        nxt = starts[i + 1] if i + 1 < layout.line_count else len(text)
        assert ends[i] <= nxt
        # the gap between lines holds only break whitespace and at most one newline, at its end
        gap = text[ends[i] : nxt]
        assert gap.strip(" \t") in ("", "\n") and gap.count("\n") <= 1
        if "\n" in gap:
            assert gap.endswith("\n")
        assert layout.widths[i] == drawn_width(layout, i)
        # a line is never wider than the layout unless it is one grapheme that cannot fit anywhere
        if layout.widths[i] > layout.width:
            assert len(layout.line_graphemes(i)) == 1
    assert ends[-1] == len(text) or text[ends[-1] :].strip(" \t") == ""


def test_vietnamese_wraps_at_spaces_within_width() -> None:
    layout = WrapLayout(VI, 30)
    check_invariants(layout)
    got = lines(layout)
    assert all(cell_len(line) <= 30 for line in got)
    assert " ".join(got) == VI  # single spaces: joining the lines with one space gives the text back
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in got)
    assert got[0] == "Thủ tướng Phạm Minh Chính cho"


def test_paragraphs_and_blank_lines_are_kept() -> None:
    text = "Đoạn một.\n\nĐoạn hai dài hơn một chút.\n\n\nHết"
    layout = WrapLayout(text, 12)
    check_invariants(layout)
    assert lines(layout) == ["Đoạn một.", "", "Đoạn hai dài", "hơn một", "chút.", "", "", "Hết"]


def test_empty_text_has_one_empty_line() -> None:
    layout = WrapLayout("", 40)
    assert (layout.starts, layout.ends, layout.widths) == ([0], [0], [0])
    assert layout.offset_to_xy(0) == (0, 0)
    assert layout.xy_to_offset(5, 3) == 0
    assert layout.next_boundary(0) == 0 and layout.prev_boundary(0) == 0


def test_trailing_newline_gives_a_final_empty_line() -> None:
    layout = WrapLayout("abc\n", 10)
    assert lines(layout) == ["abc", ""]
    assert layout.offset_to_xy(4) == (0, 1)
    assert layout.offset_to_xy(3) == (3, 0)


def test_nfd_combining_marks_never_split_from_their_letter() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hường " * 8)
    assert len(nfd) > len(unicodedata.normalize("NFC", nfd))
    for width in (5, 7, 9, 13):
        layout = WrapLayout(nfd, width)
        check_invariants(layout)
        for i in range(layout.line_count):
            s = layout.starts[i]
            assert s == 0 or not unicodedata.combining(nfd[s]), f"line {i} starts with a mark"
            assert layout.widths[i] <= width
    # cursor steps are whole graphemes: "ễ" in NFD is three code points and one step
    layout = WrapLayout(nfd, 80)
    i = nfd.index("e")
    assert layout.next_boundary(i) == i + 3
    assert layout.prev_boundary(i + 3) == i
    assert layout.snap(i + 2) == i
    assert layout.offset_to_xy(i + 3) == (5, 0)  # "Nguyễ" is five cells


def test_hard_break_of_a_10000_char_word_keeps_every_char() -> None:
    word = "ư" * 10_000
    text = "mở đầu " + word + " kết"
    layout = WrapLayout(text, 37)
    check_invariants(layout)
    got = lines(layout)
    assert got[0] == "mở đầu"
    assert " ".join(got[1:]).replace(" ", "") == word + "kết"
    assert all(len(line) == 37 for line in got[1:-1])
    assert got[-1].endswith(" kết")


def test_long_url_is_hard_broken_in_a_complex_paragraph_too() -> None:
    url = "https://vnexpress.net/" + "a" * 100
    text = "Xem 👍 " + url
    layout = WrapLayout(text, 20)
    check_invariants(layout)
    assert "".join(lines(layout)[1:]) == url
    assert all(w <= 20 for w in layout.widths)


def test_wide_chars_and_emoji_count_two_cells() -> None:
    layout = WrapLayout("中文字 ab 👍", 80)
    assert layout.widths == [2 * 3 + 1 + 2 + 1 + 2]
    assert layout.offset_to_xy(1) == (2, 0)  # after one CJK char
    assert layout.xy_to_offset(3, 0) == 1  # the right half of a wide char maps to its start
    assert layout.xy_to_offset(2, 0) == 1
    # wrapping never splits a wide character across the edge
    layout = WrapLayout("中文字中文字中文字", 5)
    check_invariants(layout)
    assert lines(layout) == ["中文", "字中", "文字", "中文", "字"]


def test_fe0f_skin_tones_and_zwj_are_not_drawn_nor_measured() -> None:
    assert render_cluster("👍🏽") == ("👍", 2)
    assert render_cluster("❤\ufe0f") == ("❤", 1)
    drawn, width = render_cluster("👨\u200d👩\u200d👧")
    assert "\u200d" not in drawn and width == cell_len(drawn) == 6
    text = "a 👍🏽 ❤\ufe0f b"
    layout = WrapLayout(text, 80)
    assert layout.widths == [1 + 1 + 2 + 1 + 1 + 1 + 1]
    i = text.index("👍")
    assert layout.next_boundary(i) == i + 2  # base + modifier is one step


def test_tabs_and_control_characters() -> None:
    text = "a\tb\x1bc"
    layout = WrapLayout(text, 80)
    assert layout.widths == [1 + TAB_WIDTH + 1 + 1 + 1]
    drawn = "".join(d for _o, d, _w in layout.line_graphemes(0))
    assert drawn == "a" + " " * TAB_WIDTH + "b\u241bc"  # ESC never reaches the terminal
    assert layout.offset_to_xy(2) == (1 + TAB_WIDTH, 0)
    # a tab is a break opportunity
    layout = WrapLayout("xxxx\tyyyy", 6)
    assert lines(layout) == ["xxxx", "yyyy"]


def test_lone_combining_mark_at_paragraph_start_is_drawn_on_a_dotted_circle() -> None:
    layout = WrapLayout("\u0301abc", 10)
    assert layout.line_graphemes(0)[0] == (0, "\u25cc\u0301", 1)
    assert layout.widths == [4]


def test_gap_offsets_map_after_the_line_and_back() -> None:
    text = "một hai ba bốn"
    layout = WrapLayout(text, 7)
    assert lines(layout) == ["một hai", "ba bốn"]
    space = text.index(" ba")
    assert layout.offset_to_xy(space) == (7, 0)
    assert layout.xy_to_offset(7, 0) == space
    assert layout.xy_to_offset(50, 0) == space  # clicking far right of a line lands at its end
    assert layout.xy_to_offset(50, 1) == len(text)
    assert layout.line_end_offset(0) == space


def test_hard_break_end_click_stays_on_the_line() -> None:
    layout = WrapLayout("abcdefghij", 4)
    assert lines(layout) == ["abcd", "efgh", "ij"]
    assert layout.xy_to_offset(9, 0) == 3  # not 4, which is drawn at the start of the next line
    assert layout.line_end_offset(0) == 3
    assert layout.offset_to_xy(4) == (0, 1)


def test_word_and_paragraph_moves() -> None:
    text = "Hà Nội, ngày mới.\n\nĐà Nẵng nắng"
    assert next_word(text, 0) == 3
    assert next_word(text, 1) == 3
    assert next_word(text, 3) == 8
    assert prev_word(text, 8) == 3
    assert prev_word(text, 5) == 3
    assert prev_word(text, 3) == 0
    assert next_word(text, text.index("Nẵng")) == text.index("nắng")
    assert next_word(text, text.index("nắng")) == len(text)
    p2 = text.index("Đà")
    assert next_paragraph(text, 0) == p2
    assert next_paragraph(text, p2) == len(text)
    assert prev_paragraph(text, p2 + 3) == p2
    assert prev_paragraph(text, p2) == 0
    assert prev_paragraph(text, 5) == 0
    assert prev_paragraph(text, 0) == 0


def test_one_megabyte_lays_out_fast() -> None:
    import time

    para = VI + " " + VI + "\n\n"
    text = para * (1_000_000 // len(para))
    t0 = time.perf_counter()
    layout = WrapLayout(text, 96)
    elapsed = time.perf_counter() - t0
    assert layout.line_count > 10_000
    assert elapsed < 0.3, elapsed


_PIECES = ["  ", "\n", "\n\n", "\t", "ế", "e\u0301", "中", "👍🏽", "❤\ufe0f", "ệ", "x" * 12]
_alphabet = st.sampled_from([*"aăâbđeêoôơuưy ", *_PIECES])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_alphabet, max_size=60), width=st.integers(min_value=1, max_value=25))
def test_property_lines_rebuild_the_text_and_offsets_round_trip(parts: list[str], width: int) -> None:
    text = "".join(parts)
    layout = WrapLayout(text, width)
    check_invariants(layout)
    # concatenating the line ranges rebuilds the text minus the break whitespace (spaces, tabs, newlines)
    rebuilt = "".join(lines(layout))
    gaps = [text[e:s] for e, s in zip(layout.ends, [*layout.starts[1:], len(text)], strict=True)]
    assert "".join(line + gap for line, gap in zip(lines(layout), gaps, strict=True)) == text
    assert all(set(gap) <= {" ", "\t", "\n"} for gap in gaps)
    squeeze = str.maketrans("", "", " \t\n")
    assert rebuilt.translate(squeeze) == text.translate(squeeze)
    # every grapheme start round-trips through (x, y), and so does the first offset of each gap
    o = 0
    seen = []
    while True:
        seen.append(o)
        x, y = layout.offset_to_xy(o)
        line_end = layout.ends[y]
        first_in_gap = o == line_end
        if o < line_end or first_in_gap:
            assert layout.xy_to_offset(x, y) == o, (o, x, y)
        if o >= len(text):
            break
        nxt = layout.next_boundary(o)
        assert nxt > o
        assert layout.prev_boundary(nxt) == o
        o = nxt
    assert seen == sorted(set(seen))


class _SlowLayout(WrapLayout):
    _force_slow = True


_fast_alphabet = st.sampled_from(
    [
        *"abcđưữ ",
        "  ",
        "   ",
        "\n",
        "中",
        "文",
        "한",
        "x" * 9,
        "“",
        "—",
        "👍",
        "\t",
        "\u200d",
        " \u0301",
        "e\u0302\u0301",
        "👍🏽",
        "❤\ufe0f",
        "\x1b",
        "\u200b",
        "👨\u200d👩",
    ]
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_fast_alphabet, max_size=80), width=st.integers(min_value=1, max_value=30))
def test_property_fast_paths_wrap_exactly_like_the_grapheme_path(parts: list[str], width: int) -> None:
    text = "".join(parts)
    fast, slow = WrapLayout(text, width), _SlowLayout(text, width)
    assert (fast.starts, fast.ends, fast.widths) == (slow.starts, slow.ends, slow.widths)


def test_cjk_half_megabyte_lays_out_fast() -> None:
    import time

    text = "中文字符测试，这是一个很长的句子。 " * 28_000
    t0 = time.perf_counter()
    layout = WrapLayout(text, 96)
    elapsed = time.perf_counter() - t0
    assert all(w <= 96 for w in layout.widths)
    assert elapsed < 0.3, elapsed
