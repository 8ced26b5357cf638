"""The one place that maps a span kind to a style.

Span kinds (what :class:`tui.widgets.article_view.ViewSpan` carries): the entity labels ``PER``, ``LOC``,
``ORG``, ``MISC``; ``quote`` (a direct quote), ``quote-indirect``, ``speaker``, ``annotation`` (a span
the user tagged or noted), ``search`` (a search hit) and ``search-current`` (the hit the search is on).
Overlapping spans compose in :data:`LAYERS` order (later layers win a colour, attributes such as italic and
underline add up):

- quotes: italic on a tinted background (indirect quotes: italic only);
- entities: a foreground colour per label, bold;
- speaker: underlined and bold;
- annotations: underlined on a warm background mark;
- search hits: black on a strong yellow background; the current hit bold black on orange, over the others;
- the selection and then the cursor (reverse video) are drawn over everything.

Palettes exist for dark and light themes; backgrounds are blended from the theme's own background and
primary colours when they are known, so they stay subtle on any theme.

The legend's rows come from :mod:`tui.model.kinds` (one table of span kinds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.style import Style
from textual.color import Color

__all__ = [
    "ENTITY_KINDS",
    "KINDS",
    "LAYERS",
    "SpanStyles",
    "span_style",
]

ENTITY_KINDS: tuple[str, ...] = ("PER", "LOC", "ORG", "MISC")
LAYERS: tuple[str, ...] = (
    "quote-indirect",
    "quote",
    "annotation",
    "speaker",
    "MISC",
    "ORG",
    "LOC",
    "PER",
    "search",
    "search-current",
)
"""Drawing order of span kinds, bottom first. Unknown kinds are not drawn."""
KINDS: frozenset[str] = frozenset(LAYERS)

_ENTITY_COLOURS = {
    True: {"PER": "#ff8f8f", "LOC": "#6cc7ff", "ORG": "#f0b85a", "MISC": "#c79bff", "speaker": "#8fd694"},
    False: {"PER": "#b3261e", "LOC": "#0a58a8", "ORG": "#8a5300", "MISC": "#6a35b0", "speaker": "#2e7d32"},
}
# Fallback backgrounds when the theme's colours are unknown.
_FALLBACK = {
    True: {"background": "#1e1e1e", "primary": "#0178d4"},
    False: {"background": "#f5f5f5", "primary": "#0178d4"},
}
_ANNOTATION_TINT = {True: "#d8a530", False: "#f4c430"}
_SEARCH_BG = {True: "#e5c07b", False: "#ffd54f"}
_SEARCH_CURRENT_BG = {True: "#ff8c1a", False: "#ff9800"}  # both far from the hit yellow; black reads on both


def _hex(colour: Color) -> str:
    return colour.hex6


class SpanStyles:
    """Rich styles for each span kind, the selection and the cursor, for one theme.

    ``SpanStyles(dark=True, variables=app.theme_variables)``; :meth:`compose` combines the styles of a
    set of kinds (cached), which is what the article widget calls for every run of text.
    """

    def __init__(self, *, dark: bool = True, variables: Mapping[str, str] | None = None) -> None:
        self.dark = dark
        variables = variables or {}
        fallback = _FALLBACK[dark]
        background = self._colour(variables.get("background"), fallback["background"])
        primary = self._colour(variables.get("primary"), fallback["primary"])
        quote_bg = background.blend(primary, 0.16 if dark else 0.10)
        annotation_bg = background.blend(Color.parse(_ANNOTATION_TINT[dark]), 0.28 if dark else 0.35)
        colours = _ENTITY_COLOURS[dark]
        self.styles: dict[str, Style] = {
            "quote": Style(italic=True, bgcolor=_hex(quote_bg)),
            "quote-indirect": Style(italic=True),
            "annotation": Style(underline=True, bgcolor=_hex(annotation_bg)),
            "speaker": Style(bold=True, underline=True, color=colours["speaker"]),
            "search": Style(color="#000000", bgcolor=_SEARCH_BG[dark]),
            "search-current": Style(color="#000000", bgcolor=_SEARCH_CURRENT_BG[dark], bold=True),
        }
        for kind in ENTITY_KINDS:
            self.styles[kind] = Style(bold=True, color=colours[kind])
        self.selection = Style(bgcolor=_hex(background.blend(primary, 0.45 if dark else 0.30)))
        self.cursor = Style(reverse=True)
        self._cache: dict[tuple[frozenset[str], bool, bool], Style] = {}

    @staticmethod
    def _colour(value: str | None, fallback: str) -> Color:
        if value:
            try:
                return Color.parse(value)
            except Exception:
                pass
        return Color.parse(fallback)

    def style(self, kind: str) -> Style:
        """The style of one kind alone (for a legend); an empty style for unknown kinds."""
        return self.styles.get(kind, Style())

    def compose(self, kinds: Iterable[str], *, selected: bool = False, cursor: bool = False) -> Style:
        key = (frozenset(kinds), selected, cursor)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        style = Style()
        for kind in LAYERS:
            if kind in key[0]:
                style += self.styles[kind]
        if selected:
            style += self.selection
        if cursor:
            style += self.cursor
        self._cache[key] = style
        return style


def span_style(kind: str, *, dark: bool = True, variables: Mapping[str, str] | None = None) -> Style:
    """The style a span kind is drawn with (for the app's legend)."""
    return SpanStyles(dark=dark, variables=variables).style(kind)
