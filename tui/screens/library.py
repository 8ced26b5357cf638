"""The library: a thin view over :class:`tui.model.library.LibraryIndex` (the app's ``library``).

First paint shows titles; notes, tags and read state follow from the store as soon as it is open, and
entity and quote counts (and who is quoted, for ``who:``) come from the analysis cache in a worker. The
cursor starts on the article read last and moves only when you move it.
"""

from __future__ import annotations

import time
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from docbao.tui.model.library import SORTS, people_of
from docbao.tui.palette import PaletteCommand, binding_commands
from docbao.tui.screens.footer import QuietFooter
from docbao.tui.screens.library_table import ArticleTable, ArticleTableHeader

if TYPE_CHECKING:
    from docbao.tui.app import DocbaoApp
    from docbao.tui.model.store import StoreHandle

__all__ = ["LibraryScreen"]

WORDS_NOW_LIMIT = 2_000_000  # characters in the whole library: beyond, words are counted in the worker
PLACEHOLDER = "Filter: words, tag:NAME, who:NAME, is:unread (ha noi finds Hà Nội)   / to focus, Esc to clear"


class LibraryScreen(Screen[None]):
    """The articles docbao has open."""

    HELP_TITLE = "Library"
    AUTO_FOCUS = "ArticleTable"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", id="library.filter", key_display="/",
                tooltip="filter: words in titles, tags and text; tag:NAME; who:NAME; is:unread"),
        Binding("s", "cycle_sort", "Sort", id="library.sort", tooltip="sort: title, date opened, annotations, date"),
        Binding("Q", "app.quote_book", "Quotes", id="library.quotes",
                tooltip="every quote in the library, with speaker and article"),
        Binding("P", "app.entity_index", "People", id="library.entities",
                tooltip="people, places and organisations across the library"),
        Binding("plus", "app.add_url", "Add URL", id="library.add", key_display="+",
                tooltip="add an article from the web by its address"),
        Binding("F", "app.feeds", "Feeds", id="library.feeds", tooltip="the feeds you follow: follow, refresh"),
        Binding("A", "app.analyse_library", "Analyse all", id="library.analyse", show=False,
                tooltip="analyse every article in the background (cached; resumes after a restart)"),
        Binding("escape", "clear_filter", "Clear filter", id="library.clear", show=False),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._placed = False  # the cursor was put on the article read last (once)
        self._counts_version = -1  # the corrections version the counts were read under

    @property
    def docbao(self) -> DocbaoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("docbao", "bold"), "  library"), id="library-title")
        yield Input(placeholder=PLACEHOLDER, id="library-filter")
        yield ArticleTableHeader(id="library-header")
        yield ArticleTable(self.docbao.library.rows, id="library-table")
        with Horizontal(id="library-progress"):  # its bar is mounted with the first progress (first paint)
            yield Static("", id="library-progress-text", markup=False)
        yield Static("", id="library-status", markup=False)
        yield QuietFooter()

    @property
    def table(self) -> ArticleTable:
        return self.query_one(ArticleTable)

    def on_mount(self) -> None:
        lib = self.docbao.library
        if sum(len(a.text) for a in self.docbao.articles) <= WORDS_NOW_LIMIT:
            for row, a in zip(lib.rows, self.docbao.articles, strict=True):
                row.words = a.words
        self.docbao.store_signal.subscribe(self, self._store_changed)
        self.docbao.corrections_signal.subscribe(self, lambda _v: self.fill_counts())
        self.query_one("#library-progress").display = False
        lib = self.docbao.library
        self.table.show(lib.filter(lib.query_text), keep=lib.last_read() or (
            lib.rows[lib.view[0]].article_id if lib.view else None))
        self.refresh_rows()
        self._apply()
        if self.docbao.store_handle.ready:
            self.fill_counts()

    def _store_changed(self, handle: StoreHandle) -> None:
        if handle.ready:
            self.refresh_rows()
            self.fill_counts()

    def on_screen_resume(self) -> None:
        self.refresh_rows()
        if self._counts_version != self.docbao.corrections_version and self.docbao.store_handle.ready:
            self.fill_counts()

    # -- rows ------------------------------------------------------------------------------------------
    def refresh_rows(self) -> None:
        """Notes, tags and read state from the store (at open, and after the reader closes)."""
        app = self.docbao
        handle = app.store_handle
        if not handle.ready:
            return
        store = handle.live
        out = handle.read(lambda: (store.counts_by_article(), store.tags_by_article(), store.reading_states()))
        if not out.ok or out.value is None:
            app.show_store_error()
            return
        counts, tags, states = out.value
        lib = app.library
        changed = False
        for i, row in enumerate(lib.rows):
            if row.article_id in app.analysis_counts:
                row.entities, row.quotes = app.analysis_counts[row.article_id]
            r = states.get(row.article_id)
            new = (counts.get(row.article_id, 0), list(tags.get(row.article_id, ())), bool(r and r.read),
                   str((r and r.opened) or ""))
            if new != (row.notes, row.tags, row.read, row.opened):
                tags_changed = new[1] != row.tags
                row.notes, row.tags, row.read, row.opened = new
                if tags_changed:
                    lib.row_changed(i)
                changed = True
        if changed and lib.query_text:
            self._apply()
        if not self._placed:
            self._placed = True
            last = lib.last_read()
            if last is not None:
                self.table.move_to(last)
        self.table.refresh()
        self._update_status()

    @work(thread=True, exclusive=True, group="library-counts")
    def fill_counts(self) -> None:
        """Entity and quote counts and the people quoted, from the analysis cache (never computing);
        then the folded texts for the filter."""
        worker = get_current_worker()
        app = self.docbao
        self._counts_version = app.corrections_version
        out = app.call_from_thread(app.store_handle.read, app.store_handle.live.lexicon)
        if not out.ok:
            app.call_from_thread(app.show_store_error)
            return
        articles = list(app.articles)
        batch: list[tuple[int, int, int, frozenset[str], int | None]] = []
        words_later = self.docbao.library.rows[0].words is None if articles else False
        last = time.monotonic()
        for i, a in enumerate(articles):
            if worker.is_cancelled:
                return
            try:
                cached = app.analyzer.cached(a.text, out.value, article_id=a.id)
            except Exception:  # a damaged cache entry is a miss
                cached = None
            words = a.words if words_later else None
            if cached is None:
                batch.append((i, -1, -1, frozenset(), words))
            else:
                quotes = sum(1 for q in cached.quotes if q.kind != "term")
                batch.append((i, len(cached.entities), quotes, people_of(cached), words))
            if time.monotonic() - last > 0.1 or i == len(articles) - 1:
                app.call_from_thread(self._set_counts, batch)
                batch, last = [], time.monotonic()
        if not worker.is_cancelled:
            app.library.set_bodies(a.text for a in articles)
            app.call_from_thread(self._texts_indexed)

    def _set_counts(self, batch: list[tuple[int, int, int, frozenset[str], int | None]]) -> None:
        rows = self.docbao.library.rows
        fresh = self.docbao.analysis_counts  # analysed in this session, under the current corrections
        for i, ents, quotes, people, words in batch:
            row = rows[i]
            row.entities, row.quotes = fresh.get(row.article_id, (ents, quotes))
            row.people = people or row.people
            if words is not None:
                row.words = words
        self.table.refresh()

    def rows_added(self, article_id: str) -> None:
        """New articles joined the library: show them (the cursor stays where it was)."""
        self.table.set_rows(self.docbao.library.rows)
        self.table.show(self.docbao.library.view, keep=self.table.current_id or article_id)
        self._update_status()
        if self.docbao.store_handle.ready:
            self.fill_counts()

    def show_progress(self, progress: Any) -> None:
        """The whole-library analysis: a bar, the count and the time left; gone when it ends."""
        box = self.query_one("#library-progress")
        box.display = not (progress.finished or progress.cancelled)
        from textual.widgets import ProgressBar

        bars = box.query(ProgressBar)
        if bars:
            bar = bars.first()
        else:
            bar = ProgressBar(id="library-progress-bar", show_eta=False)
            box.mount(bar, before=0)
        bar.update(total=max(1, progress.total), progress=progress.done)
        self.query_one("#library-progress-text", Static).update(
            Content(f" Analysing: {progress.describe()}   A stops"))

    def _texts_indexed(self) -> None:
        if self.docbao.library.query_text:
            self._apply()
        self._update_status()

    # -- filter and sort -------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._apply(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def _apply(self, text: str | None = None) -> None:
        lib = self.docbao.library
        view = lib.filter(lib.query_text if text is None else text)
        self.table.show(view, keep=self.table.current_id)
        self.query_one(ArticleTableHeader).sort_key = {"annotations": "notes"}.get(lib.sort, lib.sort)
        self._update_status()

    def _update_status(self) -> None:
        lib = self.docbao.library
        total, shown = len(lib.rows), len(self.table.view)
        noun = "article" if total == 1 else "articles"
        what = f"{shown} of {total} {noun}" if lib.query_text else f"{total} {noun}"
        msg = f"{what} · {lib.unread()} unread · sorted by {SORTS[lib.sort]}"
        if lib.query_text:
            scope = "titles, tags and text" if lib.text_indexed else "titles and tags (text still indexing…)"
            msg += f" · filter over {scope}"
        self.query_one("#library-status", Static).update(Content(msg))

    def set_sort(self, sort: str) -> None:
        lib = self.docbao.library
        self.table.show(lib.set_sort(sort), keep=self.table.current_id)
        self.query_one(ArticleTableHeader).sort_key = {"annotations": "notes"}.get(sort, sort)
        self._update_status()
        self.notify(f"Sorted by {SORTS[sort]}", timeout=2)

    def action_cycle_sort(self) -> None:
        self.set_sort(self.docbao.library.next_sort())

    def action_focus_filter(self) -> None:
        self.query_one(Input).focus()

    def action_clear_filter(self) -> None:
        inp = self.query_one(Input)
        if inp.value:
            inp.value = ""
        self.table.focus()

    def set_filter(self, text: str) -> None:
        self.query_one(Input).value = text

    # -- opening ---------------------------------------------------------------------------------------
    def on_article_table_opened(self, event: ArticleTable.Opened) -> None:
        self.docbao.open_article(event.article_id)

    def palette_commands(self) -> list[PaletteCommand]:
        cmds = list(binding_commands(self, self.BINDINGS))
        cmds += [PaletteCommand(f"Sort by {name}", "order the library", partial(self.set_sort, key))
                 for key, name in SORTS.items()]
        cmds.append(PaletteCommand("Open the highlighted article", "Enter", self.table.action_open))
        return cmds

    def help_bindings(self) -> list[Any]:
        return [*self.BINDINGS, *self.table.BINDINGS]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "app.quit" and isinstance(self.focused, Input))
