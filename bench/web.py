"""A feed refresh of many items from a local test server: time, items per second and peak memory.

    python bench/web.py [--items 200] [--latency 0.05] [--workers 4]

A child process serves (on 127.0.0.1 only, tests/unit/webserver.py) an RSS feed of N items and N article
pages (the seed article's paragraphs with the item's number, in a page with a menu and a footer, about 8 KB
each), each page answered after ``--latency`` seconds (a network's round trip). This process follows the
feed in a fresh database and library, refreshes it with a progress line on stderr (as `docbao feeds
refresh` prints it), and prints: the refresh's time and items per second, the same with one worker (the
pool's gain), the second refresh (a 304: nothing fetched), and memory: the peak of Python allocations
during the refresh (tracemalloc) and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT / "seeds" / "putin-lukashenko-minsk.txt"


def serve(items: int, latency: float) -> None:
    """The child: serve the feed and its pages until stdin closes."""
    from tests.unit.webserver import WebServer, html_page, rss

    lines = [ln for ln in SEED.read_text(encoding="utf-8").split("\n") if ln.strip()]
    server = WebServer()
    entries = []
    for i in range(items):
        path = f"/bai/{i}.html"
        paras = [f"(Bài {i}) {lines[1]}", *lines[2:], f"Bài số {i} kết thúc ở đây."]
        server.route(path, html_page(f"Tin số {i}: {lines[0][:80]}", paras), delay=latency)
        entries.append((f"guid-{i}", server.url(path), f"Tin số {i}"))
    server.route("/rss.xml", rss("Báo Ví Dụ - Thời sự", server.url("/"), entries),
                 content_type="application/rss+xml; charset=utf-8", etag='"bench-1"')
    print(server.url("/rss.xml"), flush=True)
    sys.stdin.read()
    server.close()


def peak_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / (1024 * 1024)


def refresh_once(url: str, workers: int, *, label: str, show: bool = False, trace: bool = False
                 ) -> tuple[float, int, int, float, float]:
    """(refresh seconds, articles added, files in the library, peak traced MB or 0, the 304 refresh's seconds)."""
    from docbao.store.annotations import AnnotationStore
    from docbao.store.feeds import follow, refresh
    from docbao.tui.commands.web_cmds import ProgressLine

    tmp = Path(tempfile.mkdtemp(prefix="docbao-bench-web-"))
    store = AnnotationStore.open(tmp / "db.json")
    library = tmp / "library"
    feed = follow(store, url).feed
    progress = ProgressLine() if show else None
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    report = refresh(store, feed, library=library, workers=workers, progress=progress)
    took = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024) if trace else 0.0
    tracemalloc.stop()
    if progress is not None:
        progress.clear()
    files = len(list(library.glob("*/*.json")))
    print(f"{label}: {report.summary()}", file=sys.stderr)
    second = time.perf_counter()
    again = refresh(store, store.get_feed(feed.id), library=library, workers=workers)
    second_took = time.perf_counter() - second
    assert again.not_modified, again.summary()
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    return took, report.added, files, peak, second_took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds each page waits before its answer")
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.items, args.latency)
        return 0
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    child = subprocess.Popen([sys.executable, __file__, "--serve", "--items", str(args.items),
                              "--latency", str(args.latency)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True, env=env)
    try:
        assert child.stdout is not None
        url = child.stdout.readline().strip()
        os.environ.update({"NO_PROXY": "127.0.0.1"})
        for k in [k for k in os.environ if k.lower() in ("http_proxy", "https_proxy", "all_proxy")]:
            del os.environ[k]
        import trafilatura  # noqa: F401

        import docbao.store.feeds  # noqa: F401 - imports (httpx, feedparser, trafilatura) out of the timing

        base_rss = peak_rss_mb()
        took, added, files, _, second = refresh_once(url, args.workers, label=f"{args.workers} workers", show=True)
        rss_after = peak_rss_mb()
        took1, added1, _, _, _ = refresh_once(url, 1, label="1 worker")
        traced, _, _, peak, _ = refresh_once(url, args.workers, label="traced", trace=True)
    finally:
        if child.stdin:
            child.stdin.close()
        child.wait(timeout=10)
    n = args.items
    print(f"feed refresh, {n} items, {args.latency * 1000:.0f} ms per page, local server (127.0.0.1)")
    print(f"  {args.workers} workers:  {took:6.2f} s  ({n / took:5.1f} items/s)  {added} added, {files} files")
    print(f"  1 worker:   {took1:6.2f} s  ({n / took1:5.1f} items/s)  {added1} added: the pool is "
          f"{took1 / took:.1f}x faster")
    print(f"  second refresh (304 Not Modified): {second * 1000:.0f} ms")
    print(f"  memory: process peak RSS {rss_after:.0f} MB ({rss_after - base_rss:+.0f} MB over the "
          f"{base_rss:.0f} MB before the refresh); peak Python allocations during a refresh {peak:.1f} MB "
          f"(tracemalloc, a separate run: {traced:.2f} s under it)")
    return 0 if added == n and added1 == n else 1


if __name__ == "__main__":
    sys.exit(main())
