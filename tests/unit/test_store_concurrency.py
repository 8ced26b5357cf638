"""Crashes and concurrent processes: no reported write is ever lost, the file always loads."""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path

import pytest

from docbao.store.annotations import AnnotationStore
from docbao.store.articles import from_text
from tests.unit.store_helpers.procs import concurrent_adds, kill_round

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")

ROUNDS = 60


def test_kill_test_sigkill_at_random_moments(tmp_path: Path) -> None:
    """A child adds and updates annotations in a loop and is SIGKILLed at a random moment, 60 times over one
    file: after every kill the file loads and holds every write the child reported as done."""
    db = tmp_path / "db.json"
    rng = random.Random(20240611)
    rounds = [kill_round(db, rng) for _ in range(ROUNDS)]
    assert sum(r.reported for r in rounds) > ROUNDS  # the children did get writes done
    # Kills landed inside writes too, not only between them: between the journal append and the report (an
    # add on disk that was never reported), or in the middle of a compaction (a temporary file left behind).
    assert any(r.unreported or r.stale_temp for r in rounds)
    assert AnnotationStore.open(db).storage.loads == 1


def test_two_processes_500_adds_each(tmp_path: Path) -> None:
    count, _ = concurrent_adds(tmp_path / "db.json", processes=2, each=500)
    assert count == 1000


def test_two_stores_in_one_process_see_each_other(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    art = from_text("Hà Nội mùa thu.", name="x.txt")
    a, b = AnnotationStore.open(db), AnnotationStore.open(db)
    x = a.add(art, tags=["một"])
    y = b.add(art, tags=["hai"])  # b re-reads before writing: a's annotation survives
    assert {n.id for n in a.all()} == {x.id, y.id}
    b.update(x.id, note="sửa bởi b")
    assert a.get(x.id).note == "sửa bởi b"
    a.delete(y.id)
    assert b.get(y.id) is None
    a.add_correction("Hà Nội", "LOC")
    assert [c.surface for c in b.corrections()] == ["Hà Nội"]


def test_threads_share_one_store(tmp_path: Path) -> None:
    store = AnnotationStore.open(tmp_path / "db.json")
    art = from_text("Đà Nẵng.", name="y.txt")
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                store.add(art)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(AnnotationStore.open(tmp_path / "db.json").all()) == 100
