"""Train the entity tagger: a linear-chain CRF over syllable tokens (underthesea_core, L-BFGS)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docbao.analysis.decode import bio_from_spans
from docbao.analysis.features import TEMPLATES, features, sentence_tokens
from docbao.analysis.train.data import Doc


@dataclass(frozen=True)
class CRFParams:
    l1: float = 0.05
    l2: float = 0.01
    iterations: int = 150
    min_count: int = 3  # features seen fewer times in training are dropped (they bloat the model file)


def doc_sequences(doc: Doc, templates: tuple[str, ...] = TEMPLATES, caps: dict[str, str] | None = None
                  ) -> tuple[list[Any], list[list[str]], int]:
    """(features per sentence, BIO tags per sentence, label spans not on token edges)."""
    sents = sentence_tokens(doc.text)
    gold = [(int(e["start"]), int(e["end"]), str(e["label"])) for e in doc.entities]
    tags, bad = [], 0
    for toks in sents:
        t, b = bio_from_spans(toks, [g for g in gold if g[0] < toks[-1].end and g[1] > toks[0].start])
        tags.append(t)
        bad += b
    return features(sents, templates, caps), tags, bad


def train_crf(docs: Sequence[Doc], params: CRFParams = CRFParams(), templates: tuple[str, ...] = TEMPLATES,
              verbose: int = 0, caps: dict[str, str] | None = None) -> Any:
    from underthesea_core import CRFTrainer

    X: list[Any] = []
    y: list[list[str]] = []
    for d in docs:
        f, t, _ = doc_sequences(d, templates, caps)
        X.extend(f)
        y.extend(t)
    if params.min_count > 1:
        from collections import Counter

        counts = Counter(feat for sent in X for tok in sent for feat in tok)
        X = [[[feat for feat in tok if counts[feat] >= params.min_count] for tok in sent] for sent in X]
    trainer = CRFTrainer(loss_function="lbfgs", l1_penalty=params.l1, l2_penalty=params.l2,
                         max_iterations=params.iterations, verbose=verbose)
    return trainer.train(X, y)
