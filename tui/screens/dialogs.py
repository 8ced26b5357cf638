"""Modal dialogs, each a ``ModalScreen[T]`` that dismisses a typed result (None when cancelled).

- :class:`AnnotateDialog` → :class:`AnnotationEdit`: tags (with suggestions from existing tags) and a note
  (multi-line; ctrl+e edits it in $EDITOR with the app suspended).
- :class:`ConfirmDialog` → bool.
- :class:`ExportDialog` → Path: where to write an export.
- :class:`CorrectionDialog` → :class:`CorrectionChoice`: relabel an entity, mark text as one, or say
  "not an entity", here or everywhere.
- :class:`CorrectionsScreen` → bool (whether anything was undone): list and undo corrections.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from docbao.analysis.text import fold

if TYPE_CHECKING:
    from docbao.tui.app import DocbaoApp

T = TypeVar("T")

__all__ = [
    "AnnotateDialog",
    "AnnotationEdit",
    "ConfirmDialog",
    "CorrectionChoice",
    "CorrectionDialog",
    "CorrectionsScreen",
    "ExportDialog",
    "TagSuggester",
    "parse_tags",
]


def parse_tags(raw: str) -> tuple[str, ...]:
    """Comma-separated tags as the store keeps them (store.annotations.normalize_tags)."""
    from docbao.store.annotations import normalize_tags

    return normalize_tags(part.strip().lstrip("#") for part in raw.split(","))


class TagSuggester(Suggester):
    """Completes the tag being typed (after the last comma) from existing tags, accents optional."""

    def __init__(self, tags: dict[str, int]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        ranked = sorted(tags.items(), key=lambda kv: (-kv[1], kv[0]))
        self._tags = [(fold(t), t) for t, _ in ranked]

    async def get_suggestion(self, value: str) -> str | None:
        head, sep, last = value.rpartition(",")
        token = last.lstrip()
        if not token:
            return None
        lead = last[: len(last) - len(token)]
        key = fold(token.lstrip("#"))
        hashed = "#" if token.startswith("#") else ""
        for folded, tag in self._tags:
            if folded.startswith(key) and tag != token.lstrip("#"):
                return f"{head}{sep}{lead}{hashed}{tag}"
        return None


class Dialog(ModalScreen[T]):
    """A modal dialog that fits small terminals: below 26 rows or 72 columns it tightens (classes -short and
    -narrow, see docbao.tcss), and its buttons stay on screen."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (26, "-tall")]  # noqa: RUF012 - Textual's API
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-wide")]  # noqa: RUF012


@dataclass(frozen=True)
class AnnotationEdit:
    tags: tuple[str, ...]
    note: str


class AnnotateDialog(Dialog[AnnotationEdit | None]):
    """Tag and note a passage (or the whole article)."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "cancel", "Cancel", id="annotate.cancel"),
        Binding("ctrl+s", "save", "Save", id="annotate.save", priority=True),
        Binding("ctrl+e", "editor", "Note in $EDITOR", id="annotate.editor", priority=True),
    ]

    def __init__(self, heading: str, excerpt: str | None, *, tags: tuple[str, ...] = (), note: str = "",
                 known_tags: dict[str, int] | None = None,
                 save: Callable[[AnnotationEdit], str | None] | None = None) -> None:
        """``save``: called with the edit when the user saves; it returns None when saved, else the reason,
        and the dialog then stays open with what was typed (a full disk must not lose a note)."""
        super().__init__()
        self.save = save
        self.heading = heading
        self.excerpt = excerpt
        self.initial_tags = tags
        self.initial_note = note
        self.known_tags = dict(known_tags or {})

    def compose(self) -> ComposeResult:
        with Vertical(id="annotate", classes="dialog"):
            yield Label(Content(self.heading), classes="dialog-title")
            if self.excerpt is not None:
                yield Static(Content(_excerpt(self.excerpt, 400)), classes="excerpt", markup=False)
            yield Label("Tags (comma-separated; → accepts a suggestion; Enter saves)")
            yield Input(", ".join(self.initial_tags), id="tags", placeholder="e.g. quan trọng, Nga",
                        suggester=TagSuggester(self.known_tags))
            if self.known_tags:
                top = sorted(self.known_tags.items(), key=lambda kv: (-kv[1], kv[0]))[:12]
                yield Static(Content.assemble(("existing: ", "dim"),
                                              *[Content(f"#{t} ") for t, _ in top]),
                             id="tag-hints", markup=False)
            yield Label("Note")
            yield TextArea(self.initial_note, id="note", soft_wrap=True, show_line_numbers=False)
            with Horizontal(classes="buttons"):
                yield Button("Save ^s", id="save", variant="primary")
                yield Button("$EDITOR ^e", id="editor")
                yield Button("Cancel esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#tags", Input).focus()

    def result(self) -> AnnotationEdit:
        tags = parse_tags(self.query_one("#tags", Input).value)
        note = self.query_one("#note", TextArea).text.strip("\n")
        return AnnotationEdit(tags, note)

    def action_save(self) -> None:
        from docbao.store.storage import StoreError

        try:
            edit = self.result()
        except StoreError as exc:  # a tag the store refuses (a lone surrogate pasted in)
            self.notify(str(exc), title="Not saved", severity="error", timeout=8, markup=False)
            return
        if self.save is not None:
            if not edit.tags and not edit.note:
                self.notify("Nothing to save: no tag and no note", severity="warning", timeout=3)
                return
            error = self.save(edit)
            if error is not None:
                self.notify(f"{error}. Your tags and note are still here: try again, or Esc to drop them.",
                            title="Not saved", severity="error", timeout=10, markup=False)
                return
        self.dismiss(edit)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_editor(self) -> None:
        area = self.query_one("#note", TextArea)
        app: DocbaoApp = self.app  # type: ignore[assignment]
        edited = app.edit_in_editor(area.text)
        if edited is not None:
            area.text = edited
            area.focus()

    @on(Input.Submitted, "#tags")
    def _tags_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        {"save": self.action_save, "editor": self.action_editor, "cancel": self.action_cancel}[
            event.button.id or "cancel"]()


class ConfirmDialog(Dialog[bool]):
    BINDINGS = [  # noqa: RUF012
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, detail: str = "", yes: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.detail = detail
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Label(Content(self.question), classes="dialog-title")
            if self.detail:
                yield Static(Content(self.detail), classes="excerpt", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes}  y", id="yes", variant="error")
                yield Button("Keep  n", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")


FORMAT_NAMES = {"json": "JSON (docbao)", "w3c": "W3C Web Annotation JSON-LD", "jsonl": "JSON lines",
                "md": "Markdown"}


class ExportDialog(Dialog[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]  # noqa: RUF012

    def __init__(self, fmt: str, default: Path, one_article: bool = False) -> None:
        super().__init__()
        self.fmt = fmt
        self.default = default
        self.one_article = one_article

    def compose(self) -> ComposeResult:
        what = "this article's annotations" if self.one_article else "all annotations"
        with Vertical(id="export", classes="dialog"):
            yield Label(Content(f"Export {what} as {FORMAT_NAMES.get(self.fmt, self.fmt)}"),
                        classes="dialog-title")
            yield Label("File (Enter writes it; an existing file is replaced)")
            yield Input(str(self.default), id="export-path")
            with Horizontal(classes="buttons"):
                yield Button("Export  enter", id="ok", variant="primary")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _ok(self) -> None:
        value = self.query_one(Input).value.strip()
        if not value:
            self.notify("Give a file name", severity="warning")
            return
        self.dismiss(Path(value).expanduser())

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._ok()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._ok()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
        ok, found = app.store_read(app.store.corrections)
        if not ok:
            self.dismiss(self.changed)  # the store refused its file: the error screen says why
            return
        corrections = list(found or ())
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
        ok, _ = app.store_write("the undo", app.store.remove_correction, _correction_id(app, opt.id))
        if not ok:
            return
        self.changed = True
        self.notify("Correction undone", timeout=3)
        self._fill()

    def action_close(self) -> None:
        self.dismiss(self.changed)


def _correction_id(app: Any, oid: str) -> Any:
    ok, found = app.store_read(app.store.corrections)
    for c in (found or ()) if ok else ():
        if str(c.id) == oid:
            return c.id
    return oid


def _article_title(app: Any, article_id: str) -> str:
    a = app.articles_by_id.get(article_id)
    return f"in “{a.title[:40]}”" if a is not None else f"in article {article_id}"


def _excerpt(text: str, limit: int) -> str:
    one = " ".join(text.split())
    return f"“{one}”" if len(one) <= limit else f"“{one[: limit - 1]}…”"
