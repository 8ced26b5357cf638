"""The reader: highlights, progressive analysis, moving and selecting, jumping, toggles, side panel, reading
state, corrections."""

from __future__ import annotations

import re
import threading

from docbao.analysis.spans import Analysis
from docbao.store.articles import from_text
from docbao.tui.screens.library import LibraryScreen
from docbao.tui.screens.reader import ReaderScreen
from docbao.tui.widgets.panels import AnalysisStatus, Legend
from tests.ui.conftest import TEXT, FakeAnalyzer, open_reader, settle, span


async def test_highlights_arrive_partial_then_full(make_app, analyzer) -> None:
    gate = threading.Event()
    analyzer.gate = gate
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        lib = app.screen
        lib.table.move_to(next(r.article_id for r in lib.table.rows if "Putin" in r.title))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.view.spans)
        reader = app.screen
        # the visible part first: only first-line entities, no quotes yet; the spinner says so
        kinds = {s.kind for s in reader.view.spans}
        assert kinds <= {"PER", "LOC"}
        assert not reader.analysed
        assert reader.query_one(AnalysisStatus).busy
        # keys stay responsive while the rest is analysed
        before = reader.view.cursor
        await pilot.press("right", "right", "down")
        assert reader.view.cursor != before
        gate.set()
        await settle(pilot, lambda: reader.analysed)
        kinds = {s.kind for s in reader.view.spans}
        assert {"PER", "LOC", "ORG", "MISC", "quote", "quote-indirect", "speaker"} <= kinds
        assert not reader.query_one(AnalysisStatus).busy
        assert "10 entities · 2 quotes" in str(reader.query_one(AnalysisStatus).render())
        # the visible range was asked for first
        assert analyzer.firsts and analyzer.firsts[0][1] > 0


async def test_analysis_runs_on_one_thread_and_warms_once(make_app, analyzer) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await open_reader(pilot)
        await pilot.press("escape")
        await open_reader(pilot)
    assert analyzer.threads == {"docbao-analysis"}
    assert analyzer.warmed == 1


async def test_cached_analysis_is_used(make_app, analyzer) -> None:
    from tests.ui.conftest import analysis_of

    analyzer.cache[TEXT] = analysis_of()
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        assert len(reader.analysis.entities) == 10
    assert analyzer.firsts == []  # never analysed: the cache answered


async def test_analysis_failure_is_reported_not_fatal(make_app) -> None:
    app = make_app(analyzer=FakeAnalyzer(fail=True))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        lib = app.screen
        lib.table.move_to(next(r.article_id for r in lib.table.rows if "Putin" in r.title))
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen)
                     and not app.screen.query_one(AnalysisStatus).busy)
        assert any("analysis failed" in n.message.lower() for n in app._notifications)
        await pilot.press("right")  # still usable
        assert app.screen.view.cursor == 1


async def test_move_and_select_by_keyboard(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.view
        await pilot.press("ctrl+right")
        word_end = view.cursor
        assert TEXT[:word_end].strip() == "Ông"
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert view.selection == (word_end, word_end + 3)
        assert "selected 3 characters" in str(reader.query_one("#reader-info").render())
        await pilot.press("escape")  # clears the selection first, stays in the reader
        assert view.selection is None
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("v", "right", "right")
        assert view.selection is not None
        await pilot.press("ctrl+down")  # paragraph jump
        assert view.cursor >= TEXT.index("\n")


async def test_n_and_N_jump_between_spans(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.view
        starts = sorted({s.start for s in view.spans if s.kind in
                         ("PER", "LOC", "ORG", "MISC", "quote", "quote-indirect", "annotation")})
        await pilot.press("n")
        assert view.cursor == starts[0] or view.cursor == starts[1]
        first = view.cursor
        await pilot.press("n")
        assert view.cursor > first
        await pilot.press("N")
        assert view.cursor == first


async def test_toggle_a_kind_hides_it_and_n_skips_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.view
        await pilot.press("1")
        assert "PER" in view.hidden_kinds
        assert "PER" in reader.query_one(Legend).hidden
        for _ in range(12):
            await pilot.press("n")
            assert all(s.kind != "PER" for s in view.spans_at(view.cursor) if s.start == view.cursor)
        await pilot.press("5")
        assert {"quote", "quote-indirect"} <= view.hidden_kinds
        await pilot.press("1", "5")
        assert not view.hidden_kinds


async def test_side_panel_entities_cycle_and_quotes_jump(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        view = reader.view
        await pilot.press("E")
        ol = reader.query_one("#entities-list")
        assert ol.has_focus
        # highlight "Lukashenko" (2 occurrences) and press Enter twice: first then second occurrence
        idx = next(i for i in range(ol.option_count) if (ol.get_option_at_index(i).id or "").endswith(":Lukashenko"))
        ol.highlighted = idx
        await pilot.press("enter")
        first = TEXT.index("Lukashenko")
        assert view.cursor == first
        await pilot.press("enter")
        assert view.cursor == TEXT.index("Lukashenko", first + 1)
        await pilot.press("enter")
        assert view.cursor == first  # cycles
        await pilot.press("Q")
        ql = reader.query_one("#quotes-list")
        assert ql.has_focus
        ql.highlighted = 0
        await pilot.press("enter")
        assert view.cursor == TEXT.index("Phương Tây")
        await pilot.press("p")
        assert not reader.panel.display
        assert view.has_focus


async def test_reading_position_and_read_flag_are_remembered(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        aid = reader.article.id
        reader.view.move_cursor(120)
        await settle(pilot)
        # the whole (short) article is on screen and the reader moved: read; m toggles
        assert store.reading(aid).read
        await pilot.press("m")
        assert not store.reading(aid).read
        await pilot.press("m")
        await pilot.press("q")
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        state = store.reading(aid)
        assert state.position == 120
        assert state.read
        reader = await open_reader(pilot)
        assert reader.view.cursor == 120


async def test_quit_saves_the_position(make_app, store) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.view.move_cursor(77)
        await pilot.press("ctrl+q")
    assert store.reading(reader.article.id).position == 77


async def test_correct_an_entity_relabels_and_reanalyses(make_app, store, analyzer) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index("Oreshnik"))
        await pilot.press("x")
        await settle(pilot)
        dialog = app.screen
        ol = dialog.query_one("#labels")
        ol.highlighted = 4  # not an entity
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.analysed
                     and len(analyzer.lexicons) >= 2)
        (c,) = store.corrections()
        assert (c.surface, c.label, c.scope) == ("Oreshnik", None, "global")
        assert analyzer.lexicons[-1] is not None and analyzer.lexicons[-1].entries
        assert all(e.text != "Oreshnik" for e in app.screen.analysis.entities)
        # and the palette's corrections list undoes it
        app.action_corrections()
        await settle(pilot)
        await pilot.press("d")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert store.corrections() == []


def info(reader: ReaderScreen) -> str:
    return str(reader.query_one("#reader-info").render())


async def test_info_line_follows_selection_clears_and_reanalysis(make_app, store) -> None:
    """The line under the text: the selection's size goes when Esc clears it (no cursor move), the label
    under the cursor follows a correction, and the position reads as a position."""
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        assert info(reader).startswith("line 1 of ") and info(reader).endswith("· 0%")
        await pilot.press("v", "right", "right")
        assert "selected 2 characters" in info(reader)
        await pilot.press("escape")
        assert reader.view.selection is None
        assert "selected" not in info(reader)
        reader.go_to(TEXT.index("Oreshnik"))
        await settle(pilot)
        assert "MISC Oreshnik" in info(reader)
        store.add_correction("Oreshnik", None)
        reader.reanalyse()
        await settle(pilot, lambda: reader.analysed and "MISC" not in info(reader))
        assert re.search(r"line [2-9] of \d+ · 9\d%", info(reader))


async def test_toggling_kinds_shows_in_the_legend_not_in_toasts(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        app.clear_notifications()
        await pilot.press(*"1234567")
        await settle(pilot)
        assert reader.query_one(Legend).hidden >= {"PER", "LOC", "ORG", "MISC", "quote", "speaker", "annotation"}
        assert not app._notifications


async def test_narrow_terminal_starts_without_the_side_panel(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(pilot)
        assert not reader.panel.display
        assert reader.view.size.width == 80
        await pilot.press("p")
        assert reader.panel.display
        await pilot.press("p")
        assert not reader.panel.display
        await pilot.press("E")
        assert reader.panel.display and reader.query_one("#entities-list").has_focus
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        assert reader.panel.display


async def test_an_article_without_entities_says_none_were_found(make_app, analyzer, articles) -> None:
    from docbao.analysis.spans import Analysis
    from tests.ui.conftest import span

    vang = articles[3]
    analyzer.results[vang.text] = Analysis((span(vang.text, "SJC", "ORG"),), (), "test")
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot, "Đà Nẵng")
        assert str(reader.query_one(AnalysisStatus).render()) == "0 entities · 0 quotes"
        ents = reader.query_one("#entities-list")
        assert str(ents.get_option_at_index(0).prompt) == "No entities found"
        await pilot.press("escape")
        reader = await open_reader(pilot, "Giá vàng")
        assert str(reader.query_one(AnalysisStatus).render()) == "1 entity · 0 quotes"


NGA = "Tin sáng: Nga gặp Nga. Ông Nga nói về Nga.\n"


def _nga_analysis(loc: tuple[int, ...] = (0, 1, 3), per: tuple[int, ...] = (2,)) -> Analysis:
    ents = [span(NGA, "Nga", "LOC", n) for n in loc] + [span(NGA, "Nga", "PER", n) for n in per]
    ents.sort(key=lambda e: e.start)
    return Analysis(tuple(ents), (), "test")


def _nga_starts() -> list[int]:
    return [m.start() for m in re.finditer("Nga", NGA)]


async def _enter_on(pilot, reader, oid: str) -> None:
    ol = reader.query_one("#entities-list")
    ol.focus()
    ol.highlighted = next(i for i in range(ol.option_count) if ol.get_option_at_index(i).id == oid)
    await pilot.press("enter")
    await settle(pilot)


async def test_side_panel_cycles_each_label_of_a_surface_on_its_own(make_app, articles) -> None:
    article = from_text(NGA, title="Nga và Nga", name="nga.txt")
    analyzer = FakeAnalyzer(results={NGA: _nga_analysis()})
    app = make_app(analyzer=analyzer, articles=[article, *articles])
    starts = _nga_starts()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot, "Nga và Nga")
        await pilot.press("E")
        await _enter_on(pilot, reader, "e:LOC:Nga")
        await _enter_on(pilot, reader, "e:LOC:Nga")
        assert reader.view.cursor == starts[1]
        await _enter_on(pilot, reader, "e:PER:Nga")  # raised IndexError (the LOC group's index 1)
        assert reader.view.cursor == starts[2]
        await _enter_on(pilot, reader, "e:LOC:Nga")
        assert reader.view.cursor == starts[3]


async def test_side_panel_cycle_survives_a_shorter_list_after_reanalysis(make_app, articles) -> None:
    article = from_text(NGA, title="Nga và Nga", name="nga.txt")
    analyzer = FakeAnalyzer(results={NGA: _nga_analysis()})
    app = make_app(analyzer=analyzer, articles=[article, *articles])
    starts = _nga_starts()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot, "Nga và Nga")
        await pilot.press("E")
        for _ in range(3):
            await _enter_on(pilot, reader, "e:LOC:Nga")
        assert reader.view.cursor == starts[3]
        analyzer.results[NGA] = _nga_analysis(loc=(3,), per=())  # a correction left one LOC
        reader.reanalyse()
        await settle(pilot, lambda: len(reader.analysis.entities) == 1)
        await _enter_on(pilot, reader, "e:LOC:Nga")  # raised IndexError (index 2 of a 1-item list)
        assert reader.view.cursor == starts[3]


async def test_leaving_the_reader_without_moving_writes_no_position(make_app, store, monkeypatch) -> None:
    """Every store write rewrites the database file: a position the store already holds is not saved again."""
    writes: list[int | None] = []
    real = store.set_reading

    def counting(article_id, *, position=None, read=None):
        writes.append(position)
        return real(article_id, position=position, read=read)

    monkeypatch.setattr(store, "set_reading", counting)
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        aid = reader.article.id
        writes.clear()
        await pilot.press("escape")  # back without moving: nothing new to save
        await settle(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.pause()
        assert [w for w in writes if w is not None] == []
        reader = await open_reader(pilot)
        writes.clear()
        reader.view.move_cursor(77)
        await pilot.press("q")  # quit from the reader after a move: saved once
    assert [w for w in writes if w is not None] == [77]
    assert store.reading(aid).position == 77
