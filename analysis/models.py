"""The shipped models (analysis/models/), loaded lazily, once per process, thread-safely.

- ``ner.crf``: the entity tagger (underthesea_core CRF over analysis.features);
- ``quote.json``: speech or term, for a quotation candidate (analysis.linear.Logistic);
- ``speaker.json``: which mention is the speaker of a quote (analysis.linear.Ranker);
- ``manifest.json``: how they were trained: the digest of the labels, the parameters, the counts.

``python -m docbao.analysis.train`` rebuilds them from labels/.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

from docbao.analysis.linear import Logistic, Ranker

MODELS_DIR = Path(__file__).resolve().parent / "models"
NER_FILE = "ner.crf"
QUOTE_FILE = "quote.json"
SPEAKER_FILE = "speaker.json"
CAPSTATS_FILE = "capstats.json"
MANIFEST = "manifest.json"

_lock = threading.Lock()


class Tagger:
    """The CRF entity tagger: sentences of feature lists → BIO tags."""

    def __init__(self, path: Path) -> None:
        from underthesea_core import CRFTagger

        self._tagger = CRFTagger()
        self._tagger.load(str(path))
        self._lock = threading.Lock()

    def tag(self, feats: list[list[str]]) -> list[str]:
        with self._lock:
            return list(self._tagger.tag(feats))


@cache
def _load_tagger(folder: Path) -> Tagger | None:
    f = folder / NER_FILE
    return Tagger(f) if f.exists() else None


@cache
def _load_quote(folder: Path) -> Logistic | None:
    f = folder / QUOTE_FILE
    return Logistic.load(f) if f.exists() else None  # type: ignore[return-value]


@cache
def _load_speaker(folder: Path) -> Ranker | None:
    f = folder / SPEAKER_FILE
    return Ranker.load(f) if f.exists() else None  # type: ignore[return-value]


def entity_tagger(folder: Path | None = None) -> Tagger | None:
    with _lock:
        return _load_tagger(folder or MODELS_DIR)


def quote_classifier(folder: Path | None = None) -> Logistic | None:
    with _lock:
        return _load_quote(folder or MODELS_DIR)


def speaker_ranker(folder: Path | None = None) -> Ranker | None:
    with _lock:
        return _load_speaker(folder or MODELS_DIR)


@cache
def _load_capstats(folder: Path) -> dict[str, str]:
    try:
        return dict(json.loads((folder / CAPSTATS_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def capstats(folder: Path | None = None) -> dict[str, str]:
    """lower-cased word → how often it is capitalised inside a sentence (analysis.train.capstats)."""
    with _lock:
        return _load_capstats(folder or MODELS_DIR)


def clear() -> None:
    """Forget loaded models (after training new ones into the folder)."""
    with _lock:
        _load_tagger.cache_clear()
        _load_quote.cache_clear()
        _load_speaker.cache_clear()
        _load_capstats.cache_clear()


def manifest(folder: Path | None = None) -> dict[str, Any]:
    try:
        return dict(json.loads(((folder or MODELS_DIR) / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}
