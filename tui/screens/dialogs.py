"""Modal dialogs, each a ``ModalScreen[T]`` that dismisses a typed result (None when cancelled).

- :class:`AnnotateDialog` → :class:`AnnotationEdit`: tags (with suggestions from existing tags) and a note
  (multi-line; ctrl+e edits it in $EDITOR with the app suspended).
- :class:`ConfirmDialog` → bool.
- :class:`ExportDialog` → Path: where to write an export.
- :class:`InputDialog` → one line of text, checked by the subclass.

The correction dialogs are in :mod:`docbao.tui.screens.corrections`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Input, Label, Static, TextArea

from docbao.analysis.text import fold, one_line

if TYPE_CHECKING:
    from docbao.tui.app import DocbaoApp

T = TypeVar("T")

__all__ = [
    "AnnotateDialog",
    "AnnotationEdit",
    "ConfirmDialog",
    "ExportDialog",
    "InputDialog",
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
                yield Static(Content(excerpt(self.excerpt, 400)), classes="excerpt", markup=False)
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


class InputDialog(Dialog[T | None]):
    """One line to fill in: Enter or the first button accepts it when :meth:`accept` gives a result (it
    notifies why not otherwise); esc or the second button cancels (None)."""

    DIALOG_ID = "input-dialog"

    def __init__(self, heading: str, value: str = "", *, label: str = "", hint: str = "", placeholder: str = "",
                 ok: str = "OK") -> None:
        super().__init__()
        self.heading, self.value, self.label = heading, value, label
        self.hint, self.placeholder, self.ok = hint, placeholder, ok

    def compose(self) -> ComposeResult:
        with Vertical(id=self.DIALOG_ID, classes="dialog"):
            yield Label(Content(self.heading), classes="dialog-title")
            if self.label:
                yield Label(self.label)
            yield Input(self.value, placeholder=self.placeholder)
            if self.hint:
                yield Static(Content.styled(self.hint, "dim"), markup=False)
            with Horizontal(classes="buttons"):
                yield Button(f"{self.ok}  enter", id="ok", variant="primary")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def accept(self, value: str) -> T | None:
        raise NotImplementedError

    def _submit(self) -> None:
        result = self.accept(self.query_one(Input).value.strip())
        if result is not None:
            self.dismiss(result)

    @on(Input.Submitted)
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ExportDialog(InputDialog[Path]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]  # noqa: RUF012
    DIALOG_ID = "export"

    def __init__(self, fmt: str, default: Path, one_article: bool = False) -> None:
        what = "this article's annotations" if one_article else "all annotations"
        super().__init__(f"Export {what} as {FORMAT_NAMES.get(fmt, fmt)}", str(default),
                         label="File (Enter writes it; an existing file is replaced)", ok="Export")
        self.fmt = fmt

    def accept(self, value: str) -> Path | None:
        if not value:
            self.notify("Give a file name", severity="warning")
            return None
        return Path(value).expanduser()


def excerpt(text: str, limit: int) -> str:
    return f"“{one_line(text, limit)}”"
