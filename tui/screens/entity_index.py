"""The entity index: people, places, organisations and other names across the library.

A thin view over :class:`docbao.store.index.KnowledgeIndex`. The left list shows the groups of one label
with their counts (most mentioned first; a filter finds the others, accents optional); beside it, the
entities that occur in the same articles as the highlighted one. Enter on a group lists its articles;
Enter on an article calls the host app's ``on_open(article_id, offset)`` with the first mention there.

    EntityIndexScreen(index, on_open=open_at, label="PER")
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static, Tab, Tabs
from textual.widgets.option_list import Option

from docbao.analysis.spans import LABEL_TITLES, LABELS
from docbao.store.index import LABEL_NAMES, Group, GroupArticle, KnowledgeIndex
from docbao.tui.palette import PaletteCommand, binding_commands
from docbao.tui.screens.footer import QuietFooter

__all__ = ["EntityIndexScreen"]

OpenCallback = Callable[[str, int], object]
LIMIT = 1_000  # groups listed at once (the filter reaches the rest)
RELATED = 30  # co-occurring groups shown


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


class EntityList(OptionList):
    """An OptionList whose Enter the footer shows."""

    BINDINGS = [Binding("enter", "select", "Open", id="entities.open")]  # noqa: RUF012


class EntityIndexScreen(Screen[None]):
    """People, places, organisations, other: groups with counts, their articles, who occurs beside them."""

    DEFAULT_CSS = """
    EntityIndexScreen #entities-title { height: 1; padding: 0 1; }
    EntityIndexScreen #entities-body { height: 1fr; }
    EntityIndexScreen #entities-main { width: 2fr; }
    EntityIndexScreen #entities-side { width: 1fr; min-width: 24; }
    EntityIndexScreen #entities-heading, EntityIndexScreen #entities-side-heading {
        height: 1; padding: 0 1; text-style: bold; color: $text-accent;
    }
    EntityIndexScreen OptionList { height: 1fr; }
    EntityIndexScreen #entities-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    AUTO_FOCUS = "#entities-list"
    BINDINGS = [  # noqa: RUF012
        Binding("1", "label('PER')", "People", id="entities.people", show=False),
        Binding("2", "label('LOC')", "Places", id="entities.places", show=False),
        Binding("3", "label('ORG')", "Organisations", id="entities.orgs", show=False),
        Binding("4", "label('MISC')", "Other", id="entities.other", show=False),
        Binding("tab", "switch_side", "Beside", id="entities.side", show=True),
        Binding("slash", "focus_filter", "Filter", id="entities.filter", key_display="/"),
        Binding("escape,q", "back", "Back", id="entities.back"),
    ]

    def __init__(self, index: KnowledgeIndex, *, on_open: OpenCallback, label: str = "PER",
                 limit: int = LIMIT) -> None:
        super().__init__()
        self.index = index
        self.on_open = on_open
        self.label = label if label in LABELS else "PER"
        self.limit = limit
        self.name_filter = ""
        self.groups: list[Group] = []
        self.total = 0  # groups of the label matching the filter (before the limit)
        self.group: Group | None = None  # the group whose articles are listed (None: listing groups)
        self.articles: list[GroupArticle] = []
        self.related: list[tuple[Group, int]] = []
        self._index_version = -1

    # -- layout ----------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("docbao", "bold"), "  entity index"), id="entities-title")
        yield Tabs(*(Tab(LABEL_TITLES[lab], id=f"tab-{lab}") for lab in LABELS), active=f"tab-{self.label}",
                   id="entities-tabs")
        yield Input(placeholder="Filter names (accents optional)   / to focus, Esc to clear", id="entities-filter")
        with Horizontal(id="entities-body"):
            with Vertical(id="entities-main"):
                yield Static("", id="entities-heading", markup=False)
                yield EntityList(id="entities-list")
            with Vertical(id="entities-side"):
                yield Static("Also in those articles", id="entities-side-heading", markup=False)
                yield EntityList(id="entities-related")
        yield Static("", id="entities-status", markup=False)
        yield QuietFooter()

    @property
    def main_list(self) -> OptionList:
        return self.query_one("#entities-list", OptionList)

    @property
    def side_list(self) -> OptionList:
        return self.query_one("#entities-related", OptionList)

    def on_mount(self) -> None:
        self.show_groups()

    def on_screen_resume(self) -> None:
        if self.index.version != self._index_version:
            if self.group is not None and self.index.group(self.group.id) is not None:
                self.show_articles(self.index.group(self.group.id))  # type: ignore[arg-type]
            else:
                self.show_groups()

    # -- groups ----------------------------------------------------------------------------------------
    def show_groups(self, select: str | None = None) -> None:
        """List the groups of the current label (matching the filter); highlight ``select`` if given."""
        self._index_version = self.index.version
        self.group = None
        everything = self.index.groups(self.label, name=self.name_filter or None)
        self.total = len(everything)
        self.groups = everything[: self.limit]
        if select is not None and all(g.id != select for g in self.groups):
            extra = self.index.group(select)
            if extra is not None and extra.label == self.label:
                self.groups.insert(0, extra)  # asked for by name (from the side list): show it even if rare
        options = [Option(self._group_prompt(g), id=g.id) for g in self.groups]
        lst = self.main_list
        lst.set_options(options)
        heading = f"{LABEL_TITLES[self.label]} · {_count(self.total, 'entity', 'entities')}"
        self.query_one("#entities-heading", Static).update(Content(heading))
        if options:
            at = next((i for i, g in enumerate(self.groups) if g.id == select), 0)
            lst.highlighted = at
            self._show_related(self.groups[at])
        else:
            self._show_related(None)
        self._status()

    @staticmethod
    def _group_prompt(g: Group) -> Content:
        counts = f"  {_count(g.mentions, 'mention')} · {_count(g.articles, 'article')}"
        return Content.assemble((g.name, "bold"), (counts, "dim"))

    def _show_related(self, g: Group | None) -> None:
        self.related = self.index.cooccurring(g.id, limit=RELATED) if g is not None else []
        options = [Option(Content.assemble((c.name, ""), (f"  {c.label} · {n}", "dim")), id=c.id)
                   for c, n in self.related]
        self.side_list.set_options(options)
        title = f"Also in articles naming {g.name}" if g is not None else "Also in those articles"
        self.query_one("#entities-side-heading", Static).update(Content(title))

    # -- a group's articles ----------------------------------------------------------------------------------
    def show_articles(self, g: Group) -> None:
        self._index_version = self.index.version
        self.group = g
        self.articles = self.index.articles_of(g.id)
        options = []
        for ga in self.articles:
            date = f" · {ga.article.date}" if ga.article.date else ""
            options.append(Option(Content.assemble((ga.article.title or ga.article.id, ""),
                                                   (f"  ×{ga.count}{date}", "dim")), id=ga.article.id))
        lst = self.main_list
        lst.set_options(options)
        if options:
            lst.highlighted = 0
        self.query_one("#entities-heading", Static).update(
            Content(f"{g.name} · {_count(len(self.articles), 'article')}  (Esc: back to {LABEL_TITLES[g.label]})"))
        self._show_related(g)
        lst.focus()
        self._status()

    def _status(self) -> None:
        if self.group is not None:
            msg = "Enter opens the article at the first mention · Esc goes back to the list"
        elif self.total > len(self.groups):
            msg = f"{len(self.groups):,} of {self.total:,} shown, most mentioned first: type to filter"
        elif not self.total and not self.name_filter:
            msg = "No entities yet: the library's articles are still being analysed"
        else:
            msg = "Enter lists the articles · 1–4 or click a tab for another kind · Tab moves beside"
        self.query_one("#entities-status", Static).update(Content(msg))

    # -- events ----------------------------------------------------------------------------------------
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option_list is self.main_list and self.group is None:
            g = self._group_at(event.option_index)
            if g is not None:
                self._show_related(g)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_list is self.side_list:
            self._jump_to(event.option_id)
        elif self.group is None:
            g = self._group_at(event.option_index)
            if g is not None:
                self.show_articles(g)
        else:
            self._open_article(event.option_index)

    def _group_at(self, i: int | None) -> Group | None:
        return self.groups[i] if i is not None and 0 <= i < len(self.groups) else None

    def _open_article(self, i: int | None) -> None:
        if i is not None and 0 <= i < len(self.articles):
            ga = self.articles[i]
            self.on_open(ga.article.id, ga.start)

    def _jump_to(self, group_id: str | None) -> None:
        g = self.index.group(group_id) if group_id else None
        if g is None:
            return
        if self.name_filter:
            self.query_one("#entities-filter", Input).value = ""
            self.name_filter = ""
        self.label = g.label
        self.query_one(Tabs).active = f"tab-{g.label}"
        self.show_groups(select=g.id)
        self.main_list.focus()

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        event.stop()
        label = (event.tab.id or "").removeprefix("tab-")
        if label in LABELS and (label != self.label or self.group is not None):
            self.label = label
            self.show_groups()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.name_filter:
            self.name_filter = event.value
            self.show_groups()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.main_list.focus()

    # -- actions -----------------------------------------------------------------------------------------
    def action_label(self, label: str) -> None:
        if label in LABELS:
            self.query_one(Tabs).active = f"tab-{label}"  # TabActivated shows the groups

    def action_switch_side(self) -> None:
        target = self.main_list if self.focused is self.side_list else self.side_list
        if target.highlighted is None and target.option_count:
            target.highlighted = 0
        target.focus()

    def action_focus_filter(self) -> None:
        if self.group is not None:
            self.show_groups(select=self.group.id)
        self.query_one("#entities-filter", Input).focus()

    def action_back(self) -> None:
        focused = self.focused
        if isinstance(focused, Input):
            if focused.value:
                focused.value = ""
            self.main_list.focus()
            return
        if self.group is not None:
            g = self.group
            self.show_groups(select=g.id)
            self.main_list.focus()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # digits typed into the filter are text, not commands
        return not (action in ("label", "switch_side") and isinstance(self.focused, Input))

    # -- help and palette ----------------------------------------------------------------------------------
    def palette_commands(self) -> list[PaletteCommand]:
        cmds = list(binding_commands(self, self.BINDINGS, prefix="Entity index: "))
        cmds += [PaletteCommand(f"Entity index: {LABEL_TITLES[lab]}", f"list {LABEL_NAMES[lab]}",
                                partial(self.action_label, lab)) for lab in LABELS]
        return cmds

    @property
    def state(self) -> dict[str, Any]:
        """What is shown (for tests and the app): label, filter, the group whose articles are listed."""
        return {"label": self.label, "filter": self.name_filter, "group": self.group.id if self.group else None}
