"""The reader's actions that open a dialog or leave the screen's text: annotate, edit and delete a note, copy,
correct an entity, the side panel's jumps, and search. A mixin of ReaderScreen; decisions are the model's."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from textual import events, on
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input

from docbao.tui.model.kinds import KINDS
from docbao.tui.model.reader import short
from docbao.tui.palette import PaletteCommand, binding_commands
from docbao.tui.screens.corrections import CorrectionChoice, CorrectionDialog
from docbao.tui.screens.dialogs import AnnotateDialog, AnnotationEdit, ConfirmDialog
from docbao.tui.widgets.article_view import ArticleView
from docbao.tui.widgets.panels import SidePanel
from docbao.tui.widgets.search_bar import SearchBar

if TYPE_CHECKING:
    from docbao.store.articles import Article
    from docbao.tui.app import DocbaoApp
    from docbao.tui.model.reader import ReaderModel

__all__ = ["ReaderActions"]


class ReaderActions(Screen[None]):
    """The base of ReaderScreen: what it declares here, the screen provides."""

    model: ReaderModel
    article: Article
    _search_keys: frozenset[str] | None = None  # the keys bound to search (a keymap may change `/`)

    @property
    def docbao(self) -> DocbaoApp:
        return self.app  # type: ignore[return-value]

    @property
    def view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def panel(self) -> SidePanel:
        return self.query_one(SidePanel)

    def refresh_notes(self) -> None:
        raise NotImplementedError

    def reanalyse(self) -> None:
        raise NotImplementedError

    def go_to(self, start: int, end: int | None = None, select: bool = False) -> None:
        raise NotImplementedError

    def _legend_items(self) -> list[tuple[str, str, str, object]]:
        raise NotImplementedError

    def _update_info(self) -> None:
        raise NotImplementedError

    # -- search ----------------------------------------------------------------------------------------
    def action_search(self) -> None:
        self.query_one(SearchBar).open()

    def on_key(self, event: events.Key) -> None:
        """A fast typist's "/luk": the terminal delivers the keys together and all of them reach this screen
        before the App would run the `/` binding, so `/` (or whatever the keymap binds search to) opens the
        search line here, and the keys that follow before it has the focus go into it instead of running
        the reader's keys (`k` would move, `a` open a dialog)."""
        bar = self.query_one(SearchBar)
        if bar.opening and bar.is_open:
            if bar.key_early(event):
                event.stop()
                event.prevent_default()
            return
        if self._search_keys is None:
            self._search_keys = frozenset(k for k, active in self.active_bindings.items()
                                          if active.binding.action == "search" and active.node is self)
        if event.key in self._search_keys and not bar.has_focus:
            event.stop()
            event.prevent_default()
            self.action_search()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        self.model.find(event.value)  # every hit shows as you type; Enter goes to the first
        self._show_hits()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_search_step(1)

    def on_search_bar_step(self, event: SearchBar.Step) -> None:
        self.action_search_step(event.direction)

    def on_search_bar_closed(self, event: SearchBar.Closed) -> None:
        self.view.focus()

    def action_search_step(self, direction: int) -> None:
        hit = self.model.search.step(direction, self.view.cursor)
        if hit is None:
            if self.model.search.query:
                self.notify(f"No “{self.model.search.query}” in this article", timeout=2, markup=False)
            return
        self._show_hits()
        self.view.move_cursor(hit[0], center=True)

    def _show_hits(self) -> None:
        search = self.model.search
        self.view.set_search_hits(search.hits, search.current)
        self._update_info()

    # -- annotate, edit, delete --------------------------------------------------------------------------
    def action_annotate(self) -> None:
        view = self.view
        target = self.model.target(view.cursor, view.selection, view.hidden_kinds)
        excerpt = self.article.text[target[0]:target[1]] if target is not None else None
        known = self.docbao.store_handle.read(self.docbao.store_handle.live.tags)
        if not known.ok:
            self.docbao.show_store_error()
            return

        def save(edit: AnnotationEdit) -> str | None:
            out = self.model.annotate(target, edit.tags, edit.note)
            return None if out.ok else out.error

        def done(edit: AnnotationEdit | None) -> None:
            if edit is None:
                return
            view.clear_selection()
            self.refresh_notes()
            where = "the whole article" if target is None else short(excerpt or "", 40)
            tags = " ".join(f"#{t}" for t in edit.tags)
            self.notify(f"Saved {tags or 'a note'} on {where}", title="Annotation", markup=False, timeout=3)

        heading = "Tag / note" if target is not None else "Tag / note the whole article"
        self.app.push_screen(AnnotateDialog(heading, excerpt, known_tags=known.value, save=save), done)

    def _annotation_at_cursor(self) -> str | None:
        focused = self.focused
        if focused is not None and focused.id == "notes-list":
            item = self.panel.highlighted_note()
            return item.annotation_id if item is not None else None
        return self.model.annotation_at(self.view.cursor)

    def action_edit_annotation(self) -> None:
        aid = self._annotation_at_cursor()
        if aid is None:
            self.notify("No note under the cursor (the Notes tab, T, lists them)", severity="warning", timeout=3)
            return
        self.edit(aid)

    def edit(self, annotation_id: str) -> None:
        handle = self.docbao.store_handle
        got = handle.read(handle.live.get, annotation_id)
        known = handle.read(handle.live.tags)
        if not got.ok or not known.ok:
            self.docbao.show_store_error()
            return
        ann = got.value
        if ann is None:
            return
        excerpt = ann.target.exact if ann.target is not None else None

        def save(edit: AnnotationEdit) -> str | None:
            out = self.model.update(annotation_id, edit.tags, edit.note)
            return None if out.ok else out.error

        def done(edit: AnnotationEdit | None) -> None:
            if edit is not None:
                self.refresh_notes()
                self.notify("Annotation updated", timeout=2)

        heading = "Edit annotation" if excerpt else "Edit the article's annotation"
        self.app.push_screen(AnnotateDialog(heading, excerpt, tags=tuple(ann.tags), note=ann.note,
                                            known_tags=known.value, save=save), done)

    def action_delete_annotation(self) -> None:
        aid = self._annotation_at_cursor()
        if aid is None:
            self.notify("No note under the cursor to delete", severity="warning", timeout=3)
            return
        self.delete(aid)

    def delete(self, annotation_id: str) -> None:
        handle = self.docbao.store_handle
        got = handle.read(handle.live.get, annotation_id)
        if not got.ok or got.value is None:
            return
        ann = got.value
        tags = " ".join(f"#{t}" for t in ann.tags)
        what = short(ann.target.exact, 60) if ann.target is not None else "the whole article"
        detail = "\n".join(x for x in (tags, f"on “{what}”", short(ann.note, 120)) if x)

        def done(yes: bool | None) -> None:
            if yes and self.docbao.report(self.model.delete(annotation_id)):
                self.refresh_notes()
                self.notify("Annotation deleted", timeout=2)

        self.app.push_screen(ConfirmDialog("Delete this annotation?", detail), done)

    # -- copy --------------------------------------------------------------------------------------------
    def action_copy(self) -> None:
        target = self.model.copy_target(self.view.cursor, self.view.selection)
        if target is None:
            self.notify("Nothing to copy: select text (shift+arrows or drag) or put the cursor in a quote",
                        severity="warning", timeout=4)
            return
        self.docbao.copy_text(self.article.text[target[0]:target[1]].strip(), "Copied")

    def action_copy_cite(self) -> None:
        target = self.model.copy_target(self.view.cursor, self.view.selection)
        if target is None:
            self.notify("Nothing to copy: select text or put the cursor in a quote", severity="warning", timeout=4)
            return
        self.docbao.copy_text(self.model.citation(*target), "Copied with citation")

    # -- corrections ---------------------------------------------------------------------------------------
    def action_correct(self) -> None:
        found = self.model.entity_under(self.view.cursor, self.view.selection)
        if found is None:
            self.notify("Put the cursor on an entity, or select the words to mark as one", timeout=4,
                        severity="warning")
            return
        surface, current = found
        if not surface:
            return

        def done(choice: CorrectionChoice | None) -> None:
            if choice is None or not self.docbao.report(self.model.correct(choice.surface, choice.label,
                                                                           choice.scope)):
                return
            where = "everywhere" if choice.scope == "global" else "in this article"
            self.notify(f"“{choice.surface}” is now {choice.label or 'not an entity'} {where}; re-analysing",
                        markup=False, timeout=4)
            self.view.clear_selection()
            self.docbao.corrections_edited()
            self.reanalyse()

        self.app.push_screen(CorrectionDialog(surface, current, self.article.id), done)

    # -- the side panel ----------------------------------------------------------------------------------
    def cycle_to(self, event: SidePanel.Jump) -> None:
        occ = event.occurrences
        if not occ:
            self.go_to(event.start)
            return
        # keyed by (label, surface): "Nga" can be a place and a person, each cycles on its own; wrapped,
        # since a re-analysis can shorten the list
        cycle: dict[tuple[str, str], int] = self.__dict__.setdefault("_cycle", {})
        key = (event.kind, event.label)
        cursor = self.view.cursor
        idx = next((i for i, (s, _) in enumerate(occ) if s > cursor), 0)
        last = cycle.get(key)
        if last is not None and occ[last % len(occ)][0] == cursor:
            idx = (last % len(occ) + 1) % len(occ)
        cycle[key] = idx
        self.go_to(occ[idx][0])
        self.notify(f"{event.label}: {idx + 1} of {len(occ)}", timeout=2, markup=False)

    # -- palette and help --------------------------------------------------------------------------------
    def palette_commands(self) -> list[PaletteCommand]:
        cmds = list(binding_commands(self, self.BINDINGS))
        cmds += list(binding_commands(self.view, self.view.BINDINGS))
        for fmt, name in (("json", "JSON"), ("w3c", "W3C Web Annotation JSON-LD"), ("md", "Markdown")):
            cmds.append(PaletteCommand(f"Export this article's annotations as {name}…",
                                       "write this article's annotations to a file",
                                       partial(self.docbao.action_export, fmt, self.article.id)))
        cmds.append(PaletteCommand("Select all", "select the whole article",
                                   lambda: self.view.select_range(0, len(self.article.text))))
        cmds.append(PaletteCommand("Analyse again", "re-run the analysis (after corrections)", self.reanalyse))
        return cmds

    def help_bindings(self) -> list[Any]:
        """The screen's bindings and the article view's, for the help screen."""
        return [*self.BINDINGS, *self.view.BINDINGS]

    def help_notes(self) -> Content:
        from docbao.tui.widgets.panels import _content_style

        items = {kind: style for _k, kind, _l, style in self._legend_items()}
        parts: list[Content | str | tuple[str, str]] = [("Colours\n", "bold underline")]
        for k in KINDS:
            parts += [f"  {k.key}  ", Content(f" {k.label} ").stylize(_content_style(items[k.id])), "\n"]
        return Content.assemble(*parts)
