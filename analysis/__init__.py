"""Textual-free, TinyDB-free text analysis for docbao: entities, quotes and their speakers.

Every span is a pair of code-point offsets into the article's NFC text (see :mod:`analysis.text`).
underthesea is imported lazily, on the first analysis, so importing this package is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docbao.analysis.lexicon import Lexicon, LexiconEntry
    from docbao.analysis.spans import LABELS, QUOTE_KINDS, Analysis, Quote, Span, Speaker

_HOME = {"Lexicon": "lexicon", "LexiconEntry": "lexicon", "LABELS": "spans", "QUOTE_KINDS": "spans",
         "Analysis": "spans", "Quote": "spans", "Span": "spans", "Speaker": "spans"}


def __getattr__(name: str) -> Any:
    """The package's names, imported on first use (importing ``docbao.analysis.text`` stays cheap)."""
    if name in _HOME:
        return getattr(importlib.import_module(f"docbao.analysis.{_HOME[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["LABELS", "QUOTE_KINDS", "Analysis", "Lexicon", "LexiconEntry", "Quote", "Span", "Speaker"]
