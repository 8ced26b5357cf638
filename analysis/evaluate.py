"""Scoring analyses against gold labels (used by the regression tests and bench/quality.py).

Entities: exact span and label; precision, recall and F1 per label and micro-averaged.
Quotes: a predicted quote matches a gold one when both spans, trimmed of white space and punctuation at
their ends, are equal (so a final period inside or outside the marks does not matter); "term" quotes are
not speech and are left out. Speaker accuracy: the share of matched quotes whose speaker text is one of the
gold speaker's aliases (compared case-insensitively, titles allowed).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docbao.analysis.spans import LABELS, Quote, Span


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: PRF) -> PRF:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


@dataclass
class EntityScores:
    micro: PRF = field(default_factory=PRF)
    by_label: dict[str, PRF] = field(default_factory=lambda: {lab: PRF() for lab in LABELS})

    def __iadd__(self, other: EntityScores) -> EntityScores:
        self.micro += other.micro
        for lab in LABELS:
            self.by_label[lab] += other.by_label[lab]
        return self


def score_entities(pred: Iterable[Span | dict[str, Any]], gold: Iterable[dict[str, Any]]) -> EntityScores:
    def key(x: Span | dict[str, Any]) -> tuple[int, int, str]:
        if isinstance(x, Span):
            return (x.start, x.end, x.label)
        return (int(x["start"]), int(x["end"]), str(x["label"]))

    p = {key(x) for x in pred}
    g = {key(x) for x in gold}
    scores = EntityScores()
    for lab in LABELS:
        pl = {k for k in p if k[2] == lab}
        gl = {k for k in g if k[2] == lab}
        scores.by_label[lab] = PRF(len(pl & gl), len(pl - gl), len(gl - pl))
    scores.micro = PRF(len(p & g), len(p - g), len(g - p))
    return scores


@dataclass
class QuoteScores:
    prf: PRF = field(default_factory=PRF)
    speaker_right: int = 0
    speaker_total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def speaker_accuracy(self) -> float:
        return self.speaker_right / self.speaker_total if self.speaker_total else 0.0

    def __iadd__(self, other: QuoteScores) -> QuoteScores:
        self.prf += other.prf
        self.speaker_right += other.speaker_right
        self.speaker_total += other.speaker_total
        self.misses += other.misses
        return self


_TRIM = " \t\n.,;:!?…-–—\"“”«»'‘’()"


def _trimmed(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    return s, e


def _norm(name: str) -> str:
    """Case-folded, spaces collapsed, leading titles and honorifics removed ("ông Việt" → "việt")."""
    from docbao.analysis.entities import strip_titles

    name = " ".join(unicodedata.normalize("NFC", name).split())
    s, e = strip_titles(name, 0, len(name))
    return name[s:e].casefold()


def speaker_matches(speaker: str | None, gold: dict[str, Any]) -> bool:
    if gold.get("speaker") is None:
        return speaker is None
    if speaker is None:
        return False
    aliases = {_norm(a) for a in [gold["speaker"], *gold.get("speaker_aliases", [])]}
    return _norm(speaker) in aliases


def score_quotes(text: str, pred: Sequence[Quote], gold: Sequence[dict[str, Any]]) -> QuoteScores:
    speech = [q for q in pred if q.kind != "term"]
    gold_by_span = {_trimmed(text, int(g["start"]), int(g["end"])): g for g in gold}
    pred_by_span = {_trimmed(text, q.start, q.end): q for q in speech}
    out = QuoteScores()
    matched = set(gold_by_span) & set(pred_by_span)
    out.prf = PRF(len(matched), len(set(pred_by_span) - matched), len(set(gold_by_span) - matched))
    for span in matched:
        g, q = gold_by_span[span], pred_by_span[span]
        out.speaker_total += 1
        if speaker_matches(q.speaker.text if q.speaker else None, g):
            out.speaker_right += 1
        else:
            out.misses.append(f"speaker of {g['text'][:40]!r}: got {q.speaker.text if q.speaker else None!r}, "
                              f"gold {g.get('speaker')!r}")
    for span in set(gold_by_span) - matched:
        out.misses.append(f"missed quote {gold_by_span[span]['text'][:50]!r}")
    for span in set(pred_by_span) - matched:
        out.misses.append(f"extra quote {pred_by_span[span].text[:50]!r}")
    return out


@dataclass
class GoldDoc:
    name: str
    path: Path  # the article file
    entities: list[dict[str, Any]]
    quotes: list[dict[str, Any]] | None  # None: this document's quotes were not labelled


def load_seed_gold(eval_dir: Path, seed_file: Path) -> GoldDoc:
    """The shared seed gold, scored against our copy of the seed article (``seed_file``)."""
    ents = json.loads((eval_dir / "seed_entities.json").read_text(encoding="utf-8"))
    quotes = json.loads((eval_dir / "seed_quotes.json").read_text(encoding="utf-8"))
    return GoldDoc("seed", seed_file, ents["entities"], quotes["quotes"])


def load_corpus_gold(gold_dir: Path, corpus_dir: Path) -> list[GoldDoc]:
    """The team's gold (tests/gold/vn_news/*.json) over the shared corpus files they name."""
    docs = []
    for f in sorted(gold_dir.glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        docs.append(GoldDoc(data["file"], corpus_dir / data["file"], data["entities"], data.get("quotes")))
    return docs
