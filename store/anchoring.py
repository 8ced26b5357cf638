"""Anchoring a span annotation to an article's text, and finding it again after the text changed.

A span is stored with both W3C Web Annotation selectors: a TextPositionSelector (``start``, ``end``: code
points into the NFC text, end exclusive) and a TextQuoteSelector (``exact`` plus up to 32 characters of
``prefix`` and ``suffix``), beside the article's ``text_sha256``. To re-anchor against a (maybe edited) text:

1. the stored position still holds ``exact`` (and, if the text changed, its context agrees) → ``exact``;
2. else every occurrence of ``exact``, preferring the one whose prefix/suffix agree best with the stored
   context, then the one nearest the old position → ``moved``;
3. else fuzzy: a region enclosed by the stored prefix and suffix, or the best approximate match of
   ``exact`` (rapidfuzz) near the old position and then anywhere, if similar enough → ``fuzzy``;
4. else ``orphan``: the annotation is kept and listed, just not placed.
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT = 32  # characters of prefix and suffix kept with a quote
MAX_CANDIDATES = 2000  # occurrences of a quote examined (a one-letter quote could occur everywhere)
FUZZY_THRESHOLD = 75.0  # rapidfuzz ratio (0-100) a fuzzy match must reach
FUZZY_ALONE_THRESHOLD = 88.0  # ... and without any agreeing context (quotes of 32 characters or more only)
BRACKETED_THRESHOLD = 50.0  # lower bar for a region enclosed by the exact stored prefix and suffix
WINDOW = 2000  # characters either side of the old position searched first for a fuzzy match
LONG_QUOTE = 500  # longer quotes are searched approximately only near their old position

EXACT, MOVED, FUZZY, ORPHAN, ARTICLE = "exact", "moved", "fuzzy", "orphan", "article"


@dataclass(frozen=True)
class Target:
    """Where a span annotation points: position and quote selectors together."""

    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Placement:
    status: str  # exact | moved | fuzzy | orphan
    start: int | None
    end: int | None


def make_target(text: str, start: int, end: int, context: int = CONTEXT) -> Target:
    """The selectors for ``text[start:end]`` (the caller has checked 0 <= start < end <= len(text))."""
    return Target(start, end, text[start:end], text[max(0, start - context):start], text[end:end + context])


def _common_suffix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def context_score(text: str, start: int, end: int, target: Target) -> int:
    """How many characters of the stored prefix and suffix agree with the text around [start, end)."""
    before = text[max(0, start - len(target.prefix)):start]
    after = text[end:end + len(target.suffix)]
    return _common_suffix(before, target.prefix) + _common_prefix(after, target.suffix)


def _context_needed(target: Target, speaks_for_itself: int = 16) -> int:
    """Context characters that must agree to trust a match of a quote shorter than ``speaks_for_itself``
    (a short quote like "Nga" occurs all over an article; a long one is its own evidence)."""
    if len(target.exact) >= speaks_for_itself:
        return 0
    return min(8, len(target.prefix) + len(target.suffix))


def anchor(text: str, target: Target, text_sha256: str | None = None,
           current_sha256: str | None = None) -> Placement:
    """Find ``target`` in ``text``. Pass both hashes to skip the checks when the text is unchanged."""
    n = len(text)
    s, e, exact = target.start, target.end, target.exact
    if not exact:
        return Placement(ORPHAN, None, None)
    at_position = 0 <= s < e <= n and text[s:e] == exact
    if at_position:
        if text_sha256 is not None and text_sha256 == current_sha256:
            return Placement(EXACT, s, e)
        if context_score(text, s, e, target) >= _context_needed(target):
            return Placement(EXACT, s, e)
    found = _exact_search(text, target)
    if found is not None:
        return Placement(EXACT if found == s else MOVED, found, found + len(exact))
    fuzzy = _fuzzy_search(text, target)
    if fuzzy is not None:
        return Placement(FUZZY, fuzzy[0], fuzzy[1])
    return Placement(ORPHAN, None, None)


def _exact_search(text: str, target: Target) -> int | None:
    exact = target.exact
    needed = _context_needed(target)
    best: tuple[int, int] | None = None  # (-context, distance)
    best_pos: int | None = None
    pos = text.find(exact)
    seen = 0
    while pos >= 0 and seen < MAX_CANDIDATES:
        seen += 1
        ctx = context_score(text, pos, pos + len(exact), target)
        if ctx >= needed:
            key = (-ctx, abs(pos - target.start))
            if best is None or key < best:
                best, best_pos = key, pos
        pos = text.find(exact, pos + 1)
    return best_pos


def _context_fraction(text: str, a: int, b: int, target: Target) -> float:
    total = len(target.prefix) + len(target.suffix)
    return context_score(text, a, b, target) / total if total else 0.0


def _fuzzy_search(text: str, target: Target) -> tuple[int, int] | None:
    """Candidates scored 60 % on the quote's similarity and 40 % on the agreement of its context, so a region
    enclosed by both the stored prefix and suffix beats a look-alike elsewhere."""
    from rapidfuzz import fuzz  # imported on the first re-anchoring: opening the store stays cheap

    exact, prefix, suffix = target.exact, target.prefix, target.suffix
    candidates: list[tuple[float, int, int]] = []  # (score, start, end)
    limit = 3 * len(exact) + 64
    # (a) a region enclosed by the stored prefix and suffix: the span was edited inside.
    if len(prefix) >= 8 and len(suffix) >= 8:
        p = text.find(prefix)
        seen = 0
        while p >= 0 and seen < MAX_CANDIDATES:
            seen += 1
            a = p + len(prefix)
            b = text.find(suffix, a, a + limit + len(suffix))
            if b > a:
                ratio = fuzz.ratio(exact, text[a:b])
                if ratio >= BRACKETED_THRESHOLD:
                    candidates.append((0.6 * ratio + 40.0, a, b))
            p = text.find(prefix, p + 1)
    # (b) the best approximate match of the quote itself, near the old position first, then anywhere (for
    # quotes up to LONG_QUOTE characters: aligning a longer one over a whole long article is slow).
    if len(exact) >= 5:
        windows = [(max(0, target.start - WINDOW), min(len(text), target.end + WINDOW))]
        if len(exact) <= LONG_QUOTE:
            windows.append((0, len(text)))
        needed = min(8, len(prefix) + len(suffix))
        for lo, hi in windows:
            if hi - lo < len(exact) // 2:
                continue
            al = fuzz.partial_ratio_alignment(exact, text[lo:hi], score_cutoff=FUZZY_THRESHOLD)
            if al is None or al.dest_end <= al.dest_start:
                continue
            a, b = _tighten(text, *_refine(text, lo + al.dest_start, lo + al.dest_end, target), exact)
            ratio = fuzz.ratio(exact, text[a:b])
            # With agreeing context a fair likeness will do; without, only a long quote that is nearly the
            # same (a short one, or a paraphrase elsewhere in the article, would match too much).
            with_context = ratio >= FUZZY_THRESHOLD and context_score(text, a, b, target) >= needed
            alone = ratio >= FUZZY_ALONE_THRESHOLD and len(exact) >= 32
            if with_context or alone:
                candidates.append((0.6 * ratio + 40.0 * _context_fraction(text, a, b, target), a, b))
                break
    if not candidates:
        return None
    _, a, b = max(candidates, key=lambda c: (c[0], -abs(c[1] - target.start)))
    return a, b


def _refine(text: str, a: int, b: int, target: Target) -> tuple[int, int]:
    """Stretch an approximate match to where the stored prefix ends and the stored suffix begins, if near."""
    k = 8
    slack = max(8, len(target.exact) // 2)
    if len(target.prefix) >= k:
        head = target.prefix[-k:]
        p = text.rfind(head, max(0, a - slack - k), min(len(text), a + slack))
        if p >= 0 and p + k < b:
            a = p + k
    if len(target.suffix) >= k:
        tail = target.suffix[:k]
        q = text.find(tail, max(a + 1, b - slack), min(len(text), b + slack + k))
        if q > a:
            b = q
    return a, b


def _tighten(text: str, a: int, b: int, exact: str, reach: int = 8) -> tuple[int, int]:
    """Move each end of an approximate match by up to ``reach`` characters to where it best matches ``exact``
    (rapidfuzz's window has the quote's old length, the edited span may be shorter or longer)."""
    from rapidfuzz import fuzz

    best = (fuzz.ratio(exact, text[a:b]), 0, 0, a, b)
    for i in range(max(0, a - reach), min(b, a + reach + 1)):
        for j in range(max(i + 1, b - reach), min(len(text), b + reach) + 1):
            score = fuzz.ratio(exact, text[i:j])
            key = (score, -abs((j - i) - len(exact)), -(abs(i - a) + abs(j - b)), i, j)
            if key[:3] > best[:3]:
                best = key
    _, _, _, a, b = best
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b
