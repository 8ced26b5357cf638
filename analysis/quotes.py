"""Quotations and their speakers: candidates, a speech/term classifier, a speaker ranker.

1. **Candidates.** Words inside quotation marks (“ ” « » ‘ ’ and straight ", paired per paragraph, nested
   quotes allowed, an opening mark left open runs to the end of its paragraph), and the words after a colon
   that ends a clause naming someone or a speech verb.
2. **Speech or term.** A logistic-regression classifier (``models/quote.lr``) decides whether a candidate is
   someone's words (``direct``) or quoted words that are not speech (``term``: scare quotes, names of
   campaigns, works, laws, lists after "gồm:").
3. **Speaker.** Every person, organisation, pronoun and descriptor mention near a direct quote is a
   candidate; a second classifier (``models/speaker.lr``) scores each (name after the quote, subject of the
   speech verb, "theo X", the last person named, the previous quote's speaker…) and the best one wins. A
   short name is given as the fullest name the article uses for that person.

Reported speech without marks (``indirect``: after "rằng", a speech verb, "Theo X,") is found by rules
(analysis.indirect). Models load lazily; without them (a checkout before training) quotes fall back to
"direct" for every quotation with a speech cue.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from docbao.analysis import models
from docbao.analysis import speakers as S
from docbao.analysis.intervals import SpanIndex
from docbao.analysis.segment import paragraphs, sentences
from docbao.analysis.spans import Quote, Span, Speaker

OPENERS = {"“": "”", "«": "»", "„": "”", "‘": "’"}
CLOSERS = {"”", "»", "’"}
EDGE = " \t\n.,;:!?…-–—\"'“”‘’«»"
VERB_RE = S.VERB_RE
_FIRST_PERSON = re.compile(r"(?<!\w)(tôi|chúng tôi|chúng ta|mình|chúng mình|tớ|chúng em|bọn tôi)(?!\w)",
                           re.IGNORECASE)
_WORD = re.compile(r"\w+")
_SENT_END = re.compile(r"[.!?…](?:\s|$)")

@dataclass(frozen=True, slots=True)
class Candidate:
    """A stretch that may be a quotation: its words (start, end), the marks around it (-1 when none) and
    how it was found ("marks", "open" for a mark never closed in its paragraph, "colon")."""

    start: int
    end: int
    open: int
    close: int
    source: str
    nested: bool = False


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and (text[s] in EDGE or not text[s].isprintable()):
        s += 1
    while e > s and (text[e - 1] in EDGE or not text[e - 1].isprintable()):
        e -= 1
    return s, e


def _straight_role(text: str, i: int, ps: int, pe: int) -> str:
    """Whether a straight quote at i opens ("o"), closes ("c") or could do either ("?")."""
    before = text[i - 1] if i > ps else " "
    after = text[i + 1] if i + 1 < pe else " "
    left_open = before.isspace() or before in "([{:–—-“‘«/"
    right_open = after.isspace() or after in ".,;:!?)]}…–—-”’»"
    if left_open and not right_open:
        return "o"
    if right_open and not left_open:
        return "c"
    return "?"


def find_pairs(text: str, ps: int, pe: int) -> tuple[list[Candidate], list[int]]:
    """Quotation-mark pairs within one paragraph, nested ones too (flagged), and the offsets of closing
    marks that close nothing here (a quotation opened in an earlier paragraph may end at one). A mark left
    open runs to the paragraph's end (source "open")."""
    out: list[Candidate] = []
    strays: list[int] = []
    stack: list[tuple[int, str]] = []  # (offset, expected closer)
    for i in range(ps, pe):
        ch = text[i]
        if ch == '"':
            role = _straight_role(text, i, ps, pe)
            if stack and stack[-1][1] in ('"', "”") and role != "o":
                o, _ = stack.pop()
                out.append(_cand(text, o, i, "marks", bool(stack)))
            elif role == "c" or (role == "?" and not stack and not text[i + 1:pe].strip(" .,;:!?…")):
                strays.append(i)  # closes a quotation opened in an earlier paragraph, if any
            else:
                stack.append((i, '"'))
        elif ch in OPENERS:
            if ch == "‘" and i > ps and text[i - 1].isalnum():
                continue
            stack.append((i, OPENERS[ch]))
        elif ch in CLOSERS:
            if ch == "’" and i + 1 < pe and text[i + 1].isalnum():
                continue  # an apostrophe inside a word (O’Neil)
            # Close the innermost opener this mark can close (“…" and "…” are mixed in news).
            for k in range(len(stack) - 1, -1, -1):
                o, want = stack[k]
                if want == ch or (ch == "”" and want == '"'):
                    del stack[k:]
                    out.append(_cand(text, o, i, "marks", k > 0))
                    break
            else:
                if ch != "’":
                    strays.append(i)
    if stack:
        o, _ = stack[0]
        out.append(_cand(text, o, -1, "open", False, pe))
    return [c for c in out if c.end > c.start], strays


def _cand(text: str, o: int, c: int, source: str, nested: bool, pe: int | None = None) -> Candidate:
    end = c if c >= 0 else (pe if pe is not None else o + 1)
    s, e = _trim(text, o + 1, end)
    return Candidate(s, e, o, c, source, nested)


def _colon_candidates(text: str, ps: int, pe: int, pairs: Sequence[Candidate]) -> list[Candidate]:
    """ "Ông Hùng cho biết: Chúng tôi sẽ…": the words after a colon, to the end of the paragraph, when no
    quotation mark opens right after it."""
    out = []
    for m in re.finditer(r":\s*", text[ps:pe]):
        at = ps + m.start()
        start = ps + m.end()
        if start >= pe or text[start] in "\"“«‘":
            continue
        if any(p.open < at < (p.close if p.close >= 0 else pe) for p in pairs):
            continue
        end = pe
        for p in pairs:
            if p.open > start and not p.nested:
                end = min(end, p.open)
        s, e = _trim(text, start, end)
        if e - s >= 8:
            out.append(Candidate(s, e, at, -1, "colon"))
    return out


THRESHOLD = 0.4  # speech when the classifier says so at least this surely
MAX_RUN_ON = 8  # paragraphs a quotation may run on after the one it opens in


def document_candidates(text: str, entities: Sequence[Span]) -> list[tuple[_Context, Candidate, bool]]:
    """Every candidate of the text with its context and whether it is in the first paragraph (the title).

    A quotation opened and not closed in its paragraph may close in one of the next few, at a closing mark
    that closes nothing there: that run-on quotation is a candidate too, beside the open one."""
    ctxs = paragraph_contexts(text, entities)
    found = [find_pairs(text, c.ps, c.pe) for c in ctxs]
    out: list[tuple[_Context, Candidate, bool]] = []
    for k, ctx in enumerate(ctxs):
        pairs, _ = found[k]
        for c in sorted(pairs + _colon_candidates(text, ctx.ps, ctx.pe, pairs), key=lambda c: (c.start, -c.end)):
            if c.source == "open":
                run = _run_on(text, ctxs, found, k, c)
                if run is not None:
                    out.append(run)
            out.append((ctx, c, k == 0))
    return out


def _run_on(text: str, ctxs: Sequence[_Context], found: Sequence[tuple[list[Candidate], list[int]]], k: int,
            c: Candidate) -> tuple[_Context, Candidate, bool] | None:
    """A quotation opened in paragraph k that closes at a stray closing mark a few paragraphs on. The
    paragraphs between may reopen the quotation at their start (a newspaper convention) or hold no mark."""
    for j in range(k + 1, min(len(ctxs), k + 1 + MAX_RUN_ON)):
        pairs, strays = found[j]
        opens = [p.open for p in pairs if p.source == "open"]
        continued = bool(opens) and opens[0] == ctxs[j].ps
        first_open = next((o for o in opens if o != ctxs[j].ps), None)
        close = next((x for x in strays if first_open is None or x < first_open), None)
        if close is not None:
            s, e = _trim(text, c.open + 1, close)
            merged = _Context(text, ctxs[k].ps, ctxs[j].pe,
                              [x for ctx in ctxs[k:j + 1] for x in ctx.sents], ctxs[k].ents)
            return merged, Candidate(s, e, c.open, close, "runon"), k == 0
        if first_open is not None or (opens and not continued) or any(p.source == "marks" for p in pairs):
            return None
    return None


# --- speech or term -------------------------------------------------------------------------------

def _words_before(text: str, pos: int, lo: int, k: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[max(lo, pos - 80):pos])][-k:]


def _words_after(text: str, pos: int, hi: int, k: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text[pos:min(hi, pos + 80)])][:k]


@dataclass
class _Context:
    text: str
    ps: int
    pe: int
    sents: list[tuple[int, int]]
    ents: SpanIndex
    starts: list[int] = field(default_factory=list)  # of the sentences, for bisect

    def __post_init__(self) -> None:
        self.starts = [s for s, _ in self.sents]


def _sentence_at(ctx: _Context, pos: int) -> tuple[int, int]:
    i = bisect.bisect_right(ctx.starts, pos) - 1
    if i >= 0 and ctx.sents[i][0] <= pos < ctx.sents[i][1]:
        return ctx.sents[i]
    return (ctx.ps, ctx.pe)


def quote_features(ctx: _Context, c: Candidate, title_para: bool) -> list[str]:
    text = ctx.text
    body = text[c.start:c.end]
    words = body.split()
    n = len(words)
    nb = S.bucket(n, (1, 2, 3, 5, 9, 15, 25))
    at = c.open if c.open >= 0 else c.start
    f = [f"src={c.source}", f"n={nb}", f"nested={c.nested}"]
    if c.open >= 0 and c.source != "colon":
        f.append(f"mark={text[c.open]}")
    inner_end = c.close if c.close >= 0 else c.end
    last = text[c.end:inner_end].strip()[:1] if inner_end > c.end else ""
    f.append(f"endp={last or 'none'}")
    f.append(f"sents={S.bucket(len(_SENT_END.findall(body)), (0, 1, 2))}")
    f.append(f"first={words[0].lower() if words else ''}")
    f.append(f"firstshape={'A' if body[:1].isupper() else 'a' if body[:1].isalpha() else '9'}")
    caps = sum(1 for w in words if w[:1].isupper())
    f.append(f"caps={S.bucket(round(4 * caps / n) if n else 0, (0, 1, 2, 3, 4))}")
    fp = bool(_FIRST_PERSON.search(body))
    f.append(f"fp={fp}")
    f.append(f"fp_n={fp}_{nb}")
    f.append(f"verbin={bool(VERB_RE.search(body))}")
    ss, _ = _sentence_at(ctx, at)
    lead = text[ss:at].strip()
    f.append(f"lead={S.bucket(len(lead.split()), (0, 2, 5, 10))}")
    f.append(f"leadend={lead[-1:] or 'none'}")
    before = _words_before(text, at, ctx.ps, 3)
    for k, w in enumerate(reversed(before)):
        f.append(f"b{k}={w}")
    if len(before) >= 2:
        f.append(f"b10={before[-2]}_{before[-1]}")
    vb = None
    for m in VERB_RE.finditer(text, ss, at):
        vb = m
    if vb is not None:
        gap = S.bucket(len(text[vb.end():at].split()), (0, 1, 3, 6, 12))
        f.append(f"verbbefore={gap}")
        f.append(f"verbbefore_n={gap}_{nb}")
        f.append(f"verb={vb.group(1).lower()}")
    if re.search(r"(?<!\w)rằng(?!\w)", text[ss:at]):
        f.append("rang")
        f.append(f"rang_n={nb}")
    if c.source == "colon":
        lead_ents = [sp for sp in ctx.ents.within(ss, at) if sp.label in ("PER", "ORG")]
        f.append(f"colon_ent={bool(lead_ents)}")
        if lead_ents and not text[lead_ents[-1].end:at].strip(" :"):
            f.append("colon_right_after_ent")
        para_end = text[ctx.pe - 1]
        f.append(f"para_final={para_end if para_end in '.!?…' else 'none'}")
    after_at = (c.close + 1) if c.close >= 0 else c.end
    tail = text[after_at:min(ctx.pe, after_at + 100)]
    f.append(f"next={tail.lstrip(' ')[:1] or 'eol'}")
    after = _words_after(text, after_at, ctx.pe, 6)
    for k, w in enumerate(after[:2]):
        f.append(f"a{k}={w}")
    va = VERB_RE.search(" ".join(after))
    if va:
        f.append("verbafter")
        f.append(f"verbafter_at={S.bucket(len(' '.join(after)[:va.start()].split()), (0, 1, 2, 4))}")
        f.append(f"verbafter_n={nb}")
    if any(sp.label == "PER" for sp in ctx.ents.within(after_at, min(ctx.pe, after_at + 40))):
        f.append("perafter")
    if c.source != "colon" and not lead and tail.strip()[:1] in ("", ".", "!", "?"):
        f.append("wholesent")
        f.append(f"wholesent_n={nb}")
    if title_para:
        f.append("title")
    if c.start - ctx.ps < 3:
        f.append("parastart")
    return f


# --- putting it together ---------------------------------------------------------------------------

WINDOW_BEFORE = 700
WINDOW_AFTER = 250


def paragraph_contexts(text: str, entities: Sequence[Span]) -> list[_Context]:
    idx = SpanIndex(entities)
    return [_Context(text, ps, pe, list(sentences(text, ps, pe, max_len=10**9)), idx)
            for ps, pe in paragraphs(text)]


def quote_span(c: Candidate) -> S.QuoteSpan:
    return S.QuoteSpan(c.start, c.end, c.open if c.source != "colon" else -1, c.close)


def speaker_pool(text: str, entities: Sequence[Span], c: Candidate, quoted: Sequence[tuple[int, int]] = (),
                 index: SpanIndex | None = None) -> tuple[S.QuoteSpan, list[S.Mention]]:
    """The quote's span and its candidate speakers. ``index``: the entities indexed (find_quotes builds it
    once), so a text with thousands of quotes does not scan every entity for each one."""
    qs = quote_span(c)
    lo = max(0, qs.before - WINDOW_BEFORE)
    hi = min(len(text), qs.after + WINDOW_AFTER)
    if index is not None:
        entities = index.near(lo, hi)
    return qs, S.mentions(text, entities, qs, lo, hi, quoted)


def resolve(text: str, m: S.Mention, entities: SpanIndex, full: dict[str, Span],
            pool: Sequence[S.Mention] = ()) -> Speaker:
    """The speaker a mention names: a person's fullest name in the article; inside a phrase ("vị lãnh đạo
    UBND phường X", "HLV Park Hang-seo") the person or organisation it holds; for a pronoun ("anh nói: …")
    the last person named before it; else the phrase."""
    if m.kind == "PRON":
        named = next((x for x in reversed(pool) if x.kind in ("PER", "NAME") and x.end <= m.start), None)
        if named is not None:
            m = named
    if m.kind in ("ORG", "LOC"):
        # an organisation inside a phrase that describes someone of it: "đại diện của Amazon cho biết"
        wrap = next((p for p in pool if p.kind in ("SUBJ", "ATTR", "TITLE") and p.start < m.start <= m.end <= p.end
                     and text[p.start:m.start].strip()), None)
        if wrap is not None:
            m = wrap
    if m.kind in ("PER", "NAME"):
        name = m.text_of(text)
        sp = full.get(name)
        return Speaker(sp.text, sp.start, sp.end) if sp is not None else Speaker(name, m.start, m.end)
    if m.kind in ("TITLE", "SUBJ", "ATTR"):
        inner = [sp for sp in entities.within(m.start, m.end) if sp.label in ("PER", "ORG")]
        person = next((sp for sp in inner if sp.label == "PER"), None)
        if person is not None:
            return resolve(text, S.Mention(person.start, person.end, "PER"), entities, full)
        if inner and not text[m.start:inner[0].start].strip():
            return Speaker(inner[0].text, inner[0].start, inner[0].end)  # "Vietravel cho biết"
        # else someone described by an organisation, not the organisation: "đại diện Vietravel",
        # "Bộ trưởng Bộ Y tế", "một quan chức cấp cao Nhà Trắng" (the phrase, as the conventions say)
    return Speaker(m.text_of(text), m.start, m.end)


def find_quotes(text: str, entities: Sequence[Span]) -> list[Quote]:
    """Every quotation of the text (direct and term, then indirect), with speakers for direct ones."""
    from docbao.analysis.indirect import indirect_quotes

    quote_model = models.quote_classifier()
    speaker_model = models.speaker_ranker()
    full = S.full_names(entities)
    counts: dict[str, int] = {}
    for sp in entities:
        counts[sp.text.lower()] = counts.get(sp.text.lower(), 0) + 1
    cands = document_candidates(text, entities)
    quoted = sorted({(c.start, c.end) for _, c, _ in cands if c.source != "colon"})
    index = SpanIndex(entities)
    out: list[Quote] = []
    prev: str | None = None
    taken_until = -1
    for ctx, c, first in cands:
        if c.start < taken_until:
            continue  # inside a direct quote already taken (a nested quote, a colon inside, a run-on's part)
        p = quote_model.prob(quote_features(ctx, c, first)) if quote_model else _fallback(ctx, c)
        if c.source in ("colon", "runon") and p < THRESHOLD:
            continue  # a colon that does not introduce speech is not a term; a run-on's own part stands for it
        kind = "direct" if p >= THRESHOLD else "term"
        speaker = None
        if kind == "direct":
            taken_until = c.end
            qs, pool = speaker_pool(text, entities, c, quoted, index)
            if pool and speaker_model is not None:
                att = S.attribution(text, qs, pool)
                scored = [(speaker_model.score(S.speaker_features(text, qs, m, pool, att, prev, counts, quoted)), m)
                          for m in pool]
                best = max(scored, key=lambda x: x[0])[1]
                speaker = resolve(text, best, index, full, pool)
                prev = speaker.text
        out.append(Quote(c.start, c.end, text[c.start:c.end], kind, speaker))
    out.extend(indirect_quotes(text, entities, [(q.start, q.end) for q in out]))
    return sorted(out, key=lambda q: (q.start, q.end))


def _fallback(ctx: _Context, c: Candidate) -> float:
    """Without a trained model: speech when a speech verb or a colon stands before, or a sentence."""
    f = set(quote_features(ctx, c, False))
    cue = any(x.startswith(("verbbefore=", "verbafter")) for x in f) or "leadend=:" in f or "wholesent" in f
    return 1.0 if cue and c.source != "colon" else 0.0
