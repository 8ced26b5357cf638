"""The docbao Textual app: a thin layer over the store (annotations) and the analyzer (entities, quotes).

The App takes its backends as arguments — ``DocbaoApp(store, analyzer, articles)`` — so tests pass
``AnnotationStore.in_memory()`` and a fake analyzer; :func:`tui.launch.launch` builds the real ones.

Threads: all NLP runs on one daemon thread (:class:`AnalysisRunner`), where the model is loaded and used,
never two analyses at once; Textual workers submit to it and wait. The store is used from the main thread
only. Screens live in :mod:`tui.screens`, widgets beside the article in :mod:`tui.widgets.panels`.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from textual.app import SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal

from docbao.analysis.text import fold
from docbao.store.articles import Article, Library
from docbao.store.citation import DEFAULT_FORMAT
from docbao.tui.clipboard import Clipboard, CopyResult
from docbao.tui.model.library import LibraryIndex, Row
from docbao.tui.model.store import Outcome, State, StoreHandle
from docbao.tui.palette import PaletteCommand
from docbao.tui.runner import AnalysisRunner
from docbao.tui.sources import SourcesActions

__all__ = ["DocbaoApp"]

T = TypeVar("T")

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


def _palette_provider() -> type[Any]:
    """The palette's provider, imported when the palette first opens (textual.command costs 25 ms)."""
    from docbao.tui.commands_palette import DocbaoCommands

    return DocbaoCommands


class DocbaoApp(SourcesActions):
    """Library → reader; annotate, copy, export. See the module docstring."""

    CSS_PATH = "docbao.tcss"
    TITLE = "docbao"
    COMMANDS = {_palette_provider}  # noqa: RUF012 - Textual's API
    BINDINGS = [  # noqa: RUF012
        Binding("question_mark", "help", "Help", id="app.help", key_display="?"),
        Binding("ctrl+t", "toggle_theme", "Light/dark", id="app.theme", show=False),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False),
    ]

    def __init__(
        self,
        store: Any,
        analyzer: Any,
        articles: Library | Sequence[Article] = (),
        *,
        clipboard: Clipboard | None = None,
        data_dir: Path | None = None,
        store_error: str | None = None,
        store_factory: Callable[[], Any] | None = None,
        db_path: Path | None = None,
        load_errors: Sequence[str] = (),
        theme: str | None = None,
        editor: Callable[[str], str | None] | None = None,
        citation_format: str = DEFAULT_FORMAT,
        mark_read: str = "end",
        keymap: dict[str, str] | None = None,
        remember_theme: Callable[[str], None] | None = None,
        export_folder: Path | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.cache_dir = cache_dir
        self.store_handle = StoreHandle(store, store_error)
        # launch passes a factory: the database is opened just after the first paint (its imports and
        # the file lock cost more than the paint); until then screens show what needs no store.
        self._store_factory = store_factory if store is None else None
        self.citation_format = citation_format
        self.mark_read = mark_read
        self.export_folder = export_folder
        self._remember_theme = remember_theme
        self.quitting = False  # set on quit: a long analysis stops at its next step
        # published to screens: the database opened (or failed), a correction changed the analyses
        self.store_signal: Signal[StoreHandle] = Signal(self, "store")
        self.corrections_signal: Signal[int] = Signal(self, "corrections")
        self.analyzer = analyzer
        self.runner = AnalysisRunner(analyzer)
        arts = articles.articles if isinstance(articles, Library) else list(articles)
        self.articles: list[Article] = arts
        self.articles_by_id: dict[str, Article] = {a.id: a for a in arts}
        self._folded_titles: list[tuple[str, str, str]] | None = None
        self.data_dir = data_dir
        self.clipboard_router = clipboard or Clipboard(fallback_dir=self._data_dir)
        self.db_path = db_path
        self.library = LibraryIndex([row_of(a) for a in arts])
        self.load_errors = list(load_errors)
        self._editor = editor
        self.theme = theme or DARK_THEME
        if keymap:
            self.set_keymap(keymap)
        self.last_copy: CopyResult | None = None
        # (entities, quotes) of articles analysed in this session, for the library's columns
        self.analysis_counts: dict[str, tuple[int, int]] = {}
        self.corrections_version = 0  # bumped when a correction is added or undone
        self._pending_open: str | None = None  # an article asked for before the database was open

    # -- the store -------------------------------------------------------------------------------------
    @property
    def store(self) -> Any:
        return self.store_handle.store

    @property
    def store_error(self) -> str | None:
        return self.store_handle.error if self.store_handle.state is State.FAILED else None

    def report(self, outcome: Outcome[Any]) -> bool:
        """Tell the user why a store call failed (a refused file: the error screen); whether it worked."""
        if outcome.ok:
            return True
        if self.store_handle.state is State.FAILED:
            self.show_store_error()
        else:
            self.notify(outcome.error, title="Not saved", severity="error", timeout=10, markup=False)
        return False

    def neighbour(self, article_id: str, step: int) -> str | None:
        """The next (1) or previous (-1) article in the library's current order."""
        return self.library.neighbour(article_id, step)

    # -- screens ---------------------------------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        if self.store_error is not None:
            from docbao.tui.screens.error import ErrorScreen

            return ErrorScreen(self.store_error, self.db_path)
        from docbao.tui.screens.library import LibraryScreen

        return LibraryScreen()

    def on_mount(self) -> None:
        if self._store_factory is not None and self.store_error is None:
            self.call_after_refresh(self._open_store)
        if self.load_errors and self.store_error is None:
            shown = self.load_errors[:4]  # every skipped file by name, up to a toast's worth
            more = len(self.load_errors) - len(shown)
            lines = [f"Could not read {e}" for e in shown] + ([f"… and {more} more"] if more else [])
            self.notify("\n".join(lines), title=f"{len(self.load_errors)} file(s) skipped",
                        severity="warning", timeout=10, markup=False)

    def _open_store(self) -> None:
        factory, self._store_factory = self._store_factory, None
        if factory is None:
            return
        out = self.store_handle.open(factory)  # StoreError: corrupt, not ours, newer schema: one line
        self.store_signal.publish(self.store_handle)
        if not out.ok:
            self.show_store_error()
            return
        pending, self._pending_open = self._pending_open, None
        if pending is not None:
            self.open_article(pending)  # Enter pressed before the database was open

    def open_article(self, article_id: str, at: int | None = None) -> None:
        """Open an article in the reader (from the library, the palette, anywhere); ``at``: an offset."""
        from docbao.tui.screens.reader import ReaderScreen

        article = self.articles_by_id.get(article_id)
        if article is None:
            self.notify("That article is no longer in the library", severity="error")
            return
        if self.store is None:
            if self.store_error is None and self._store_factory is not None:
                self._pending_open = article_id  # opened as soon as the database is (a few ms)
            return
        while isinstance(self.screen, ReaderScreen):
            self.pop_screen()
        self.push_screen(ReaderScreen(article, at))

    def article_titles(self) -> list[tuple[str, str, str]]:
        """(id, title, folded title) for the palette's "Open:" commands."""
        if self._folded_titles is None:
            self._folded_titles = [(a.id, a.title, fold(a.title)) for a in self.articles]
        return self._folded_titles

    # -- palette ---------------------------------------------------------------------------------------
    def palette_commands(self, screen: Screen[Any]) -> Iterator[PaletteCommand]:
        from docbao.tui.palette import binding_commands

        yield from binding_commands(self, self.BINDINGS)
        yield PaletteCommand("Light theme", "switch to the light theme", lambda: self._set_theme(LIGHT_THEME))
        yield PaletteCommand("Dark theme", "switch to the dark theme", lambda: self._set_theme(DARK_THEME))
        if self.store is not None and self.store_error is None:
            for fmt, name in (("json", "JSON"), ("w3c", "W3C Web Annotation JSON-LD"), ("md", "Markdown")):
                yield PaletteCommand(f"Export all annotations as {name}…",
                                     "write every annotation to a file you choose", partial(self.action_export, fmt))
            yield PaletteCommand("Corrections: list and undo…", "entity corrections you made",
                                 self.action_corrections)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for cmd in super().get_system_commands(screen):
            if cmd.title in ("Quit the application",):
                continue  # our own Quit saves the reading position first
            yield cmd

    # -- actions ---------------------------------------------------------------------------------------
    def action_help(self) -> None:
        from docbao.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.pop_screen()
            return
        self.push_screen(HelpScreen(self.screen))

    def action_toggle_theme(self) -> None:
        self._set_theme(LIGHT_THEME if self.current_theme.dark else DARK_THEME)

    def _set_theme(self, name: str) -> None:
        self.theme = name
        if self._remember_theme is not None:
            try:
                self._remember_theme(name)
            except OSError as exc:
                self.notify(f"Could not remember the theme: {exc.strerror or exc}", severity="warning",
                            markup=False)

    async def action_quit(self) -> None:
        self.quitting = True
        for screen in reversed(self.screen_stack if self.store_error is None else ()):
            save = getattr(screen, "save_reading", None)
            if callable(save):
                save()
        self.exit()

    def action_export(self, fmt: str = "json", article_id: str | None = None) -> None:
        from docbao.tui.screens.dialogs import ExportDialog

        if self.store is None:
            return
        default = (self.export_folder or self._data_dir()) / f"docbao-annotations.{_EXT.get(fmt, fmt)}"

        def done(path: Path | None) -> None:
            if path is not None:
                self.export_to(fmt, path, article_id)

        self.push_screen(ExportDialog(fmt, default, article_id is not None), done)

    def export_to(self, fmt: str, path: Path, article_id: str | None = None) -> bool:
        """Export annotations (all, or one article's) to ``path``; notify the outcome."""
        from docbao.store.export import export, write_file
        from docbao.store.storage import StoreError

        try:
            text = export(self.store, self.articles_by_id, fmt, article_id=article_id)
            path = path.expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            path = write_file(path, text)
        except OSError as exc:
            self.notify(f"Could not write {path}: {exc.strerror or exc}", title="Export failed",
                        severity="error", markup=False)
            return False
        except StoreError as exc:  # a one-line message naming the file
            self.notify(str(exc), title="Export failed", severity="error", markup=False)
            return False
        found = self.store_read(self.store.for_article_id, article_id) if article_id else \
            self.store_read(self.store.all)
        if not found.ok:
            return True  # written; the error screen says why the store cannot be read any more
        count = len(found.value or ())
        self.notify(f"{count} annotation(s) exported to {path}", title="Exported", markup=False)
        return True

    def action_corrections(self) -> None:
        from docbao.tui.screens.corrections import CorrectionsScreen

        if self.store is not None:
            self.push_screen(CorrectionsScreen(), self._corrections_changed)

    def corrections_edited(self) -> None:
        """A correction was added or undone: entity counts of this session may be stale (the library
        re-reads them from the cache, keyed by the corrections that apply to each article)."""
        self.corrections_version += 1
        self.analysis_counts.clear()
        self.corrections_signal.publish(self.corrections_version)

    def _corrections_changed(self, changed: bool | None) -> None:
        if changed:
            self.corrections_edited()
            reanalyse = getattr(self.screen, "reanalyse", None)
            if callable(reanalyse):
                reanalyse()

    # -- services for screens ----------------------------------------------------------------------
    def _data_dir(self) -> Path:
        if self.data_dir is not None:
            return self.data_dir
        from docbao.store.paths import data_dir

        return data_dir()

    def store_read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Outcome[T]:
        """A store read; if the store refuses its file (another process made it a newer schema, a hand edit
        damaged it…) the error screen says why. Nothing is ever written to a refused file."""
        out = self.store_handle.read(fn, *args, **kwargs)
        if not out.ok and self.store_handle.state is State.FAILED:
            self.show_store_error()
        return out

    def store_write(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Outcome[T]:
        """A store write; on failure (disk full, read-only file…) the user is told what was not saved."""
        out = self.store_handle.write(what, fn, *args, **kwargs)
        self.report(out)
        return out

    def show_store_error(self) -> None:
        from docbao.tui.screens.error import ErrorScreen

        if not isinstance(self.screen, ErrorScreen):
            self.push_screen(ErrorScreen(self.store_error or "", self.db_path))

    def copy_text(self, text: str, what: str = "") -> CopyResult:
        """Copy by every route (see :mod:`tui.clipboard`) and tell the user what and how."""
        driver = self._driver
        write = driver.write if driver is not None else None
        result = self.clipboard_router.copy(text, write=write, set_app_clipboard=self.copy_to_clipboard)
        self.last_copy = result
        severity: SeverityLevel = "information" if result.confirmed or result.file is not None else "warning"
        self.notify(result.describe(), title=what or "Copied", severity=severity, markup=False,
                    timeout=6)
        return result

    def edit_in_editor(self, text: str) -> str | None:
        """Edit ``text`` in $VISUAL/$EDITOR with the app suspended; None if that was not possible (the
        user is told why, and the note stays as it was)."""
        if self._editor is not None:
            return self._editor(text)
        from docbao.tui.editor import edit_in_editor

        return edit_in_editor(self, text)

    def _run_editor(self, argv: list[str]) -> int:
        """Run the editor with the app suspended; its exit status."""
        with self.suspend():
            return subprocess.call(argv)


def row_of(article: Article) -> Row:
    """The library's row of an article (counts and store state come later)."""
    meta = article.meta or {}
    return Row(article.id, article.title, None, date=str(meta.get("date", "")), site=str(meta.get("site", "")),
               feed=str(meta.get("feed_title") or meta.get("feed") or ""))


_EXT = {"json": "json", "w3c": "jsonld", "jsonl": "jsonl", "md": "md"}
