"""Paragraphs and sentences as offset ranges into the text (underthesea's sent_tokenize gives no offsets).

Sentences end at . ! ? … (with any closing quotes or brackets) followed by white space and a capital
letter, digit or opening quote. Quotation marks are not tracked here (quotes run across sentences; the
quote finder works per paragraph). Very long runs without punctuation are cut at white space so that no
piece handed to the tagger exceeds ``max_len`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from docbao.analysis.text import UPPER

_PARA = re.compile(r"[^\n]+")
_END = re.compile(r"[.!?…]+[\"”’»)\]]*(?=\s+[\"“«(\[]?[%s0-9])" % UPPER)
# Abbreviations after which a period does not end a sentence.
_ABBREV = re.compile(r"(?:\b(?:TP|Tp|St|Mr|Mrs|Ms|Dr|Th\.S|TS|PGS|GS|ThS|BS|v\.v|Q|P|TT|UBND|No)\.)$")

MAX_SENTENCE = 400


def paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Non-blank lines, trimmed: (start, end)."""
    for m in _PARA.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            yield s, e


def sentences(text: str, start: int = 0, end: int | None = None, max_len: int = MAX_SENTENCE
              ) -> Iterator[tuple[int, int]]:
    """Sentences of text[start:end] (one paragraph, usually), trimmed, as absolute offsets."""
    end = len(text) if end is None else end
    pos = start
    for m in _END.finditer(text, start, end):
        if _ABBREV.search(text, max(start, m.start() - 6), m.start() + 1):
            continue
        yield from _cut(text, pos, m.end(), max_len)
        pos = m.end()
    yield from _cut(text, pos, end, max_len)


def _cut(text: str, s: int, e: int, max_len: int) -> Iterator[tuple[int, int]]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    while e - s > max_len:
        cut = text.rfind(" ", s + max_len // 2, s + max_len)
        if cut <= s:
            cut = s + max_len
        yield s, cut
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if s < e:
        yield s, e
