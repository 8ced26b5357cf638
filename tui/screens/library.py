"""The library: one line per article, filter as you type (diacritic-insensitive), sort, Enter opens.

First paint shows titles and words; notes, tags and read state follow from the store as soon as it is open
(launch opens it just after the first paint, see DocbaoApp), and entity and quote
counts come from the analysis cache in a background worker and fill in as they arrive. The folded text
of every article (for filtering over the body) is also built there; until it is ready the filter covers
titles and tags.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from docbao.analysis.text import fold
from docbao.tui.palette import PaletteCommand, binding_commands
from docbao.tui.screens.footer import QuietFooter
from docbao.tui.screens.library_table import ArticleTable, ArticleTableHeader, LibraryRow

if TYPE_CHECKING:
    from docbao.tui.app import DocbaoApp

SORTS = ("title", "opened", "annotations")
WORDS_NOW_LIMIT = 2_000_000  # characters in the whole library
SORT_NAMES = {"title": "title", "opened": "date opened", "annotations": "annotations"}

def _haystack(title: str, tags: list[str]) -> str:
    return " ".join(fold(title).split()) + "\n" + "\n".join(" ".join(fold(t).split()) for t in tags)


def _fold_body(text: str) -> str:
    """Folded, with runs of white space (line breaks too) as one space, so a phrase matches across lines."""
    return " ".join(fold(text).split())


class LibraryScreen(Screen[None]):
    """The articles docbao has open."""

    AUTO_FOCUS = "ArticleTable"
    BINDINGS = [  # noqa: RUF012
        Binding("slash", "focus_filter", "Filter", id="library.filter", key_display="/"),
        Binding("s", "cycle_sort", "Sort", id="library.sort"),
        Binding("escape", "clear_filter", "Clear filter", id="library.clear", show=False),
        Binding("q", "app.quit", "Quit", id="library.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sort = "title"
        self.query_text = ""
        self._haystacks: list[str] = []  # what the filter searches: base (+ "\n" + folded body when ready)
        self._bases: list[str] = []  # folded title + tags of each row
        self._bodies: list[str] | None = None  # folded text of each row, once the worker has folded it
        self._title_rank: list[int] = []  # each row's place in title order (folded)
        self._words_later = False
        self._text_folded = False
        self._counts_version = 0  # the app's corrections_version the counts were read under
        self._last: tuple[str, list[int]] | None = None

    @property
    def docbao(self) -> DocbaoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("docbao", "bold"), "  library"), id="library-title")
        yield Input(placeholder="Filter: title, tags or text (ha noi finds Hà Nội)   / to focus, Esc to clear",
                    id="library-filter")
        yield ArticleTableHeader(id="library-header")
        yield ArticleTable(self._build_rows(), id="library-table")
        yield Static("", id="library-status", markup=False)
        yield QuietFooter()

    # -- rows ------------------------------------------------------------------------------------------
    def _build_rows(self) -> list[LibraryRow]:
        app = self.docbao
        known = self._read_store() or ({}, {}, {})
        counts, tags, states = known
        rows = []
        haystacks = []
        # Counting words splits every text: cheap for a few articles, 0.3 s for 10,000 (the worker does it)
        self._words_later = sum(len(a.text) for a in app.articles) > WORDS_NOW_LIMIT
        for a in app.articles:
            r = states.get(a.id)
            words = None if self._words_later else a.words
            row = LibraryRow(a.id, a.title, words, None, None, counts.get(a.id, 0),
                             list(tags.get(a.id, ())), bool(r and r.read), str((r and r.opened) or ""))
            rows.append(row)
            haystacks.append(_haystack(a.title, row.tags))
        self._bases = haystacks
        self._haystacks = list(haystacks)
        order = sorted(range(len(rows)), key=lambda i: haystacks[i])  # haystacks start with the folded title
        self._title_rank = [0] * len(rows)
        for rank, i in enumerate(order):
            self._title_rank[i] = rank
        return rows

    def _read_store(self) -> tuple[dict[str, int], dict[str, Any], dict[str, Any]] | None:
        """(annotation counts, tags, reading states) by article; None without a store, or if the store
        refused its file (the app then shows the error screen)."""
        app = self.docbao
        store = app.store
        if store is None:
            return None

        def read() -> tuple[dict[str, int], dict[str, Any], dict[str, Any]]:
            return store.counts_by_article(), store.tags_by_article(), store.reading_states()

        ok, known = app.store_read(read)
        return known if ok else None

    @property
    def table(self) -> ArticleTable:
        return self.query_one(ArticleTable)

    def on_mount(self) -> None:
        self._apply(keep=None)
        if self.docbao.store is not None:
            self.fill_counts()

    def store_ready(self) -> None:
        """The database is open (launch opens it after the first paint): notes, tags, read state, counts."""
        self.refresh_rows()
        self.fill_counts()

    def on_screen_resume(self) -> None:
        self.refresh_rows()
        if self._counts_version != self.docbao.corrections_version and self.docbao.store is not None:
            self.fill_counts()  # corrections changed: counts from the cache under the new corrections

    def refresh_rows(self, article_ids: list[str] | None = None) -> None:
        """Re-read annotation counts, tags and reading state from the store (after the reader closes)."""
        table = self.table
        known = self._read_store()
        if known is None:
            return
        counts, tags, states = known
        ids = article_ids if article_ids is not None else list(table.index)
        changed = False
        for aid in ids:
            i = table.index.get(aid)
            if i is None:
                continue
            row = table.rows[i]
            if aid in self.docbao.analysis_counts:
                row.entities, row.quotes = self.docbao.analysis_counts[aid]
            r = states.get(aid)
            new_tags = list(tags.get(aid, ()))
            new = (counts.get(aid, 0), new_tags, bool(r and r.read), str((r and r.opened) or ""))
            if new != (row.notes, row.tags, row.read, row.opened):
                row.notes, row.tags, row.read, row.opened = new
                art = self.docbao.articles_by_id[aid]
                self._bases[i] = _haystack(art.title, new_tags)
                self._haystacks[i] = self._hay(i)
                changed = True
        if changed:
            self._last = None
            self._apply(keep=table.current_id)
        table.refresh()

    @work(thread=True, exclusive=True, group="library-counts")
    def fill_counts(self) -> None:
        """Entity and quote counts from the analysis cache (never computing), and folded texts."""
        worker = get_current_worker()
        app = self.docbao
        analyzer = app.analyzer
        self._counts_version = app.corrections_version
        ok, lexicon = app.call_from_thread(app.store_read, app.store.lexicon)
        if not ok:
            return  # the store refused its file: the app shows the error screen
        articles = list(app.articles)
        batch: list[tuple[int, int, int, int | None]] = []
        words_later = self._words_later
        last = time.monotonic()
        for i, a in enumerate(articles):
            if worker.is_cancelled:
                return
            try:
                cached = analyzer.cached(a.text, lexicon, article_id=a.id)
            except Exception:
                cached = None
            words = a.words if words_later else None
            if cached is None:
                batch.append((i, -1, -1, words))
            else:
                quotes = sum(1 for q in cached.quotes if q.kind != "term")
                batch.append((i, len(cached.entities), quotes, words))
            if time.monotonic() - last > 0.1 or i == len(articles) - 1:
                app.call_from_thread(self._set_counts, batch)
                batch = []
                last = time.monotonic()
        folded = [_fold_body(a.text) for a in articles]
        if not worker.is_cancelled:
            app.call_from_thread(self._set_folded_text, folded)

    def _set_counts(self, batch: list[tuple[int, int, int, int | None]]) -> None:
        table = self.table
        fresh = self.docbao.analysis_counts  # analysed in this session, under the current corrections
        for i, ents, quotes, words in batch:
            if i < len(table.rows):
                row = table.rows[i]
                row.entities, row.quotes = fresh.get(row.article_id, (ents, quotes))
                if words is not None:
                    row.words = words
        table.refresh()

    def _hay(self, i: int) -> str:
        bodies = self._bodies
        return self._bases[i] + "\n" + bodies[i] if bodies is not None and i < len(bodies) else self._bases[i]

    def _set_folded_text(self, folded: list[str]) -> None:
        # assigned, never appended: this runs again after every corrections change
        self._bodies = folded
        self._haystacks = [self._hay(i) for i in range(len(self._bases))]
        self._text_folded = True
        self._last = None
        if self.query_text:
            self._apply(keep=self.table.current_id)
        self._update_status()

    # -- filter and sort -----------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self._apply(keep=self.table.current_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def _matches(self, q: str) -> list[int]:
        # The query is a phrase ("ha noi" must not match "hai ... nói"), spaces collapsed, accents optional.
        phrase = " ".join(fold(q).split())
        if not phrase:
            return list(range(len(self._haystacks)))
        base = None
        if self._last is not None and q.startswith(self._last[0]) and self._last[0].strip():
            base = self._last[1]  # typing on: search within the previous matches
        candidates = base if base is not None else range(len(self._haystacks))
        hay = self._haystacks
        return [i for i in candidates if phrase in hay[i]]

    def _order(self, indices: list[int]) -> list[int]:
        rows = self.table.rows
        if self.sort == "title":
            return sorted(indices, key=self._title_rank.__getitem__)
        if self.sort == "opened":
            return sorted(indices, key=lambda i: rows[i].opened, reverse=True)
        return sorted(indices, key=lambda i: (-rows[i].notes, self._title_rank[i]))

    def _apply(self, keep: str | None) -> None:
        q = self.query_text
        matches = self._matches(q)
        self._last = (q, matches)
        self.table.show(self._order(matches), keep=keep)
        self.query_one(ArticleTableHeader).sort_key = {"annotations": "notes"}.get(self.sort, self.sort)
        self._update_status()

    def _update_status(self) -> None:
        total = len(self.table.rows)
        shown = len(self.table.view)
        noun = "article" if total == 1 else "articles"
        what = f"{shown} of {total} {noun}" if self.query_text else f"{total} {noun}"
        scope = "titles, tags and text" if self._text_folded else "titles and tags (text still indexing…)"
        unread = sum(1 for r in self.table.rows if not r.read)
        msg = f"{what} · {unread} unread · sorted by {SORT_NAMES[self.sort]}"
        if self.query_text:
            msg += f" · filter over {scope}"
        self.query_one("#library-status", Static).update(Content(msg))

    def set_sort(self, sort: str) -> None:
        self.sort = sort
        self._apply(keep=self.table.current_id)
        self.notify(f"Sorted by {SORT_NAMES[sort]}", timeout=2)

    def action_cycle_sort(self) -> None:
        self.set_sort(SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)])

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
        cmds += [
            PaletteCommand(f"Sort by {SORT_NAMES[s]}", "order the library", lambda s=s: self.set_sort(s))
            for s in SORTS
        ]
        cmds.append(PaletteCommand("Open the highlighted article", "Enter",
                                   self.table.action_open))
        return cmds

    def keys_help(self) -> list[tuple[str, str]]:
        return [
            ("↑ ↓ PgUp PgDn Home End", "move"),
            ("Enter / double click", "open the article"),
            ("/", "filter: title, tags and text, accents optional (ha noi finds Hà Nội)"),
            ("Esc", "clear the filter"),
            ("s", "sort: title → date opened → annotations"),
            ("● (first column)", "unread"),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "app.quit" and isinstance(self.focused, Input))


__all__ = ["LibraryScreen"]

