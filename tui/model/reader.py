"""Everything the reader knows and decides, without Textual: the analysis and the user's notes as spans,
the side panel's lists, what an action applies to, citations, annotate / edit / delete / correct, reading
state and search. The screen (tui.screens.reader) draws what this holds and forwards keys to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docbao.analysis.spans import Analysis, Quote
from docbao.analysis.text import one_line
from docbao.store.citation import DEFAULT_FORMAT, bare_quote, cite
from docbao.tui.config import MARK_READ
from docbao.tui.model.kinds import ENTITY_KINDS, QUOTE_KINDS
from docbao.tui.model.search import FoldedText, SearchState
from docbao.tui.model.spans import SpanIndex, ViewSpan
from docbao.tui.model.store import Outcome, StoreHandle

__all__ = ["EntityGroup", "NoteItem", "QuoteItem", "ReaderModel", "short"]



@dataclass(frozen=True)
class EntityGroup:
    label: str
    surface: str
    occurrences: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class QuoteItem:
    start: int
    end: int
    text: str
    speaker: str
    kind: str


@dataclass(frozen=True)
class NoteItem:
    annotation_id: str
    start: int | None  # None: the whole article, or a note whose text is gone (orphan)
    end: int | None
    excerpt: str
    tags: tuple[str, ...]
    note: str
    status: str


short = one_line  # the panels' and notifications' name for it


class ReaderModel:
    def __init__(self, article: Any, store: StoreHandle, *, citation_format: str = DEFAULT_FORMAT,
                 mark_read: str = "end") -> None:
        self.article = article
        self.store = store
        self.citation_format = citation_format
        self.mark_read = mark_read if mark_read in MARK_READ else "end"
        self.analysis = Analysis()
        self.analysed = False
        self.anchored: list[Any] = []
        self.read = False
        self.auto_read_done = False  # marked read on reaching the end once per opening, or toggled by hand
        self.saved_position: int | None = None
        self.search = SearchState()
        self._folded: FoldedText | None = None
        self.index = SpanIndex()  # the marks: what the view draws, and what is under the cursor

    # -- loading -----------------------------------------------------------------------------------
    def open(self) -> int:
        """Read the reading state and the notes; stamp the opened time; the position to restore."""
        state = self.store.read(self.store_obj().reading, self.article.id)
        position = int(state.value.position or 0) if state.ok and state.value is not None else 0
        self.read = bool(state.ok and state.value is not None and state.value.read)
        if not 0 <= position <= len(self.article.text):
            position = 0
        if state.ok:
            if self.mark_read == "open" and not self.read:
                self.set_read(True)
            self.store.write("the reading position", self.store_obj().set_reading, self.article.id,
                             position=position)
            self.saved_position = position
        self.reload_notes()
        return position

    def store_obj(self) -> Any:
        return self.store.store  # None until the database is open: store.read/write then refuse

    def reload_notes(self) -> Outcome[list[Any]]:
        out = self.store.read(self.store_obj().for_article, self.article) if self.store.ready else Outcome(False)
        if out.ok:
            self.anchored = list(out.value or ())
            self._index()
        return out

    def set_analysis(self, analysis: Analysis, final: bool) -> None:
        self.analysis = analysis
        self.analysed = self.analysed or final
        self._index()

    def _index(self) -> None:
        self.index = SpanIndex(self._marks())

    # -- what is drawn and listed ------------------------------------------------------------------
    @property
    def marks(self) -> tuple[ViewSpan, ...]:
        return self.index.spans

    def _marks(self) -> list[ViewSpan]:
        out: list[ViewSpan] = []
        for i, e in enumerate(self.analysis.entities):
            out.append(ViewSpan(e.start, e.end, e.label, f"e{i}"))
        for i, q in enumerate(self.analysis.quotes):
            if q.kind == "term":
                continue
            out.append(ViewSpan(q.start, q.end, "quote" if q.kind == "direct" else "quote-indirect", f"q{i}"))
            if q.speaker is not None:
                out.append(ViewSpan(q.speaker.start, q.speaker.end, "speaker", f"s{i}"))
        for anc in self.anchored:
            if anc.start is not None and anc.end is not None and anc.status not in ("orphan", "article"):
                out.append(ViewSpan(anc.start, anc.end, "annotation", anc.annotation.id))
        return out

    def entity_groups(self) -> list[EntityGroup]:
        groups: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for e in self.analysis.entities:
            groups[(e.label, e.text)].append((e.start, e.end))
        return [EntityGroup(label, surface, tuple(occ)) for (label, surface), occ in groups.items()]

    def quote_items(self) -> list[QuoteItem]:
        return [QuoteItem(q.start, q.end, q.text, q.speaker.text if q.speaker else "", q.kind)
                for q in self.analysis.quotes if q.kind != "term"]

    def note_items(self) -> list[NoteItem]:
        text = self.article.text
        items = []
        for anc in sorted(self.anchored, key=lambda a: (a.start if a.start is not None else -1)):
            ann = anc.annotation
            placed = anc.start is not None and anc.end is not None and anc.status not in ("orphan", "article")
            if placed:
                excerpt = short(text[anc.start:anc.end], 80)
            else:
                excerpt = short(ann.target.exact, 80) if ann.target is not None else ""
            items.append(NoteItem(ann.id, anc.start if placed else None, anc.end if placed else None, excerpt,
                                  tuple(ann.tags), ann.note, anc.status))
        return items

    def counts(self) -> tuple[int, int]:
        return len(self.analysis.entities), sum(1 for q in self.analysis.quotes if q.kind != "term")

    # -- what an action applies to -------------------------------------------------------------------
    def quote_at(self, start: int, end: int) -> Quote | None:
        """The innermost quote (not a term) containing [start, end)."""
        best = None
        for q in self.analysis.quotes:
            if q.kind != "term" and q.start <= start and end <= q.end and \
                    (best is None or q.end - q.start < best.end - best.start):
                best = q
        return best

    def marks_at(self, offset: int, kinds: Sequence[str], hidden: frozenset[str] = frozenset()) -> list[ViewSpan]:
        """Marks of these kinds (not hidden) under ``offset``, innermost first."""
        return [m for m in self.index.at(offset, hidden) if m.kind in kinds]

    def target(self, cursor: int, selection: tuple[int, int] | None,
               hidden: frozenset[str] = frozenset()) -> tuple[int, int] | None:
        """What "tag / note" applies to: the selection, else the quote under the cursor, else the entity;
        None for the whole article."""
        if selection is not None and selection[1] > selection[0]:
            return selection
        for kinds in (QUOTE_KINDS, ENTITY_KINDS):
            found = self.marks_at(cursor, kinds, hidden)
            if found:
                return found[0].start, found[0].end
        return None

    def copy_target(self, cursor: int, selection: tuple[int, int] | None) -> tuple[int, int] | None:
        """What "copy" takes: the selection, else the quote under the cursor."""
        if selection is not None and selection[1] > selection[0]:
            return selection
        q = self.quote_at(cursor, cursor)
        return (q.start, q.end) if q is not None else None

    def citation(self, start: int, end: int) -> str:
        inner = bare_quote(self.article.text[start:end])  # a selection may take the quotation marks along
        at = self.article.text.find(inner, start, end) if inner else -1
        q = self.quote_at(at, at + len(inner)) if at >= 0 else self.quote_at(start, end)
        speaker = q.speaker.text if q is not None and q.speaker is not None else None
        return cite(self.article.text[start:end], speaker, self.article, self.citation_format)

    def annotation_at(self, cursor: int) -> str | None:
        for anc in sorted(self.anchored, key=lambda a: ((a.end or 0) - (a.start or 0))):
            if anc.start is not None and anc.end is not None and anc.status not in ("orphan", "article") \
                    and anc.start <= cursor < anc.end:
                return str(anc.annotation.id)
        return None

    def entity_under(self, cursor: int, selection: tuple[int, int] | None) -> tuple[str, str | None] | None:
        """(surface, current label or None) for a correction: the selection, else the entity under the cursor."""
        text = self.article.text
        if selection is not None and selection[1] > selection[0]:
            s, e = selection
            label = next((x.label for x in self.analysis.entities if (x.start, x.end) == (s, e)), None)
            return text[s:e].strip(), label
        found = self.marks_at(cursor, ENTITY_KINDS)
        if not found:
            return None
        return text[found[0].start:found[0].end], found[0].kind

    # -- changes ---------------------------------------------------------------------------------------
    def annotate(self, target: tuple[int, int] | None, tags: Sequence[str], note: str) -> Outcome[Any]:
        start, end = target if target is not None else (None, None)
        out = self.store.write("the annotation", self.store_obj().add, self.article, start, end,
                               tags=tuple(tags), note=note)
        if out.ok:
            self.reload_notes()
        return out

    def update(self, annotation_id: str, tags: Sequence[str], note: str) -> Outcome[Any]:
        out = self.store.write("the annotation", self.store_obj().update, annotation_id, tags=tuple(tags), note=note)
        if out.ok:
            self.reload_notes()
        return out

    def delete(self, annotation_id: str) -> Outcome[Any]:
        out = self.store.write("the deletion", self.store_obj().delete, annotation_id)
        if out.ok:
            self.reload_notes()
        return out

    def correct(self, surface: str, label: str | None, scope: str) -> Outcome[Any]:
        return self.store.write("the correction", self.store_obj().add_correction, surface, label, scope)

    # -- reading state ---------------------------------------------------------------------------------
    def set_read(self, read: bool) -> Outcome[Any]:
        out = self.store.write("the read mark", self.store_obj().set_reading, self.article.id, read=read)
        if out.ok:
            self.read = read
        return out

    def toggle_read(self) -> Outcome[Any]:
        """m: read ↔ unread, by hand (reaching the end no longer marks it in this opening)."""
        self.auto_read_done = True
        return self.set_read(not self.read)

    def reached_end(self) -> bool:
        """The reader saw the last line: marks it read when that is the setting, once per opening (True if
        it did now)."""
        if self.mark_read != "end" or self.read or self.auto_read_done:
            return False
        self.auto_read_done = True
        return self.set_read(True).ok

    def save_position(self, cursor: int) -> Outcome[Any]:
        """Save the reading position, unless the store already holds it (each save writes the database)."""
        if cursor == self.saved_position or not self.store.ready:
            return Outcome(True)
        out = self.store.write("the reading position", self.store_obj().set_reading, self.article.id,
                               position=cursor)
        if out.ok:
            self.saved_position = cursor
        return out

    # -- search ----------------------------------------------------------------------------------------
    def find(self, query: str) -> SearchState:
        """Every hit of ``query`` (case and diacritics optional); none current until the first step."""
        if self._folded is None:
            self._folded = FoldedText(self.article.text)
        self.search.run(self._folded, query)
        return self.search
