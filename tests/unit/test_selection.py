"""The cursor and selection value of the article view, and its moves (pure: a layout, no widget)."""

from __future__ import annotations

import pytest

from docbao.tui.widgets.article_view.layout import Layout
from docbao.tui.widgets.article_view.selection import (
    MOTIONS,
    Selection,
    next_paragraph,
    next_word,
    prev_paragraph,
    prev_word,
    word_at,
)

TEXT = "Thủ tướng Phạm Minh Chính nói: “Việt Nam luôn coi trọng quan hệ.\n\nHà Nội, 12/3 — trời nắng đẹp."


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


def test_prev_word_looks_back_past_a_long_run_of_punctuation() -> None:
    text = "đầu " + "—" * 5000 + " cuối"
    assert prev_word(text, text.index("cuối")) == 0


def test_word_at() -> None:
    text = "Ông Nguyễn Văn A, ở Hà Nội."
    n = text.index("Nguyễn")
    assert word_at(text, n + 3) == (n, n + len("Nguyễn"))
    assert word_at(text, n) == (n, n + len("Nguyễn"))
    assert word_at(text, text.index(",")) == (text.index(","), text.index(","))
    assert word_at(text, len(text)) == (len(text), len(text))


def test_a_selection_is_empty_when_anchor_and_cursor_meet() -> None:
    assert Selection().range is None and not Selection().active
    assert Selection(7, 3).range == (3, 7) and Selection(3, 7).range == (3, 7)
    assert Selection(3, 7).active and Selection(4, 4, selecting=True).active
    assert Selection.span(2, 9) == Selection(2, 9)


def test_plain_moves_collapse_extending_moves_keep_the_anchor() -> None:
    layout = Layout(TEXT, 40)
    sel = Selection()
    sel = sel.move("right", layout, extend=True).move("right", layout, extend=True)
    assert sel.range == (0, 2)
    sel = sel.move("word_right", layout, extend=True)
    assert sel.range == (0, TEXT.index("tướng"))
    sel = sel.move("home", layout, extend=True)
    assert sel.range is None and sel.cursor == 0
    sel = sel.move("end", layout, extend=True).move("right", layout)
    assert sel.range is None
    assert sel.to(9, extend=True).range == (min(sel.cursor, 9), max(sel.cursor, 9))
    assert Selection(2, 5).to(9) == Selection(9, 9) and Selection(2, 5).to(9, extend=True) == Selection(2, 9)
    # a value: moving returns a new selection and leaves the old one as it was
    before = Selection(1, 1)
    after = before.move("right", layout)
    assert before == Selection(1, 1) and after.cursor == 2


def test_v_mode_extends_every_move_until_toggled_off() -> None:
    layout = Layout(TEXT, 40)
    sel = Selection(1, 1).toggled()
    assert sel.selecting and sel.range is None and sel.active
    sel = sel.move("right", layout).move("right", layout).move("word_right", layout)
    assert sel.range == (1, TEXT.index("tướng"))
    off = sel.toggled()
    assert not off.selecting and off.range == sel.range  # kept; the next plain move clears it
    assert off.move("right", layout).range is None
    # toggling on again starts afresh at the cursor
    again = sel.toggled().toggled()
    assert again.selecting and again.range is None and again.cursor == sel.cursor
    assert sel.collapsed() == Selection(sel.cursor, sel.cursor)


def test_up_and_down_keep_the_column_across_short_lines() -> None:
    text = "abcdefghij\nxy\nklmnopqrst"
    layout = Layout(text, 40)
    sel = Selection(7, 7).move("down", layout)
    assert sel.cursor == text.index("y") + 1 and sel.goal_x == 7  # the end of the short line
    sel = sel.move("down", layout)
    assert sel.cursor == text.index("k") + 7  # back in column 7
    sel = sel.move("up", layout).move("up", layout)
    assert sel.cursor == 7
    assert sel.move("up", layout).cursor == 0
    assert sel.move("bottom", layout).move("down", layout).cursor == len(text)
    assert sel.move("right", layout).goal_x is None  # any other move forgets the column


def test_page_moves_go_by_the_given_lines() -> None:
    text = "\n".join(f"dòng {i}" for i in range(50))
    layout = Layout(text, 40)
    sel = Selection(2, 2).move("page_down", layout, page=10)
    assert layout.offset_to_xy(sel.cursor) == (2, 10)
    assert sel.move("page_up", layout, page=10).cursor == 2
    assert sel.move("page_up", layout, page=30).cursor == 0
    assert sel.move("page_down", layout, page=100).cursor == len(text)


def test_grapheme_moves_step_over_flags_and_skin_tones_whole() -> None:
    text = "a🇻🇳b👍🏽c"
    layout = Layout(text, 40)
    sel, seen = Selection(), [0]
    while sel.cursor < len(text):
        sel = sel.move("right", layout)
        seen.append(sel.cursor)
    assert seen == [0, 1, 3, 4, 6, 7]
    back = [sel.cursor]
    while sel.cursor > 0:
        sel = sel.move("left", layout)
        back.append(sel.cursor)
    assert back == seen[::-1]


@pytest.mark.parametrize("motion", sorted(MOTIONS))
def test_every_target_is_a_grapheme_start_inside_the_text(motion: str) -> None:
    text = "Đội 🇻🇳 thắng!\n\nNguyễn 👍🏽 e\u0301 中文 " * 5
    layout = Layout(text, 13)
    starts = {o for line in range(layout.line_count) for o, _d, _w in layout.line_graphemes(line)}
    starts |= set(range(len(text) + 1)) - {o for o in range(len(text)) if layout.snap(o) != o}
    for offset in sorted(starts)[::3]:
        got = Selection(offset, offset).move(motion, layout, page=4).cursor  # type: ignore[arg-type]
        assert 0 <= got <= len(text) and layout.snap(got) == got, (motion, offset, got)
