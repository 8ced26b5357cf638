"""Pilot tests of the article body widget (ArticleView) in a one-widget app."""

from __future__ import annotations

import html
import re
import unicodedata

from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding

from docbao.tui.widgets.article_view import ArticleView, ViewSpan

PARA1 = "Thủ tướng Phạm Minh Chính nói: “Việt Nam luôn coi trọng quan hệ với Nhật Bản”."
PARA2 = "Hà Nội, 12/3 — trời nắng đẹp, [quan trọng] không phải markup."
TEXT = PARA1 + "\n\n" + PARA2


class ViewApp(App[None]):
    BINDINGS = [Binding("escape", "app_escape", "Back")]  # noqa: RUF012

    def __init__(self, text: str = TEXT) -> None:
        super().__init__()
        self.text = text
        self.escapes = 0
        self.moved: list[ArticleView.CursorMoved] = []
        self.selections: list[tuple[int, int] | None] = []

    def compose(self) -> ComposeResult:
        yield ArticleView(self.text, id="body")

    def action_app_escape(self) -> None:
        self.escapes += 1

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.moved.append(message)

    def on_article_view_selection_changed(self, message: ArticleView.SelectionChanged) -> None:
        self.selections.append(message.selection)


def screen_lines(view: ArticleView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def style_at(view: ArticleView, offset: int):
    """The rich style of the cell showing ``offset`` on screen."""
    x, y = view.offset_to_xy(offset)
    row = y - round(view.scroll_y)
    strip = view.render_line(row)
    col = x + view._pad_left
    pos = 0
    for segment in strip:
        width = segment.cell_length
        if pos <= col < pos + width:
            return segment.style
        pos += width
    raise AssertionError(f"no cell at {col}")


async def test_renders_vietnamese_wrapped_with_padding_and_no_markup() -> None:
    app = ViewApp()
    async with app.run_test(size=(50, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.pause()
        lines = screen_lines(view)
        assert lines[0].startswith("  Thủ tướng Phạm Minh Chính nói:")
        assert all(len(line) == view.scrollable_content_region.width for line in lines)
        joined = " ".join(line.strip() for line in lines if line.strip())
        assert joined.replace("  ", " ") == (PARA1 + " " + PARA2)
        assert "[quan trọng]" in joined  # not parsed as markup
        assert lines[lines.index(next(ln for ln in lines if "Bản”." in ln)) + 1].strip() == ""  # blank line
        # every visible line fits the text column: padding on both sides
        assert all(line[:2] == "  " and line[-2:] == "  " for line in lines)
        # what the terminal gets: the exported screen, its text runs joined
        svg = app.export_screenshot()
        shown = html.unescape("".join(re.findall(r">([^<]*)</text>", svg))).replace("\xa0", " ")
        assert "Thủ tướng Phạm Minh Chính nói: “Việt Nam" in shown
        assert "Hà Nội, 12/3 — trời nắng đẹp, [quan trọng]" in shown


async def test_nfd_input_is_shown_nfc_and_arrows_step_whole_graphemes() -> None:
    nfd = unicodedata.normalize("NFD", "Việt 👍🏽 中文 x")
    app = ViewApp(nfd)
    async with app.run_test(size=(40, 6)) as pilot:
        view = app.query_one(ArticleView)
        assert view.text == unicodedata.normalize("NFC", nfd)
        text = view.text
        positions = [view.cursor]
        for _ in range(11):  # V i ệ t _ 👍🏽 _ 中 文 _ x
            await pilot.press("right")
            positions.append(view.cursor)
        thumb = text.index("👍")
        assert thumb in positions and thumb + 1 not in positions  # skin tone stays with its emoji
        assert positions[-1] == len(text)
        await pilot.press("left")
        assert view.cursor == text.index("x")
        lines = screen_lines(view)
        assert "Việt 👍 中文 x" in lines[0]  # modifier not drawn; the rest intact


async def test_up_down_keep_the_column_across_short_lines() -> None:
    text = "abcdefghij\nxy\nklmnopqrst"
    app = ViewApp(text)
    async with app.run_test(size=(40, 8)) as pilot:
        view = app.query_one(ArticleView)
        view.move_cursor(7)
        await pilot.press("down")
        assert view.cursor == text.index("y") + 1  # end of the short line
        await pilot.press("down")
        assert view.cursor == text.index("k") + 7  # back in column 7
        await pilot.press("up", "up")
        assert view.cursor == 7
        await pilot.press("up")
        assert view.cursor == 0
        await pilot.press("ctrl+end", "down")
        assert view.cursor == len(text)


async def test_word_paragraph_line_and_document_keys() -> None:
    app = ViewApp()
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(ArticleView)
        text = view.text
        await pilot.press("ctrl+right")
        assert view.cursor == text.index("tướng")
        await pilot.press("ctrl+right", "ctrl+left")
        assert view.cursor == text.index("tướng")
        await pilot.press("ctrl+down")
        assert view.cursor == text.index("Hà Nội")
        await pilot.press("ctrl+up")
        assert view.cursor == 0
        await pilot.press("right_curly_bracket")
        assert view.cursor == text.index("Hà Nội")
        await pilot.press("left_curly_bracket")
        assert view.cursor == 0
        await pilot.press("end")
        first_line_end = view.cursor
        x, y = view.offset_to_xy(first_line_end)
        assert y == 0 and text[first_line_end] == " " and x <= view._layout.width
        await pilot.press("right", "home")
        assert view.cursor == first_line_end + 1  # start of the second visual line
        await pilot.press("ctrl+end")
        assert view.cursor == len(text)
        await pilot.press("ctrl+home")
        assert view.cursor == 0


async def test_shift_moves_select_and_plain_moves_clear() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert view.selection == (0, 3)
        await pilot.press("ctrl+shift+right")
        assert view.selection == (0, view.text.index("tướng"))
        await pilot.press("shift+home")
        assert view.selection is None and view.cursor == 0
        await pilot.press("shift+end", "right")
        assert view.selection is None
        await pilot.pause()
        assert app.selections[-1] is None and app.moved[-1].cursor == view.cursor
        assert app.moved[-1].control is view
        # the selection is drawn: a selected cell has a background, an unselected one keeps the base
        view.select_range(4, 9)
        await pilot.pause()
        assert view.selection == (4, 9) and view.cursor == 9
        assert style_at(view, 5).bgcolor != style_at(view, 12).bgcolor
        assert app.selections[-1] == (4, 9)


async def test_v_mode_extends_with_plain_moves_and_escape_clears() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("right", "v", "right", "right", "ctrl+right")
        assert view.selecting
        assert view.selection == (1, view.text.index("tướng"))
        await pilot.press("escape")
        assert view.selection is None and not view.selecting
        assert app.escapes == 0  # the view used the escape
        await pilot.press("escape")
        assert app.escapes == 1  # nothing to clear: escape reaches the app
        # v twice keeps the selection but stops extending; the next plain move clears it
        await pilot.press("v", "right", "right", "v")
        assert view.selection is not None and not view.selecting
        await pilot.press("right")
        assert view.selection is None


async def test_bindings_are_refreshed_only_when_the_selection_state_changes() -> None:
    """The footer's keys depend on whether there is a selection (or `v` mode), not on where the cursor is:
    plain moves do not refresh them; starting, extending and clearing a selection refresh them once."""
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        calls: list[int] = []
        original = view.refresh_bindings
        view.refresh_bindings = lambda: (calls.append(view.cursor), original())[1]  # type: ignore[method-assign]

        def enabled(action: str) -> bool:
            return any(b.action == action and on for _n, b, on, _t in app.screen.active_bindings.values())

        await pilot.press("right", "right", "down", "ctrl+right", "end", "home")
        assert calls == []
        assert not enabled("clear_selection")
        await pilot.press("shift+right")  # a selection starts
        assert len(calls) == 1
        await pilot.press("shift+right", "shift+right", "ctrl+shift+right")  # it grows: same keys
        assert len(calls) == 1
        await pilot.pause()
        assert enabled("clear_selection")
        await pilot.press("right")  # a plain move clears it
        assert len(calls) == 2
        await pilot.press("v")
        assert len(calls) == 3
        await pilot.press("right", "right", "down")
        assert len(calls) == 3
        await pilot.press("escape")
        assert len(calls) == 4 and view.selection is None
        await pilot.pause()
        assert not enabled("clear_selection")
        view.select_range(3, 8)
        view.select_range(4, 9)
        assert len(calls) == 5
        view.clear_selection()
        assert len(calls) == 6


async def test_mouse_click_drag_and_double_click() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        pad = view._pad_left
        text = view.text
        target = text.index("Phạm")
        x, y = view.offset_to_xy(target)
        await pilot.click(ArticleView, offset=(x + pad, y))
        assert view.cursor == target and view.selection is None
        assert view.has_focus
        # drag from "Phạm" to the end of "Chính"
        end = text.index("Chính") + len("Chính")
        ex, ey = view.offset_to_xy(end)
        await pilot.mouse_down(ArticleView, offset=(x + pad, y))
        await pilot.hover(ArticleView, offset=(ex + pad, ey))
        await pilot.mouse_up(ArticleView, offset=(ex + pad, ey))
        assert view.selection == (target, end)
        assert text[slice(*view.selection)] == "Phạm Minh Chính"
        # a click far right of a line puts the cursor at its end; clicking clears the selection
        await pilot.click(ArticleView, offset=(view.size.width - 2, 0))
        assert view.selection is None
        assert view.cursor == view._layout.line_end_offset(0)
        # double-click selects the word
        nx, ny = view.offset_to_xy(text.index("Nhật") + 1)
        await pilot.double_click(ArticleView, offset=(nx + pad, ny))
        assert view.selection is not None and text[slice(*view.selection)] == "Nhật"


async def test_next_span_wraps_skips_hidden_and_spans_at_nests() -> None:
    text = TEXT
    spans = [
        ViewSpan(text.index("Phạm"), text.index("Phạm") + len("Phạm Minh Chính"), "PER", key="pmc"),
        ViewSpan(text.index("“"), text.index("”") + 1, "quote"),
        ViewSpan(text.index("Việt Nam"), text.index("Việt Nam") + 8, "LOC"),
        ViewSpan(text.index("Nhật Bản"), text.index("Nhật Bản") + 8, "LOC"),
        ViewSpan(text.index("Hà Nội"), text.index("Hà Nội") + 6, "LOC"),
    ]
    app = ViewApp()
    async with app.run_test(size=(60, 12)):
        view = app.query_one(ArticleView)
        view.set_spans(reversed(spans))
        assert view.spans[0].key == "pmc"  # sorted by start
        assert view.next_span({"LOC"}) == spans[2]
        view.move_cursor(spans[2].start)
        assert view.next_span({"LOC"}) == spans[3]  # strictly after the cursor
        view.move_cursor(spans[4].start)
        assert view.next_span({"LOC"}) == spans[2]  # wraps around
        assert view.next_span({"LOC"}, wrap=False) is None
        assert view.next_span({"LOC", "PER"}, -1) == spans[3]
        view.move_cursor(0)
        assert view.next_span({"PER"}, -1) == spans[0]  # wraps backwards
        assert view.next_span({"ORG"}) is None
        view.hidden_kinds = frozenset({"LOC"})
        assert view.next_span({"LOC", "quote"}) == spans[1]
        inner = spans[2].start + 1
        assert [s.kind for s in view.spans_at(inner)] == ["LOC", "quote"]
        assert [s.kind for s in view.spans_at(inner, visible_only=True)] == ["quote"]
        assert view.spans_at(len(text)) == []


async def test_overlapping_spans_compose_and_hidden_kinds_stop_drawing() -> None:
    text = TEXT
    loc = text.index("Việt Nam")
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        view.set_spans(
            [
                ViewSpan(text.index("“"), text.index("”") + 1, "quote"),
                ViewSpan(loc, loc + 8, "LOC"),
                ViewSpan(0, len(PARA1), "annotation"),
            ]
        )
        view.move_cursor(len(text))
        await pilot.pause()
        plain = style_at(view, text.index("Hà Nội"))
        in_quote = style_at(view, text.index("luôn"))
        both = style_at(view, loc + 2)
        assert in_quote.italic and in_quote.underline and not plain.italic
        assert both.italic and both.bold and both.underline
        assert both.color != in_quote.color
        assert in_quote.bgcolor != plain.bgcolor
        view.hidden_kinds = frozenset({"LOC", "annotation"})
        await pilot.pause()
        hidden = style_at(view, loc + 2)
        assert hidden.italic and not hidden.bold and not hidden.underline
        assert hidden.color == style_at(view, text.index("luôn")).color
        # the cursor draws on top, in reverse video
        view.hidden_kinds = frozenset()
        view.move_cursor(loc + 2)
        await pilot.pause()
        cursor_style = style_at(view, loc + 2)
        assert cursor_style.reverse and cursor_style.bold and cursor_style.italic


async def test_cursor_at_end_of_line_and_text_is_drawn() -> None:
    app = ViewApp("abc\n\ndef")
    async with app.run_test(size=(30, 6)) as pilot:
        view = app.query_one(ArticleView)
        view.move_cursor(3)  # on the newline, after "abc"
        await pilot.pause()
        strip = view.render_line(0)
        assert any(seg.style and seg.style.reverse and seg.text == " " for seg in strip)
        view.move_cursor(4)  # the blank line
        await pilot.pause()
        assert any(seg.style and seg.style.reverse for seg in view.render_line(1))
        assert not any(seg.style and seg.style.reverse for seg in view.render_line(0))
        view.move_cursor(8)  # end of the text
        await pilot.pause()
        assert any(seg.style and seg.style.reverse for seg in view.render_line(2))


LONG = "\n\n".join(f"Đoạn {i}: " + "Người dân Hà Nội đón mùa thu. " * 6 for i in range(60))


async def test_scrolling_keeps_the_cursor_visible() -> None:
    app = ViewApp(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        height = view.scrollable_content_region.height

        def cursor_row() -> int:
            return view.offset_to_xy(view.cursor)[1] - round(view.scroll_y)

        await pilot.press("ctrl+end")
        assert view.scroll_y > 0 and 0 <= cursor_row() < height
        assert view.visible_range()[1] == len(LONG)
        await pilot.press("ctrl+home")
        assert view.scroll_y == 0 and cursor_row() == 0
        for _ in range(30):
            await pilot.press("down")
        assert 0 <= cursor_row() < height and view.scroll_y > 0
        before = view.offset_to_xy(view.cursor)[1]
        await pilot.press("pagedown")
        assert view.offset_to_xy(view.cursor)[1] == before + height - 1
        assert 0 <= cursor_row() < height
        await pilot.press("pageup", "pageup")
        assert 0 <= cursor_row() < height
        target = LONG.index("Đoạn 40")
        view.move_cursor(target, center=True)
        await pilot.pause()
        assert abs(cursor_row() - height // 2) <= 1
        start, end = view.visible_range()
        assert start <= target < end
        assert LONG[start:end].count("\n") <= height
        # the wheel scrolls without moving the cursor (the pilot has no public wheel helper)
        cursor, top = view.cursor, view.scroll_y
        await pilot._post_mouse_events([events.MouseScrollDown], ArticleView, offset=(5, 5))
        await pilot.pause()
        assert view.cursor == cursor and view.scroll_y > top


async def test_resize_relayouts_and_keeps_the_cursor_in_view() -> None:
    app = ViewApp(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        target = LONG.index("Đoạn 30")
        view.move_cursor(target, center=True)
        lines_wide = view.line_count
        await pilot.resize_terminal(40, 20)
        await pilot.pause()
        assert view.line_count > lines_wide
        assert view.cursor == target
        row = view.offset_to_xy(target)[1] - round(view.scroll_y)
        assert 0 <= row < view.scrollable_content_region.height
        assert all(len(line) == view.scrollable_content_region.width for line in screen_lines(view))


async def test_set_text_resets_and_messages_are_posted() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        view.set_spans([ViewSpan(0, 3, "PER")])
        view.select_range(2, 6)
        view.set_text("Bài mới")
        await pilot.pause()
        assert view.cursor == 0 and view.selection is None and view.spans == ()
        assert app.selections[-1] is None
        await pilot.press("right")
        await pilot.pause()
        assert app.moved[-1].cursor == 1 and app.moved[-1].selection is None
        view.cursor = 5  # assigning the reactive moves like move_cursor
        await pilot.pause()
        assert app.moved[-1].cursor == 5
        assert screen_lines(view)[0].startswith("  Bài mới")


async def test_light_theme_changes_span_colours() -> None:
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        view.set_spans([ViewSpan(0, 3, "PER"), ViewSpan(4, 9, "quote")])
        view.move_cursor(len(view.text))
        await pilot.pause()
        dark_per, dark_quote = style_at(view, 1).color, style_at(view, 5).bgcolor
        app.theme = "textual-light"
        await pilot.pause()
        assert style_at(view, 1).color != dark_per
        assert style_at(view, 5).bgcolor != dark_quote


async def test_jump_requested_before_layout_is_centred_once_the_size_is_known() -> None:
    class Early(App[None]):
        def compose(self) -> ComposeResult:
            yield ArticleView()

        def on_mount(self) -> None:  # the view has no size yet: the reader restores a position here
            view = self.query_one(ArticleView)
            view.set_text(LONG)
            view.move_cursor(LONG.index("Đoạn 40"), center=True)

    app = Early()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.query_one(ArticleView)
        row = view.offset_to_xy(view.cursor)[1] - round(view.scroll_y)
        assert abs(row - view.scrollable_content_region.height // 2) <= 1


async def test_reading_keys_as_in_less_and_vim() -> None:
    app = ViewApp(LONG)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        height = view.scrollable_content_region.height
        await pilot.press("j", "j")
        assert view.offset_to_xy(view.cursor)[1] == 2
        await pilot.press("k")
        assert view.offset_to_xy(view.cursor)[1] == 1
        await pilot.press("G")
        assert view.cursor == len(LONG) and view.visible_range()[1] == len(LONG)
        await pilot.press("g")
        assert view.cursor == 0 and view.scroll_y == 0
        await pilot.press("space")
        assert view.offset_to_xy(view.cursor)[1] == height - 1 and view.scroll_y == height - 1
        await pilot.press("space")
        assert view.offset_to_xy(view.cursor)[1] == 2 * (height - 1)
        await pilot.press("b")
        assert view.offset_to_xy(view.cursor)[1] == height - 1
        await pilot.press("shift+space")
        assert view.cursor == 0 and view.scroll_y == 0
        # in `v` mode they extend the selection like any move
        await pilot.press("v", "j", "j")
        assert view.selection == (0, view.cursor) and view.offset_to_xy(view.cursor)[1] == 2


async def test_moves_are_bindings_with_ids_and_descriptions_and_a_keymap_rebinds_them() -> None:
    ids = {b.id: b for b in ArticleView.BINDINGS if isinstance(b, Binding)}
    for motion, key in (("down", "j"), ("up", "k"), ("top", "g"), ("bottom", "G"), ("page_down", "space"),
                        ("page_up", "b,shift+space")):
        binding = ids[f"article_view.read_{motion}"]
        assert binding.key == key and binding.action == f"move('{motion}')" and binding.description
    assert all(b.id and b.description for b in ArticleView.BINDINGS if isinstance(b, Binding))
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        app.set_keymap({"article_view.read_down": "ctrl+n"})
        await pilot.pause()
        await pilot.press("j")
        assert view.cursor == 0  # j is no longer bound
        await pilot.press("ctrl+n")
        assert view.offset_to_xy(view.cursor)[1] == 1
        await pilot.press("down")  # the arrow is a binding of its own
        assert view.offset_to_xy(view.cursor)[1] == 2


async def test_search_hits_are_drawn_and_the_current_one_stands_out_in_both_themes() -> None:
    text = TEXT
    hits = [(m.start(), m.end()) for m in re.finditer("Nội|Nhật|Nam", text)]
    app = ViewApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(ArticleView)
        loc = text.index("Việt Nam")
        view.set_spans([ViewSpan(loc, loc + 8, "LOC")])
        view.set_search_hits(hits, 1)
        assert view.search_hits == tuple(hits) and view.search_current == 1
        view.move_cursor(hits[1][0], center=True)  # the cursor goes to a hit as to any span
        view.move_cursor(len(text))
        await pilot.pause()
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            plain = style_at(view, text.index("luôn"))
            hit, current = style_at(view, hits[0][0] + 1), style_at(view, hits[1][0] + 1)
            assert len({plain.bgcolor, hit.bgcolor, current.bgcolor}) == 3, theme
            assert hit.color is not None and current.color is not None and current.bold
            on_loc = style_at(view, hits[0][0])  # "Nam" of "Việt Nam": the hit is drawn over the entity
            assert on_loc.bgcolor == hit.bgcolor and on_loc.bold
            assert style_at(view, hits[1][1]).bgcolor == plain.bgcolor  # the end is exclusive
        # the selection and the cursor are drawn over a hit
        view.select_range(hits[2][0], hits[2][1])
        await pilot.pause()
        assert style_at(view, hits[2][0]).bgcolor != hit.bgcolor
        view.hidden_kinds = frozenset({"search", "search-current"})
        await pilot.pause()
        assert style_at(view, hits[0][0] + 1).bgcolor != hit.bgcolor
        view.hidden_kinds = frozenset()
        view.set_search_hits(hits, None)
        assert view.search_current is None
        try:
            view.set_search_hits(hits, len(hits))
        except IndexError:
            pass
        else:
            raise AssertionError("an out-of-range current hit is refused")
        view.set_text("Bài mới")
        assert view.search_hits == () and view.search_current is None


async def test_flags_and_skin_tones_stay_whole_on_screen_and_under_the_cursor() -> None:
    text = "Đội tuyển 🇻🇳 thắng 👍🏽 rồi 🇯🇵 thua"
    app = ViewApp(text)
    async with app.run_test(size=(16, 8)) as pilot:
        view = app.query_one(ArticleView)
        shown = "\n".join(screen_lines(view))
        assert "🇻🇳" in shown and "🇯🇵" in shown and "👍" in shown and "🏽" not in shown
        view.move_cursor(text.index("🇻🇳"))
        await pilot.press("right")
        assert view.cursor == text.index("🇻🇳") + 2
        view.cursor = text.index("🇯🇵") + 1  # inside the flag: snapped to its start
        assert view.cursor == text.index("🇯🇵")
