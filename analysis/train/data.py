"""The labelled corpus as training and test data: labels/unc/*.json over the UNC article texts.

Label files hold offsets only (see labels/README.md); the texts are read from the UNC corpus folder:
``$UNC_DIR``, else ``../shared/corpus/unc`` beside the repository.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docbao.analysis.text import normalize_text, text_sha256

REPO = Path(__file__).resolve().parents[2]
LABELS_DIR = REPO / "labels" / "unc"


def unc_dir() -> Path:
    env = os.environ.get("UNC_DIR")
    return Path(env) if env else REPO.parent / "shared" / "corpus" / "unc"


@dataclass
class Doc:
    doc_id: str
    split: str  # "train" or "test"
    topic: str
    text: str
    entities: list[dict[str, Any]]
    quotes: list[dict[str, Any]]


def label_files(labels_dir: Path = LABELS_DIR) -> list[Path]:
    return sorted(labels_dir.glob("*.json"))


def labels_digest(labels_dir: Path = LABELS_DIR) -> str:
    """sha256 over every label file's name and bytes, in name order: the models record the digest of the
    labels they were trained on."""
    h = hashlib.sha256()
    for f in label_files(labels_dir):
        h.update(f.name.encode("utf-8") + b"\0")
        h.update(f.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def read_unc_text(doc: dict[str, Any], corpus: Path) -> str:
    text = normalize_text((corpus / doc["file"]).read_bytes().decode("utf-8"))
    if text_sha256(text) != doc["text_sha256"]:
        raise ValueError(f"{doc['doc_id']}: the corpus text differs from the one that was labelled")
    return text


def load(split: str | None = None, labels_dir: Path = LABELS_DIR, corpus: Path | None = None) -> list[Doc]:
    """Labelled documents (of one split, or all), with their texts."""
    corpus = corpus or unc_dir()
    out = []
    for f in label_files(labels_dir):
        d = json.loads(f.read_text(encoding="utf-8"))
        if split is not None and d["split"] != split:
            continue
        out.append(Doc(d["doc_id"], d["split"], d["topic"], read_unc_text(d, corpus), d["entities"], d["quotes"]))
    return out
