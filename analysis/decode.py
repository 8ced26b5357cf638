"""BIO tags on tokens → entity spans on exact offsets, and spans → BIO tags (for training)."""

from __future__ import annotations

from collections.abc import Sequence

from docbao.analysis.features import Token
from docbao.analysis.spans import Span

OUTSIDE = "O"


def spans_from_bio(text: str, toks: Sequence[Token], tags: Sequence[str], source: str = "model") -> list[Span]:
    """Spans of one sentence's tags. An I- tag that does not continue a span of its label starts one."""
    out: list[Span] = []
    cur: list[int] | None = None  # [start, end]
    label = ""
    for tok, tag in zip(toks, tags, strict=True):
        if tag == OUTSIDE or "-" not in tag:
            if cur:
                out.append(Span(cur[0], cur[1], label, text[cur[0]:cur[1]], source))
            cur = None
            continue
        bio, lab = tag.split("-", 1)
        if bio == "B" or cur is None or lab != label:
            if cur:
                out.append(Span(cur[0], cur[1], label, text[cur[0]:cur[1]], source))
            cur, label = [tok.start, tok.end], lab
        else:
            cur[1] = tok.end
    if cur:
        out.append(Span(cur[0], cur[1], label, text[cur[0]:cur[1]], source))
    return out


def bio_from_spans(toks: Sequence[Token], spans: Sequence[tuple[int, int, str]]) -> tuple[list[str], int]:
    """BIO tags of tokens for gold spans (start, end, label); also how many spans do not sit on token
    edges (they are tagged as far as their tokens go)."""
    tags = [OUTSIDE] * len(toks)
    if not toks:
        return tags, 0
    bad = 0
    starts = {t.start: i for i, t in enumerate(toks)}
    ends = {t.end: i for i, t in enumerate(toks)}
    for s, e, lab in spans:
        if e <= toks[0].start or s >= toks[-1].end:
            continue
        if s not in starts or e not in ends:
            bad += 1
        first = True
        for i, t in enumerate(toks):
            if t.end <= s or t.start >= e:
                continue
            tags[i] = ("B-" if first else "I-") + lab
            first = False
    return tags, bad


def _is_cap(tok: Token) -> bool:
    return tok.text[:1].isupper() and tok.text.isalpha()


def propagate(text: str, sents: Sequence[Sequence[Token]], spans: Sequence[Span]) -> list[Span]:
    """People the tagger left out, found from the people it tagged elsewhere in the same article: the
    full name again, and the given name on its own ("Bình" after "Nguyễn Phạm Quốc Bình": Vietnamese news
    calls a person by the last word of the name after the first mention). Only a mention that stands
    alone is added: whole tokens outside every span, not next to another capitalised word (that would be
    a longer name the tagger chose to leave). Source "repeat".

    Only people: the same words as a place or an organisation are too often a common noun with a capital
    (Tết, BHYT) for the tagger's own choice to be copied."""
    people: set[tuple[str, ...]] = set()
    tok_index = [t for toks in sents for t in toks]
    starts = {t.start: i for i, t in enumerate(tok_index)}
    for sp in spans:
        i = starts.get(sp.start)
        if sp.label != "PER" or i is None:
            continue
        words: list[str] = []
        while i < len(tok_index) and tok_index[i].end <= sp.end:
            words.append(tok_index[i].text)
            i += 1
        if len(words) >= 2 and all(w.isalpha() and w.istitle() for w in words):
            people.add(tuple(words))
            people.add((words[-1],))
    if not people:
        return list(spans)
    covered = bytearray(len(text) + 1)
    for sp in spans:
        covered[sp.start:sp.end] = b"\x01" * (sp.end - sp.start)
    longest = max(len(k) for k in people)
    out = list(spans)
    for toks in sents:
        n = len(toks)
        k = 0
        while k < n:
            hit = next((m for m in range(min(longest, n - k), 0, -1)
                        if tuple(t.text for t in toks[k:k + m]) in people), 0)
            if not hit:
                k += 1
                continue
            first, last = toks[k], toks[k + hit - 1]
            alone = (k == 0 or not _is_cap(toks[k - 1])) and (k + hit == n or not _is_cap(toks[k + hit]))
            if alone and not any(covered[first.start:last.end]):
                out.append(Span(first.start, last.end, "PER", text[first.start:last.end], "repeat"))
            k += hit
    out.sort(key=lambda s: (s.start, s.end))
    return out
