"""The habits of people who read in terminals: search, less/vim keys, the next article, quote-only and
entity-only jumps, q, mark-read settings, a library that starts where you left and stays still, filters."""

from __future__ import annotations

from textual.widgets import Input

from docbao.tui.screens.library import LibraryScreen
from docbao.tui.screens.reader import ReaderScreen
from tests.ui.conftest import TEXT, analysis_of, open_reader, settle


def info(app) -> str:
    return str(app.screen.query_one("#reader-info").render())


async def test_slash_searches_without_accents_counts_hits_and_steps_through_them(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("slash", *"lukashenko")
        await settle(pilot)
        starts = [i for i in range(len(TEXT)) if TEXT.startswith("Lukashenko", i)]
        assert list(reader.view.search_hits) == [(s, s + 10) for s in starts]  # all shown as you type
        assert f"–/{len(starts)}" in info(app)
        await pilot.press("enter")  # to the first hit after the cursor
        await settle(pilot)
        assert reader.view.cursor == starts[0] and f"1/{len(starts)}" in info(app)
        await pilot.press("enter")
        await settle(pilot)
        assert reader.view.cursor == starts[1] and f"2/{len(starts)}" in info(app)
        await pilot.press("shift+enter")
        await settle(pilot)
        assert reader.view.cursor == starts[0]
        await pilot.press("escape")  # closes the search line; the hits stay, ctrl+g steps on
        await settle(pilot)
        assert app.focused is reader.view
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert reader.view.cursor == starts[1]
        # accents and case are optional both ways: "moskva" and "MINSK"
        await pilot.press("slash", *["backspace"] * 10, *"dien kremlin", "enter")
        await settle(pilot)
        assert reader.view.cursor == TEXT.index("Điện Kremlin") and "1/1" in info(app)
        await pilot.press(*["backspace"] * 12, *"khong co")
        await settle(pilot)
        assert "0/0" in info(app)


async def test_keys_typed_straight_after_slash_reach_the_search_before_it_has_the_focus(make_app) -> None:
    from textual import events

    from docbao.tui.widgets.search_bar import SearchBar

    def type_fast(*keys: str) -> None:  # queued at once, as a terminal delivers a fast typist's keys
        for k in keys:
            app.post_message(events.Key("slash" if k == "/" else k, k if len(k) == 1 else None))

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        cursor = reader.view.cursor
        type_fast("/", *"luka")  # `k` would move up and `a` open the tag dialog in the reader
        await settle(pilot)
        bar = reader.query_one(SearchBar)
        assert app.screen is reader and app.focused is bar and bar.value == "luka"
        assert reader.view.cursor == cursor
        await pilot.press(*"shenko")
        assert bar.value == "lukashenko"
        assert f"–/{TEXT.count('Lukashenko')}" in info(app)
        await pilot.press("escape")
        type_fast("/", *"minsk")  # a new query replaces the old one, as it does when typed after the focus
        await settle(pilot)
        assert bar.value == "minsk" and app.focused is bar
        await pilot.press("escape")
        type_fast("/", "l", "backspace", *"minsk", "enter")  # backspace and Enter, in the order they came
        await settle(pilot)
        assert bar.value == "minsk" and reader.view.cursor == TEXT.index("Minsk", cursor)
        # the bar reopened while it has the focus (the palette's Search) is not left waiting for it: once
        # the reader has the focus back, its keys are the reader's
        reader.action_search()
        reader.view.focus()
        await settle(pilot)
        before = reader.view.cursor
        await pilot.press("j")
        assert bar.value == "minsk" and reader.view.cursor != before
        await pilot.press("escape", "a")  # once the line is closed, keys are the reader's again
        await settle(pilot)
        assert app.screen is not reader  # the tag dialog


async def test_less_and_vim_keys_move_through_the_article(make_app, articles) -> None:
    long = "\n".join(f"Dòng số {i} của một bài rất dài." for i in range(200))
    from docbao.store.articles import from_text

    app = make_app(articles=[from_text(long, title="Dài", name="dai.txt")])
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        view = app.screen.view
        await pilot.press("j", "j")
        assert view.offset_to_xy(view.cursor)[1] == 2
        await pilot.press("k")
        assert view.offset_to_xy(view.cursor)[1] == 1
        await pilot.press("space")
        after_page = view.offset_to_xy(view.cursor)[1]
        assert after_page > 10
        await pilot.press("b")
        assert view.offset_to_xy(view.cursor)[1] < after_page
        await pilot.press("G")
        assert view.cursor >= len(long) - 40
        await pilot.press("g")
        assert view.cursor == 0


async def test_brackets_open_the_next_and_previous_article_of_the_librarys_order(make_app, articles) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        order = [app.library.rows[i].title for i in app.library.view]
        await open_reader(pilot, order[0])
        await pilot.press("right_square_bracket")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.article.title == order[1])
        await pilot.press("left_square_bracket")
        await settle(pilot, lambda: app.screen.article.title == order[0])
        await pilot.press("left_square_bracket")  # the first: says so, stays
        await settle(pilot)
        assert app.screen.article.title == order[0]
        assert len([s for s in app.screen_stack if isinstance(s, ReaderScreen)]) == 1  # no pile of readers
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_jumps_between_quotes_only_and_entities_only(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        quotes = sorted(q.start for q in analysis_of().quotes)
        await pilot.press("right_parenthesis")
        assert reader.view.cursor == quotes[0]
        await pilot.press("right_parenthesis")
        assert reader.view.cursor == quotes[1]
        reader.go_to(0)
        await pilot.press("greater_than_sign")
        ents = sorted(e.start for e in analysis_of().entities)
        assert reader.view.cursor == next(s for s in ents if s > 0)
        await pilot.press("less_than_sign")
        assert reader.view.cursor == ents[-1]  # from the first entity, < wraps round to the last


async def test_mark_read_on_open_at_the_end_or_never(make_app, store, articles) -> None:
    for policy, read_at_open in (("open", True), ("end", False), ("never", False)):
        app = make_app(mark_read=policy)
        async with app.run_test(size=(120, 10)) as pilot:
            await open_reader(pilot)
            assert store.reading(articles[0].id).read is read_at_open, policy
            await pilot.press("G")  # to the end
            await settle(pilot)
            assert store.reading(articles[0].id).read is (policy != "never"), policy
            await pilot.press("m")  # by hand, whatever the setting
            await settle(pilot)
            assert store.reading(articles[0].id).read is (policy == "never"), policy
            store.set_reading(articles[0].id, read=False)


async def test_the_library_opens_on_the_last_article_read_and_keeps_its_cursor(make_app, store, articles,
                                                                                analyzer) -> None:
    store.set_reading(articles[2].id, position=1)  # opened last
    analyzer.cache[TEXT] = analysis_of()
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        table = app.screen.table
        await settle(pilot, lambda: table.current_id == articles[2].id)
        # counts arrive, texts are folded: the cursor never moves by itself
        await settle(pilot, lambda: app.library.text_indexed)
        await pilot.pause(0.3)
        assert table.current_id == articles[2].id


async def test_filters_tag_is_unread_who_and_free_text(make_app, store, articles, analyzer) -> None:
    store.add(articles[1], tags=["Tin nóng"])
    store.set_reading(articles[2].id, read=True)
    analyzer.cache[TEXT] = analysis_of()
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.library.text_indexed)
        lib = app.screen

        async def shown(query: str) -> list[str]:
            lib.set_filter(query)
            await settle(pilot)
            return sorted(lib.table.rows[i].title for i in lib.table.view)

        assert await shown('tag:"tin nong"') == [articles[1].title]
        assert await shown("tag:nóng") == []  # a tag is matched whole, not as text
        assert articles[2].title not in await shown("is:unread")
        assert await shown("is:read") == [articles[2].title]
        assert await shown("who:putin") == [articles[0].title]  # a person of its (cached) analysis
        assert await shown("who:lukashenko is:unread") == [articles[0].title]
        assert await shown("nuoc ngap") == [articles[1].title]  # free text over the body, accents optional
        assert await shown("") == sorted(a.title for a in articles)


async def test_not_analysed_shows_a_dash_not_a_zero(make_app, analyzer) -> None:
    analyzer.cache[TEXT] = analysis_of()
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await settle(pilot, lambda: all(r.entities is not None for r in app.library.rows))
        from docbao.tui.screens.library_table import row_cells

        cells = {r.title: row_cells(r) for r in app.library.rows}
        assert cells["Putin gặp Lukashenko ở Minsk"]["entities"] == str(len(analysis_of().entities))
        assert cells["Hà Nội mưa lớn"]["entities"] == "–"


async def test_the_filter_input_takes_typing_not_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("slash", *"qs")  # q and s are keys of the library, but not in the filter
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app.screen.query_one(Input).value == "qs"


async def test_tab_space_then_enter_in_the_correction_dialog_keeps_only_here_ticked(make_app, store) -> None:
    from docbao.tui.screens.corrections import CorrectionDialog

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index("Minsk"))
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, CorrectionDialog))
        await pilot.press("tab", "space", "enter")  # tick "only in this article", then apply
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        (c,) = store.corrections()
        assert (c.surface, c.label, c.scope) == ("Minsk", "LOC", reader.article.id)


async def test_who_finds_an_article_read_in_this_session_without_analysing_the_library(make_app,
                                                                                      articles) -> None:
    app = make_app()  # nothing cached yet: the library knows nobody
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        lib = app.screen

        async def shown(query: str) -> list[str]:
            lib.set_filter(query)
            await settle(pilot)
            return [lib.table.rows[i].title for i in lib.table.view]

        assert await shown("who:putin") == []
        await shown("")
        await open_reader(pilot)
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert await shown("who:putin") == [articles[0].title]
