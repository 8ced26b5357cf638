"""The widgets around the article: the legend, the analysis status, the side panel.

User text (titles, tags, notes, quotes) is always shown as ``Content``/``rich.text.Text`` built from the plain
string, never parsed as markup: "[quan trọng]" shows as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.style import Style as RichStyle
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from docbao.analysis.spans import LABEL_TITLES, LABELS
from docbao.tui.model.reader import EntityGroup, NoteItem, QuoteItem

__all__ = [
    "AnalysisStatus",
    "EntityGroup",
    "Legend",
    "NoteItem",
    "QuoteItem",
    "SidePanel",
]


# ---------------------------------------------------------------------------------------------------------
# Reader: legend, status


LegendStyle = Callable[[str], object]


class Legend(Widget):
    """The kinds of highlight, each in its own style, with the key that toggles it; hidden ones dimmed."""

    DEFAULT_CSS = """
    Legend { height: 1; padding: 0 1; background: $surface; }
    """
    hidden: reactive[frozenset[str]] = reactive(frozenset())

    def __init__(self, items: Sequence[tuple[str, str, str, object]], **kwargs: object) -> None:
        """``items``: (toggle key, kind, label, style of the kind: a rich Style or style string)."""
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.items = list(items)

    def render(self) -> Content:
        parts: list[Content | str] = []
        for key, kind, label, style in self.items:
            if parts:
                parts.append("  ")
            hidden = kind in self.hidden
            swatch = Content(f" {label} ").stylize("dim strike" if hidden else _content_style(style))
            parts.append(Content.assemble((key, "bold"), " ", swatch))
        return Content.assemble(*parts)


def _content_style(style: object) -> str:
    """A style for ``Content``: accept a style string or a rich Style."""
    if isinstance(style, RichStyle):
        return str(style) if str(style) != "none" else ""
    return str(style or "")


class AnalysisStatus(Static):
    """Shows that analysis is running (a spinner and what is being analysed), then a one-line summary."""

    DEFAULT_CSS = """
    AnalysisStatus { width: auto; height: 1; color: $text-muted; }
    AnalysisStatus.-busy { color: $warning; }
    """
    FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", markup=False, **kwargs)  # type: ignore[arg-type]
        self._busy = ""
        self._frame = 0
        self._timer: Timer | None = None

    @property
    def busy(self) -> bool:
        return bool(self._busy)

    def start(self, what: str) -> None:
        self._busy = what
        self.add_class("-busy")
        self._tick()
        if self._timer is None:
            self._timer = self.set_interval(0.12, self._tick)

    def done(self, summary: str) -> None:
        self._busy = ""
        self.remove_class("-busy")
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.update(Content(summary))

    def _tick(self) -> None:
        if not self._busy:
            return
        self._frame = (self._frame + 1) % len(self.FRAMES)
        self.update(Content(f"{self.FRAMES[self._frame]} {self._busy}"))


# ---------------------------------------------------------------------------------------------------------
# Side panel




class PanelList(OptionList):
    """An OptionList in the side panel; Enter jumps (the panel turns it into a message)."""


class NotesList(PanelList):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit_note", "Edit", id="notes.edit"),
        Binding("d,delete", "delete_note", "Delete", id="notes.delete"),
    ]

    def action_edit_note(self) -> None:
        panel = self.query_ancestor(SidePanel)
        item = panel.highlighted_note()
        if item is not None:
            self.post_message(SidePanel.EditNote(item.annotation_id))

    def action_delete_note(self) -> None:
        panel = self.query_ancestor(SidePanel)
        item = panel.highlighted_note()
        if item is not None:
            self.post_message(SidePanel.DeleteNote(item.annotation_id))


class SidePanel(Vertical):
    """Tabs: Entities (grouped by label, with counts; Enter cycles through occurrences), Quotes (Enter
    jumps), Notes (this article's annotations; Enter jumps, e edits, d deletes)."""

    DEFAULT_CSS = """
    SidePanel { width: 44; border-left: vkey $foreground 20%; }
    SidePanel TabPane { padding: 0; }
    SidePanel OptionList, SidePanel OptionList:focus { height: 1fr; border: none; padding: 0; }
    SidePanel OptionList:focus { background-tint: $foreground 4%; }
    """

    class Jump(Message):
        """Move the article cursor to a span (for entities: one of ``occurrences``)."""

        def __init__(self, start: int, end: int, occurrences: tuple[tuple[int, int], ...] = (),
                     label: str = "", kind: str = "") -> None:
            super().__init__()
            self.start = start
            self.end = end
            self.occurrences = occurrences
            self.label = label  # the entity's surface text
            self.kind = kind  # its entity label (PER, LOC…): one surface can be in several groups

    class EditNote(Message):
        def __init__(self, annotation_id: str) -> None:
            super().__init__()
            self.annotation_id = annotation_id

    class DeleteNote(Message):
        def __init__(self, annotation_id: str) -> None:
            super().__init__()
            self.annotation_id = annotation_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._entities: dict[str, EntityGroup] = {}
        self._quotes: dict[str, QuoteItem] = {}
        self._notes: dict[str, NoteItem] = {}

    def compose(self) -> ComposeResult:
        with TabbedContent(initial="tab-entities"):
            with TabPane("Entities", id="tab-entities"):
                yield PanelList(id="entities-list")
            with TabPane("Quotes", id="tab-quotes"):
                yield PanelList(id="quotes-list")
            with TabPane("Notes", id="tab-notes"):
                yield NotesList(id="notes-list")

    # -- filling ---------------------------------------------------------------------------------------
    def set_entities(self, groups: Sequence[EntityGroup], final: bool = False) -> None:
        """``final``: the analysis is complete, so an empty list means none were found."""
        ol = self.query_one("#entities-list", OptionList)
        keep = ol.highlighted_option.id if ol.highlighted_option is not None else None
        self._entities = {}
        options: list[Option | None] = []
        by_label: dict[str, list[EntityGroup]] = {}
        for g in groups:
            by_label.setdefault(g.label, []).append(g)
        for label in (*LABELS, *sorted(set(by_label) - set(LABELS))):
            items = by_label.get(label)
            if not items:
                continue
            items.sort(key=lambda g: (-len(g.occurrences), g.surface))
            header = Content.assemble((f"{LABEL_TITLES.get(label, label)} ({label})", "bold"),
                                      (f"  {len(items)}", "dim"))
            options.append(Option(header, id=f"h:{label}", disabled=True))
            for g in items:
                oid = f"e:{label}:{g.surface}"
                self._entities[oid] = g
                prompt = Content.assemble("  ", Content(g.surface), (f"  {len(g.occurrences)}", "dim"))
                options.append(Option(prompt, id=oid))
        if not options:
            empty = "No entities found" if final else "No entities yet"
            options.append(Option(Content.styled(empty, "dim"), disabled=True))
        self._replace(ol, options, keep)

    def set_quotes(self, quotes: Sequence[QuoteItem], final: bool = False) -> None:
        ol = self.query_one("#quotes-list", OptionList)
        keep = ol.highlighted_option.id if ol.highlighted_option is not None else None
        self._quotes = {}
        options: list[Option | None] = []
        for q in quotes:
            oid = f"q:{q.start}:{q.end}"
            self._quotes[oid] = q
            text = q.text if len(q.text) <= 160 else q.text[:159] + "…"
            who = q.speaker or ("(term)" if q.kind == "term" else "(speaker unknown)")
            mark = "“" if q.kind == "direct" else ("‹" if q.kind == "term" else "~")
            prompt = Content.assemble((mark + " ", "dim"), Content(text), "\n  — ",
                                      (who, "italic" if q.speaker else "dim"))
            options.append(Option(prompt, id=oid))
        if not options:
            empty = "No quotes found" if final else "No quotes yet"
            options.append(Option(Content.styled(empty, "dim"), disabled=True))
        self._replace(ol, options, keep)

    def set_notes(self, notes: Sequence[NoteItem]) -> None:
        ol = self.query_one("#notes-list", OptionList)
        keep = ol.highlighted_option.id if ol.highlighted_option is not None else None
        self._notes = {}
        options: list[Option | None] = []
        for n in notes:
            if options:
                options.append(None)  # a rule between notes
            oid = f"n:{n.annotation_id}"
            self._notes[oid] = n
            tags = Content.assemble(*[(f"#{t} ", "bold") for t in n.tags]) if n.tags else Content("")
            where = "whole article" if n.start is None else f"“{n.excerpt}”"
            if n.status in ("orphan",):
                where = f"(text not found) “{n.excerpt}”"
            elif n.status in ("moved", "fuzzy"):
                where += f"  ({n.status})"
            parts: list[Content | str | tuple[str, str]] = [tags, (where, "italic")]
            if n.note:
                note = n.note if len(n.note) <= 200 else n.note[:199] + "…"
                parts += ["\n", Content(note)]
            options.append(Option(Content.assemble(*parts), id=oid))
        if not options:
            options.append(Option(Content.styled("No notes yet: press a to tag or note", "dim"), disabled=True))
        self._replace(ol, options, keep)

    @staticmethod
    def _replace(ol: OptionList, options: list[Option | None], keep: str | None) -> None:
        ol.clear_options()
        ol.add_options(options)
        if keep is not None:
            try:
                ol.highlighted = ol.get_option_index(keep)
                return
            except Exception:
                pass
        for i, opt in enumerate(options):
            if opt is not None and not opt.disabled:
                ol.highlighted = i
                break

    def highlighted_note(self) -> NoteItem | None:
        ol = self.query_one("#notes-list", OptionList)
        opt = ol.highlighted_option
        return self._notes.get(opt.id or "") if opt is not None else None

    def show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{tab}"
        self.query_one(f"#{tab}-list", OptionList).focus()

    # -- choosing --------------------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        if oid in self._entities:
            g = self._entities[oid]
            s, e = g.occurrences[0]
            self.post_message(self.Jump(s, e, g.occurrences, g.surface, g.label))
        elif oid in self._quotes:
            q = self._quotes[oid]
            self.post_message(self.Jump(q.start, q.end))
        elif oid in self._notes:
            n = self._notes[oid]
            if n.start is not None and n.end is not None:
                self.post_message(self.Jump(n.start, n.end))
