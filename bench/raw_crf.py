"""underthesea's own 2017 CRF named-entity tagger, as docbao used it before it had a model of its own: the
baseline the benches compare against (raw per-sentence ``ner()`` speed, and its entities' quality).

Its tokens are aligned back to exact code-point offsets in the original text:

underthesea rewrites what it tags: NFC, tone-mark placement (hoà → hòa), a table of spelling fixes that can
change a token's length, collapsed whitespace inside multi-word tokens, tokens split at punctuation and
emoji. We compare both sides through a *key*: each character folded (marks stripped, lower-cased, đ → d)
with whitespace and variation selectors dropped. A token whose key is found in the text's key (at the
cursor, else a little further on) gets the original offsets of the characters it matched; a token that
cannot be found (a spelling fix changed its letters) is placed in the gap between its aligned neighbours.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["align_tokens", "raw_entities", "raw_ner_seconds"]

# Characters that carry no letters for matching: joiners, variation selectors, skin-tone modifiers.
_IGNORABLE = frozenset([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400)])
_SEARCH_WINDOW = 200  # how far ahead (in key characters) a token may be looked for


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isspace() or ord(ch) in _IGNORABLE:
        return ""
    if ch in "đĐ":
        return "d"
    decomposed = unicodedata.normalize("NFD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return (base or ch).lower()


def _key(text: str) -> tuple[str, list[int]]:
    """The folded key of ``text`` and, for each key character, the offset of the character it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        for f in folded:
            chars.append(f)
            offsets.append(i)
    return "".join(chars), offsets


def align_tokens(text: str, tokens: Sequence[str]) -> list[tuple[int, int] | None]:
    """For each token, its (start, end) in ``text``, or None if it has no letters to place.

    Spans are in order, never overlap, and never start or end on whitespace. ``text[start:end]`` is the
    original surface of the token (which may differ from the token string the tool returned).
    """
    key, offsets = _key(text)
    n = len(key)
    pos = 0  # cursor into key
    unplaced = 0  # letters of the tokens not found since the last one that was
    found: list[tuple[int, int] | None] = []
    for tok in tokens:
        tkey, _ = _key(tok)
        if not tkey:
            found.append(None)
            continue
        at = pos if key.startswith(tkey, pos) else key.find(tkey, pos, min(n, pos + _SEARCH_WINDOW + len(tkey)))
        if at > pos and sum(ch.isalnum() for ch in key[pos:at]) > unplaced + 2:
            # Found further on, past more letters than the tokens left unplaced since the last match can
            # account for: the tool changed this token's letters (a spelling fix) and the hit is a later
            # word. Leave the token to the gap between its neighbours.
            at = -1
        if at < 0:
            found.append(None)  # placed below, between its neighbours
            unplaced += len(tkey)
            continue
        unplaced = 0
        end_k = at + len(tkey)
        found.append((offsets[at], offsets[end_k - 1] + 1))
        pos = end_k
    # A run of tokens we could not find (a spelling fix changed their letters) takes the gap between its
    # aligned neighbours, as one piece given to the run's first token; the rest of the run gets None.
    i = 0
    while i < len(tokens):
        if found[i] is not None or not _key(tokens[i])[0]:
            i += 1
            continue
        j = i
        while j < len(tokens) and found[j] is None:
            j += 1
        prev_end = next((r[1] for r in reversed(found[:i]) if r is not None), 0)
        next_start = found[j][0] if j < len(tokens) and found[j] is not None else None  # type: ignore[index]
        if next_start is None:
            approx = sum(len(t) + 1 for t in tokens[i:j])
            next_start = min(len(text), prev_end + approx)
        start, end = _trim_ws(text, prev_end, next_start)
        if start < end:
            found[i] = (start, end)
        i = j
    return found


def _trim_ws(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def raw_ner_seconds(texts: Sequence[str]) -> float:
    """underthesea alone: sent_tokenize each paragraph, ner() each sentence. Returns seconds."""
    import time

    from underthesea import ner, sent_tokenize

    t = time.perf_counter()
    for text in texts:
        for para in text.split("\n"):
            if para.strip():
                for sentence in sent_tokenize(para):
                    ner(sentence)
    return time.perf_counter() - t


def raw_entities(text: str) -> list:  # list[Span]
    """underthesea's CRF entities of ``text`` (one ner() call per sentence), on exact offsets."""
    from underthesea import ner

    from docbao.analysis.segment import paragraphs, sentences
    from docbao.analysis.spans import LABELS, Span

    spans: list[Span] = []
    for ps, pe in paragraphs(text):
        for s, e in sentences(text, ps, pe):
            sent = text[s:e]
            if not any(ch.isalpha() for ch in sent):
                continue
            rows = ner(sent)
            places = align_tokens(sent, [r[0] for r in rows])
            cur: list | None = None
            for row, place in zip(rows, places, strict=True):
                tag = row[-1]
                if place is None or tag == "O" or "-" not in tag:
                    if cur:
                        spans.append(Span(cur[0], cur[1], cur[2], text[cur[0]:cur[1]], "model"))
                    cur = None
                    continue
                bio, label = tag.split("-", 1)
                label = label if label in LABELS else "MISC"
                a, b = s + place[0], s + place[1]
                if bio == "B" or cur is None or cur[2] != label:
                    if cur:
                        spans.append(Span(cur[0], cur[1], cur[2], text[cur[0]:cur[1]], "model"))
                    cur = [a, b, label]
                else:
                    cur[1] = b
            if cur:
                spans.append(Span(cur[0], cur[1], cur[2], text[cur[0]:cur[1]], "model"))
    return spans
