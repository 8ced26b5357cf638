"""Rebuild every shipped model from the labels: ``python -m docbao.analysis.train``.

    python -m docbao.analysis.train            train on the train split, write analysis/models/
    python -m docbao.analysis.train --check    retrain in a temporary folder and compare with the shipped
                                               models: same labels digest, same predictions on the test split
    python -m docbao.analysis.train --cv 4     4-fold cross-validation on the train split (for tuning; the
                                               test split is never used to choose anything)

Needs a source checkout (labels/unc/*.json) and the UNC corpus ($UNC_DIR, default ../shared/corpus/unc).
Takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from docbao.analysis import models
from docbao.analysis.features import TEMPLATES
from docbao.analysis.train import capstats, data
from docbao.analysis.train.ner import CRFParams, train_crf
from docbao.analysis.train.quotes import quote_examples, speaker_examples, train_quote_model, train_speaker_model

CRF = CRFParams()
QUOTE_LR = {"l2": 0.001, "epochs": 300, "rate": 0.5}
SPEAKER_LR = {"l2": 0.001, "epochs": 100, "rate": 0.1}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(out: Path, log=print) -> dict:  # type: ignore[no-untyped-def,type-arg]
    digest = data.labels_digest()
    train = data.load("train")
    log(f"labels: {len(data.label_files())} files (digest {digest[:12]}), {len(train)} in the train split")
    out.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    test_ids = {d.doc_id for d in data.load("test")}
    caps = capstats.table(capstats.unc_texts(data.unc_dir(), test_ids))
    capstats.save(caps, out / models.CAPSTATS_FILE)
    log(f"capital habits of {len(caps)} words from the unlabelled corpus, {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    crf = train_crf(train, CRF, caps=caps)
    crf.save(str(out / models.NER_FILE))
    log(f"entity tagger: {sum(len(d.entities) for d in train)} entities, {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    Xq, yq = quote_examples(train)
    train_quote_model(Xq, yq, **QUOTE_LR).save(out / models.QUOTE_FILE)
    Xs, ys, unreachable = speaker_examples(train)
    train_speaker_model(Xs, ys, **SPEAKER_LR).save(out / models.SPEAKER_FILE)
    log(f"quotes: {sum(yq)} speech / {len(yq) - sum(yq)} other candidates; speakers: {len(ys)} quotes, "
        f"{sum(len(g) for g in Xs)} candidate mentions ({unreachable} quotes whose speaker no candidate names); "
        f"{time.perf_counter() - t:.0f} s")
    manifest = {
        "labels_sha256": digest,
        "train_docs": len(train),
        "crf": vars(CRF),
        "quote_lr": QUOTE_LR,
        "speaker_lr": SPEAKER_LR,
        "templates": list(TEMPLATES),
        "files": {name: _sha(out / name)
                  for name in (models.NER_FILE, models.CAPSTATS_FILE, models.QUOTE_FILE, models.SPEAKER_FILE)},
        "credit": "Trained on labels of the Underthesea News Corpus (UNC, undertheseanlp/resources, GPL-3.0); "
                  "see labels/README.md.",
    }
    (out / models.MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def _predictions(folder: Path, docs: list[data.Doc]) -> list[str]:
    from docbao.analysis import ner, quotes

    old = models.MODELS_DIR
    try:
        models.MODELS_DIR = folder
        models.clear()
        out = []
        for d in docs:
            ents = ner.tag_entities(d.text)
            qs = quotes.find_quotes(d.text, ents)
            out.append(json.dumps([[e.to_dict() for e in ents], [q.to_dict() for q in qs]], ensure_ascii=False))
        return out
    finally:
        models.MODELS_DIR = old
        models.clear()


def cross_validate(k: int) -> None:
    from underthesea_core import CRFTagger

    from docbao.analysis.decode import propagate, spans_from_bio
    from docbao.analysis.evaluate import EntityScores, score_entities
    from docbao.analysis.features import features, sentence_tokens

    docs = data.load("train")
    test_ids = {d.doc_id for d in data.load("test")}
    caps = capstats.table(capstats.unc_texts(data.unc_dir(), test_ids))
    random.Random(0).shuffle(docs)
    total = EntityScores()
    for fold in range(k):
        held = docs[fold::k]
        rest = [d for i, d in enumerate(docs) if i % k != fold]
        tagger = CRFTagger.from_model(train_crf(rest, CRF, caps=caps))
        for d in held:
            sents = sentence_tokens(d.text)
            pred = [sp for toks, f in zip(sents, features(sents, caps=caps), strict=True)
                    for sp in spans_from_bio(d.text, toks, tagger.tag(f))]
            pred = propagate(d.text, sents, pred)
            total += score_entities(pred, d.entities)
        print(f"fold {fold + 1}/{k}: F1 so far {100 * total.micro.f1:.1f}", flush=True)
    print("cross-validated entity F1 (train split):", f"{100 * total.micro.f1:.1f}",
          {lab: round(100 * s.f1, 1) for lab, s in total.by_label.items()})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m docbao.analysis.train", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="retrain aside and compare with the shipped models")
    ap.add_argument("--cv", type=int, metavar="K", help="K-fold cross-validation on the train split")
    ap.add_argument("--out", type=Path, default=models.MODELS_DIR, help="where to write the models")
    args = ap.parse_args(argv)
    try:
        if args.cv:
            cross_validate(args.cv)
            return 0
        if not args.check:
            build(args.out)
            print(f"models written to {args.out}")
            return 0
        shipped = models.manifest()
        with tempfile.TemporaryDirectory() as tmp:
            fresh = build(Path(tmp))
            if shipped.get("labels_sha256") != fresh["labels_sha256"]:
                print("the shipped models were trained on other labels: run python -m docbao.analysis.train")
                return 1
            test = data.load("test")
            a = _predictions(models.MODELS_DIR, test)
            b = _predictions(Path(tmp), test)
        same = sum(x == y for x, y in zip(a, b, strict=True))
        print(f"retrained models give the same entities and quotes on {same} of {len(test)} test articles")
        return 0 if same == len(test) else 1
    except (OSError, ValueError) as exc:
        print(f"train: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
