"""Entity helpers around the learned tagger (analysis.ner): titles and honorifics, and the user's
corrections (``apply_lexicon``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from docbao.analysis.gazetteer import TITLES, places
from docbao.analysis.intervals import Occupied
from docbao.analysis.lexicon import Lexicon
from docbao.analysis.spans import Span

# --- titles -------------------------------------------------------------------------------------------

# Honorifics and kinship words that also begin names and places ("Tân Bình", "Cô Tô", "Bà Rịa", "Đức Phúc"):
# written with a capital inside a sentence, they belong to the name.
HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "ngài", "thầy", "cậu",
                        "mợ", "dì", "tân", "cựu", "đức", "thánh", "vua", "tướng", "đương kim"})
_TITLE_WORDS = sorted(set(TITLES), key=lambda t: -len(t))
_ONE_TITLE = re.compile(r"(%s)\s+" % "|".join(re.escape(t) for t in _TITLE_WORDS), re.IGNORECASE)


def at_sentence_start(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and text[i] in " \t":
        i -= 1
    return i < 0 or text[i] in ".!?…:;\n\"“”«»'‘’(-–—"


def is_title_word(text: str, start: int, end: int) -> bool:
    """text[start:end] is a title or honorific here, not the start of a name."""
    word = text[start:end]
    low = word.lower()
    if low not in _TITLE_SET:
        return False
    return not (low in HONORIFICS and word[:1].isupper() and not at_sentence_start(text, start))


_TITLE_SET = frozenset(t.lower() for t in TITLES)


def strip_titles(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` past leading titles and honorifics ("Tổng thống", "ông") if a name follows.

    A capitalised honorific inside a sentence is part of the name ("Tân Bình", "Đức Phúc"), and a known
    place name is never cut ("Bà Rịa - Vũng Tàu")."""
    if text[start:end] in places():
        return start, end
    pos = start
    while True:
        m = _ONE_TITLE.match(text, pos, end)
        if not m or m.end() >= end or not is_title_word(text, m.start(1), m.end(1)):
            break
        pos = m.end()
    return pos, end


# --- the user's corrections -------------------------------------------------------------------------

def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def find_all(text: str, surface: str) -> list[tuple[int, int]]:
    """Occurrences of ``surface`` in ``text`` on word boundaries (case-sensitive, NFC)."""
    surface = unicodedata.normalize("NFC", surface.strip())
    if not surface:
        return []
    hits: list[tuple[int, int]] = []
    i = text.find(surface)
    while i >= 0:
        j = i + len(surface)
        if (i == 0 or not _word_char(text[i - 1])) and (j == len(text) or not _word_char(text[j])):
            hits.append((i, j))
        i = text.find(surface, i + 1)
    return hits


def apply_lexicon(text: str, spans: Sequence[Span], lexicon: Lexicon | None) -> list[Span]:
    """Apply the user's corrections.

    - label None: that surface form is not an entity (spans with exactly that text are dropped);
    - a label: every occurrence of the surface is that entity. A span with exactly that extent is
      relabelled; an occurrence inside a longer entity leaves the longer one alone ("Hà Nội" in
      "Công an TP Hà Nội"); an occurrence that covers or crosses other spans replaces them.
    """
    if not lexicon:
        return list(spans)
    rejected = {e.surface for e in lexicon.entries if e.label is None}
    kept = [sp for sp in spans if sp.text not in rejected]
    existing = Occupied()
    for sp in kept:
        existing.add(sp.start, sp.end)
    forced: list[Span] = []
    forced_at = Occupied()
    for entry in sorted((e for e in lexicon.entries if e.label), key=lambda e: -len(e.surface)):
        for s, e in find_all(text, entry.surface):
            outer = existing.containing(s, e)
            if outer is not None and outer != (s, e):
                continue  # inside a longer entity
            if forced_at.add(s, e):
                forced.append(Span(s, e, str(entry.label), text[s:e], "lexicon"))
    kept = [sp for sp in kept if not forced_at.overlaps(sp.start, sp.end)]
    return sorted(kept + forced, key=lambda sp: sp.start)
