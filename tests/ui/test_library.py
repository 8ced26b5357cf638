"""The library screen: rows, opening, filtering (diacritic-insensitive), sorting, counts from the cache."""

from __future__ import annotations

from docbao.analysis.text import fold
from docbao.tui.screens.library import LibraryScreen
from docbao.tui.screens.reader import ReaderScreen
from tests.ui.conftest import TEXT, analysis_of, settle


def titles(app) -> list[str]:
    table = app.screen.table
    return [table.rows[i].title for i in table.view]


def line_text(table, y: int) -> str:
    return table.render_line(y).text


async def test_library_lists_articles_sorted_by_title(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LibraryScreen)
        shown = titles(app)
        assert len(shown) == 4
        assert shown == sorted(shown, key=fold)
        # user text is never markup: "[quan trọng]" shows as typed
        assert any("[quan trọng] Giá vàng tăng" in line_text(app.screen.table, y) for y in range(4))


async def test_enter_opens_the_highlighted_article(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.table
        table.move_to(next(r.article_id for r in table.rows if "Putin" in r.title))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert app.screen.article.title == "Putin gặp Lukashenko ở Minsk"
        assert app.screen.view.text == TEXT
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_double_click_opens(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#library-table", offset=(10, 0), times=2)
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))


async def test_filter_is_diacritic_insensitive(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await pilot.press(*"ha noi")
        await settle(pilot)
        assert titles(app) == ["Hà Nội mưa lớn"]
        # "d" matches "đ"
        app.screen.set_filter("da nang")
        await settle(pilot)
        assert titles(app) == ["Đà Nẵng đón khách"]
        app.screen.set_filter("DÀ NẴNG")
        await settle(pilot)
        assert titles(app) == ["Đà Nẵng đón khách"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(titles(app)) == 4
        assert app.screen.table.has_focus


async def test_filter_covers_text_and_tags(make_app, store, articles) -> None:
    vang = next(a for a in articles if "vàng" in a.title)
    store.add(vang, tags=["kinh tế"])
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: app.library.text_indexed)
        app.screen.set_filter("sjc")  # only in the body of the gold article
        await settle(pilot)
        assert titles(app) == ["[quan trọng] Giá vàng tăng"]
        app.screen.set_filter("kinh te")  # its tag
        await settle(pilot)
        assert titles(app) == ["[quan trọng] Giá vàng tăng"]
        app.screen.set_filter("oreshnik")
        await settle(pilot)
        assert titles(app) == ["Putin gặp Lukashenko ở Minsk"]
        app.screen.set_filter("khong co dau nay")
        await settle(pilot)
        assert titles(app) == []
        assert "0 of 4 articles" in str(app.screen.query_one("#library-status").render())


async def test_sort_cycles_title_opened_annotations(make_app, store, articles) -> None:
    gold = next(a for a in articles if "vàng" in a.title)
    store.add(gold, tags=["a"])
    store.add(gold, tags=["b"])
    store.set_reading(articles[1].id, position=3)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.library.sort == "opened"
        assert titles(app)[0] == articles[1].title
        await pilot.press("s")
        await settle(pilot)
        assert app.library.sort == "annotations"
        assert titles(app)[0] == gold.title
        await pilot.press("s")
        assert app.library.sort == "date"
        await pilot.press("s")
        assert app.library.sort == "title"


async def test_counts_fill_in_from_the_cache_without_delaying_paint(make_app, analyzer) -> None:
    analyzer.cache[TEXT] = analysis_of(TEXT)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: all(r.entities is not None for r in app.screen.table.rows))
        rows = {r.title: r for r in app.screen.table.rows}
        putin = rows["Putin gặp Lukashenko ở Minsk"]
        assert (putin.entities, putin.quotes) == (10, 2)
        assert rows["Hà Nội mưa lớn"].entities == -1  # not analysed yet: shown as "–"


async def test_library_updates_after_reading(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.table
        aid = next(r.article_id for r in table.rows if "Putin" in r.title)
        table.move_to(aid)
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.analysed)
        await pilot.press("m")  # mark read
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        row = table.rows[table.index[aid]]
        assert row.read
        assert row.entities == 10
        assert row.opened


async def test_ten_thousand_articles_paint_and_filter(make_app) -> None:
    from docbao.store.articles import from_text

    many = [from_text(f"Bài số {i} về {'Hà Nội' if i % 100 == 0 else 'Huế'}\nNội dung {i}.\n", name=f"{i}.txt")
            for i in range(10_000)]
    app = make_app(articles=many)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert len(app.screen.table.view) == 10_000
        app.screen.set_filter("ha noi")
        await settle(pilot)
        assert len(app.screen.table.view) == 100
        await pilot.press("end")
        await settle(pilot)


async def test_folded_text_does_not_grow_with_each_corrections_change(make_app, articles) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.library.text_indexed)
        lib = app.screen
        index = app.library
        lengths = []
        for _ in range(2):  # two corrections changes: the counts (and folded texts) are read again
            index._bodies = None
            app.corrections_edited()
            await settle(pilot, lambda: index.text_indexed)
            lengths.append([len(index._hay(i)) for i in range(len(index.rows))])
        assert lengths[0] == lengths[1]
        body = " ".join(fold(articles[1].text).split())
        i = index.by_id[articles[1].id]
        assert index._hay(i).count(body) == 1
        # a tag change keeps the body searchable, once
        app.store.add(articles[1], tags=["mưa"])
        lib.refresh_rows()
        assert index._hay(i).count(body) == 1 and "mua" in index._hay(i)
        lib.set_filter("nuoc ngap")
        await settle(pilot)
        assert titles(app) == ["Hà Nội mưa lớn"]
