"""BIO tags on tokens → entity spans on exact offsets, and spans → BIO tags (for training)."""

from __future__ import annotations

from collections.abc import Sequence

from docbao.analysis.features import Token
from docbao.analysis.spans import LABELS, Span

OUTSIDE = "O"
TAGS: tuple[str, ...] = (OUTSIDE, *(f"{b}-{lab}" for lab in LABELS for b in "BI"))


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
