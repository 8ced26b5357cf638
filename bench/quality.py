"""Entity and quote quality, the learned analyzer beside the old ones, in one run.

    python bench/quality.py [--errors] [--set NAME]

Gold sets (each skipped, with a note, when its texts are absent):
- ``unc-test``: our test split of the labelled UNC articles (labels/unc, split "test"): never used to train
  or to choose a feature; 40 of them were labelled twice, and the labellers' agreement is printed;
- ``team``: the team's gold over the shared vn_news corpus (tests/gold/vn_news), written with the rules;
- ``heldout``: 6 more vn_news articles labelled after the rules were written (tests/gold/heldout);
- ``seed``: the seed article (../shared/eval).

Columns: underthesea's own CRF (raw), the rule pipeline docbao shipped before the learned models (its
predictions are stored in bench/baseline/rules-0.1.jsonl, made by that version on these texts), and the
learned analyzer. Entities: exact span and label. Quotes: direct quotes only (spans compared with their
ends trimmed of punctuation), speaker accuracy over the quotes found.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from raw_crf import raw_entities  # noqa: E402

from docbao.analysis.evaluate import (  # noqa: E402
    PRF,
    EntityScores,
    QuoteScores,
    load_corpus_gold,
    load_seed_gold,
    score_entities,
    score_quotes,
)
from docbao.analysis.pipeline import analyze  # noqa: E402
from docbao.analysis.spans import LABELS, Quote, Span  # noqa: E402
from docbao.analysis.text import read_text_file, text_sha256  # noqa: E402

SHARED = ROOT.parent / "shared"
BASELINE = Path(__file__).resolve().parent / "baseline" / "rules-0.1.jsonl"


def baseline() -> dict[str, dict]:  # type: ignore[type-arg]
    out = {}
    if BASELINE.exists():
        for line in BASELINE.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            out[rec["text_sha256"]] = rec
    return out


class Doc:
    def __init__(self, name: str, text: str, entities: list, quotes: list | None) -> None:  # type: ignore[type-arg]
        self.name, self.text, self.entities, self.quotes = name, text, entities, quotes


def gold_sets(only: str | None) -> list[tuple[str, list[Doc], str]]:
    sets: list[tuple[str, list[Doc], str]] = []
    try:
        from docbao.analysis.train import data

        unc = [Doc(d.doc_id, d.text, d.entities, d.quotes) for d in data.load("test")]
        sets.append(("unc-test", unc, f"UNC test split ({len(unc)} articles, never trained or tuned on)"))
    except OSError as exc:
        print(f"(UNC test split skipped: {exc})")
    corpus = SHARED / "corpus" / "vn_news"
    for key, folder, what in (("team", "vn_news", "team gold (vn_news; the old rules were written on it)"),
                              ("heldout", "heldout", "held-out vn_news gold (labelled after the rules)")):
        docs = load_corpus_gold(ROOT / "tests" / "gold" / folder, corpus)
        if docs and all(d.path.exists() for d in docs):
            ds = []
            for d in docs:
                text, _ = read_text_file(d.path)
                quotes = [q for q in d.quotes if q["kind"] == "direct"] if d.quotes is not None else None
                ds.append(Doc(d.name, text, d.entities, quotes))
            sets.append((key, ds, f"{what}, {len(ds)} articles"))
        else:
            print(f"({key} skipped: the shared vn_news corpus is absent)")
    if (SHARED / "eval").exists():
        sg = load_seed_gold(SHARED / "eval", ROOT / "seeds" / "putin-lukashenko-minsk.txt")
        text, _ = read_text_file(sg.path)
        sets.append(("seed", [Doc("seed", text, sg.entities, [q for q in sg.quotes or [] if q["kind"] == "direct"])],
                     "seed article"))
    return [s for s in sets if only in (None, s[0])]


def table(raw: EntityScores, old: EntityScores | None, new: EntityScores) -> None:
    print(f"  {'label':<6} {'gold':>5} | {'raw CRF P/R/F1':>18} | {'rules 0.1 P/R/F1':>18} | {'learned P/R/F1':>18}")

    def cell(s: PRF) -> str:
        return f"{100 * s.precision:5.1f} {100 * s.recall:5.1f} {100 * s.f1:5.1f}"

    for lab in (*LABELS, "all"):
        pick = (lambda sc: sc.micro) if lab == "all" else (lambda sc, lab=lab: sc.by_label[lab])
        n = pick(new)
        o = cell(pick(old)) if old is not None else f"{'-':>17}"
        print(f"  {lab:<6} {n.tp + n.fn:>5} | {cell(pick(raw)):>18} | {o:>18} | {cell(n):>18}")


def quotes_line(name: str, q: QuoteScores) -> str:
    p = q.prf
    return (f"{name}: P {100 * p.precision:5.1f} R {100 * p.recall:5.1f} F1 {100 * p.f1:5.1f} "
            f"({p.tp} of {p.tp + p.fn} found, {p.fp} extra); speakers {q.speaker_right}/{q.speaker_total} = "
            f"{100 * q.speaker_accuracy:.1f}%")


def agreement() -> None:
    """Entity and quote agreement between the two labellings of the doubly labelled articles."""
    from docbao.analysis.train.data import LABELS_DIR

    second = LABELS_DIR.parent / "agreement" / "second"
    if not second.exists():
        return
    ent, q = EntityScores(), PRF()
    spk = [0, 0]
    n = 0
    for f in sorted(second.glob("*.json")):
        b = json.loads(f.read_text(encoding="utf-8"))
        a = json.loads((second.parent / "first" / f.name).read_text(encoding="utf-8"))  # before adjudication
        n += 1
        ent += score_entities(b["entities"], a["entities"])
        qa = {(x["start"], x["end"]): x for x in a["quotes"]}
        qb = {(x["start"], x["end"]): x for x in b["quotes"]}
        both = set(qa) & set(qb)
        q += PRF(len(both), len(set(qb) - both), len(set(qa) - both))
        for k in both:
            from docbao.analysis.evaluate import speaker_matches

            spk[1] += 1
            spk[0] += speaker_matches(qb[k]["speaker"], qa[k]) or speaker_matches(qa[k]["speaker"], qb[k])
    print(f"\nlabellers' agreement on {n} articles labelled twice, independently (first labelling as reference):")
    print(f"  entities F1 {100 * ent.micro.f1:.1f} (" + ", ".join(
        f"{lab} {100 * ent.by_label[lab].f1:.1f}" for lab in LABELS) + f"); direct quotes F1 {100 * q.f1:.1f}; "
        f"same speaker on {spk[0]} of {spk[1]} quotes both found")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", action="store_true", help="list the learned analyzer's errors")
    ap.add_argument("--set", choices=("unc-test", "team", "heldout", "seed"), help="one gold set only")
    args = ap.parse_args()
    t0 = time.perf_counter()
    base = baseline()
    for _key, docs, what in gold_sets(args.set):
        raw, new = EntityScores(), EntityScores()
        old: EntityScores | None = EntityScores()
        q_new, q_old = QuoteScores(), QuoteScores()
        for d in docs:
            result = analyze(d.text)
            new += score_entities(result.entities, d.entities)
            raw += score_entities(raw_entities(d.text), d.entities)
            b = base.get(text_sha256(d.text))
            if b is None or old is None:
                old = None
            else:
                old += score_entities([Span.from_dict(e) for e in b["entities"]], d.entities)
            if d.quotes is not None:
                direct = [q for q in result.quotes if q.kind == "direct"]
                s = score_quotes(d.text, direct, d.quotes)
                q_new += s
                if b is not None:
                    q_old += score_quotes(d.text, [Quote.from_dict(x) for x in b["quotes"] if x["kind"] == "direct"],
                                          d.quotes)
                if args.errors:
                    for m in s.misses:
                        print(f"  {d.name}: {m}")
            if args.errors:
                gold = {(g["start"], g["end"], g["label"]) for g in d.entities}
                pred = {(e.start, e.end, e.label) for e in result.entities}
                for s0, e0, lab in sorted(pred - gold):
                    print(f"  {d.name} FP {lab:<4} {d.text[s0:e0]!r}  …{d.text[max(0, s0 - 25):e0 + 15]!r}")
                for s0, e0, lab in sorted(gold - pred):
                    print(f"  {d.name} FN {lab:<4} {d.text[s0:e0]!r}  …{d.text[max(0, s0 - 25):e0 + 15]!r}")
        print(f"\n{what}: entities, exact span and label")
        table(raw, old, new)
        print("  direct quotes, " + quotes_line("learned", q_new))
        if old is not None:
            print("  direct quotes, " + quotes_line("rules 0.1", q_old))
    if args.set in (None, "unc-test"):
        agreement()
    print(f"\n(whole table in {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
