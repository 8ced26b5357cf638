"""The widgets around the article: the library table, the legend, the analysis status, the side panel.

User text (titles, tags, notes, quotes) is always shown as ``Content``/``rich.text.Text`` built from the plain
string, never parsed as markup: "[quan trọng]" shows as typed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

__all__ = [
    "AnalysisStatus",
    "ArticleTable",
    "ArticleTableHeader",
    "EntityGroup",
    "Legend",
    "LibraryRow",
    "SidePanel",
    "clip",
]


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` cells with an ellipsis, padded to exactly ``width`` cells."""
    text = " ".join(text.split())
    if width <= 0:
        return ""
    if cell_len(text) > width:
        text = set_cell_size(text, width - 1).rstrip() + "…"
    return set_cell_size(text, width)


# ---------------------------------------------------------------------------------------------------------
# Library table: a Line-API list, so 10,000 rows paint and filter in milliseconds (DataTable measured every
# cell of every row: 1.2 s for 10,000).


@dataclass
class LibraryRow:
    article_id: str
    title: str
    words: int
    entities: int | None = None  # None: not known yet (the worker fills it in); -1: not analysed yet
    quotes: int | None = None
    notes: int = 0
    tags: list[str] = field(default_factory=list)
    read: bool = False
    opened: str = ""  # ISO time the article was last opened, "" if never


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    align: str = "right"


def layout_columns(width: int) -> list[Column]:
    """Column widths for a table ``width`` cells wide (the title takes what is left)."""
    fixed = [
        Column("read", "", 2, "left"),
        Column("title", "Title", 0, "left"),
        Column("words", "Words", 7),
        Column("entities", "Ent.", 5),
        Column("quotes", "Quotes", 7),
        Column("notes", "Notes", 6),
        Column("tags", "Tags", 24 if width >= 110 else 14, "left"),
        Column("opened", "Opened", 11, "left"),
    ]
    if width < 100:
        fixed = [c for c in fixed if c.key != "opened"]
    if width < 70:
        fixed = [c for c in fixed if c.key not in ("tags", "words")]
    gaps = len(fixed) - 1
    rest = width - sum(c.width for c in fixed) - gaps
    return [Column(c.key, c.label, max(rest, 10), c.align) if c.key == "title" else c for c in fixed]


def _count(value: int | None) -> str:
    if value is None:
        return "…"
    if value < 0:
        return "–"
    return str(value)


def row_cells(row: LibraryRow) -> dict[str, str]:
    return {
        "read": "" if row.read else "●",
        "title": row.title,
        "words": f"{row.words:,}".replace(",", "."),
        "entities": _count(row.entities),
        "quotes": _count(row.quotes),
        "notes": str(row.notes) if row.notes else "",
        "tags": ", ".join(row.tags),
        "opened": row.opened[:10],
    }


def _cell(text: str, col: Column) -> str:
    if col.align == "right" and cell_len(text) < col.width:
        return " " * (col.width - cell_len(text)) + text
    return clip(text, col.width)


class ArticleTableHeader(Widget):
    """The column titles above an :class:`ArticleTable` (and the sort marker)."""

    DEFAULT_CSS = """
    ArticleTableHeader { height: 1; text-style: bold; color: $text-accent; padding: 0 1; }
    """
    sort_key: reactive[str] = reactive("title")

    def render(self) -> Content:
        cols = layout_columns(self.content_size.width)
        parts = []
        for c in cols:
            label = c.label + ("▾" if c.key == self.sort_key and c.label else "")
            parts.append(_cell(label, c))
        return Content(" ".join(parts))


class ArticleTable(ScrollView, can_focus=True):
    """One line per article; only the visible lines are drawn. ``show(indices)`` filters and orders."""

    DEFAULT_CSS = """
    ArticleTable { height: 1fr; padding: 0 1; }
    ArticleTable > .article-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    ArticleTable:blur > .article-table--cursor { background: $block-cursor-blurred-background; text-style: none; }
    ArticleTable > .article-table--unread { text-style: bold; }
    ArticleTable > .article-table--dim { color: $text-muted; }
    ArticleTable > .article-table--tags { color: $text-accent; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-table--cursor", "article-table--unread", "article-table--dim", "article-table--tags",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "open", "Open", id="library.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    class Opened(Message):
        def __init__(self, article_id: str) -> None:
            super().__init__()
            self.article_id = article_id

    def __init__(self, rows: Sequence[LibraryRow] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.rows: list[LibraryRow] = list(rows)
        self.index: dict[str, int] = {r.article_id: i for i, r in enumerate(self.rows)}
        self.view: list[int] = list(range(len(self.rows)))
        self.virtual_size = Size(0, len(self.view))

    # -- data ------------------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[LibraryRow]) -> None:
        self.rows = list(rows)
        self.index = {r.article_id: i for i, r in enumerate(self.rows)}
        self.show(range(len(self.rows)))

    def show(self, indices: Iterable[int], keep: str | None = None) -> None:
        """Show these rows (indices into ``rows``) in this order; keep the cursor on ``keep`` if shown."""
        current = keep if keep is not None else self.current_id
        self.view = list(indices)
        self.virtual_size = Size(self.size.width, len(self.view))
        pos = 0
        if current is not None and current in self.index:
            target = self.index[current]
            try:
                pos = self.view.index(target)
            except ValueError:
                pos = 0
        self.cursor = pos
        self._keep_visible()
        self.refresh()

    def refresh_row(self, article_id: str) -> None:
        self.refresh()

    @property
    def current_id(self) -> str | None:
        if 0 <= self.cursor < len(self.view):
            return self.rows[self.view[self.cursor]].article_id
        return None

    @property
    def current_row(self) -> LibraryRow | None:
        if 0 <= self.cursor < len(self.view):
            return self.rows[self.view[self.cursor]]
        return None

    def move_to(self, article_id: str) -> None:
        i = self.index.get(article_id)
        if i is not None and i in self.view:
            self.cursor = self.view.index(i)
            self._keep_visible()

    # -- drawing ---------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        scroll_y = round(self.scroll_offset.y)
        i = scroll_y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if i >= len(self.view):
            return Strip.blank(width, base)
        row = self.rows[self.view[i]]
        cols = layout_columns(width)
        cells = row_cells(row)
        cursor = i == self.cursor
        style = base
        if cursor:
            style = base + self.get_component_rich_style("article-table--cursor")
        elif not row.read:
            style = base + self.get_component_rich_style("article-table--unread", partial=True)
        dim = self.get_component_rich_style("article-table--dim", partial=True)
        tag_style = self.get_component_rich_style("article-table--tags", partial=True)
        segments: list[Segment] = []
        for n, col in enumerate(cols):
            if n:
                segments.append(Segment(" ", style))
            text = _cell(cells[col.key], col)
            seg_style = style
            if not cursor and col.key in ("words", "entities", "quotes", "opened"):
                seg_style = style + dim
            elif not cursor and col.key == "tags":
                seg_style = style + tag_style
            segments.append(Segment(text, seg_style))
        return Strip(segments).crop_extend(0, width, style)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self.view))
        self._keep_visible()

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()

    # -- moving ----------------------------------------------------------------------------------------
    def _keep_visible(self) -> None:
        height = max(1, self.scrollable_content_region.height)
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _set_cursor(self, pos: int) -> None:
        if not self.view:
            self.cursor = 0
            return
        self.cursor = max(0, min(len(self.view) - 1, pos))
        self._keep_visible()

    def action_cursor(self, delta: int) -> None:
        self._set_cursor(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._set_cursor(self.cursor + direction * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._set_cursor(0)

    def action_last(self) -> None:
        self._set_cursor(len(self.view) - 1)

    def action_open(self) -> None:
        article_id = self.current_id
        if article_id is not None:
            self.post_message(self.Opened(article_id))

    def on_click(self, event: events.Click) -> None:
        row = round(self.scroll_offset.y) + event.y
        if 0 <= row < len(self.view):
            self._set_cursor(row)
            if event.chain >= 2:
                self.action_open()


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
        self._timer = None

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
    start: int | None
    end: int | None
    excerpt: str
    tags: tuple[str, ...]
    note: str
    status: str


LABEL_NAMES = {"PER": "People", "LOC": "Places", "ORG": "Organisations", "MISC": "Other"}


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
                     label: str = "") -> None:
            super().__init__()
            self.start = start
            self.end = end
            self.occurrences = occurrences
            self.label = label

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
    def set_entities(self, groups: Sequence[EntityGroup]) -> None:
        ol = self.query_one("#entities-list", OptionList)
        keep = ol.highlighted_option.id if ol.highlighted_option is not None else None
        self._entities = {}
        options: list[Option | None] = []
        by_label: dict[str, list[EntityGroup]] = {}
        for g in groups:
            by_label.setdefault(g.label, []).append(g)
        for label in ("PER", "LOC", "ORG", "MISC", *sorted(set(by_label) - set(LABEL_NAMES))):
            items = by_label.get(label)
            if not items:
                continue
            items.sort(key=lambda g: (-len(g.occurrences), g.surface))
            header = Content.assemble((f"{LABEL_NAMES.get(label, label)} ({label})", "bold"),
                                      (f"  {len(items)}", "dim"))
            options.append(Option(header, id=f"h:{label}", disabled=True))
            for g in items:
                oid = f"e:{label}:{g.surface}"
                self._entities[oid] = g
                prompt = Content.assemble("  ", Content(g.surface), (f"  {len(g.occurrences)}", "dim"))
                options.append(Option(prompt, id=oid))
        if not options:
            options.append(Option(Content.styled("No entities yet", "dim"), disabled=True))
        self._replace(ol, options, keep)

    def set_quotes(self, quotes: Sequence[QuoteItem]) -> None:
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
            options.append(Option(Content.styled("No quotes yet", "dim"), disabled=True))
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
            self.post_message(self.Jump(s, e, g.occurrences, g.surface))
        elif oid in self._quotes:
            q = self._quotes[oid]
            self.post_message(self.Jump(q.start, q.end))
        elif oid in self._notes:
            n = self._notes[oid]
            if n.start is not None and n.end is not None:
                self.post_message(self.Jump(n.start, n.end))
