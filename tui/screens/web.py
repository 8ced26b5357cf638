"""News from the web, in the app: the Add-a-URL dialog and the Feeds view (the fetching is store.web and
store.feeds; the app runs it in workers, see tui.sources)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from docbao.tui.screens.dialogs import InputDialog
from docbao.tui.screens.footer import QuietFooter

if TYPE_CHECKING:
    from docbao.tui.app import DocbaoApp

__all__ = ["FeedsScreen", "UrlDialog"]


class UrlDialog(InputDialog[str]):
    """Ask for a web address (an article, or a feed / a page that announces one)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="url.cancel")]
    DIALOG_ID = "url-dialog"

    def __init__(self, heading: str, hint: str) -> None:
        super().__init__(heading, hint=hint, placeholder="https://…", ok="Add")

    def accept(self, value: str) -> str | None:
        if not value.lower().startswith(("http://", "https://")):
            self.notify("Give a web address starting with http:// or https://", severity="warning", timeout=4)
            return None
        return value


class FeedsScreen(Screen[None]):
    """The feeds you follow, with their unread counts: a to follow one, r to refresh, d to stop following,
    Enter to see a feed's articles in the library."""

    HELP_TITLE = "Feeds"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "follow", "Follow a feed", id="feeds.follow"),
        Binding("r", "refresh", "Refresh all", id="feeds.refresh"),
        Binding("d", "remove", "Unfollow", id="feeds.remove"),
        Binding("escape,q", "back", "Library", id="feeds.back"),
    ]
    DEFAULT_CSS = """
    FeedsScreen #feeds-title { height: 1; padding: 0 1; background: $primary 25%; }
    FeedsScreen #feeds-list { height: 1fr; }
    FeedsScreen #feeds-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    @property
    def docbao(self) -> DocbaoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(("docbao", "bold"), "  feeds"), id="feeds-title")
        yield OptionList(id="feeds-list")
        yield Static("", id="feeds-status", markup=False)
        yield QuietFooter()

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        from docbao.store.feeds import counts

        handle = self.docbao.store_handle
        feeds = handle.read(handle.live.feeds)
        per = handle.read(lambda: counts(handle.live))  # type: ignore[arg-type]
        if not feeds.ok or not per.ok:
            self.docbao.show_store_error()
            return
        ol = self.query_one(OptionList)
        ol.clear_options()
        for f in feeds.value or ():
            c = (per.value or {}).get(f.id)
            unread = f"{c.unread} unread of {c.articles}" if c is not None else "no article yet"
            ol.add_option(Option(Content.assemble((f.title or f.url, "bold"), ("  ·  ", "dim"), (unread, "dim"),
                                                  ("  ·  ", "dim"), (f.url, "dim")), id=f.id))
        n = len(feeds.value or ())
        self.query_one("#feeds-status", Static).update(
            Content(f"{n} feed{'s' if n != 1 else ''} · a follows one · r refreshes all · Enter lists its articles"
                    if n else "No feed yet: a follows one (a feed's address, or a news page that announces one)"))

    def action_follow(self) -> None:
        def done(url: str | None) -> None:
            if url:
                self.docbao.follow_feed(url)

        self.app.push_screen(UrlDialog("Follow a feed", "RSS or Atom, or a page that announces one"), done)

    def action_refresh(self) -> None:
        self.docbao.refresh_feeds()

    def action_remove(self) -> None:
        from docbao.tui.screens.dialogs import ConfirmDialog

        option = self.query_one(OptionList).highlighted_option
        if option is None or option.id is None:
            return
        feed_id = option.id

        def done(yes: bool | None) -> None:
            if yes:
                self.docbao.unfollow_feed(feed_id)
                self.reload()

        self.app.push_screen(ConfirmDialog("Stop following this feed?", "Its articles stay in your library.",
                                           yes="Unfollow"), done)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        handle = self.docbao.store_handle
        feed: Any = handle.read(handle.live.get_feed, event.option.id).value
        if feed is None:
            return
        self.dismiss(None)
        self.docbao.show_library_filter(f'feed:"{feed.title or feed.url}"')

    def action_back(self) -> None:
        self.dismiss(None)
