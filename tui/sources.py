"""Where articles come from, in the app: add one by URL, follow feeds and refresh them in the background
(store.web, store.feeds), and new articles joining the open library. A base of DocbaoApp."""

from __future__ import annotations

from typing import Any

from textual import work

from docbao.tui.knowledge import KnowledgeActions

__all__ = ["SourcesActions"]


class SourcesActions(KnowledgeActions):
    def add_articles(self, articles: list[Any]) -> None:
        """New articles (fetched) join the library: rows, the palette's titles, the library screen."""
        from docbao.tui.app import row_of
        from docbao.tui.screens.library import LibraryScreen

        fresh = [a for a in articles if a.id not in self.articles_by_id]
        if not fresh:
            return
        for a in fresh:
            self.articles.append(a)
            self.articles_by_id[a.id] = a
        self.library.add_rows([row_of(a) for a in fresh])
        self._folded_titles = None
        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.rows_added(fresh[-1].id)

    # -- one article by URL ----------------------------------------------------------------------------
    def action_add_url(self) -> None:
        from docbao.tui.screens.web import UrlDialog

        def done(url: str | None) -> None:
            if url:
                self.notify(f"Fetching {url}…", timeout=3, markup=False)
                self._fetch(url)

        self.push_screen(UrlDialog("Add an article from the web",
                                   "The page is fetched, its text and metadata kept in your library folder, "
                                   "and it opens here. Offline afterwards."), done)

    @work(thread=True, group="web", exit_on_error=False)
    def _fetch(self, url: str) -> None:
        from docbao.store.web import EXISTS, WebError, add_url

        try:
            result = add_url(url)
        except WebError as exc:
            self.call_from_thread(self.notify, str(exc), title="Not added", severity="error", timeout=10,
                                  markup=False)
            return
        except OSError as exc:  # the library folder cannot be written
            self.call_from_thread(self.notify, f"Could not save the article: {exc.strerror or exc}",
                                  title="Not added", severity="error", timeout=10, markup=False)
            return
        self.call_from_thread(self._fetched, result, result.status == EXISTS)

    def _fetched(self, result: Any, existed: bool) -> None:
        self.add_articles([result.article])
        for w in result.warnings:
            self.notify(w, severity="warning", markup=False)
        self.notify(("Already in your library: " if existed else "Added: ") + result.article.title, timeout=4,
                    markup=False)
        self.open_article(result.article.id)

    # -- feeds -----------------------------------------------------------------------------------------
    def action_feeds(self) -> None:
        from docbao.tui.screens.web import FeedsScreen

        if self.store_handle.ready:
            self.push_screen(FeedsScreen())

    @work(thread=True, group="web", exit_on_error=False)
    def follow_feed(self, url: str) -> None:
        from docbao.store.feeds import follow
        from docbao.store.web import WebError

        try:
            followed = follow(self.store_handle.live, url)  # type: ignore[arg-type]
        except (WebError, ValueError, OSError) as exc:
            self.call_from_thread(self.notify, str(exc), title="Not followed", severity="error", timeout=10,
                                  markup=False)
            return
        title = followed.feed.title or followed.feed.url
        self.call_from_thread(self.notify, f"Following {title}; fetching its articles…", timeout=4, markup=False)
        self._refresh([followed.feed])

    def refresh_feeds(self) -> None:
        self._refresh(None)

    @work(thread=True, exclusive=True, group="feeds", exit_on_error=False)
    def _refresh(self, feeds: list[Any] | None) -> None:
        from docbao.store.articles import Library
        from docbao.store.feeds import refresh_all
        from docbao.store.paths import library_dir

        def progress(p: Any) -> None:
            if p.total:
                self.call_from_thread(self.notify, f"{p.feed}: {p.done} of {p.total} new articles", timeout=1,
                                      markup=False)

        try:
            reports = refresh_all(self.store_handle.live, feeds, progress=progress)  # type: ignore[arg-type]
        except (ValueError, OSError) as exc:  # StoreError: the database refused the write
            self.call_from_thread(self.notify, str(exc), title="Refresh failed", severity="error", markup=False)
            return
        lib = Library.load([library_dir()]) if library_dir().exists() else None
        self.call_from_thread(self._refreshed, reports, lib.articles if lib is not None else [])

    def _refreshed(self, reports: list[Any], articles: list[Any]) -> None:
        self.add_articles(articles)
        for r in reports:
            self.notify(r.summary(), severity="information" if r.ok else "warning", timeout=8, markup=False)
            for failure in r.failures[:5]:
                self.notify(str(failure), severity="warning", timeout=10, markup=False)
        for screen in self.screen_stack:
            reload = getattr(screen, "reload", None)
            if callable(reload):
                reload()

    def unfollow_feed(self, feed_id: str) -> None:
        out = self.store_handle.write("the feed", self.store_handle.live.remove_feed, feed_id)
        if out.ok:
            self.notify("No longer following it; its articles stay in your library", timeout=3)
        else:
            self.notify(out.error, severity="error", markup=False)

    def show_library_filter(self, text: str) -> None:
        from docbao.tui.screens.library import LibraryScreen

        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                screen.set_filter(text)
