"""The library as a knowledge base, in the app: whole-library analysis in the background, the quote book and
the index of people, places and organisations. A mixin of DocbaoApp (keys live on the library screen)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.signal import Signal
from textual.worker import get_current_worker

if TYPE_CHECKING:
    from docbao.analysis.batch import Progress
    from docbao.store.index import KnowledgeIndex, QuoteHit
    from docbao.tui.model.library import LibraryIndex
    from docbao.tui.model.store import StoreHandle

__all__ = ["KnowledgeActions"]


class KnowledgeActions(App[None]):
    """The base of DocbaoApp: what it declares here, the app provides."""

    cache_dir: Path | None
    store_handle: StoreHandle
    articles: list[Any]
    articles_by_id: dict[str, Any]
    analyzer: Any
    corrections_version: int
    corrections_signal: Signal[int]
    library: LibraryIndex
    _folded_titles: Any
    _knowledge: KnowledgeIndex | None = None
    _batch: Any = None  # the running BatchRunner, if any

    def show_store_error(self) -> None:
        raise NotImplementedError

    def open_article(self, article_id: str, at: int | None = None) -> None:
        raise NotImplementedError

    def copy_text(self, text: str, what: str = "") -> Any:
        raise NotImplementedError

    def _index(self) -> KnowledgeIndex:
        if self._knowledge is None:
            from docbao.store.index import KnowledgeIndex

            self._knowledge = KnowledgeIndex.open(self.cache_dir)
        return self._knowledge

    # -- whole-library analysis ------------------------------------------------------------------------
    def action_analyse_library(self) -> None:
        """Start analysing every article in the background (again: stop it). Cached articles are skipped,
        so a run stopped or interrupted resumes where it was."""
        if self._batch is not None:
            self._batch.cancel()
            self.notify("Stopping the analysis of the library…", timeout=3)
            return
        if not self.store_handle.ready:
            return
        lexicon = self.store_handle.read(self.store_handle.live.lexicon)
        if not lexicon.ok:
            self.show_store_error()
            return
        from docbao.analysis.batch import BatchRunner

        self._batch = BatchRunner(self.cache_dir, lexicon=lexicon.value)
        self._analyse_all(self._batch)

    @work(thread=True, exclusive=True, group="library-analysis", exit_on_error=False)
    def _analyse_all(self, runner: Any) -> None:
        try:
            result = runner.run(list(self.articles), lambda p: self.call_from_thread(self._progress, p),
                                interval=0.1)
        except Exception as exc:
            self.call_from_thread(self.notify, f"The analysis of the library failed: {exc}", severity="error",
                                  markup=False)
            result = None
        finally:
            runner.close()
            self._batch = None
        if result is not None:
            self.call_from_thread(self._analysed_all, result)

    def _progress(self, progress: Progress) -> None:
        from docbao.tui.screens.library import LibraryScreen

        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.show_progress(progress)

    def _analysed_all(self, result: Any) -> None:
        failed = len(result.failed)
        self.notify(f"Library analysed: {result.analysed} now, {result.cached} from the cache"
                    + (f", {failed} failed" if failed else "") + (" (stopped)" if result.cancelled else ""),
                    timeout=5)
        self.corrections_signal.publish(self.corrections_version)  # the library re-reads its counts

    # -- the quote book and the entity index ----------------------------------------------------------
    def action_quote_book(self) -> None:
        self._open_knowledge("quotes")

    def action_entity_index(self) -> None:
        self._open_knowledge("entities")

    @work(thread=True, exclusive=True, group="knowledge", exit_on_error=False)
    def _open_knowledge(self, what: str) -> None:
        worker = get_current_worker()
        handle = self.store_handle
        if not handle.ready:
            return
        lexicon = self.call_from_thread(handle.read, handle.live.lexicon)
        if not lexicon.ok:
            self.call_from_thread(self.show_store_error)
            return
        index = self._index()
        report = index.refresh(self.articles, self.analyzer, lexicon.value, cancelled=lambda: worker.is_cancelled)
        index.save()
        if not worker.is_cancelled:
            self.call_from_thread(self._show_knowledge, what, index, len(report.missing))

    def _show_knowledge(self, what: str, index: KnowledgeIndex, missing: int) -> None:
        if missing:
            self.notify(f"{missing} article(s) not analysed yet are left out: A in the library analyses them all "
                        "in the background", title="Knowledge", timeout=6)
        if what == "quotes":
            from docbao.store.index import QuoteTags
            from docbao.tui.screens.quotebook import QuotebookScreen

            tags = self.store_handle.read(self.store_handle.live.all)
            self.push_screen(QuotebookScreen(index, on_open=self.open_article, on_copy=self.copy_text,
                                             on_tag=self._tag_quote,
                                             tags=QuoteTags.from_annotations(tags.value or ())))
        else:
            from docbao.tui.screens.entity_index import EntityIndexScreen

            self.push_screen(EntityIndexScreen(index, on_open=self.open_article))

    def _tag_quote(self, hit: QuoteHit) -> None:
        from docbao.tui.screens.dialogs import AnnotateDialog, AnnotationEdit

        article = self.articles_by_id.get(hit.article_id)
        if article is None:
            self.notify("That article is no longer in the library", severity="error")
            return
        known = self.store_handle.read(self.store_handle.live.tags)

        def save(edit: AnnotationEdit) -> str | None:
            out = self.store_handle.write("the annotation", self.store_handle.live.add, article, hit.start,
                                          hit.end, tags=edit.tags, note=edit.note)
            return None if out.ok else out.error

        def done(edit: AnnotationEdit | None) -> None:
            from docbao.store.index import QuoteTags

            screen = self.screen
            if edit is not None and hasattr(screen, "set_tags"):
                screen.set_tags(QuoteTags.from_annotations(self.store_handle.read(self.store_handle.live.all).value
                                                           or ()))

        self.push_screen(AnnotateDialog("Tag / note this quote", hit.text, known_tags=known.value, save=save), done)
