"""Entity and quote quality on the gold, raw CRF beside docbao, in one run.

    python bench/quality.py [--errors]

Gold: the seed article (../shared/eval), the team's own labels (tests/gold/vn_news, over the shared
corpus) and a held-out set labelled after the rules were written (tests/gold/heldout).
Entities: exact span and label, P/R/F1 per label. Quotes: P/R and speaker accuracy. Then the leverage
of corrections: on half of the team's articles, one correction per distinct wrong surface form; F1 on
the other half before and after.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docbao.analysis.entities import crf_entities  # noqa: E402
from docbao.analysis.evaluate import (  # noqa: E402
    EntityScores,
    GoldDoc,
    QuoteScores,
    load_corpus_gold,
    load_seed_gold,
    score_entities,
    score_quotes,
)
from docbao.analysis.lexicon import Lexicon, LexiconEntry  # noqa: E402
from docbao.analysis.pipeline import analyze  # noqa: E402
from docbao.analysis.spans import LABELS  # noqa: E402
from docbao.analysis.text import read_text_file  # noqa: E402

SHARED = ROOT.parent / "shared"


def table(name: str, raw: EntityScores, ours: EntityScores) -> None:
    print(f"\n{name}: entities, exact span and label")
    print(f"  {'label':<6} {'gold':>5} | {'raw P':>6} {'raw R':>6} {'raw F1':>6} | {'P':>6} {'R':>6} {'F1':>6}")
    for lab in (*LABELS, "all"):
        r = raw.micro if lab == "all" else raw.by_label[lab]
        o = ours.micro if lab == "all" else ours.by_label[lab]
        print(f"  {lab:<6} {o.tp + o.fn:>5} | {100 * r.precision:6.1f} {100 * r.recall:6.1f} {100 * r.f1:6.1f} | "
              f"{100 * o.precision:6.1f} {100 * o.recall:6.1f} {100 * o.f1:6.1f}")


def evaluate(docs: list[GoldDoc], errors: bool, lexicon: Lexicon | None = None
             ) -> tuple[EntityScores, EntityScores, QuoteScores]:
    raw, ours, quotes = EntityScores(), EntityScores(), QuoteScores()
    for d in docs:
        text, _ = read_text_file(d.path)
        result = analyze(text, lexicon)
        raw += score_entities(crf_entities(text), d.entities)
        s = score_entities(result.entities, d.entities)
        ours += s
        if d.quotes is not None:
            quotes += score_quotes(text, result.quotes, d.quotes)
        if errors:
            gold = {(g["start"], g["end"], g["label"]) for g in d.entities}
            pred = {(e.start, e.end, e.label) for e in result.entities}
            for s0, e0, lab in sorted(pred - gold):
                print(f"  {d.name} FP {lab:<4} {text[s0:e0]!r} ctx={text[max(0, s0 - 25):e0 + 15]!r}")
            for s0, e0, lab in sorted(gold - pred):
                print(f"  {d.name} FN {lab:<4} {text[s0:e0]!r} ctx={text[max(0, s0 - 25):e0 + 15]!r}")
    return raw, ours, quotes


def corrections_from(docs: list[GoldDoc]) -> Lexicon:
    """One correction per distinct wrong surface form, as a user would make them reading these articles."""
    entries: dict[str, LexiconEntry] = {}
    gold_label_of: dict[str, Counter[str]] = {}
    for d in docs:
        text, _ = read_text_file(d.path)
        for g in d.entities:
            gold_label_of.setdefault(g["text"], Counter())[g["label"]] += 1
    for d in docs:
        text, _ = read_text_file(d.path)
        result = analyze(text)
        gold = {(g["start"], g["end"]): g["label"] for g in d.entities}
        for e in result.entities:
            if gold.get((e.start, e.end)) == e.label or e.text in entries:
                continue
            labels = gold_label_of.get(e.text)
            entries[e.text] = LexiconEntry(e.text, labels.most_common(1)[0][0] if labels else None)
        pred = {(e.start, e.end) for e in result.entities}
        for (s, e), lab in gold.items():
            surface = text[s:e]
            if (s, e) not in pred and surface not in entries:
                entries[surface] = LexiconEntry(surface, lab)
    return Lexicon(tuple(entries.values()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    args = ap.parse_args()

    seed = [load_seed_gold(SHARED / "eval", ROOT / "seeds" / "putin-lukashenko-minsk.txt")]
    team = load_corpus_gold(ROOT / "tests" / "gold" / "vn_news", SHARED / "corpus" / "vn_news")
    sets = [("seed gold (1 article)", seed)]
    heldout = load_corpus_gold(ROOT / "tests" / "gold" / "heldout", SHARED / "corpus" / "vn_news")
    if team and all(d.path.exists() for d in team):
        sets.append((f"team gold ({len(team)} articles; the rules were developed looking at these)", team))
    if heldout and all(d.path.exists() for d in heldout):
        sets.append((f"held-out gold ({len(heldout)} articles labelled after the rules were written)", heldout))
    for name, docs in sets:
        raw, ours, quotes = evaluate(docs, args.errors)
        table(name, raw, ours)
        q = quotes.prf
        print(f"  quotes: P {100 * q.precision:.1f} R {100 * q.recall:.1f} ({q.tp}/{q.tp + q.fn} gold found, "
              f"{q.fp} extra); speakers {quotes.speaker_right}/{quotes.speaker_total} = "
              f"{100 * quotes.speaker_accuracy:.1f}%")
        if args.errors:
            for m in quotes.misses:
                print("   ", m)

    if len(sets) > 1:
        learn, held = team[0::2], team[1::2]
        lex = corrections_from(learn)
        _, before, _ = evaluate(held, False)
        _, after, _ = evaluate(held, False, lex)
        _, own_before, _ = evaluate(learn, False)
        _, own_after, _ = evaluate(learn, False, lex)
        print(f"\nleverage of corrections: {len(lex.entries)} corrections (one per distinct wrong surface form) "
              f"made on {len(learn)} articles")
        print(f"  on the other {len(held)} articles: F1 {100 * before.micro.f1:.1f} -> {100 * after.micro.f1:.1f}")
        print(f"  on the {len(learn)} corrected articles themselves: F1 {100 * own_before.micro.f1:.1f} -> "
              f"{100 * own_after.micro.f1:.1f}")


if __name__ == "__main__":
    main()
