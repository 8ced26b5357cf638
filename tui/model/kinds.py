"""The one table of span kinds: what the reader draws, what the legend calls it, which key toggles it.

Entity kinds are the analysis's labels (analysis.spans.LABELS); the others are the reader's own: a direct
quote, reported speech, a speaker, the user's notes, and search hits. Styles live in tui.styles (keyed by
these ids); everything else (legend, toggles, jumps, help) reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from docbao.analysis.spans import LABELS

__all__ = ["ENTITY_KINDS", "JUMP_KINDS", "KINDS", "QUOTE_KINDS", "Kind", "view_kinds"]


@dataclass(frozen=True)
class Kind:
    id: str  # the legend's kind (and the style's)
    label: str  # in the legend and help
    key: str  # the digit that shows or hides it
    members: tuple[str, ...]  # the span kinds it stands for in the view


KINDS: tuple[Kind, ...] = (
    Kind("PER", "person", "1", ("PER",)),
    Kind("LOC", "place", "2", ("LOC",)),
    Kind("ORG", "organisation", "3", ("ORG",)),
    Kind("MISC", "other", "4", ("MISC",)),
    Kind("quote", "quote", "5", ("quote", "quote-indirect")),
    Kind("speaker", "speaker", "6", ("speaker",)),
    Kind("annotation", "note", "7", ("annotation",)),
)
assert tuple(k.id for k in KINDS[:4]) == LABELS

ENTITY_KINDS: tuple[str, ...] = LABELS
QUOTE_KINDS: tuple[str, ...] = ("quote", "quote-indirect")
JUMP_KINDS: tuple[str, ...] = (*ENTITY_KINDS, *QUOTE_KINDS, "annotation")


def view_kinds(hidden_legend: frozenset[str]) -> frozenset[str]:
    """The view kinds hidden when these legend kinds are hidden."""
    return frozenset(m for k in KINDS if k.id in hidden_legend for m in k.members)
