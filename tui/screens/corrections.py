"""Correcting the analysis: :class:`CorrectionDialog` → :class:`CorrectionChoice` relabels an entity,
marks text as one, or says "not an entity", here or everywhere; :class:`CorrectionsScreen` → bool (whether
anything was undone) lists and undoes corrections."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Label, OptionList, Static
from textual.widgets.option_list import Option

from docbao.tui.screens.dialogs import Dialog

if TYPE_CHECKING:
    from docbao.tui.app import DocbaoApp

__all__ = ["CorrectionChoice", "CorrectionDialog", "CorrectionsScreen"]


@dataclass(frozen=True)
class CorrectionChoice:
    surface: str
    label: str | None  # None: "not an entity"
    scope: str  # "global" or the article id


CORRECTION_LABELS = (("PER", "person (người)"), ("LOC", "place (địa danh)"),
                     ("ORG", "organisation (tổ chức)"), ("MISC", "other (khác)"),
                     ("", "not an entity (không phải thực thể)"))


class SpaceCheckbox(Checkbox, inherit_bindings=False):
    """A checkbox that space ticks and Enter leaves alone (Enter applies the dialog: it used to un-tick the
    box just ticked with "Tab, then space" before applying)."""

    BINDINGS = [Binding("space", "toggle_button", "Toggle", show=False)]  # noqa: RUF012


class CorrectionDialog(Dialog[CorrectionChoice | None]):
    """Choose what ``surface`` is; here only or everywhere."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "cancel", "Cancel", id="correct.cancel"),
        Binding("enter", "apply", "Apply", id="correct.apply", show=False),
    ]

    def __init__(self, surface: str, current: str | None, article_id: str) -> None:
        super().__init__()
        self.surface = surface
        self.current = current
        self.article_id = article_id

    def compose(self) -> ComposeResult:
        now = f" (now {self.current})" if self.current else " (now not an entity)"
        with Vertical(id="correct", classes="dialog"):
            yield Label(Content.assemble("Correct “", (self.surface, "bold"), "”", now), classes="dialog-title")
            yield OptionList(*[Option(Content(f"{k or '—':5} {name}"), id=k or "none")
                               for k, name in CORRECTION_LABELS], id="labels")
            yield SpaceCheckbox("Only in this article", value=False, id="only-here")
            yield Static(Content.styled("Enter applies; the article is analysed again with your correction."
                                        "\nTab, then space: only in this article · Esc cancels", "dim"),
                         markup=False)

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.focus()
        ids = [k or "none" for k, _ in CORRECTION_LABELS]
        if self.current in ids:
            ol.highlighted = ids.index(self.current)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._apply(event.option.id)

    def action_apply(self) -> None:
        """Enter anywhere in the dialog (the checkbox included) applies the highlighted label."""
        option = self.query_one(OptionList).highlighted_option
        if option is not None:
            self._apply(option.id)

    def _apply(self, option_id: str | None) -> None:
        label = None if option_id == "none" else option_id
        scope = self.article_id if self.query_one(Checkbox).value else "global"
        self.dismiss(CorrectionChoice(self.surface, label, scope))

    def action_cancel(self) -> None:
        self.dismiss(None)


class CorrectionsScreen(Dialog[bool]):
    """Every correction; d undoes the highlighted one."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape,q", "close", "Close", id="corrections.close"),
        Binding("d,delete", "undo", "Undo correction", id="corrections.undo"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(id="corrections", classes="dialog"):
            yield Label("Entity corrections", classes="dialog-title")
            yield OptionList(id="corrections-list")
            yield Static(Content.styled("d undoes the highlighted correction · Esc closes", "dim"), markup=False)

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        app: DocbaoApp = self.app  # type: ignore[assignment]
        ol = self.query_one(OptionList)
        ol.clear_options()
        found = app.store_read(app.store.corrections)
        if not found.ok:
            self.dismiss(self.changed)  # the store refused its file: the error screen says why
            return
        corrections = list(found.value or ())
        if not corrections:
            ol.add_option(Option(Content.styled("No corrections yet: x on an entity in the reader", "dim"),
                                 disabled=True))
            return
        for c in corrections:
            scope = "everywhere" if c.scope == "global" else _article_title(app, c.scope)
            label = c.label or "not an entity"
            ol.add_option(Option(Content.assemble(Content(c.surface), (f"  → {label}", "bold"),
                                                  (f"  ({scope})", "dim")), id=str(c.id)))
        ol.highlighted = 0

    def action_undo(self) -> None:
        app: DocbaoApp = self.app  # type: ignore[assignment]
        opt = self.query_one(OptionList).highlighted_option
        if opt is None or opt.id is None:
            return
        if not app.store_write("the undo", app.store.remove_correction, opt.id).ok:
            return
        self.changed = True
        self.notify("Correction undone", timeout=3)
        self._fill()

    def action_close(self) -> None:
        self.dismiss(self.changed)


def _article_title(app: Any, article_id: str) -> str:
    a = app.articles_by_id.get(article_id)
    return f"in “{a.title[:40]}”" if a is not None else f"in article {article_id}"
