"""The reader: the article with its highlights, a legend, the side panel, and every action on the text.

The text is on screen at once; the analysis runs in a worker (visible paragraphs first, then the whole
article, on the app's single analysis thread) and highlights appear as they come, with a spinner in the
header. Keys stay responsive meanwhile: nothing here waits for the analysis.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import get_current_worker

from docbao.analysis.spans import Analysis
from docbao.tui.palette import PaletteCommand, binding_commands
from docbao.tui.screens.dialogs import (
    AnnotateDialog,
    AnnotationEdit,
    ConfirmDialog,
    CorrectionChoice,
    CorrectionDialog,
)
from docbao.tui.screens.footer import QuietFooter
from docbao.tui.widgets.article_view import ArticleView, ViewSpan
from docbao.tui.widgets.panels import (
    AnalysisStatus,
    EntityGroup,
    Legend,
    NoteItem,
    QuoteItem,
    SidePanel,
)

if TYPE_CHECKING:
    from docbao.store.articles import Article
    from docbao.tui.app import DocbaoApp

__all__ = ["TOGGLES", "ReaderScreen", "citation"]

# (key, kinds it toggles, legend kind, legend label)
TOGGLES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("1", ("PER",), "PER", "person"),
    ("2", ("LOC",), "LOC", "place"),
    ("3", ("ORG",), "ORG", "organisation"),
    ("4", ("MISC",), "MISC", "other"),
    ("5", ("quote", "quote-indirect"), "quote", "quote"),
    ("6", ("speaker",), "speaker", "speaker"),
    ("7", ("annotation",), "annotation", "note"),
)
ENTITY_KINDS = ("PER", "LOC", "ORG", "MISC")
QUOTE_KINDS = ("quote", "quote-indirect")
JUMP_KINDS = (*ENTITY_KINDS, *QUOTE_KINDS, "annotation")


def citation(text: str, speaker: str | None, title: str, source: str) -> str:
    """“quote” — speaker, title (source)"""
    who = f"{speaker}, " if speaker else ""
    src = f" ({source})" if source else ""
    return f"“{text.strip()}” — {who}{title}{src}"


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


class ReaderScreen(Screen[None]):
    """One article."""

    HELP_TITLE = "Reader"
    AUTO_FOCUS = "ArticleView"
    # below 100 columns the side panel starts hidden (the text would get a third of an 80-column screen);
    # p, E, Q and T still show it
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012
    BINDINGS = [  # noqa: RUF012
        Binding("n", "jump(1)", "Next", id="reader.next", group=Binding.Group("Next/prev span")),
        Binding("N", "jump(-1)", "Previous", id="reader.prev", group=Binding.Group("Next/prev span")),
        Binding("a", "annotate", "Tag/note", id="reader.annotate"),
        Binding("e", "edit_annotation", "Edit note", id="reader.edit", show=False),
        Binding("d", "delete_annotation", "Delete note", id="reader.delete", show=False),
        Binding("c", "copy", "Copy", id="reader.copy"),
        Binding("C", "copy_cite", "Copy+cite", id="reader.copy_cite"),
        *[Binding(key, f"toggle('{legend}')", f"Toggle {label}", id=f"reader.toggle.{legend}",
                  group=Binding.Group("Toggle", compact=True))
          for key, _, legend, label in TOGGLES],
        Binding("p", "toggle_panel", "Panel", id="reader.panel"),
        Binding("E", "panel('entities')", "Entities", id="reader.entities", show=False),
        Binding("Q", "panel('quotes')", "Quotes", id="reader.quotes", show=False),
        Binding("T", "panel('notes')", "Notes", id="reader.notes", show=False),
        Binding("x", "correct", "Correct entity", id="reader.correct", show=False),
        Binding("m", "toggle_read", "Read/unread", id="reader.read", show=False),
        Binding("escape,q", "back", "Library", id="reader.back"),
    ]

    def __init__(self, article: Article) -> None:
        super().__init__()
        self.article = article
        self.analysis: Analysis = Analysis()
        self.analysed = False
        self.anchored: list[Any] = []
        self.generation = 0
        self._hidden: set[str] = set()
        self._cycle: dict[tuple[str, str], int] = {}  # (label, surface) → last occurrence shown
        self._ready = False  # cursor moves before this are the app's own (restoring the position)
        self._saved_position: int | None = None  # the position the store holds for this article
        self._auto_read_done = False
        self._is_read = False  # the store's read mark, read once at mount and kept by _set_read

    @property
    def docbao(self) -> DocbaoApp:
        return self.app  # type: ignore[return-value]

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def panel(self) -> SidePanel:
        return self.query_one(SidePanel)

    # -- building --------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        a = self.article
        with Horizontal(id="reader-header"):
            yield Static(Content.assemble((a.title, "bold"), ("  ·  ", "dim"), (a.citation_source, "dim")),
                         id="reader-title", markup=False)
            yield AnalysisStatus(id="reader-status")
        with Horizontal(id="reader-body"):
            yield ArticleView(id="article")
            yield SidePanel(id="side-panel")
        yield Legend(self._legend_items(), id="legend")
        yield Static("", id="reader-info", markup=False)
        yield QuietFooter()

    def _legend_items(self) -> list[tuple[str, str, str, object]]:
        from docbao.tui.styles import span_style

        dark = self.app.current_theme.dark
        variables = self.app.get_css_variables()
        return [(key, legend, label, span_style(legend, dark=dark, variables=variables))
                for key, _, legend, label in TOGGLES]

    def on_mount(self) -> None:
        app = self.docbao
        store = app.store
        view = self.view
        view.set_text(self.article.text)
        ok, state = app.store_read(store.reading, self.article.id)
        position = int(state.position or 0) if ok and state is not None else 0
        self._is_read = bool(ok and state is not None and state.read)
        if 0 < position <= len(self.article.text):
            view.move_cursor(position, center=True)
        if ok:  # stamps the opened time too
            app.store_write("the reading position", store.set_reading, self.article.id, position=position)
            self._saved_position = position
        ok, anchored = app.store_read(store.for_article, self.article)
        self.anchored = list(anchored or ()) if ok else []
        self._refresh_spans()
        self._refresh_notes()
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
        ok, lexicon = self.docbao.store_read(self.docbao.store.lexicon)
        if not ok:
            return  # the error screen says why
        try:
            first = self.view.visible_range()
        except Exception:
            first = (0, min(len(self.article.text), 4000))
        self.query_one(AnalysisStatus).start("analysing the visible part…")
        self._analyse(self.generation, lexicon, first)

    @work(thread=True, exclusive=True, group="analysis", exit_on_error=False)
    def _analyse(self, generation: int, lexicon: Any, first: tuple[int, int]) -> None:
        worker = get_current_worker()
        article = self.article

        def job(analyzer: Any) -> None:
            cached = analyzer.cached(article.text, lexicon, article_id=article.id)
            if cached is not None:
                self.post_message(AnalysisUpdate(generation, cached, False))
                return
            last: Analysis | None = None
            partial = False
            for result in analyzer.analyze_progressive(article.text, lexicon, article_id=article.id,
                                                       first=first):
                if worker.is_cancelled:
                    return
                partial = bool(result.meta.get("partial"))
                self.post_message(AnalysisUpdate(generation, result, partial))
                last = result
            if last is not None and partial and not worker.is_cancelled:
                self.post_message(AnalysisUpdate(generation, last, False))  # no full result came: done

        try:
            self.docbao.runner.submit(job).result()
        except Exception as exc:
            self.post_message(AnalysisFailed(generation, f"{type(exc).__name__}: {exc}"))

    def on_analysis_update(self, message: AnalysisUpdate) -> None:
        if message.generation != self.generation:
            return
        self.analysis = message.analysis
        self._refresh_spans()
        self._update_info()
        status = self.query_one(AnalysisStatus)
        if message.partial:
            status.start("visible part done; analysing the whole article…")
        else:
            self.analysed = True
            self._refresh_panel()
            n_ent = len(self.analysis.entities)
            n_q = sum(1 for q in self.analysis.quotes if q.kind != "term")
            self.docbao.analysis_counts[self.article.id] = (n_ent, n_q)
            status.done(f"{_count(n_ent, 'entity', 'entities')} · {_count(n_q, 'quote', 'quotes')}")

    def on_analysis_failed(self, message: AnalysisFailed) -> None:
        if message.generation != self.generation:
            return
        self.query_one(AnalysisStatus).done("analysis failed")
        self.notify(f"The analysis failed: {message.error}. The text is still here to read and annotate.",
                    title="Analysis", severity="error", markup=False, timeout=10)

    # -- spans -----------------------------------------------------------------------------------------
    def _spans(self) -> list[ViewSpan]:
        spans: list[ViewSpan] = []
        for i, e in enumerate(self.analysis.entities):
            spans.append(ViewSpan(e.start, e.end, e.label, f"e{i}"))
        for i, q in enumerate(self.analysis.quotes):
            kind = "quote" if q.kind == "direct" else "quote-indirect"
            spans.append(ViewSpan(q.start, q.end, kind, f"q{i}"))
            if q.speaker is not None:
                spans.append(ViewSpan(q.speaker.start, q.speaker.end, "speaker", f"s{i}"))
        for anc in self.anchored:
            if anc.start is not None and anc.end is not None and anc.status not in ("orphan", "article"):
                spans.append(ViewSpan(anc.start, anc.end, "annotation", anc.annotation.id))
        spans.sort(key=lambda s: (s.start, -s.end))
        return spans

    def _refresh_spans(self) -> None:
        self.view.set_spans(self._spans())

    def _refresh_panel(self) -> None:
        groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for e in self.analysis.entities:
            groups[(e.label, e.text)].append((e.start, e.end))
        self.panel.set_entities([EntityGroup(label, surface, tuple(occ))
                                 for (label, surface), occ in groups.items()], final=True)
        self.panel.set_quotes([QuoteItem(q.start, q.end, q.text, q.speaker.text if q.speaker else "", q.kind)
                               for q in self.analysis.quotes], final=True)

    def _refresh_notes(self) -> None:
        text = self.article.text
        items = []
        for anc in sorted(self.anchored, key=lambda a: (a.start if a.start is not None else -1)):
            ann = anc.annotation
            if anc.start is not None and anc.end is not None and anc.status != "orphan":
                excerpt = _short(text[anc.start:anc.end], 80)
            else:
                excerpt = _short(ann.target.exact, 80) if ann.target is not None else ""
            items.append(NoteItem(ann.id, anc.start if anc.status not in ("orphan", "article") else None,
                                  anc.end if anc.status not in ("orphan", "article") else None,
                                  excerpt, tuple(ann.tags), ann.note, anc.status))
        self.panel.set_notes(items)

    def _reload_annotations(self) -> None:
        ok, anchored = self.docbao.store_read(self.docbao.store.for_article, self.article)
        if not ok:
            return  # the error screen says why
        self.anchored = list(anchored or ())
        self._refresh_spans()
        self._refresh_notes()
        self._update_info()

    # -- what is under the cursor ---------------------------------------------------------------------
    def _visible(self, kinds: tuple[str, ...]) -> tuple[str, ...]:
        hidden = self.view.hidden_kinds
        return tuple(k for k in kinds if k not in hidden)

    def _under_cursor(self, kinds: tuple[str, ...]) -> list[ViewSpan]:
        """Spans of these kinds under the cursor, innermost first."""
        view = self.view
        spans = [s for s in view.spans_at(view.cursor) if s.kind in kinds]
        return sorted(spans, key=lambda s: s.end - s.start)

    def _quote_at(self, start: int, end: int) -> Any:
        """The innermost analysed quote containing [start, end)."""
        best = None
        for q in self.analysis.quotes:
            if q.start <= start and end <= q.end and (best is None or q.end - q.start < best.end - best.start):
                best = q
        return best

    def _target(self) -> tuple[int, int] | None:
        """What an action applies to: the selection, else the quote under the cursor, else the entity."""
        sel = self.view.selection
        if sel is not None and sel[1] > sel[0]:
            return sel
        for kinds in (QUOTE_KINDS, ENTITY_KINDS):
            spans = self._under_cursor(self._visible(kinds))
            if spans:
                return spans[0].start, spans[0].end
        return None

    def _annotation_at_cursor(self) -> str | None:
        focused = self.focused
        if focused is not None and focused.id == "notes-list":
            item = self.panel.highlighted_note()
            return item.annotation_id if item is not None else None
        spans = self._under_cursor(("annotation",))
        if spans:
            return spans[0].key
        return None

    def on_article_view_cursor_moved(self, event: ArticleView.CursorMoved) -> None:
        self._update_info()
        if not self._ready or self._auto_read_done:
            return
        try:
            end = self.view.visible_range()[1]
        except Exception:
            return
        if end >= len(self.article.text):
            # The reader moved to where the end is on screen: read (once per opening; m undoes it).
            self._auto_read_done = True
            if not self._read:
                self._set_read(True, quiet=True)

    def on_resize(self) -> None:
        self.call_after_refresh(self._update_info)  # the line count follows the width

    def on_article_view_selection_changed(self, event: ArticleView.SelectionChanged) -> None:
        self._update_info()  # a selection cleared without a cursor move (Esc, after a save) shows at once

    def _update_info(self) -> None:
        view = self.view
        parts: list[Content | str | tuple[str, str]] = []
        for s in sorted(view.spans_at(view.cursor), key=lambda s: s.start):
            if s.kind in ENTITY_KINDS:
                parts.append((f"{s.kind} ", "bold"))
                parts.append(Content(_short(self.article.text[s.start:s.end], 40)))
            elif s.kind in QUOTE_KINDS:
                q = self._quote_at(s.start, s.end)
                who = q.speaker.text if q is not None and q.speaker is not None else "?"
                parts.append(("quote", "bold"))
                parts.append(Content(f" by {who}" if who != "?" else " (speaker unknown)"))
            elif s.kind == "annotation":
                anc = next((a for a in self.anchored if a.annotation.id == s.key), None)
                if anc is not None:
                    parts.append(("note ", "bold"))
                    tags = " ".join(f"#{t}" for t in anc.annotation.tags)
                    parts.append(Content(_short(" ".join(x for x in (tags, anc.annotation.note) if x), 50)))
            else:
                continue
            parts.append(("  ·  ", "dim"))
        sel = view.selection
        if sel is not None and sel[1] > sel[0]:
            parts.append((f"selected {sel[1] - sel[0]} characters", "italic"))
            parts.append(("  ·  ", "dim"))
        length = max(1, len(self.article.text))
        line = view.offset_to_xy(view.cursor)[1] + 1
        parts.append((f"line {line} of {view.line_count} · {100 * view.cursor // length}%", "dim"))
        if self._read:
            parts.append(("  · read", "dim"))
        self.query_one("#reader-info", Static).update(Content.assemble(*parts))

    # -- reading state -------------------------------------------------------------------------------
    @property
    def _read(self) -> bool:
        return self._is_read  # not a store read on every keystroke (the info line shows it)

    def _set_read(self, read: bool, quiet: bool = False) -> None:
        ok, _ = self.docbao.store_write("the read mark", self.docbao.store.set_reading, self.article.id, read=read)
        if not ok:
            return
        self._is_read = read
        if not quiet:
            self.notify("Marked as read" if read else "Marked as unread", timeout=2)
        self._update_info()

    def save_reading(self) -> None:
        if self.docbao.store_error is not None:
            return  # the store refused its file (the error screen is up): nothing to save into
        try:
            cursor = self.view.cursor
        except Exception:
            return
        if cursor == self._saved_position:
            return  # each save rewrites the database file: not again for the same position
        try:
            self.docbao.store.set_reading(self.article.id, position=cursor)
            self._saved_position = cursor
        except Exception as exc:  # never lose the app over a reading position
            self.notify(f"Could not save the reading position: {exc}", severity="warning", markup=False)

    def on_unmount(self) -> None:
        self.save_reading()

    def action_toggle_read(self) -> None:
        self._auto_read_done = True
        self._set_read(not self._read)

    def action_back(self) -> None:
        if self.view.selection is not None and self.focused is self.view:
            self.view.clear_selection()
            return
        self.save_reading()
        self.dismiss(None)

    # -- moving ----------------------------------------------------------------------------------------
    def action_jump(self, direction: int) -> None:
        kinds = frozenset(self._visible(JUMP_KINDS))
        span = self.view.next_span(kinds, direction)
        if span is None:
            what = "entity, quote or note" if kinds else "highlight (all kinds are hidden)"
            self.notify(f"No {'next' if direction > 0 else 'previous'} {what}", timeout=2)
            return
        self.view.move_cursor(span.start, center=False)
        self.view.focus()

    def go_to(self, start: int, end: int | None = None, select: bool = False) -> None:
        view = self.view
        view.move_cursor(start, center=True)
        if select and end is not None:
            view.select_range(start, end)

    def on_side_panel_jump(self, event: SidePanel.Jump) -> None:
        occ = event.occurrences
        if occ:
            # keyed by (label, surface): "Nga" can be a place and a person, each group cycles on its own;
            # the index is wrapped since a re-analysis can shorten the list
            key = (event.kind, event.label)
            cursor = self.view.cursor
            idx = next((i for i, (s, _) in enumerate(occ) if s > cursor), 0)
            last = self._cycle.get(key)
            if last is not None and occ[last % len(occ)][0] == cursor:
                idx = (last % len(occ) + 1) % len(occ)
            self._cycle[key] = idx
            s, _e = occ[idx]
            self.go_to(s)
            self.notify(f"{event.label}: {idx + 1} of {len(occ)}", timeout=2, markup=False)
        else:
            self.go_to(event.start)

    def on_side_panel_edit_note(self, event: SidePanel.EditNote) -> None:
        self._edit(event.annotation_id)

    def on_side_panel_delete_note(self, event: SidePanel.DeleteNote) -> None:
        self._delete(event.annotation_id)

    # -- toggles and panel ---------------------------------------------------------------------------
    def action_toggle(self, legend: str) -> None:
        kinds = next(k for _, k, lg, _l in TOGGLES if lg == legend)
        hidden = set(self.view.hidden_kinds)
        if legend in hidden or kinds[0] in hidden:
            hidden -= set(kinds)
        else:
            hidden |= set(kinds)
        self.view.hidden_kinds = frozenset(hidden)
        self.query_one(Legend).hidden = frozenset(hidden)  # the legend shows it (struck out when hidden)

    def action_toggle_panel(self) -> None:
        panel = self.panel
        panel.display = not panel.display
        if not panel.display:
            self.view.focus()

    def action_panel(self, tab: str) -> None:
        self.panel.display = True
        self.panel.show_tab(tab)

    # -- annotate --------------------------------------------------------------------------------------
    def action_annotate(self) -> None:
        target = self._target()
        text = self.article.text
        if target is None:
            heading = "Tag / note the whole article"
            excerpt = None
        else:
            heading = "Tag / note"
            excerpt = text[target[0]:target[1]]

        def done(edit: AnnotationEdit | None) -> None:
            if edit is None:
                return
            if not edit.tags and not edit.note:
                self.notify("Nothing saved: no tag and no note", severity="warning", timeout=3)
                return
            store = self.docbao.store
            start, end = target if target is not None else (None, None)
            ok, ann = self.docbao.store_write("the annotation", store.add, self.article, start, end,
                                              tags=edit.tags, note=edit.note)
            if not ok or ann is None:
                return  # nothing saved (the notification says why); the selection stays, to retry
            self.view.clear_selection()
            self._reload_annotations()
            tags = " ".join(f"#{t}" for t in ann.tags)
            where = "the whole article" if target is None else _short(excerpt or "", 40)
            self.notify(f"Saved {tags or 'a note'} on {where}", title="Annotation", markup=False, timeout=3)

        ok, known = self.docbao.store_read(self.docbao.store.tags)
        if not ok:
            return  # the error screen says why
        self.app.push_screen(AnnotateDialog(heading, excerpt, known_tags=known), done)

    def action_edit_annotation(self) -> None:
        aid = self._annotation_at_cursor()
        if aid is None:
            self.notify("No note under the cursor (the Notes tab, T, lists them)", severity="warning",
                        timeout=3)
            return
        self._edit(aid)

    def _edit(self, annotation_id: str) -> None:
        store = self.docbao.store
        ok, ann = self.docbao.store_read(store.get, annotation_id)
        if not ok or ann is None:
            return
        excerpt = ann.target.exact if ann.target is not None else None

        def done(edit: AnnotationEdit | None) -> None:
            if edit is None:
                return
            ok, _ = self.docbao.store_write("the annotation", store.update, annotation_id, tags=edit.tags,
                                            note=edit.note)
            if not ok:
                return
            self._reload_annotations()
            self.notify("Annotation updated", timeout=2)

        ok, known = self.docbao.store_read(store.tags)
        if not ok:
            return
        self.app.push_screen(AnnotateDialog("Edit annotation" if excerpt else "Edit the article's annotation",
                                            excerpt, tags=tuple(ann.tags), note=ann.note,
                                            known_tags=known), done)

    def action_delete_annotation(self) -> None:
        aid = self._annotation_at_cursor()
        if aid is None:
            self.notify("No note under the cursor to delete", severity="warning", timeout=3)
            return
        self._delete(aid)

    def _delete(self, annotation_id: str) -> None:
        store = self.docbao.store
        ok, ann = self.docbao.store_read(store.get, annotation_id)
        if not ok or ann is None:
            return
        tags = " ".join(f"#{t}" for t in ann.tags)
        what = _short(ann.target.exact, 60) if ann.target is not None else "the whole article"
        detail = "\n".join(x for x in (tags, f"on “{what}”", _short(ann.note, 120)) if x)

        def done(yes: bool | None) -> None:
            if yes:
                ok, _ = self.docbao.store_write("the deletion", store.delete, annotation_id)
                if not ok:
                    return
                self._reload_annotations()
                self.notify("Annotation deleted", timeout=2)

        self.app.push_screen(ConfirmDialog("Delete this annotation?", detail), done)

    # -- copy ------------------------------------------------------------------------------------------
    def _copy_target(self) -> tuple[int, int] | None:
        sel = self.view.selection
        if sel is not None and sel[1] > sel[0]:
            return sel
        spans = self._under_cursor(QUOTE_KINDS)
        if spans:
            return spans[0].start, spans[0].end
        q = self._quote_at(self.view.cursor, self.view.cursor)
        if q is not None:
            return q.start, q.end
        return None

    def action_copy(self) -> None:
        target = self._copy_target()
        if target is None:
            self.notify("Nothing to copy: select text (shift+arrows or drag) or put the cursor in a quote",
                        severity="warning", timeout=4)
            return
        self.docbao.copy_text(self.article.text[target[0]:target[1]].strip(), "Copied")

    def action_copy_cite(self) -> None:
        target = self._copy_target()
        if target is None:
            self.notify("Nothing to copy: select text or put the cursor in a quote", severity="warning",
                        timeout=4)
            return
        q = self._quote_at(*target)
        speaker = q.speaker.text if q is not None and q.speaker is not None else None
        text = self.article.text[target[0]:target[1]]
        self.docbao.copy_text(citation(text, speaker, self.article.title, self.article.citation_source),
                              "Copied with citation")

    # -- corrections (entity relabel / reject / mark) ----------------------------------------------
    def action_correct(self) -> None:
        sel = self.view.selection
        current: str | None = None
        if sel is not None and sel[1] > sel[0]:
            surface = self.article.text[sel[0]:sel[1]].strip()
            ents = [e for e in self.analysis.entities if e.start == sel[0] and e.end == sel[1]]
            current = ents[0].label if ents else None
        else:
            spans = self._under_cursor(ENTITY_KINDS)
            if not spans:
                self.notify("Put the cursor on an entity, or select the words to mark as one", timeout=4,
                            severity="warning")
                return
            surface = self.article.text[spans[0].start:spans[0].end]
            current = spans[0].kind
        if not surface:
            return

        def done(choice: CorrectionChoice | None) -> None:
            if choice is None:
                return
            ok, _ = self.docbao.store_write("the correction", self.docbao.store.add_correction, choice.surface,
                                            choice.label, choice.scope)
            if not ok:
                return
            where = "everywhere" if choice.scope == "global" else "in this article"
            self.notify(f"“{choice.surface}” is now {choice.label or 'not an entity'} {where}; re-analysing",
                        markup=False, timeout=4)
            self.view.clear_selection()
            self.docbao.corrections_edited()
            self.reanalyse()

        self.app.push_screen(CorrectionDialog(surface, current, self.article.id), done)

    # -- palette and help --------------------------------------------------------------------------
    def palette_commands(self) -> list[PaletteCommand]:
        cmds = list(binding_commands(self, self.BINDINGS))
        for fmt, name in (("json", "JSON"), ("w3c", "W3C Web Annotation JSON-LD"), ("md", "Markdown")):
            cmds.append(PaletteCommand(f"Export this article's annotations as {name}…",
                                       "write this article's annotations to a file",
                                       lambda fmt=fmt: self.docbao.action_export(fmt, self.article.id)))
        cmds.append(PaletteCommand("Select all", "select the whole article",
                                   lambda: self.view.select_range(0, len(self.article.text))))
        cmds.append(PaletteCommand("Analyse again", "re-run the analysis (after corrections)", self.reanalyse))
        return cmds

    def keys_help(self) -> list[tuple[str, str]]:
        return [
            ("← → ↑ ↓", "move the cursor"),
            ("ctrl+← ctrl+→", "previous / next word"),
            ("ctrl+↑ ctrl+↓", "previous / next paragraph"),
            ("PgUp PgDn Home End", "page, start and end of the line (ctrl+Home/End: of the article)"),
            ("shift + any move", "extend the selection (or drag with the mouse)"),
            ("v", "start / stop selecting: then plain moves extend the selection"),
            ("n / N", "next / previous entity, quote or note"),
            ("a", "tag / note the selection, else the quote or entity under the cursor, else the article"),
            ("e / d", "edit / delete the note under the cursor (asks first)"),
            ("c / C", "copy the selection or quote; C adds “quote” — speaker, title (source)"),
            ("1 … 7", "show / hide: person, place, organisation, other, quotes, speakers, notes"),
            ("p", "side panel on/off; E / Q / T open its Entities, Quotes, Notes tab"),
            ("Enter (in the panel)", "go there; on an entity, again for its next occurrence"),
            ("x", "correct the entity under the cursor (or mark the selection as one)"),
            ("m", "mark read / unread"),
            ("Esc / q", "clear the selection, then back to the library"),
        ]

    def help_notes(self) -> Content:
        parts: list[Content | str | tuple[str, str]] = [("Colours\n", "bold underline")]
        for key, _kinds, legend, label in TOGGLES:
            style = next(s for k, lg, _l, s in self._legend_items() if lg == legend)
            from docbao.tui.widgets.panels import _content_style

            parts.append(f"  {key}  ")
            parts.append(Content(f" {label} ").stylize(_content_style(style)))
            parts.append("\n")
        return Content.assemble(*parts)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _short(text: str, limit: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
