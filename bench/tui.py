"""How fast the reader feels. Prints figures; the README quotes them.

    python bench/tui.py [--runs N]

1. Start → first paint of the library (the installed-from-source `docbao` in a pseudo-terminal, the bundled
   seeds, a fresh database), beside an empty Textual app started the same way: the ratio (target ≤ 1.3×).
   "First paint" is the moment the program has written its first screen to the terminal.
2. A 1 MB article (the shared news corpus concatenated, or the seeds repeated when it is absent), real
   analyzer, cold cache: Enter in the library → the text on screen (target ≤ 0.5 s), → the visible part
   highlighted, → the whole article analysed; then a search over it (target ≤ 100 ms).
3. Key latency while that analysis runs (cursor down, each key until its frame is drawn): median and worst.
4. A library of 10,000 articles: first paint, and one filter keystroke until the table is redrawn.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CORPUS = ROOT.parent / "shared" / "corpus" / "vn_news"
COLS, ROWS = 140, 40


# -- 1. start → first paint, in a pseudo-terminal ---------------------------------------------------------
EMPTY_APP = textwrap.dedent("""
    from textual.app import App
    from textual.widgets import Footer, Static

    class Empty(App):
        def compose(self):
            yield Static("ready-marker")
            yield Footer()

    Empty().run()
""")


def first_paint(argv: list[str], marker: bytes, env: dict[str, str], timeout: float = 30.0) -> float:
    """Seconds from fork to the first time ``marker`` appears in what the program writes to its terminal."""
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.execvpe(argv[0], argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    seen = b""
    try:
        while True:
            left = timeout - (time.perf_counter() - t0)
            if left <= 0:
                raise TimeoutError(f"{marker!r} not painted by {argv} in {timeout} s")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                raise RuntimeError(f"{argv} exited before painting: {seen[-400:]!r}") from None
            if not chunk:
                raise RuntimeError(f"{argv} exited before painting")
            seen += chunk
            if marker in seen:
                return time.perf_counter() - t0
            # answer terminal queries Textual may send, so it never waits for them
            if b"\x1b[c" in chunk:
                os.write(fd, b"\x1b[?1;2c")
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def bench_startup(runs: int) -> tuple[float, float, float]:
    """(the `docbao` command, the app alone via tui.launch, an empty Textual app): medians in seconds."""
    home = Path(tempfile.mkdtemp(prefix="docbao-bench-"))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS),
           "DOCBAO_DB": str(home / "db.json"), "DOCBAO_CACHE_DIR": str(home / "cache"),
           "DOCBAO_DATA_DIR": str(home / "data")}
    # Installed, docbao runs from compiled bytecode (pip compiles it; an editable install writes it on the
    # first run): measure that, not a recompile of every module on every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    empty_script = home / "empty_app.py"
    empty_script.write_text(EMPTY_APP, encoding="utf-8")
    py = sys.executable
    docbao = [py, "-m", "docbao.tui"]
    app_only = [py, "-c", "from docbao.tui.launch import launch; launch([])"]
    empty = [py, str(empty_script)]
    first_paint(docbao, b"articles", env)  # warm the OS file cache and .pyc files
    first_paint(empty, b"ready-marker", env)
    a: list[float] = []
    b: list[float] = []
    c: list[float] = []
    for _ in range(runs):  # alternate, so drift in machine load hits all alike
        a.append(first_paint(docbao, b"articles", env))
        c.append(first_paint(app_only, b"articles", env))
        b.append(first_paint(empty, b"ready-marker", env))
    return statistics.median(a), statistics.median(c), statistics.median(b)


# -- 2, 3. a 1 MB article -------------------------------------------------------------------------------
def megabyte_text() -> str:
    from docbao.analysis.text import normalize_text

    parts: list[str] = []
    size = 0
    files = sorted(CORPUS.glob("*.txt")) if CORPUS.exists() else sorted((ROOT / "seeds").glob("*.txt"))
    while size < 1_000_000:
        for f in files:
            t = normalize_text(f.read_text(encoding="utf-8"))
            parts.append(t.strip())
            size += len(t.encode("utf-8"))
            if size >= 1_000_000:
                break
    return "\n".join(parts) + "\n"


async def bench_article() -> dict[str, Any]:
    from textual import events

    from docbao.analysis.pipeline import Analyzer
    from docbao.store.annotations import AnnotationStore
    from docbao.store.articles import from_text
    from docbao.tui.app import DocbaoApp
    from docbao.tui.screens.reader import AnalysisUpdate, ReaderScreen
    from docbao.tui.widgets.article_view import ArticleView

    text = megabyte_text()
    article = from_text(text, title="Một megabyte tin tức", name="1mb.txt")
    cache = Path(tempfile.mkdtemp(prefix="docbao-bench-cache-"))
    app = DocbaoApp(AnnotationStore.in_memory(), Analyzer(cache_dir=cache), [article])
    marks: dict[str, float] = {}
    drawn: list[float] = []

    original_render_line = ArticleView.render_line

    def render_line(self: ArticleView, y: int) -> Any:
        strip = original_render_line(self, y)
        drawn.append(time.perf_counter())
        return strip

    original_update = ReaderScreen.on_analysis_update

    def on_update(self: ReaderScreen, message: AnalysisUpdate) -> None:
        original_update(self, message)
        marks.setdefault("partial" if message.partial else "full", time.perf_counter())

    ArticleView.render_line = render_line  # type: ignore[method-assign]
    ReaderScreen.on_analysis_update = on_update  # type: ignore[method-assign]
    latencies: list[float] = []
    try:
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause()
            t0 = time.perf_counter()
            await pilot.press("enter")
            while not drawn:
                await asyncio.sleep(0.001)
            text_on_screen = drawn[0] - t0
            while "partial" not in marks and "full" not in marks:
                await asyncio.sleep(0.005)
            first_mark = marks.get("partial", marks.get("full", 0.0))
            while drawn[-1] < first_mark:  # the first frame drawn after the highlights arrived
                await asyncio.sleep(0.001)
            highlighted = next(d for d in drawn if d >= first_mark) - t0
            # key latency while the rest is analysed
            reader = app.screen
            assert isinstance(reader, ReaderScreen)
            driver = app._driver
            assert driver is not None
            while "full" not in marks and len(latencies) < 40:
                n = len(drawn)
                k0 = time.perf_counter()
                # the key as the terminal would send it (pilot.press also waits for the whole process to
                # go idle, which never happens while the analysis thread computes)
                key = events.Key("down", None)
                key.set_sender(app)
                driver.send_message(key)
                while len(drawn) == n and time.perf_counter() - k0 < 2:
                    await asyncio.sleep(0.0005)
                latencies.append(time.perf_counter() - k0)
                await asyncio.sleep(0.05)
            during = "full" not in marks
            while "full" not in marks:
                await asyncio.sleep(0.02)
            full = marks["full"] - t0
            entities = len(reader.analysis.entities)
            # search over the whole article: the first one folds the text, the next ones reuse it
            s0 = time.perf_counter()
            hits = len(reader.model.find("ha noi").hits)
            s1 = time.perf_counter()
            reader.model.find("chinh phu")
            s2 = time.perf_counter()
    finally:
        ArticleView.render_line = original_render_line  # type: ignore[method-assign]
        ReaderScreen.on_analysis_update = original_update  # type: ignore[method-assign]
    return {
        "size": len(text.encode("utf-8")), "chars": len(text), "text": text_on_screen,
        "partial": first_mark - t0, "highlighted": highlighted, "full": full, "entities": entities,
        "latencies": latencies, "latency_during_analysis": during,
        "search_first": s1 - s0, "search_next": s2 - s1, "search_hits": hits,
    }


# -- 4. 10,000 articles ---------------------------------------------------------------------------------
def many_articles(n: int = 10_000) -> list[Any]:
    from docbao.store.articles import from_text

    texts = ([f.read_text(encoding="utf-8") for f in sorted(CORPUS.glob("*.txt"))] if CORPUS.exists()
             else [f.read_text(encoding="utf-8") for f in sorted((ROOT / "seeds").glob("*.txt"))])
    return [from_text(texts[i % len(texts)], name=f"{i}.txt", title=f"{i} {texts[i % len(texts)].split(chr(10))[0]}")
            for i in range(n)]


async def bench_library(n: int = 10_000) -> dict[str, float]:
    from textual import events

    from docbao.analysis.pipeline import Analyzer
    from docbao.store.annotations import AnnotationStore
    from docbao.tui.app import DocbaoApp
    from docbao.tui.screens.library_table import ArticleTable

    articles = many_articles(n)
    drawn: list[float] = []
    original = ArticleTable.render_line

    def render_line(self: ArticleTable, y: int) -> Any:
        strip = original(self, y)
        drawn.append(time.perf_counter())
        return strip

    ArticleTable.render_line = render_line  # type: ignore[method-assign]
    cache = Path(tempfile.mkdtemp(prefix="docbao-bench-cache-"))
    try:
        t0 = time.perf_counter()
        app = DocbaoApp(AnnotationStore.in_memory(), Analyzer(cache_dir=cache), articles)
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            while not drawn:
                await asyncio.sleep(0.001)
            paint = drawn[0] - t0
            while not app.library.text_indexed:  # the body index is built in the background
                await asyncio.sleep(0.02)
            indexed = time.perf_counter() - t0
            await pilot.press("slash")
            await pilot.pause()
            times = []
            driver = app._driver
            assert driver is not None
            for char in "hà nội":
                n_before = len(drawn)
                k0 = time.perf_counter()
                key = events.Key("space" if char == " " else char, char)
                key.set_sender(app)
                driver.send_message(key)
                while len(drawn) == n_before and time.perf_counter() - k0 < 2:
                    await asyncio.sleep(0.0005)
                times.append(time.perf_counter() - k0)
                await asyncio.sleep(0.05)
            shown = len(app.library.view)
    finally:
        ArticleTable.render_line = original  # type: ignore[method-assign]
    return {"paint": paint, "indexed": indexed, "first_key": times[0], "worst_key": max(times),
            "shown": shown}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="runs of the start-up comparison (default 5)")
    args = ap.parse_args()

    ours, app_only, empty = bench_startup(args.runs)
    print(f"start → first paint (median of {args.runs}, {COLS}×{ROWS} pty, bundled seeds, fresh database):")
    print(f"  empty Textual app                 {empty:.3f} s")
    print(f"  docbao app (tui.launch.launch)    {app_only:.3f} s  ratio {app_only / empty:.2f}× (target ≤ 1.3×)")
    print(f"  `docbao` command (CLI + app)      {ours:.3f} s  ratio {ours / empty:.2f}×")

    r = asyncio.run(bench_article())
    print(f"1 MB article ({r['size'] / 1e6:.2f} MB, {r['chars']:,} characters), real analyzer, cold cache:")
    print(f"  Enter → text on screen            {r['text']:.3f} s (target ≤ 0.5 s)")
    print(f"  Enter → visible part highlighted  {r['highlighted']:.3f} s (analysis of the visible part "
          f"done at {r['partial']:.3f} s, model load included)")
    print(f"  Enter → whole article analysed    {r['full']:.1f} s ({r['entities']:,} entities)")
    print(f"  search “ha noi” over it             {r['search_first'] * 1000:.0f} ms the first time (folds the text), "
          f"{r['search_next'] * 1000:.0f} ms the next ({r['search_hits']:,} hits; target ≤ 100 ms)")
    lat = r["latencies"]
    if lat:
        print(f"  key latency while it runs         median {statistics.median(lat) * 1000:.0f} ms, "
              f"worst {max(lat) * 1000:.0f} ms over {len(lat)} keys (cursor down, until drawn)")

    lib = asyncio.run(bench_library())
    print(f"library of 10,000 articles: first paint {lib['paint']:.3f} s; body index ready in "
          f"{lib['indexed']:.1f} s (background)")
    print(f"  filter keystroke → table redrawn  first {lib['first_key'] * 1000:.0f} ms, worst "
          f"{lib['worst_key'] * 1000:.0f} ms while typing \"hà nội\" ({lib['shown']} match)")


if __name__ == "__main__":
    main()
