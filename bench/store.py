"""Annotation store speed and safety, docbao's SafeStorage beside plain TinyDB JSONStorage, in one run.

    python bench/store.py [--sizes 10000,100000] [--adds 30] [--kill-rounds 200]

Prints, for databases holding 10,000 and 100,000 annotations (realistic: spans of the seed article,
Vietnamese tags and notes): the time to add one annotation (median; an fsync'd append to the journal, target
≤ 20 ms at 100,000), beside plain TinyDB JSONStorage (which rewrites the whole file in place on every write,
without fsync: unsafe) as a ratio. At the first size also: update, an add after another process wrote, open
and load, export (target ≤ 1 s). Then the kill test (a child adding and updating, compacting every few
dozen writes, SIGKILLed at random moments; every reported write must survive) and two processes adding 500
annotations each.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tinydb import TinyDB  # noqa: E402
from tinydb.storages import JSONStorage  # noqa: E402

from docbao.store.anchoring import make_target  # noqa: E402
from docbao.store.annotations import Annotation, AnnotationStore, ArticleRef, annotation_doc, now_iso  # noqa: E402
from docbao.store.articles import from_text, load_file  # noqa: E402
from docbao.store.export import export  # noqa: E402

SEED = ROOT / "seeds" / "putin-lukashenko-minsk.txt"
TAGS = ["chính trị", "Nga", "Belarus", "trích dẫn", "kinh tế", "quan trọng", "đọc lại", "Ukraine"]
NOTE = "Đáng chú ý: phát biểu này mâu thuẫn với tuyên bố hôm trước của Bộ Ngoại giao."


def make_annotations(n: int, rng: random.Random) -> tuple[list[Annotation], dict]:
    base = load_file(SEED)[0]
    arts = [from_text(base.text, title=f"{base.title} ({i})", name=f"a{i}.txt", path=f"/news/a{i}.txt")
            for i in range(100)]
    out = []
    stamp = now_iso()
    for i in range(n):
        art = arts[i % len(arts)]
        start = rng.randrange(0, len(art.text) - 80)
        target = make_target(art.text, start, start + rng.randrange(5, 80)) if i % 5 else None
        out.append(Annotation(
            id=f"{i:08d}-0000-4000-8000-{rng.getrandbits(48):012x}",
            article=ArticleRef(art.id, art.title, art.path, art.sha256), target=target,
            tags=tuple(rng.sample(TAGS, rng.randrange(0, 4))), note=NOTE[: rng.randrange(0, len(NOTE))],
            created=stamp, updated=stamp))
    return out, {a.id: a for a in arts}


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def row(name: str, ours: float, plain: float | None, unit: str = "ms", target: str = "") -> None:
    if not plain:
        ratio = "     -"
    elif ours / plain >= 0.05:
        ratio = f"{ours / plain:6.2f}×"
    else:  # far below 1: say how many times faster
        ratio = f"1/{plain / ours:,.0f}"
    plain_s = f"{plain:9.1f} {unit}" if plain is not None else " " * 12
    print(f"  {name:<38} {ours:9.1f} {unit}  {plain_s}  {ratio}  {target}")


def bench_size(n: int, adds: int, full: bool) -> None:
    rng = random.Random(7)
    anns, articles = make_annotations(n, rng)
    docs = [annotation_doc(a) for a in anns]
    one_art = next(iter(articles.values()))
    with tempfile.TemporaryDirectory() as tmp:
        ours_path, plain_path = Path(tmp) / "ours.json", Path(tmp) / "plain.json"
        t = time.perf_counter()
        AnnotationStore.open(ours_path).merge(anns)
        build = time.perf_counter() - t
        plain = TinyDB(plain_path, storage=JSONStorage)
        plain.table("annotations").insert_multiple(docs)
        plain.close()
        size_ours, size_plain = ours_path.stat().st_size, plain_path.stat().st_size
        print(f"database: {n} annotations on {len(articles)} articles; file {size_ours / 1e6:.1f} MB "
              f"(plain TinyDB: {size_plain / 1e6:.1f} MB, \\u-escaped); built in one write in {build:.2f} s")
        print(f"  {'':<38} {'docbao':>12}  {'plain TinyDB':>12}  {'ratio':>7}")

        # -- add one annotation with n stored ----------------------------------------------------------
        store = AnnotationStore.open(ours_path)
        store.all()
        start = one_art.text.index("Minsk")
        ours_add = median_ms(lambda: store.add(one_art, start, start + 5, tags=["Minsk"], note="thủ đô"), adds)
        plain_db = TinyDB(plain_path, storage=JSONStorage)
        table = plain_db.table("annotations")
        new_doc = annotation_doc(store.all()[-1])
        plain_adds = adds if n <= 20_000 else max(3, adds // 6)  # each one rewrites the whole file
        plain_add = median_ms(lambda: table.insert(dict(new_doc)), plain_adds)
        target = 20 if n >= 100_000 else 50
        row(f"add one at {n:,} (median of {adds} / {plain_adds}, fsync'd)", ours_add, plain_add,
            target=f"target ≤ {target} ms: {'ok' if ours_add <= target else 'MISSED'}")
        plain_db.close()
        if not full:
            return
        first_id = anns[0].id
        ours_up = median_ms(lambda: store.update(first_id, note=f"sửa {time.perf_counter()}"), 10)
        row("update one (median of 10)", ours_up, None)
        # an add right after another process wrote: its journal line is read first
        other = AnnotationStore.open(ours_path)
        times = []
        for _ in range(5):
            other.add(one_art)
            t = time.perf_counter()
            store.add(one_art)
            times.append((time.perf_counter() - t) * 1000)
        row("add after another process wrote", statistics.median(times), None)

        # -- load --------------------------------------------------------------------------------------
        def ours_load() -> None:
            s = AnnotationStore.open(ours_path)
            s.all()
            s.close()

        def plain_load() -> None:
            db = TinyDB(plain_path, storage=JSONStorage)
            db.table("annotations").all()
            db.close()

        ours_open = median_ms(lambda: AnnotationStore.open(ours_path).close(), 5)
        row("open (parse, replay, check records)", ours_open, None)
        row("open + all() as dataclasses", median_ms(ours_load, 5), median_ms(plain_load, 5))
        s = AnnotationStore.open(ours_path)
        row(f"for_article() (~{n // len(articles)} on one article)",
            median_ms(lambda: s.for_article(one_art), 5), None)
        row("tags() over all", median_ms(s.tags, 5), None)

        # -- export ------------------------------------------------------------------------------------
        def plain_export() -> None:
            db = TinyDB(plain_path, storage=JSONStorage)
            json.dumps(db.table("annotations").all(), ensure_ascii=False, indent=2)
            db.close()

        pe = median_ms(plain_export, 3)
        for fmt in ("json", "w3c", "md"):
            ms = median_ms(lambda fmt=fmt: export(s, articles if fmt == "md" else None, fmt), 3)
            row(f"export {len(s.all())} as {fmt}", ms, pe if fmt == "json" else None,
                target=f"target ≤ 1 s: {'ok' if ms <= 1000 else 'MISSED'}" if fmt == "json" else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="annotations stored, comma-separated")
    ap.add_argument("--adds", type=int, default=30, help="adds timed for the median (default 30)")
    ap.add_argument("--kill-rounds", type=int, default=200, help="SIGKILL rounds (default 200)")
    args = ap.parse_args()
    for i, n in enumerate(int(x) for x in args.sizes.split(",")):
        bench_size(n, args.adds, full=i == 0)

    # -- crash safety and concurrency ------------------------------------------------------------------
    from tests.unit.store_helpers.procs import concurrent_adds, kill_round

    with tempfile.TemporaryDirectory() as tmp:
        krng = random.Random(11)
        t = time.perf_counter()
        rounds = []
        for i in range(args.kill_rounds):
            try:
                rounds.append(kill_round(Path(tmp) / "kill.json", krng))
            except AssertionError as exc:
                print(f"kill test: FAILED in round {i + 1}: {exc}")
                return 1
        elapsed = time.perf_counter() - t
        print(f"kill test: {len(rounds)} rounds of SIGKILL at random moments in {elapsed:.1f} s: the file loaded "
              f"every time and held all {sum(r.reported for r in rounds)} reported writes "
              f"({rounds[-1].total} annotations at the end); kills landed between a write and its report "
              f"{sum(bool(r.unreported) for r in rounds)} times, mid-compaction "
              f"{sum(r.stale_temp for r in rounds)} times")
    with tempfile.TemporaryDirectory() as tmp:
        count, secs = concurrent_adds(Path(tmp) / "two.json", 2, 500)
        print(f"two processes × 500 adds on one file: {count} present (expected 1000) in {secs:.1f} s "
              f"({secs / 1000 * 1000:.1f} ms an add)")
        if count != 1000:
            return 1
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
