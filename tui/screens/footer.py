"""A Footer that recomposes only when the keys it shows change, and drops the least important keys when
the terminal is too narrow for all of them (never Help, back or quit).

Textual's Footer rebuilds all its key widgets on every ``refresh_bindings()``; any widget may call it (focus
changes, the article view when a selection starts or ends), and a rebuild cost about 100 ms in the reader.
Comparing what would be shown first skips the rebuilds that would change nothing. Importance is the order of
the bindings on screen (a screen lists its keys most important first); keys whose id ends in ``.back``,
``.quit`` or is ``app.help`` are kept whatever the width.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["QuietFooter", "fitting"]

PALETTE_WIDTH = 14  # "^p palette", its border and padding
ESSENTIAL = (".back", ".quit", "app.help")


def _width(b: Binding, display: str) -> int:
    return cell_len(display) + cell_len(b.description) + 3  # the key padded 0 1, the description 0 1 0 0


def fitting(items: list[tuple[Binding, str]], width: int) -> set[int]:
    """Indices of the bindings (in screen order, most important first) that fit in ``width`` cells."""
    essential = [i for i, (b, _) in enumerate(items) if b.id and b.id.endswith(ESSENTIAL)]
    used = sum(_width(*items[i]) for i in essential)
    keep = set(essential)
    for i, item in enumerate(items):
        if i in keep:
            continue
        w = _width(*item)
        if used + w <= width:
            keep.add(i)
            used += w
    return keep


class QuietFooter(Footer):
    _shown: tuple[Any, ...] | None = None
    _width_seen = 0

    def _shown_bindings(self, screen: Screen[Any]) -> list[Binding]:
        seen: set[str] = set()
        out = []
        for (_node, b, _enabled, _tooltip) in screen.active_bindings.values():
            if b.show and b.action not in seen:
                seen.add(b.action)
                out.append(b)
        return out

    def _signature(self, screen: Screen[Any]) -> tuple[Any, ...]:
        return (self.size.width, *((b.key, b.action, b.description, b.key_display, enabled, tooltip)
                                   for (_node, b, enabled, tooltip) in screen.active_bindings.values() if b.show))

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            super().bindings_changed(screen)
            return
        signature = self._signature(screen)
        if signature == self._shown and self._bindings_ready:
            return
        self._shown = signature
        super().bindings_changed(screen)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._width_seen:
            self._width_seen = event.size.width
            self._shown = None
            self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        screen = self.screen
        shown = self._shown_bindings(screen)
        items = [(b, self.app.get_key_display(b)) for b in shown]
        width = (self.size.width or self.app.size.width) - PALETTE_WIDTH
        keep = fitting(items, width)
        dropped = {b.action for i, (b, _) in enumerate(items) if i not in keep}
        for widget in super().compose():
            action = getattr(widget, "action", None)
            if action is None or action not in dropped:
                yield widget
