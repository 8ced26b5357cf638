"""How often each word is written with a capital inside a sentence, counted over the unlabelled corpus.

A name keeps its capital wherever it stands; a common word has one only at the start of a sentence. Over
2,600 UNC articles that tells "Bình" (a name) from "Bình thường" at a sentence start, and foreign names
the gazetteers do not list. The table maps a lower-cased word to a bucket (see BUCKETS); it ships as
models/capstats.json and is a column of the entity tagger's features (analysis.features). Articles of the
test split are left out of the counts.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from docbao.analysis.features import sentence_tokens

MIN_SEEN = 3
# (upper bound of the share of mid-sentence occurrences written with a capital, bucket name)
BUCKETS = ((0.02, "c0"), (0.25, "c1"), (0.6, "c2"), (0.95, "c3"), (1.01, "c4"))


def count(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    caps: Counter[str] = Counter()
    lows: Counter[str] = Counter()
    for text in texts:
        for toks in sentence_tokens(text):
            prev = ""
            for k, t in enumerate(toks):
                w = t.text
                if w.isalpha():
                    low = w.lower()
                    if w.islower():
                        lows[low] += 1
                    elif w[0].isupper() and k > 0 and prev not in "\"“«‘'(-–—:.!?…":
                        caps[low] += 1
                prev = w
    return caps, lows


def table(texts: Iterable[str]) -> dict[str, str]:
    caps, lows = count(texts)
    out: dict[str, str] = {}
    for w in sorted(set(caps) | set(lows)):
        c, n = caps[w], caps[w] + lows[w]
        if n < MIN_SEEN:
            continue
        share = c / n
        out[w] = next(name for bound, name in BUCKETS if share < bound)
    return out


def unc_texts(corpus: Path, exclude: set[str]) -> Iterable[str]:
    with open(corpus / "manifest.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    for row in sorted(rows, key=lambda r: r["doc_id"]):
        if row["doc_id"] not in exclude:
            yield (corpus / row["file"]).read_text(encoding="utf-8")


def save(mapping: dict[str, str], path: Path) -> None:
    path.write_text(json.dumps(mapping, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n",
                    encoding="utf-8")
