"""Analysis speed: docbao beside raw underthesea per-sentence ner() on the same texts, in one run.

    python bench/analysis.py [--articles N] [--megabyte] [--huge]

Prints: throughput of both (characters per second) and their ratio (target ≥ 3×), cold and cached
analysis of the seed article (cached ≥ 100× faster), model load time, and memory; with --megabyte, the
whole 1 MB article (the corpus concatenated) by both (target ≥ 3× faster); with --huge, a 10 MB line.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from raw_crf import raw_ner_seconds  # noqa: E402

from docbao.analysis.pipeline import Analyzer, analyze  # noqa: E402
from docbao.analysis.text import read_text_file  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "vn_news"
SEED = ROOT / "seeds" / "putin-lukashenko-minsk.txt"


def docbao(texts: list[str]) -> float:
    t = time.perf_counter()
    for text in texts:
        analyze(text)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100, help="how many corpus articles (default 100)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds of each (default 2)")
    ap.add_argument("--megabyte", action="store_true",
                    help="also time the whole 1 MB article, docbao and raw ner() (raw takes minutes)")
    ap.add_argument("--huge", action="store_true", help="also time a 10 MB single-line article")
    args = ap.parse_args()

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    Analyzer().warm()
    load = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    files = sorted(CORPUS.glob("*.txt"))[: args.articles] if CORPUS.exists() else [SEED]
    texts = [read_text_file(f)[0] for f in files]
    chars = sum(map(len, texts))
    print(f"texts: {len(texts)} articles, {chars:,} characters ({'corpus' if CORPUS.exists() else 'seed only'})")
    print(f"model load (docbao's models and word list, once per process): {load:.2f} s, "
          f"RSS {rss0:.0f} -> {rss1:.0f} MB")
    from underthesea import ner

    t0 = time.perf_counter()
    ner("Ông Nguyễn Văn An ở Hà Nội.")
    print(f"underthesea ner() load (for the comparison only): {time.perf_counter() - t0:.2f} s")

    raw_times, ours_times = [], []
    for _ in range(args.rounds):  # alternate, so machine noise hits both alike
        raw_times.append(raw_ner_seconds(texts))
        ours_times.append(docbao(texts))
    raw_t, ours_t = min(raw_times), min(ours_times)
    print(f"raw underthesea per-sentence ner(): {raw_t:6.2f} s  {chars / raw_t:9,.0f} chars/s")
    print(f"docbao analyze() (no cache):       {ours_t:6.2f} s  {chars / ours_t:9,.0f} chars/s")
    print(f"throughput ratio docbao / raw: {raw_t / ours_t:.2f}x  (target >= 3x)")

    seed = read_text_file(SEED)[0]
    with tempfile.TemporaryDirectory() as cache:
        an = Analyzer(cache)
        t = time.perf_counter()
        an.analyze(seed)
        cold = time.perf_counter() - t
        cached = []
        for _ in range(20):
            t = time.perf_counter()
            an.analyze(seed)
            cached.append(time.perf_counter() - t)
    warm_cached = statistics.median(cached)
    print(f"seed ({len(seed):,} chars): cold {cold * 1000:.1f} ms, cached {warm_cached * 1000:.2f} ms (median of 20)"
          f"  -> {cold / warm_cached:,.0f}x faster (target >= 100x)")

    biggest = max(texts, key=len)
    tracemalloc.start()
    analyze(biggest)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak / 1e6:.1f} MB traced while analysing the largest article ({len(biggest):,} chars); "
          f"process max RSS so far {rss:.0f} MB (model included)")
    if args.megabyte:
        from tui import megabyte_text

        mb = megabyte_text()
        t = time.perf_counter()
        analyze(mb).check(mb)
        ours_mb = time.perf_counter() - t
        ours_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        raw_mb = raw_ner_seconds([mb])
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"1 MB article ({len(mb):,} chars): docbao {ours_mb:.1f} s, raw per-sentence ner() {raw_mb:.1f} s "
              f"-> {raw_mb / ours_mb:.1f}x faster (target >= 3x); max RSS {ours_rss:.0f} MB after docbao, "
              f"{rss:.0f} MB after raw ner()")
    if args.huge:
        unit = "Ông Nguyễn Văn An sống ở Hà Nội và nói: “Tôi làm việc tại Bộ Y tế 😀”. Giá 2.000 đồng ngày 6/12. "
        huge = unit * (10_000_000 // len(unit))
        t = time.perf_counter()
        result = analyze(huge)
        took = time.perf_counter() - t
        result.check(huge)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"10 MB single line ({len(huge):,} chars, repetitive): {took:.1f} s, {len(result.entities):,} entities, "
              f"{len(result.quotes):,} quotes, every offset valid; max RSS now {rss:.0f} MB")


if __name__ == "__main__":
    main()
