"""A Footer that recomposes only when the keys it shows change.

Textual's Footer rebuilds all its key widgets on every ``refresh_bindings()``; any widget may call it (focus
changes, the article view when a selection starts or ends), and a rebuild cost about 100 ms in the reader.
Comparing what would be shown first skips the rebuilds that would change nothing.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer

__all__ = ["QuietFooter"]


class QuietFooter(Footer):
    _shown: tuple[Any, ...] | None = None

    @staticmethod
    def _signature(screen: Screen[Any]) -> tuple[Any, ...]:
        return tuple((b.key, b.action, b.description, b.key_display, enabled, tooltip)
                     for (_node, b, enabled, tooltip) in screen.active_bindings.values() if b.show)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            super().bindings_changed(screen)
            return
        signature = self._signature(screen)
        if signature == self._shown and self._bindings_ready:
            return
        self._shown = signature
        super().bindings_changed(screen)
