"""The article view's layout: graphemes, their widths, the wrap; visual lines ↔ code-point offsets."""

from __future__ import annotations

import subprocess
import sys
import time
import unicodedata

import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from docbao.tui.widgets.article_view.layout import TAB_WIDTH, Layout, render_cluster, segment, text_column

VI = (
    "Thủ tướng Phạm Minh Chính cho biết: “Việt Nam luôn coi trọng quan hệ đối tác chiến lược "
    "toàn diện với Nhật Bản”. Hà Nội, ngày 12/3, trời nắng đẹp."
)


def lines(layout: Layout) -> list[str]:
    return [layout.text[s:e] for s, e in zip(layout.starts, layout.ends, strict=True)]


def drawn_width(layout: Layout, i: int) -> int:
    return sum(w for _o, _d, w in layout.line_graphemes(i))


def check_invariants(layout: Layout) -> None:
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
        # what is drawn is what was measured: rich's cell length of the line's drawn text
        assert cell_len("".join(d for _o, d, _w in layout.line_graphemes(i))) == layout.widths[i]
        # a line is never wider than the layout unless it is one grapheme that cannot fit anywhere
        if layout.widths[i] > layout.width:
            assert len(layout.line_graphemes(i)) == 1
    assert ends[-1] == len(text) or text[ends[-1] :].strip(" \t") == ""


def test_vietnamese_wraps_at_spaces_within_width() -> None:
    layout = Layout(VI, 30)
    check_invariants(layout)
    got = lines(layout)
    assert all(cell_len(line) <= 30 for line in got)
    assert " ".join(got) == VI  # single spaces: joining the lines with one space gives the text back
    assert all(not line.startswith(" ") and not line.endswith(" ") for line in got)
    assert got[0] == "Thủ tướng Phạm Minh Chính cho"


def test_paragraphs_and_blank_lines_are_kept() -> None:
    text = "Đoạn một.\n\nĐoạn hai dài hơn một chút.\n\n\nHết"
    layout = Layout(text, 12)
    check_invariants(layout)
    assert lines(layout) == ["Đoạn một.", "", "Đoạn hai dài", "hơn một", "chút.", "", "", "Hết"]


def test_empty_text_has_one_empty_line() -> None:
    layout = Layout("", 40)
    assert (layout.starts, layout.ends, layout.widths) == ([0], [0], [0])
    assert layout.offset_to_xy(0) == (0, 0)
    assert layout.xy_to_offset(5, 3) == 0
    assert layout.next_boundary(0) == 0 and layout.prev_boundary(0) == 0


def test_trailing_newline_gives_a_final_empty_line() -> None:
    layout = Layout("abc\n", 10)
    assert lines(layout) == ["abc", ""]
    assert layout.offset_to_xy(4) == (0, 1)
    assert layout.offset_to_xy(3) == (3, 0)


def test_nfd_combining_marks_never_split_from_their_letter() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Hường " * 8)
    assert len(nfd) > len(unicodedata.normalize("NFC", nfd))
    for width in (5, 7, 9, 13):
        layout = Layout(nfd, width)
        check_invariants(layout)
        for i in range(layout.line_count):
            s = layout.starts[i]
            assert s == 0 or not unicodedata.combining(nfd[s]), f"line {i} starts with a mark"
            assert layout.widths[i] <= width
    # cursor steps are whole graphemes: "ễ" in NFD is three code points and one step
    layout = Layout(nfd, 80)
    i = nfd.index("e")
    assert layout.next_boundary(i) == i + 3
    assert layout.prev_boundary(i + 3) == i
    assert layout.snap(i + 2) == i
    assert layout.offset_to_xy(i + 3) == (5, 0)  # "Nguyễ" is five cells


def test_hard_break_of_a_10000_char_word_keeps_every_char() -> None:
    word = "ư" * 10_000
    text = "mở đầu " + word + " kết"
    layout = Layout(text, 37)
    check_invariants(layout)
    got = lines(layout)
    assert got[0] == "mở đầu"
    assert " ".join(got[1:]).replace(" ", "") == word + "kết"
    assert all(len(line) == 37 for line in got[1:-1])
    assert got[-1].endswith(" kết")


def test_long_url_is_hard_broken_in_a_complex_paragraph_too() -> None:
    url = "https://vnexpress.net/" + "a" * 100
    text = "Xem 👍 " + url
    layout = Layout(text, 20)
    check_invariants(layout)
    assert "".join(lines(layout)[1:]) == url
    assert all(w <= 20 for w in layout.widths)


def test_wide_chars_and_emoji_count_two_cells() -> None:
    layout = Layout("中文字 ab 👍", 80)
    assert layout.widths == [2 * 3 + 1 + 2 + 1 + 2]
    assert layout.offset_to_xy(1) == (2, 0)  # after one CJK char
    assert layout.xy_to_offset(3, 0) == 1  # the right half of a wide char maps to its start
    assert layout.xy_to_offset(2, 0) == 1
    # wrapping never splits a wide character across the edge
    layout = Layout("中文字中文字中文字", 5)
    check_invariants(layout)
    assert lines(layout) == ["中文", "字中", "文字", "中文", "字"]


def test_fe0f_skin_tones_and_zwj_are_not_drawn_nor_measured() -> None:
    assert render_cluster("👍🏽") == ("👍", 2)
    assert render_cluster("❤\ufe0f") == ("❤", 1)
    drawn, width = render_cluster("👨\u200d👩\u200d👧")
    assert "\u200d" not in drawn and width == cell_len(drawn) == 6
    text = "a 👍🏽 ❤\ufe0f b"
    layout = Layout(text, 80)
    assert layout.widths == [1 + 1 + 2 + 1 + 1 + 1 + 1]
    i = text.index("👍")
    assert layout.next_boundary(i) == i + 2  # base + modifier is one step


def test_flags_and_skin_tones_are_never_split_across_lines() -> None:
    flags = "🇻🇳🇯🇵🇫🇷"
    assert render_cluster("🇻🇳") == ("🇻🇳", 2)
    for width in (1, 2, 3, 5):
        layout = Layout(flags, width)
        check_invariants(layout)
        assert lines(layout) == (["🇻🇳", "🇯🇵", "🇫🇷"] if width < 4 else ["🇻🇳🇯🇵", "🇫🇷"])
    thumbs = "👍🏽👍🏽👍🏽 ok 👍🏽"
    for width in (1, 2, 3, 5):
        layout = Layout(thumbs, width)
        check_invariants(layout)
        assert all(line.count("👍") == line.count("🏽") for line in lines(layout))
        assert not any(line.startswith("🏽") for line in lines(layout))
    # in a line of Vietnamese text too, and the cursor steps over a flag in one go
    text = "Đội tuyển 🇻🇳 thắng 👍🏽 rồi"
    for width in range(1, 30):
        layout = Layout(text, width)
        check_invariants(layout)
        assert all(line.count("🇻") == line.count("🇳") for line in lines(layout)), width
    layout = Layout(text, 80)
    flag = text.index("🇻")
    assert layout.next_boundary(flag) == flag + 2 and layout.snap(flag + 1) == flag
    assert layout.offset_to_xy(flag + 2) == (layout.offset_to_xy(flag)[0] + 2, 0)
    assert layout.xy_to_offset(layout.offset_to_xy(flag)[0] + 1, 0) == flag  # the flag's right half


def test_a_zero_width_space_joins_the_grapheme_before_it_and_is_not_drawn() -> None:
    text = "Hà\u200bNội \u00adx"
    layout = Layout(text, 80)
    assert layout.widths == [len("HàNội x")]
    assert "".join(d for _o, d, _w in layout.line_graphemes(0)) == "HàNội x"
    zwsp = text.index("\u200b")
    assert layout.snap(zwsp) == zwsp - 1 and layout.next_boundary(zwsp - 1) == zwsp + 1
    # with nothing before it, it is drawn on a dotted circle, like a lone combining mark
    assert Layout("\u200bab", 10).line_graphemes(0)[0] == (0, "\u25cc", 1)


def test_tabs_and_control_characters() -> None:
    text = "a\tb\x1bc"
    layout = Layout(text, 80)
    assert layout.widths == [1 + TAB_WIDTH + 1 + 1 + 1]
    drawn = "".join(d for _o, d, _w in layout.line_graphemes(0))
    assert drawn == "a" + " " * TAB_WIDTH + "b\u241bc"  # ESC never reaches the terminal
    assert layout.offset_to_xy(2) == (1 + TAB_WIDTH, 0)
    # a tab is a break opportunity
    layout = Layout("xxxx\tyyyy", 6)
    assert lines(layout) == ["xxxx", "yyyy"]


def test_lone_combining_mark_at_paragraph_start_is_drawn_on_a_dotted_circle() -> None:
    layout = Layout("\u0301abc", 10)
    assert layout.line_graphemes(0)[0] == (0, "\u25cc\u0301", 1)
    assert layout.widths == [4]


def test_gap_offsets_map_after_the_line_and_back() -> None:
    text = "một hai ba bốn"
    layout = Layout(text, 7)
    assert lines(layout) == ["một hai", "ba bốn"]
    space = text.index(" ba")
    assert layout.offset_to_xy(space) == (7, 0)
    assert layout.xy_to_offset(7, 0) == space
    assert layout.xy_to_offset(50, 0) == space  # clicking far right of a line lands at its end
    assert layout.xy_to_offset(50, 1) == len(text)
    assert layout.line_end_offset(0) == space


def test_hard_break_end_click_stays_on_the_line() -> None:
    layout = Layout("abcdefghij", 4)
    assert lines(layout) == ["abcd", "efgh", "ij"]
    assert layout.xy_to_offset(9, 0) == 3  # not 4, which is drawn at the start of the next line
    assert layout.line_end_offset(0) == 3
    assert layout.offset_to_xy(4) == (0, 1)


def test_text_column_pads_and_centres() -> None:
    assert text_column(80, 100) == (2, 76)
    assert text_column(120, 100) == (10, 100)
    assert text_column(120, None) == (2, 116)
    assert text_column(10, 100) == (1, 8)
    assert text_column(3, 100) == (0, 3)


def test_one_megabyte_lays_out_fast() -> None:
    para = VI + " " + VI + "\n\n"
    text = para * (1_000_000 // len(para))
    t0 = time.perf_counter()
    layout = Layout(text, 96)
    elapsed = time.perf_counter() - t0
    assert layout.line_count > 10_000
    assert elapsed < 0.3, elapsed


def test_cjk_half_megabyte_lays_out_fast() -> None:
    text = "中文字符测试，这是一个很长的句子。 " * 28_000
    t0 = time.perf_counter()
    layout = Layout(text, 96)
    elapsed = time.perf_counter() - t0
    assert all(w <= 96 for w in layout.widths)
    assert elapsed < 0.3, elapsed


def test_layout_spans_and_selection_never_import_textual() -> None:
    code = (
        "import sys\n"
        "import docbao.tui.widgets.article_view.layout, docbao.tui.model.spans\n"
        "import docbao.tui.widgets.article_view.selection\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# -- properties -----------------------------------------------------------------------------------------
_PIECES = ["  ", "\n", "\n\n", "\t", "ế", "e\u0301", "中", "👍🏽", "❤\ufe0f", "ệ", "x" * 12, "🇻🇳", "🇯"]
_alphabet = st.sampled_from([*"aăâbđeêoôơuưy ", *_PIECES])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_alphabet, max_size=60), width=st.integers(min_value=1, max_value=25))
def test_property_lines_rebuild_the_text_and_offsets_round_trip(parts: list[str], width: int) -> None:
    text = "".join(parts)
    layout = Layout(text, width)
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
        if o <= line_end:
            assert layout.xy_to_offset(x, y) == o, (o, x, y)
        if o >= len(text):
            break
        nxt = layout.next_boundary(o)
        assert nxt > o
        assert layout.prev_boundary(nxt) == o
        o = nxt
    assert seen == sorted(set(seen))


def _not_drawn(ch: str) -> bool:
    cp = ord(ch)
    return (unicodedata.category(ch) in ("Cf", "Zl", "Zp") or 0x1F3FB <= cp <= 0x1F3FF or 0xFE00 <= cp <= 0xFE0F
            or 0xE0100 <= cp <= 0xE01EF)


def reference_wrap(text: str, width: int) -> list[tuple[int, int, int]]:
    """The layout's contract written plainly: UAX #29 graphemes (a grapheme with nothing to draw joins
    the one before it), each as wide as rich measures what is drawn, wrapped greedily at space graphemes."""
    out: list[tuple[int, int, int]] = []
    pos = 0
    for par in text.split("\n"):
        gs: list[list[int]] = []  # [start, end] relative to the paragraph
        for m in regex.finditer(r"\X", par):
            if gs and all(_not_drawn(c) for c in m.group()):
                gs[-1][1] = m.end()
            else:
                gs.append([m.start(), m.end()])
        ws = [render_cluster(par[a:b])[1] for a, b in gs]
        space = [par[a:b] in (" ", "\t") for a, b in gs]
        i, n = 0, len(gs)
        while True:
            if sum(ws[i:]) <= width:
                out.append((pos + (gs[i][0] if i < n else len(par)), pos + len(par), sum(ws[i:])))
                break
            j = i
            while sum(ws[i : j + 1]) <= width:
                j += 1
            p = next((k for k in range(j, i, -1) if space[k]), -1)
            end = p
            while end > i and space[end - 1]:
                end -= 1
            if p <= i or end == i:
                j = max(j, i + 1)
                out.append((pos + gs[i][0], pos + (gs[j][0] if j < n else len(par)), sum(ws[i:j])))
                i = j
                if i >= n:
                    break
                continue
            out.append((pos + gs[i][0], pos + gs[end][0], sum(ws[i:end])))
            i = p + 1
            while i < n and space[i]:
                i += 1
            if i == n:
                break
        pos += len(par) + 1
    return out


_any_alphabet = st.sampled_from(
    [*"abcđưữ ", "  ", "   ", "\n", "中", "文", "한", "각", "\u1100\u1161", "\u11a8", "x" * 9, "“", "—", "👍", "\t",
     "\u200d", " \u0301", "e\u0302\u0301", "👍🏽", "🏽", "❤\ufe0f", "\x1b", "\u200b", "\u00ad", "👨\u200d👩", "🇻", "🇳",
     "🇻🇳", "क", "\u094d", "ष", "\u0e33", "ก"]
)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_any_alphabet, max_size=80), width=st.integers(min_value=1, max_value=30))
def test_property_the_wrap_is_the_plain_greedy_wrap_over_graphemes(parts: list[str], width: int) -> None:
    text = "".join(parts)
    layout = Layout(text, width)
    assert list(zip(layout.starts, layout.ends, layout.widths, strict=True)) == reference_wrap(text, width)
    check_invariants(layout)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(_any_alphabet, max_size=40))
def test_property_segmenting_a_stretch_agrees_with_segmenting_its_paragraph(parts: list[str]) -> None:
    """Lines are segmented alone when drawn: any stretch between two grapheme boundaries must come out as
    it did inside the whole paragraph."""
    text = "".join(parts).replace("\n", " ")
    whole = list(segment(text, 0, len(text)))
    bounds = [k for k in range(len(text)) if whole[k]] + [len(text)]
    for a in bounds[:6]:
        for b in bounds[-6:]:
            if a <= b:
                assert list(segment(text, a, b)) == whole[a:b], (a, b)


_draw_alphabet = st.sampled_from([*"abc ", "ệ", "e\u0301", "中", "👍🏽", "🇻🇳", "\t", "\u200b", "\n"])


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(_draw_alphabet, max_size=40), width=st.integers(min_value=1, max_value=12),
       cuts=st.lists(st.integers(0, 45), min_size=4, max_size=4))
def test_property_a_drawn_line_is_its_graphemes_whatever_cuts_the_styles_make(parts: list[str], width: int,
                                                                                cuts: list[int]) -> None:
    from rich.style import Style

    from docbao.tui.model.spans import ViewSpan
    from docbao.tui.styles import SpanStyles
    from docbao.tui.widgets.article_view.draw import line_segments

    text = "".join(parts)
    layout = Layout(text, width)
    a, b, c, cursor = (min(x, len(text)) for x in cuts)
    spans = [ViewSpan(min(a, b), max(a, b), "PER"), ViewSpan(min(b, c), max(b, c) + 1, "quote")]
    for line in range(layout.line_count):
        segments = line_segments(layout, line, pad_left=1, base=Style(), styles=SpanStyles(), spans=spans,
                                 cursor=cursor, selection=(min(a, c), max(a, c)) if a != c else None)
        drawn = "".join(d for _o, d, _w in layout.line_graphemes(line))
        got = "".join(s.text for s in segments)
        assert got[0] == " " and got[1:].startswith(drawn) and set(got[1 + len(drawn):]) <= {" "}
        # the gap takes at most one cell past a full line (the cursor after its last grapheme)
        assert cell_len(got) <= 1 + max(layout.width, layout.widths[line]) + 1
