"""Commands for the palette, as plain data: screens list theirs (``palette_commands()``), and
:mod:`tui.commands_palette` (imported only when the palette opens) searches them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from textual.binding import Binding

__all__ = ["PaletteCommand", "binding_commands"]


@dataclass(frozen=True)
class PaletteCommand:
    title: str
    help: str
    callback: Callable[[], object]
    discover: bool = True


def binding_commands(node: object, bindings: Iterable[Binding | tuple[str, ...]],
                     prefix: str = "") -> Iterator[PaletteCommand]:
    """A palette command for every binding with a description (so the palette and footer agree)."""
    from textual.dom import DOMNode

    assert isinstance(node, DOMNode)
    seen: set[str] = set()
    for b in bindings:
        if not isinstance(b, Binding) or not b.description or b.action in seen:
            continue
        seen.add(b.action)
        key = node.app.get_key_display(b)
        help_text = (b.tooltip or b.description) + f"  (key: {key})"
        yield PaletteCommand(prefix + b.description, help_text,
                             partial(node.app.run_action, b.action, node))
