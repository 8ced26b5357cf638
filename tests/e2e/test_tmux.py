"""End to end: the installed `docbao` command in a real terminal (tmux), as a person would use it.

Opens the bundled seed article, waits for the real analysis, jumps to the first quote from the Quotes tab,
tags it, quits; then finds the tag in the database file and in `docbao export` (JSON and Markdown).
Needs tmux (Debian: apt-get install tmux); skipped with that reason when it is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "putin-lukashenko-minsk.txt"
TAG = "e2e-trích-dẫn"


def docbao_command() -> str:
    beside = Path(sys.executable).parent / "docbao"
    found = str(beside) if beside.exists() else shutil.which("docbao")
    if not found:
        pytest.skip("the docbao command is not installed (pip install -e .)")
    return found


class Tmux:
    def __init__(self, folder: Path) -> None:
        self.sock = str(folder / "tmux.sock")

    def run(self, *args: str, check: bool = True) -> str:
        out = subprocess.run(["tmux", "-S", self.sock, *args], capture_output=True, text=True, check=check,
                             timeout=20)
        return out.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p")

    def wait(self, text: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen after {timeout} s:\n{self.screen()}")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-l", "--", text)

    def start(self, home: Path, args: str = "", size: tuple[int, int] = (140, 40), **env: str) -> dict[str, str]:
        """Run `docbao ARGS` in a fresh session, its files under ``home`` (``env`` adds or overrides
        variables); the shell prints DOCBAO-EXITED-<status> when it ends. Returns the variables it set."""
        full = {"DOCBAO_DB": str(home / "docbao.json"), "DOCBAO_CACHE_DIR": str(home / "cache"),
                "DOCBAO_DATA_DIR": str(home / "data"), "DOCBAO_CONFIG": str(home / "no-config.toml"),
                "TERM": "xterm-256color", "LANG": "C.UTF-8", **env}
        env_args = [a for k, v in full.items() for a in ("-e", f"{k}={v}")]
        self.run("-f", "/dev/null", "new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), *env_args,
                 f"{docbao_command()} {args}; echo DOCBAO-EXITED-$?; sleep 60")
        self.run("set", "-s", "escape-time", "0")
        return full


@pytest.fixture
def tmux(tmp_path: Path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (apt-get install tmux): the end-to-end test drives docbao in it")
    t = Tmux(tmp_path)
    yield t
    t.run("kill-server", check=False)


def test_tag_a_quote_then_export(tmux: Tmux, tmp_path: Path) -> None:
    docbao = docbao_command()
    db = tmp_path / "docbao.json"
    env = tmux.start(tmp_path, str(SEED))

    tmux.wait("1 article", 30)
    tmux.keys("Enter")
    tmux.wait("quotes", 90)  # the header says "N entities · M quotes" once the real analysis is done
    tmux.keys("Q")  # the Quotes tab
    tmux.wait("Quotes")
    tmux.keys("Enter")  # jump to the first quote
    time.sleep(0.3)
    tmux.keys("a")
    tmux.wait("Tag / note")
    tmux.type(TAG)
    tmux.keys("Enter")
    tmux.wait("Saved", 10)
    tmux.keys("C-q")
    tmux.wait("DOCBAO-EXITED-0", 20)

    from docbao.store.annotations import AnnotationStore

    store = AnnotationStore.open(db)
    try:
        (saved,) = store.all()
    finally:
        store.close()
    assert saved.tags == (TAG,)
    seed_text = SEED.read_text(encoding="utf-8")
    exact = saved.target.exact if saved.target is not None else ""
    assert exact and exact in seed_text
    on_disk = "".join(p.read_text(encoding="utf-8") for p in db.parent.glob(db.name + "*"))
    assert TAG in on_disk  # written as is, not \u-escaped (in the file or its journal)

    env_all = {**os.environ, **env}
    out = subprocess.run([docbao, "export", "--db", str(db)], capture_output=True, text=True, env=env_all,
                         check=True, timeout=60)
    assert TAG in out.stdout
    md = subprocess.run([docbao, "export", "--db", str(db), "--format", "md", str(SEED)], capture_output=True,
                        text=True, env=env_all, check=True, timeout=60)
    assert TAG in md.stdout and exact[:20] in md.stdout


def test_search_next_article_and_a_remapped_key(tmux: Tmux, tmp_path: Path) -> None:
    """The reading habits in a real terminal: a config file remaps search to f; f, lukashenko, Enter shows
    1/4 on the seed; [ and ] open the previous and next article of the library's order."""
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"reader.search" = "f"\n', encoding="utf-8")
    tmux.start(tmp_path, str(ROOT / "seeds"), DOCBAO_CONFIG=str(config))
    tmux.wait("4 articles", 30)
    tmux.keys("End")  # "Ông Putin…" is the last title
    time.sleep(0.3)
    tmux.keys("Enter")
    tmux.wait("quotes", 60)  # the header counts entities and quotes once the analysis is done
    tmux.keys("f")  # the remapped search key
    time.sleep(0.5)
    tmux.type("lukashenko")
    tmux.wait("–/4", 10)
    tmux.keys("Enter")
    screen = tmux.wait("1/4", 10)
    assert "search “lukashenko” 1/4" in screen
    tmux.keys("Escape")  # the search line closes; the hits stay
    time.sleep(0.3)
    tmux.keys("[")  # the previous article of the library's order
    tmux.wait("[Bài mẫu] Ngân hàng", 15)
    time.sleep(0.3)
    tmux.keys("]")  # and the next one: back to the seed
    tmux.wait("Ông Putin phát biểu", 15)
    tmux.keys("C-q")
    tmux.wait("DOCBAO-EXITED-0", 20)


def test_add_a_url_from_the_app_tag_a_quote_export_with_the_url(tmux: Tmux, tmp_path: Path) -> None:
    """News from the web as a person gets it: + in the library, the address of a page served on 127.0.0.1,
    the article opens; a quote is tagged; the export cites the page's URL."""
    from tests.unit.webserver import WebServer, html_page

    docbao = docbao_command()
    server = WebServer()
    try:
        paras = [p for p in SEED.read_text(encoding="utf-8").splitlines()[1:] if p.strip()]
        url = server.route("/tin/putin-minsk.html", html_page(SEED.read_text(encoding="utf-8").splitlines()[0],
                                                              paras))
        db = tmp_path / "docbao.json"
        env = tmux.start(tmp_path, DOCBAO_LIBRARY_DIR=str(tmp_path / "library"))
        tmux.wait("articles", 30)
        tmux.keys("+")
        tmux.wait("Add an article from the web", 10)
        time.sleep(0.3)
        tmux.type(url)
        tmux.keys("Enter")
        tmux.wait("quotes", 90)  # fetched, opened, analysed
        tmux.keys("Q")  # the Quotes tab
        tmux.wait("Quotes")
        tmux.keys("Enter")  # jump to the first quote
        time.sleep(0.3)
        tmux.keys("a")
        tmux.wait("Tag / note")
        time.sleep(0.3)
        tmux.type(TAG)
        tmux.keys("Enter")
        tmux.wait("Saved", 10)
        tmux.keys("C-q")
        tmux.wait("DOCBAO-EXITED-0", 20)
    finally:
        server.close()
    out = subprocess.run([docbao, "export", "--db", str(db), "--format", "w3c"], capture_output=True, text=True,
                         env={**os.environ, **env}, check=True, timeout=60).stdout
    assert TAG in out and url in out  # the annotation's target source is the page's URL


def workers_of(marker: str) -> list[int]:
    """The analysis worker processes whose environment mentions ``marker`` (this test's folders)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if b"worker_main" in (proc / "cmdline").read_bytes() and marker.encode() in (proc / "environ").read_bytes():
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="looks for leftover workers in /proc (Linux)")
def test_ctrl_q_while_a_10_mb_article_is_analysed_quits_at_once_and_leaves_no_worker(tmux: Tmux,
                                                                                     tmp_path: Path) -> None:
    """F6: ctrl+q during the analysis of a 10 MB article used to leave a blank terminal for 22 s. Its whole
    analysis now runs in a worker process: quitting stops the worker and the app is gone at once."""
    library = tmp_path / "library"
    library.mkdir()
    body = SEED.read_text(encoding="utf-8").split("\n", 1)[1]
    copies = 10_000_000 // len(body.encode("utf-8")) + 1
    (library / "dai.txt").write_text("Bài rất dài\n" + "\n\n".join([body] * copies), encoding="utf-8")
    tmux.start(tmp_path, str(library), size=(120, 32))
    tmux.wait("Bài rất dài", 60)
    tmux.keys("Enter")
    tmux.wait("analysing the whole article", 60)
    deadline = time.monotonic() + 30
    while not workers_of(str(tmp_path)) and time.monotonic() < deadline:  # the worker has started
        time.sleep(0.1)
    assert workers_of(str(tmp_path))
    t0 = time.monotonic()
    tmux.keys("C-q")
    tmux.wait("DOCBAO-EXITED-0", 15)
    assert time.monotonic() - t0 < 5
    deadline = time.monotonic() + 5
    while workers_of(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not workers_of(str(tmp_path))
