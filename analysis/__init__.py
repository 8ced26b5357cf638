"""Textual-free, TinyDB-free text analysis for docbao: entities, quotes and their speakers.

Every span is a pair of code-point offsets into the article's NFC text (see :mod:`analysis.text`).
underthesea is imported lazily, on the first analysis, so importing this package is cheap.
"""

from docbao.analysis.lexicon import Lexicon, LexiconEntry
from docbao.analysis.spans import LABELS, QUOTE_KINDS, Analysis, Quote, Span, Speaker

__all__ = ["LABELS", "QUOTE_KINDS", "Analysis", "Lexicon", "LexiconEntry", "Quote", "Span", "Speaker"]
