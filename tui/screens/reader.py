"""The reader: a thin view over :class:`tui.model.reader.ReaderModel`.

The text shows at once; the analysis runs in a worker (visible paragraphs first, then the whole article,
on the app's single analysis thread) and highlights appear as they come. Keys stay responsive meanwhile.
Actions that open dialogs (annotate, edit, delete, copy, correct) live in tui.screens.reader_actions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from docbao.analysis.spans import Analysis
from docbao.tui.model.kinds import ENTITY_KINDS, JUMP_KINDS, KINDS, QUOTE_KINDS, view_kinds
from docbao.tui.model.library import people_of
from docbao.tui.model.reader import ReaderModel, short
from docbao.tui.runner import SEPARATE_CHARS, analyse_apart
from docbao.tui.screens.footer import QuietFooter
from docbao.tui.screens.reader_actions import ReaderActions
from docbao.tui.widgets.article_view import ArticleView
from docbao.tui.widgets.panels import AnalysisStatus, Legend, SidePanel
from docbao.tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from docbao.store.articles import Article

__all__ = ["AnalysisFailed", "AnalysisUpdate", "ReaderScreen"]


class AnalysisUpdate(Message):
    def __init__(self, generation: int, analysis: Analysis, partial: bool) -> None:
        super().__init__()
        self.generation = generation
        self.analysis = analysis
        self.partial = partial


class AnalysisFailed(Message):
    def __init__(self, generation: int, error: str) -> None:
        super().__init__()
        self.generation = generation
        self.error = error


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


class ReaderScreen(ReaderActions):
    """One article."""

    HELP_TITLE = "Reader"
    AUTO_FOCUS = "ArticleView"
    # below 100 columns the side panel starts hidden; p, E, Q and T still show it
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 - Textual's API
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "annotate", "Tag/note", id="reader.annotate", tooltip="tag and note the selection, "
                "else the quote or entity under the cursor, else the whole article"),
        Binding("c", "copy", "Copy", id="reader.copy", tooltip="copy the selection or the quote"),
        Binding("C", "copy_cite", "Copy+cite", id="reader.copy_cite",
                tooltip="copy with its citation: “quote” — speaker, title (source)"),
        Binding("slash", "search", "Search", id="reader.search", key_display="/"),
        Binding("n", "jump(1)", "Next", id="reader.next", tooltip="next entity, quote or note"),
        Binding("N", "jump(-1)", "Prev", id="reader.prev", tooltip="previous entity, quote or note"),
        Binding("right_parenthesis", "jump(1, 'quote')", "Next quote", id="reader.next_quote", key_display=")",
                show=False),
        Binding("left_parenthesis", "jump(-1, 'quote')", "Prev quote", id="reader.prev_quote", key_display="(",
                show=False),
        Binding("greater_than_sign", "jump(1, 'entity')", "Next entity", id="reader.next_entity",
                key_display=">", show=False),
        Binding("less_than_sign", "jump(-1, 'entity')", "Prev entity", id="reader.prev_entity", key_display="<",
                show=False),
        Binding("ctrl+g", "search_step(1)", "Next hit", id="reader.next_hit", show=False),
        Binding("right_square_bracket", "article(1)", "Next article", id="reader.next_article", key_display="]"),
        Binding("left_square_bracket", "article(-1)", "Prev article", id="reader.prev_article", key_display="[",
                show=False),
        Binding("p", "toggle_panel", "Panel", id="reader.panel"),
        *[Binding(k.key, f"toggle_kind('{k.id}')", f"Show/hide {k.label}", id=f"reader.toggle.{k.id}",
                  show=False) for k in KINDS],
        Binding("E", "panel('entities')", "Entities tab", id="reader.entities", show=False),
        Binding("Q", "panel('quotes')", "Quotes tab", id="reader.quotes", show=False),
        Binding("T", "panel('notes')", "Notes tab", id="reader.notes", show=False),
        Binding("e", "edit_annotation", "Edit note", id="reader.edit", show=False),
        Binding("d", "delete_annotation", "Delete note", id="reader.delete", show=False),
        Binding("x", "correct", "Correct entity", id="reader.correct", show=False,
                tooltip="relabel the entity under the cursor, or mark the selection as one"),
        Binding("m", "toggle_read", "Read/unread", id="reader.read", show=False),
        Binding("escape,q", "back", "Library", id="reader.back"),
    ]

    def __init__(self, article: Article, at: int | None = None) -> None:
        super().__init__()
        self.article = article
        self._at = at
        self.model = ReaderModel(article, self.docbao.store_handle, citation_format=self.docbao.citation_format,
                                 mark_read=self.docbao.mark_read)
        self.generation = 0
        self._hidden_legend: frozenset[str] = frozenset()
        self._ready = False

    # -- compatibility with the rest of the app and the tests ---------------------------------------------
    @property
    def analysis(self) -> Analysis:
        return self.model.analysis

    @property
    def analysed(self) -> bool:
        return self.model.analysed

    @property
    def anchored(self) -> list[Any]:
        return self.model.anchored

    # -- building --------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        from docbao.store.citation import cite_source, cite_title

        a = self.article
        with Horizontal(id="reader-header"):
            yield Static(Content.assemble((cite_title(a.title), "bold"), ("  ·  ", "dim"), (cite_source(a), "dim")),
                         id="reader-title", markup=False)
            yield AnalysisStatus(id="reader-status")
        with Horizontal(id="reader-body"):
            yield ArticleView(id="article")
            yield SidePanel(id="side-panel")
        yield Legend(self._legend_items(), id="legend")
        yield SearchBar(id="search")
        yield Static("", id="reader-info", markup=False)
        yield QuietFooter()

    def _legend_items(self) -> list[tuple[str, str, str, object]]:
        from docbao.tui.styles import span_style

        dark = self.app.current_theme.dark
        variables = self.app.get_css_variables()
        return [(k.key, k.id, k.label, span_style(k.id, dark=dark, variables=variables)) for k in KINDS]

    def on_mount(self) -> None:
        view = self.view
        view.set_text(self.article.text)
        position = self.model.open()
        if self._at is not None and 0 <= self._at <= len(self.article.text):
            position = self._at
        if position:
            view.move_cursor(position, center=True)
        self._refresh_spans()
        self.panel.set_notes(self.model.note_items())
        self.panel.set_entities([])
        self.panel.set_quotes([])
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self._ready = True
        self._update_info()
        self.reanalyse()

    def _theme_changed(self, _theme: object) -> None:
        legend = self.query_one(Legend)
        legend.items = self._legend_items()
        legend.refresh()

    # -- analysis --------------------------------------------------------------------------------------
    def reanalyse(self) -> None:
        """(Re)start the analysis: the paragraphs on screen first, then the whole article."""
        self.generation += 1
        lexicon = self.docbao.store_handle.read(self.docbao.store_handle.live.lexicon) \
            if self.docbao.store_handle.ready else None
        if lexicon is not None and not lexicon.ok:
            self.docbao.show_store_error()
            return
        try:
            first = self.view.visible_range()
        except Exception:  # no size yet
            first = (0, min(len(self.article.text), 4000))
        self.query_one(AnalysisStatus).start("analysing the visible part…")
        self._analyse(self.generation, lexicon.value if lexicon is not None else None, first)

    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False)
    def _analyse(self, generation: int, lexicon: Any, first: tuple[int, int]) -> None:
        worker = get_current_worker()
        article = self.article

        def stopped() -> bool:
            return worker.is_cancelled or self.docbao.quitting

        def job(analyzer: Any) -> None:
            cached = analyzer.cached(article.text, lexicon, article_id=article.id)
            if cached is not None:
                self.post_message(AnalysisUpdate(generation, cached, False))
                return
            last: Analysis | None = None
            partial = False
            results = analyzer.analyze_progressive(article.text, lexicon, article_id=article.id, first=first)
            for result in results:
                if stopped():
                    return
                partial = bool(result.meta.get("partial"))
                self.post_message(AnalysisUpdate(generation, result, partial))
                last = result
                if partial and len(article.text) >= SEPARATE_CHARS:
                    full = analyse_apart(analyzer, article, lexicon, stopped)
                    if full is not None or stopped():
                        results.close()
                        if full is not None:
                            self.post_message(AnalysisUpdate(generation, full, False))
                        return
            if last is not None and partial and not worker.is_cancelled:
                self.post_message(AnalysisUpdate(generation, last, False))  # no full result came: done

        try:
            self.docbao.runner.submit(job).result()
        except Exception as exc:
            self.post_message(AnalysisFailed(generation, f"{type(exc).__name__}: {exc}"))

    def on_analysis_update(self, message: AnalysisUpdate) -> None:
        if message.generation != self.generation:
            return
        self.model.set_analysis(message.analysis, final=not message.partial)
        self._refresh_spans()
        self._update_info()
        status = self.query_one(AnalysisStatus)
        if message.partial:
            status.start("visible part done; analysing the whole article…")
            return
        self.panel.set_entities(self.model.entity_groups(), final=True)
        self.panel.set_quotes(self.model.quote_items(), final=True)
        n_ent, n_q = self.model.counts()
        self.docbao.analysis_counts[self.article.id] = (n_ent, n_q)
        self.docbao.library.set_analysed(self.article.id, n_ent, n_q, people_of(message.analysis))
        status.done(f"{_count(n_ent, 'entity', 'entities')} · {_count(n_q, 'quote', 'quotes')}")

    def on_analysis_failed(self, message: AnalysisFailed) -> None:
        if message.generation != self.generation:
            return
        self.query_one(AnalysisStatus).done("analysis failed")
        self.notify(f"The analysis failed: {message.error}. The text is still here to read and annotate.",
                    title="Analysis", severity="error", markup=False, timeout=10)

    # -- spans and info ---------------------------------------------------------------------------------
    def _refresh_spans(self) -> None:
        self.view.set_spans(self.model.index)  # the model's index of its marks, not built again

    def refresh_notes(self) -> None:
        self.model.reload_notes()
        self._refresh_spans()
        self.panel.set_notes(self.model.note_items())
        self._update_info()

    def _hidden(self) -> frozenset[str]:
        return self.view.hidden_kinds

    def on_article_view_cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        self._update_info()
        if not self._ready or self.model.read or self.model.auto_read_done:
            return
        try:
            end = self.view.visible_range()[1]
        except Exception:
            return
        if end >= len(self.article.text) and self.model.reached_end():
            self.notify("Marked as read (you reached the end; m undoes it)", timeout=2)

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_info)  # the line count follows the width

    def on_article_view_selection_changed(self, event: ArticleView.SelectionChanged) -> None:
        self._update_info()  # a selection cleared without a cursor move (Esc, after a save) shows at once

    def _update_info(self) -> None:
        view = self.view
        text = self.article.text
        parts: list[Content | str | tuple[str, str]] = []
        for s in sorted(self.model.index.at(view.cursor, self._hidden()), key=lambda s: s.start):
            if s.kind in ENTITY_KINDS:
                parts += [(f"{s.kind} ", "bold"), Content(short(text[s.start:s.end], 40))]
            elif s.kind in QUOTE_KINDS:
                q = self.model.quote_at(s.start, s.end)
                who = q.speaker.text if q is not None and q.speaker is not None else None
                parts += [("quote", "bold"), Content(f" by {who}" if who else " (speaker unknown)")]
            elif s.kind == "annotation":
                anc = next((a for a in self.model.anchored if a.annotation.id == s.key), None)
                if anc is None:
                    continue
                tags = " ".join(f"#{t}" for t in anc.annotation.tags)
                parts += [("note ", "bold"), Content(short(" ".join(x for x in (tags, anc.annotation.note) if x), 50))]
            else:
                continue
            parts.append(("  ·  ", "dim"))
        sel = view.selection
        if sel is not None and sel[1] > sel[0]:
            parts += [(f"selected {sel[1] - sel[0]} characters", "italic"), ("  ·  ", "dim")]
        search = self.model.search
        if search.query:
            parts += [(f"search “{short(search.query, 20)}” {search.label}", "bold"), ("  ·  ", "dim")]
        line = view.offset_to_xy(view.cursor)[1] + 1
        parts.append((f"line {line} of {view.line_count} · {100 * view.cursor // max(1, len(text))}%", "dim"))
        if self.model.read:
            parts.append(("  · read", "dim"))
        self.query_one("#reader-info", Static).update(Content.assemble(*parts))

    # -- moving ----------------------------------------------------------------------------------------
    def go_to(self, start: int, end: int | None = None, select: bool = False) -> None:
        self.view.move_cursor(start, center=True)
        if select and end is not None:
            self.view.select_range(start, end)

    def action_jump(self, direction: int, only: str = "") -> None:
        kinds = {"quote": QUOTE_KINDS, "entity": ENTITY_KINDS}.get(only, JUMP_KINDS)
        visible = frozenset(k for k in kinds if k not in self._hidden())
        span = self.view.next_span(visible, direction)
        if span is None:
            what = {"quote": "quote", "entity": "entity"}.get(only, "entity, quote or note")
            self.notify(f"No {'next' if direction > 0 else 'previous'} {what}", timeout=2)
            return
        self.view.move_cursor(span.start, center=False)
        self.view.focus()

    def action_article(self, step: int) -> None:
        other = self.docbao.neighbour(self.article.id, step)
        if other is None:
            self.notify(f"This is the {'last' if step > 0 else 'first'} article of the library's order",
                        timeout=2)
            return
        self.model.save_position(self.view.cursor)
        self.docbao.open_article(other)

    # -- toggles and panel -----------------------------------------------------------------------------
    def action_toggle_kind(self, kind: str) -> None:
        self._hidden_legend = self._hidden_legend ^ {kind}
        self.view.hidden_kinds = view_kinds(self._hidden_legend) | (self._hidden() & {"search", "search-current"})
        self.query_one(Legend).hidden = self._hidden_legend  # struck out in the legend

    def action_toggle_panel(self) -> None:
        panel = self.panel
        panel.display = not panel.display
        if not panel.display:
            self.view.focus()

    def action_panel(self, tab: str) -> None:
        self.panel.display = True
        self.panel.show_tab(tab)

    def on_side_panel_jump(self, event: SidePanel.Jump) -> None:
        self.cycle_to(event)

    def on_side_panel_edit_note(self, event: SidePanel.EditNote) -> None:
        self.edit(event.annotation_id)

    def on_side_panel_delete_note(self, event: SidePanel.DeleteNote) -> None:
        self.delete(event.annotation_id)

    # -- reading state and leaving ---------------------------------------------------------------------
    def action_toggle_read(self) -> None:
        out = self.model.toggle_read()
        if not self.docbao.report(out):
            return
        self.notify("Marked as read" if self.model.read else "Marked as unread", timeout=2)
        self._update_info()

    def save_reading(self) -> None:
        try:
            cursor = self.view.cursor
        except Exception:
            return
        out = self.model.save_position(cursor)
        if not out.ok:
            self.notify(f"{out.error}", severity="warning", markup=False)

    def on_unmount(self) -> None:
        self.save_reading()

    def action_back(self) -> None:
        search = self.query_one(SearchBar)
        if self.view.selection is not None and self.focused is self.view:
            self.view.clear_selection()
            return
        if search.is_open:
            search.action_close()
            return
        self.save_reading()
        self.dismiss(None)
