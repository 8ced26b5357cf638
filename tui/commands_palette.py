"""The command palette: every action of the screen you are on, the app's commands, and the articles.

Textual's own fuzzy matcher is accent-sensitive, so both the query and each title are folded first
(:func:`analysis.text.fold`: "ha noi" finds "Hà Nội", "d" matches "đ"); the match is then highlighted on the
original title. Titles are user text: they are shown as ``Content`` (never parsed as markup).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import FuzzySearch
from textual.style import Style

from docbao.analysis.text import fold
from docbao.tui.palette import PaletteCommand

__all__ = ["DocbaoCommands"]

MAX_ARTICLE_HITS = 30


def _highlight(title: str, query: str, style: Style | None) -> tuple[float, Content]:
    """Score the folded title against the folded query; highlight matched letters on the original."""
    folded = fold(title)
    score, offsets = _FUZZY.match(query, folded)
    content = Content(title)
    if score and len(folded) == len(title) and style is not None:
        for off in offsets:
            if not title[off].isspace():
                content = content.stylize(style, off, off + 1)
    return score, content


_FUZZY = FuzzySearch()


class DocbaoCommands(Provider):
    """Commands of the current screen and the app (folded matching), plus "Open: <article title>"."""

    def _commands(self) -> list[PaletteCommand]:
        app = self.app
        commands: list[PaletteCommand] = []
        screen = self.screen
        get = getattr(screen, "palette_commands", None)
        if callable(get):
            commands.extend(get())
        get_app = getattr(app, "palette_commands", None)
        if callable(get_app):
            commands.extend(get_app(screen))
        for sc in app.get_system_commands(screen):
            commands.append(PaletteCommand(sc.title, sc.help, sc.callback, sc.discover))
        # One entry per title: the first (most specific) wins.
        unique: dict[str, PaletteCommand] = {}
        for c in commands:
            unique.setdefault(c.title, c)
        return list(unique.values())

    async def discover(self) -> Hits:
        for c in sorted(self._commands(), key=lambda c: fold(c.title)):
            if c.discover:
                yield DiscoveryHit(Content(c.title), c.callback, text=c.title, help=c.help)

    async def search(self, query: str) -> Hits:
        q = fold(query).strip()
        if not q:
            return
        style = self.match_style
        for c in self._commands():
            score, display = _highlight(c.title, q, style)
            if score > 0:
                yield Hit(score, display, c.callback, text=c.title, help=c.help)
        titles = getattr(self.app, "article_titles", None)
        if callable(titles):
            # Articles can number 10,000: plain folded substring matching (every word), not fuzzy.
            words = q.split()
            hits = []
            for article_id, title, folded in titles():
                if all(w in folded for w in words):
                    hits.append((article_id, title, folded))
                    if len(hits) >= MAX_ARTICLE_HITS:
                        break
            for article_id, title, folded in hits:
                display = Content(title)
                if style is not None and len(folded) == len(title):
                    for w in words:
                        i = folded.find(w)
                        if i >= 0:
                            display = display.stylize(style, i, i + len(w))
                yield Hit(0.5, Content.assemble(("Open: ", "dim"), display),
                          partial(self.app.open_article, article_id),  # type: ignore[attr-defined]
                          text=f"Open: {title}", help="open this article in the reader")
