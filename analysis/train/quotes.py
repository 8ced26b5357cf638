"""Train the quote classifier (speech or term) and the speaker ranker from the labelled direct quotes.

Quote examples: every candidate (analysis.quotes.document_candidates) of a labelled article; positive when its
words equal a labelled direct quote's (ends trimmed), negative when it overlaps no labelled quote;
candidates that overlap one without matching it are left out (their edges, not their kind, are wrong).

Speaker examples: for each labelled quote that is also a candidate, every mention in its pool
(analysis.quotes.speaker_pool) over the gold entities; positive when the mention names the labelled
speaker (one of its aliases, titles and case aside, or a word-suffix of its full name). The previous
quote's speaker feature uses the labelled previous speaker (teacher forcing).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docbao.analysis import quotes as Q
from docbao.analysis.intervals import SpanIndex
from docbao.analysis.linear import Logistic, Ranker
from docbao.analysis.spans import Span
from docbao.analysis.train.data import Doc


def _norm(name: str) -> str:
    from docbao.analysis.entities import strip_titles

    name = " ".join(name.split())
    s, e = strip_titles(name, 0, len(name))
    return name[s:e].casefold()


def names_speaker(surface: str, gold: dict[str, Any]) -> bool:
    if not gold.get("speaker"):
        return False
    n = _norm(surface)
    if not n:
        return False
    aliases = {_norm(a) for a in [gold["speaker"], *gold.get("speaker_aliases", [])]}
    if n in aliases:
        return True
    full = _norm(gold["speaker"])
    return len(n) > 1 and full.endswith(" " + n)


def _gold_entities(doc: Doc) -> list[Span]:
    return [Span(int(e["start"]), int(e["end"]), str(e["label"]), str(e["text"])) for e in doc.entities]


def quote_examples(docs: Sequence[Doc]) -> tuple[list[list[str]], list[bool]]:
    X: list[list[str]] = []
    y: list[bool] = []
    for doc in docs:
        text = doc.text
        gold = {Q._trim(text, int(q["start"]), int(q["end"])) for q in doc.quotes}
        for ctx, c, first in Q.document_candidates(text, _gold_entities(doc)):
            key = (c.start, c.end)
            if key in gold:
                label = True
            elif any(s < c.end and c.start < e for s, e in gold):
                continue
            else:
                label = False
            X.append(Q.quote_features(ctx, c, first))
            y.append(label)
    return X, y


def speaker_examples(docs: Sequence[Doc]) -> tuple[list[list[list[str]]], list[list[bool]], int]:
    """(each quote's candidates' features, which of them name the speaker, quotes none of them names)."""
    from docbao.analysis import speakers as S

    X: list[list[list[str]]] = []
    y: list[list[bool]] = []
    unreachable = 0
    for doc in docs:
        text = doc.text
        ents = _gold_entities(doc)
        full = S.full_names(ents)
        index = SpanIndex(ents)
        counts: dict[str, int] = {}
        for sp in ents:
            counts[sp.text.lower()] = counts.get(sp.text.lower(), 0) + 1
        gold = {Q._trim(text, int(q["start"]), int(q["end"])): q for q in doc.quotes}
        cands = Q.document_candidates(text, ents)
        quoted = sorted({(c.start, c.end) for _, c, _ in cands if c.source != "colon"})
        prev: str | None = None
        for _, c, _ in cands:
            g = gold.get((c.start, c.end))
            if g is None:
                continue
            qs, pool = Q.speaker_pool(text, ents, c, quoted)
            att = S.attribution(text, qs, pool)
            labels = [names_speaker(m.text_of(text), g) or names_speaker(Q.resolve(text, m, index, full, pool).text, g)
                      for m in pool]
            if g.get("speaker") and not any(labels):
                unreachable += 1
            X.append([S.speaker_features(text, qs, m, pool, att, prev, counts, quoted) for m in pool])
            y.append(labels)
            prev = g.get("speaker")
    return X, y, unreachable


def train_quote_model(X: list[list[str]], y: list[bool], **params: float) -> Logistic:
    return Logistic.fit(X, y, **params)  # type: ignore[arg-type]


def train_speaker_model(X: list[list[list[str]]], y: list[list[bool]], **params: float) -> Ranker:
    return Ranker.fit(X, y, **params)  # type: ignore[arg-type]
