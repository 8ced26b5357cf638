"""The quote book: every direct quote in the library, with its speaker, article and date.

A thin view over :class:`docbao.store.index.KnowledgeIndex`: it asks the index and shows the answer. Filter by
speaker (any of the speaker's names, accents optional), by words in the quote, by tag; Enter opens the
article at the quote, ``c`` / ``C`` copy the quote / with its citation, ``a`` tags it. What those do is the
host app's business, through the callbacks it passes in:

    QuotebookScreen(index, on_open=open_at, on_copy=app.copy_text, on_tag=tag_quote, tags=QuoteTags(...))

- ``on_open(article_id, offset)``: open the article with the cursor at ``offset`` (the quote's start);
- ``on_copy(text, what)``: copy ``text`` ("Copied" / "Copied with citation" in ``what``); without it the
  screen uses Textual's ``App.copy_to_clipboard`` and says so;
- ``on_tag(quote)``: tag that :class:`~docbao.store.index.QuoteHit` (its span: article id, start, end);
  the app then calls :meth:`QuotebookScreen.set_tags` with the new tags, so the tag filter sees them.

The table shows a page of rows at a time (``page_size``) and adds the next page when the cursor reaches
the last row, so 10,000 articles' quotes paint as fast as a few hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from docbao.store.index import KnowledgeIndex, QuoteHit, QuoteTags
from docbao.tui.palette import PaletteCommand, binding_commands
from docbao.tui.screens.footer import QuietFooter

__all__ = ["QuotebookScreen"]

OpenCallback = Callable[[str, int], object]
CopyCallback = Callable[[str, str], object]
TagCallback = Callable[[QuoteHit], object]

PAGE_SIZE = 200
SPEAKER_W, ARTICLE_W, DATE_W = 22, 30, 10


def _one_line(s: str) -> str:
    return " ".join(s.split())


class QuoteTable(DataTable[Any]):
    """The quotes, one per row (row keys are the positions in the current result)."""

    DEFAULT_CSS = """
    QuoteTable { height: 1fr; }
    """
    # DataTable's own Enter is hidden from the footer; this one says what it does here
    BINDINGS = [Binding("enter", "select_cursor", "Open", id="quotebook.open")]  # noqa: RUF012


class QuotebookScreen(Screen[None]):
    """Every direct quote of the library. See the module docstring."""

    DEFAULT_CSS = """
    QuotebookScreen #quotebook-title { height: 1; padding: 0 1; }
    QuotebookScreen #quotebook-filters { height: 3; }
    QuotebookScreen #quotebook-filters Input { width: 1fr; }
    QuotebookScreen #quotebook-speaker, QuotebookScreen #quotebook-tag { max-width: 30; }
    QuotebookScreen #quotebook-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    AUTO_FOCUS = "QuoteTable"
    BINDINGS = [  # noqa: RUF012
        Binding("c", "copy", "Copy", id="quotebook.copy"),
        Binding("C", "copy_cite", "Copy+cite", id="quotebook.copy_cite"),
        Binding("a", "tag", "Tag", id="quotebook.tag"),
        Binding("slash", "focus_filter", "Filter", id="quotebook.filter", key_display="/"),
        Binding("escape,q", "back", "Back", id="quotebook.back"),
    ]

    def __init__(self, index: KnowledgeIndex, *, on_open: OpenCallback, on_copy: CopyCallback | None = None,
                 on_tag: TagCallback | None = None, tags: QuoteTags | Mapping[str, Iterable[str]] | None = None,
                 kinds: Collection[str] | None = ("direct",), page_size: int = PAGE_SIZE,
                 speaker: str = "", text: str = "", tag: str = "") -> None:
        super().__init__()
        self.index = index
        self.on_open = on_open
        self.on_copy = on_copy
        self.on_tag = on_tag
        self.tags = tags if tags is None or isinstance(tags, QuoteTags) else QuoteTags.from_article_tags(tags)
        self.kinds = kinds
        self.page_size = max(1, page_size)
        self.filters = {"speaker": speaker, "text": text, "tag": tag}
        self.hits: list[QuoteHit] = []
        self.shown = 0  # rows in the table (a prefix of hits)
        self._index_version = -1
        self._width = 0

    # -- layout ----------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("docbao", "bold"), "  quote book"), id="quotebook-title")
        with Horizontal(id="quotebook-filters"):
            yield Input(self.filters["speaker"], placeholder="Speaker (any name; putin)", id="quotebook-speaker")
            yield Input(self.filters["text"], placeholder="Words in the quote (accents optional)",
                        id="quotebook-text")
            yield Input(self.filters["tag"], placeholder="Tag", id="quotebook-tag")
        yield QuoteTable(cursor_type="row", zebra_stripes=True, id="quotebook-table")
        yield Static("", id="quotebook-status", markup=False)
        yield QuietFooter()

    @property
    def table(self) -> QuoteTable:
        return self.query_one(QuoteTable)

    def on_mount(self) -> None:
        self._columns(self.app.size.width)
        self.requery()

    def on_resize(self, event: events.Resize) -> None:
        if abs(event.size.width - self._width) >= 4 and self.table.columns:
            keep = self.table.cursor_row
            self._columns(event.size.width)
            self._fill(keep)

    def on_screen_resume(self) -> None:
        if self.index.version != self._index_version:
            self.requery()  # the index changed while another screen was on top

    def _columns(self, width: int) -> None:
        self._width = width
        table = self.table
        table.clear(columns=True)
        quote_w = max(20, width - SPEAKER_W - ARTICLE_W - DATE_W - 10)
        table.add_column("Speaker", width=SPEAKER_W, key="speaker")
        table.add_column("Quote", width=quote_w, key="quote")
        table.add_column("Article", width=ARTICLE_W, key="article")
        table.add_column("Date", width=DATE_W, key="date")

    # -- the rows --------------------------------------------------------------------------------------
    def requery(self) -> None:
        """Ask the index again with the current filters, and show the first page."""
        f = self.filters
        self._index_version = self.index.version
        self.hits = self.index.quotes(speaker=f["speaker"] or None, text=f["text"] or None,
                                      tag=f["tag"] or None, tags=self.tags, kinds=self.kinds)
        self._fill(0)

    def _row(self, h: QuoteHit) -> tuple[Text, Text, Text, Text]:
        def cell(s: str, style: str = "") -> Text:
            return Text(_one_line(s), style=style, no_wrap=True, overflow="ellipsis")

        return (cell(h.speaker or "—", "bold"), cell(f"“{h.text}”", "italic"), cell(h.article.title),
                cell(h.article.date or "", "dim"))

    def _fill(self, keep: int) -> None:
        table = self.table
        table.clear()
        self.shown = 0
        self._more(max(keep + 1, self.page_size))
        if self.shown:
            table.move_cursor(row=min(keep, self.shown - 1), animate=False)
        self._status()

    def _more(self, n: int | None = None) -> None:
        start = self.shown
        stop = min(len(self.hits), start + (n or self.page_size))
        if stop <= start:
            return
        self.table.add_rows(self._row(h) for h in self.hits[start:stop])
        self.shown = stop

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.shown - 1 and self.shown < len(self.hits):
            self._more()  # the last row: the next page
            self._status()

    def _status(self) -> None:
        total = len(self.hits)
        noun = "quote" if total == 1 else "quotes"
        msg = f"{total:,} {noun}"
        if self.shown < total:
            msg = f"{self.shown:,} of {total:,} {noun} shown (more as you scroll; filter to narrow)"
        active = [f"{k} “{v}”" for k, v in self.filters.items() if v]
        if active:
            msg += " · " + ", ".join(active)
        if not total and not active:
            msg = "No quotes yet: the library's articles are still being analysed, or none has a quote"
        self.query_one("#quotebook-status", Static).update(Content(msg))

    @property
    def current(self) -> QuoteHit | None:
        """The quote under the cursor."""
        row = self.table.cursor_row
        return self.hits[row] if 0 <= row < self.shown else None

    def set_tags(self, tags: QuoteTags | Mapping[str, Iterable[str]] | None) -> None:
        """New tags from the store (after a quote was tagged): the tag filter uses them at once."""
        self.tags = tags if tags is None or isinstance(tags, QuoteTags) else QuoteTags.from_article_tags(tags)
        if self.filters["tag"]:
            self.requery()

    # -- filters ---------------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        which = (event.input.id or "").removeprefix("quotebook-")
        if which in self.filters and self.filters[which] != event.value:
            self.filters[which] = event.value
            self.requery()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.table.focus()

    def set_filter(self, *, speaker: str | None = None, text: str | None = None, tag: str | None = None) -> None:
        for name, value in (("speaker", speaker), ("text", text), ("tag", tag)):
            if value is not None:
                self.query_one(f"#quotebook-{name}", Input).value = value

    def action_focus_filter(self) -> None:
        self.query_one("#quotebook-speaker", Input).focus()

    # -- actions -----------------------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        h = self.current
        if h is not None:
            self.on_open(h.article.id, h.start)

    def _copy(self, text: str, what: str) -> None:
        if self.on_copy is not None:
            self.on_copy(text, what)
        else:
            self.app.copy_to_clipboard(text)
            self.notify(_one_line(text)[:80], title=what, markup=False)

    def action_copy(self) -> None:
        h = self.current
        if h is None:
            self.notify("No quote to copy", severity="warning", timeout=3)
            return
        self._copy(h.text.strip(), "Copied")

    def action_copy_cite(self) -> None:
        h = self.current
        if h is None:
            self.notify("No quote to copy", severity="warning", timeout=3)
            return
        self._copy(h.citation(), "Copied with citation")

    def action_tag(self) -> None:
        h = self.current
        if h is None:
            self.notify("No quote to tag", severity="warning", timeout=3)
            return
        if self.on_tag is None:
            self.notify("Tagging is not available here", severity="warning", timeout=3)
            return
        self.on_tag(h)

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, Input):
            if focused.value:
                focused.value = ""
            self.table.focus()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # letters typed into a filter are text, not commands
        return not (action in ("copy", "copy_cite", "tag", "open") and isinstance(self.focused, Input))

    # -- help and palette ----------------------------------------------------------------------------------
    def palette_commands(self) -> list[PaletteCommand]:
        return list(binding_commands(self, self.BINDINGS, prefix="Quote book: "))
