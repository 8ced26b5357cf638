"""Entity helpers around the learned tagger (analysis.ner): titles and honorifics, span clean-up, and the
user's corrections (``apply_lexicon``)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from docbao.analysis.gazetteer import TITLES
from docbao.analysis.intervals import Occupied
from docbao.analysis.lexicon import Lexicon
from docbao.analysis.spans import Span

# --- clean-up ---------------------------------------------------------------------------------------

# Honorifics and kinship words that also begin names and places ("Tân Bình", "Cô Tô", "Bà Rịa", "Đức Phúc"):
# written with a capital inside a sentence, they belong to the name.
HONORIFICS = frozenset({"ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "ngài", "thầy", "cậu",
                        "mợ", "dì", "tân", "cựu", "đức", "thánh", "vua", "tướng", "đương kim"})
_TITLE_WORDS = sorted(set(TITLES), key=lambda t: -len(t))
_ONE_TITLE = re.compile(r"(%s)\s+" % "|".join(re.escape(t) for t in _TITLE_WORDS), re.IGNORECASE)
_TITLE_RE = re.compile(r"(?:(?:%s)\s+)+" % "|".join(re.escape(t) for t in _TITLE_WORDS), re.IGNORECASE)


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


_DATE_WORDS = ("ngày", "tháng", "năm", "quý", "tuần", "thứ", "sáng", "chiều", "tối", "đêm", "trưa", "giờ",
               "hôm", "đầu", "cuối", "giữa", "thế kỷ", "mùa")
_DATE_RE = re.compile(
    r"^(?:(?:%s)\s*)*[\d/.\-:hg ]*\d[\d/.\-:hg ]*$" % "|".join(re.escape(w) for w in _DATE_WORDS),
    re.IGNORECASE,
)
_DAY_NAMES = re.compile(r"^(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ\s+nhật)$", re.IGNORECASE)
_NUMERIC = re.compile(r"^[\W\d_]+$")


def _is_punct_or_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in ("P", "S", "Z", "C")


def _closing_ok(text: str, start: int, end: int) -> bool:
    # A closing bracket may end a span only if its opening bracket is inside the span.
    ch = text[end - 1]
    pairs = {")": "(", "]": "["}
    return ch in pairs and pairs[ch] in text[start:end - 1]


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink (start, end) so it neither starts nor ends on white space or punctuation.

    Trailing periods of abbreviations ("TP.") are dropped too; a closing bracket stays when its opening
    bracket is inside the span.
    """
    while start < end and _is_punct_or_space(text[start]):
        start += 1
    while end > start and _is_punct_or_space(text[end - 1]) and not _closing_ok(text, start, end):
        end -= 1
    return start, end


def is_date_or_number(surface: str) -> bool:
    s = " ".join(surface.split())
    return bool(_DATE_RE.fullmatch(s) or _DAY_NAMES.fullmatch(s) or _NUMERIC.fullmatch(s))


def strip_titles(text: str, start: int, end: int) -> tuple[int, int]:
    """Move ``start`` past leading titles and honorifics ("Tổng thống", "ông") if a name follows.

    A capitalised honorific inside a sentence is part of the name ("Tân Bình", "Đức Phúc"), and a known
    place name is never cut ("Bà Rịa - Vũng Tàu")."""
    from docbao.analysis.gazetteer import places

    if text[start:end] in places():
        return start, end
    pos = start
    while True:
        m = _ONE_TITLE.match(text, pos, end)
        if not m or m.end() >= end or not is_title_word(text, m.start(1), m.end(1)):
            break
        pos = m.end()
    return pos, end


def clean_entities(text: str, spans: Sequence[Span]) -> list[Span]:
    """Basic clean-up of raw spans (BIO spans never overlap, and clean-up only shrinks them)."""
    out: list[Span] = []
    for sp in spans:
        s, e = trim_span(text, sp.start, sp.end)
        s, e = strip_titles(text, s, e)
        s, e = trim_span(text, s, e)
        if s >= e:
            continue
        surface = text[s:e]
        if is_date_or_number(surface) or not any(ch.isalpha() for ch in surface):
            continue
        if _TITLE_RE.fullmatch(surface + " "):
            continue  # nothing but a title ("Tổng thống")
        out.append(Span(s, e, sp.label, surface, sp.source))
    return out


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
