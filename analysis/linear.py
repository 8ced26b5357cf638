"""Two small linear models over string features, trained by full-batch AdaGrad, stored as sorted JSON.

- :class:`Logistic`: is this candidate a quote (speech) or not.
- :class:`Ranker`: which of a quote's candidate mentions is its speaker: a conditional logit, the
  probability of each candidate is the softmax of its score over the quote's candidates, and training
  maximises the probability of the candidates that name the speaker. A pointwise classifier cannot say
  "the subject of the speech verb beats the last person named" when both cues are present; this can.

Neither exists in underthesea_core (its LRTrainer is pointwise and not reproducible to the bit), and both
are a few lines: same examples in, same weights and same JSON bytes out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path


class _Linear:
    def __init__(self, weights: dict[str, float] | None = None, bias: float = 0.0) -> None:
        self.weights = weights or {}
        self.bias = bias

    def score(self, features: Sequence[str]) -> float:
        w = self.weights
        return self.bias + sum(w.get(f, 0.0) for f in features)

    def to_json(self) -> str:
        data = {"bias": round(self.bias, 6),
                "weights": {f: round(v, 6) for f, v in sorted(self.weights.items()) if abs(v) >= 1e-6}}
        return json.dumps(data, ensure_ascii=False, indent=0, sort_keys=True) + "\n"

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> _Linear:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls({str(k): float(v) for k, v in data["weights"].items()}, float(data.get("bias", 0.0)))


def _index(rows: Sequence[Sequence[str]], vocab: dict[str, int]) -> list[list[int]]:
    out = []
    for feats in rows:
        ids = []
        for f in dict.fromkeys(feats):  # a feature counts once per row
            i = vocab.get(f)
            if i is None:
                i = vocab[f] = len(vocab)
            ids.append(i)
        out.append(ids)
    return out


def _adagrad(w: list[float], g2: list[float], grad: list[float], n: int, l2: float, rate: float) -> None:
    """One AdaGrad step of the weights on the summed gradient of ``n`` examples, with an L2 penalty."""
    for i in range(len(w)):
        gi = grad[i] / n + l2 * w[i]
        g2[i] += gi * gi
        w[i] -= rate * gi / math.sqrt(g2[i])


class Logistic(_Linear):
    """P(positive | features) = sigmoid(score)."""

    def prob(self, features: Sequence[str]) -> float:
        z = self.score(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0

    @classmethod
    def fit(cls, X: Sequence[Sequence[str]], y: Sequence[bool], *, l2: float = 0.01, epochs: int = 300,
            rate: float = 0.5) -> Logistic:
        vocab: dict[str, int] = {}
        rows = _index(X, vocab)
        w = [0.0] * len(vocab)
        g2 = [1e-8] * len(vocab)
        b, b2 = 0.0, 1e-8
        n = len(rows)
        for _ in range(epochs):
            grad = [0.0] * len(vocab)
            gb = 0.0
            for ids, target in zip(rows, y, strict=True):
                z = b + sum(w[i] for i in ids)
                p = 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0
                d = p - (1.0 if target else 0.0)
                gb += d
                for i in ids:
                    grad[i] += d
            _adagrad(w, g2, grad, n, l2, rate)
            gb /= n
            b2 += gb * gb
            b -= rate * gb / math.sqrt(b2)
        names = sorted(vocab, key=vocab.__getitem__)
        return cls({f: w[vocab[f]] for f in names}, b)


class Ranker(_Linear):
    """Scores comparable within one group of candidates (higher: more likely the one)."""

    @classmethod
    def fit(cls, groups: Sequence[Sequence[Sequence[str]]], positives: Sequence[Sequence[bool]], *,
            l2: float = 0.01, epochs: int = 300, rate: float = 0.3) -> Ranker:
        vocab: dict[str, int] = {}
        data = [(_index(g, vocab), pos) for g, pos in zip(groups, positives, strict=True) if any(pos)]
        w = [0.0] * len(vocab)
        g2 = [1e-8] * len(vocab)
        n = max(1, len(data))
        for _ in range(epochs):
            grad = [0.0] * len(vocab)
            for rows, pos in data:
                scores = [sum(w[i] for i in ids) for ids in rows]
                top = max(scores)
                ex = [math.exp(s - top) for s in scores]
                z = sum(ex)
                zp = sum(e for e, p in zip(ex, pos, strict=True) if p)
                for ids, e, p in zip(rows, ex, pos, strict=True):
                    d = e / z - (e / zp if p else 0.0)  # d(-log P(pos)) / d(score)
                    if d:
                        for i in ids:
                            grad[i] += d
            _adagrad(w, g2, grad, n, l2, rate)
        names = sorted(vocab, key=vocab.__getitem__)
        return cls({f: w[vocab[f]] for f in names})
