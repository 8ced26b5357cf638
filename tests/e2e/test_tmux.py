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
    env = {
        "DOCBAO_DB": str(db),
        "DOCBAO_CACHE_DIR": str(tmp_path / "cache"),
        "DOCBAO_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
    command = f"{docbao} {SEED}; echo DOCBAO-EXITED-$?; sleep 60"
    tmux.run("-f", "/dev/null", "new-session", "-d", "-x", "140", "-y", "40", *env_args, command)
    tmux.run("set", "-s", "escape-time", "0")

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
