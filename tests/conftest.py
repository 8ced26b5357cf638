"""Shared fixtures. The shared corpus and gold live beside the repository (../shared); tests that need
them skip with a reason when it is absent (a user's fresh clone has no ../shared)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Property tests run the same examples on every run, so CI cannot fail on a draw that the previous run
# never made; `HYPOTHESIS_PROFILE=explore` searches afresh (and many more examples) when hunting bugs.
settings.register_profile("default", derandomize=True)
settings.register_profile("explore", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "vn_news"
EVAL = SHARED / "eval"
GOLD = ROOT / "tests" / "gold" / "vn_news"
SEED = ROOT / "seeds" / "putin-lukashenko-minsk.txt"


def need(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.skip(f"{what} not found at {path} (it lives in the shared folder beside the repository)")
    return path


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's real database, cache or data folder."""
    base = tmp_path_factory.mktemp("docbao-home")
    monkeypatch.setenv("DOCBAO_DB", str(base / "db.json"))
    monkeypatch.setenv("DOCBAO_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("DOCBAO_DATA_DIR", str(base / "data"))


@pytest.fixture(scope="session")
def seed_text() -> str:
    from docbao.analysis.text import read_text_file

    return read_text_file(SEED)[0]


@pytest.fixture
def store() -> Iterator[Any]:
    """An annotation store in memory, closed after the test."""
    from docbao.store.annotations import AnnotationStore

    s = AnnotationStore.in_memory()
    yield s
    s.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`docbao ARGV` in this process: (exit status, standard output, standard error)."""
    from docbao.tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
