"""Child processes for the crash and concurrency tests (also used by bench/store.py).

Children are forked, so they start in microseconds with every module already imported, and they always
leave through ``os._exit`` (never back into pytest).
"""

from __future__ import annotations

import os
import random
import select
import signal
import time
from dataclasses import dataclass
from pathlib import Path

TEXT = ("Ông Putin phát biểu tại cuộc họp của Hội đồng Nhà nước Tối cao Liên bang Nga và Belarus ngày 6/12 "
        "rằng tình hình ở khu vực châu Âu, đặc biệt là ở Ukraine, đáng quan ngại đặc biệt. ") * 4


def _article(tag: str = "a"):
    from docbao.store.articles import from_text

    return from_text(TEXT, title=f"Bài {tag}", name=f"{tag}.txt")


def fork(fn, *args) -> int:
    """Run ``fn(*args)`` in a forked child; return its pid. The child exits 0, or 1 on an exception."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            fn(*args)
            code = 0
        except BaseException:
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    return pid


def writer_loop(db: str, wfd: int, limit: int | None = None, updates: bool = True) -> None:
    """Add annotations forever (or ``limit`` times), reporting each one's id on ``wfd`` (if >= 0) once add()
    returned."""
    from docbao.store import storage
    from docbao.store.annotations import AnnotationStore

    storage.COMPACT_MIN_BYTES = 16 * 1024  # compact every few dozen writes, so kills land in compactions too
    store = AnnotationStore.open(db)
    art = _article()
    rng = random.Random(os.getpid())
    n = 0
    mine: list[str] = []
    while limit is None or n < limit:
        if updates and mine and n % 3 == 2:  # every third write replaces the note of an earlier annotation
            ann_id = rng.choice(mine)
            store.update(ann_id, note=f"sửa {n}")
            line = f"u {ann_id} {n}"
        else:
            start = rng.randrange(0, len(TEXT) - 20)
            ann = store.add(art, start, start + rng.randrange(1, 20), tags=[f"t{n % 7}", "Việt"],
                            note=f"ghi chú {n}")
            mine.append(ann.id)
            line = f"a {ann.id} {n}"
        if wfd >= 0:
            os.write(wfd, (line + "\n").encode())
        n += 1


@dataclass
class KillRound:
    reported: int  # writes the child reported as done in this round
    total: int  # annotations in the file afterwards
    stale_temp: bool  # the child died mid-compaction (left a temporary file)
    unreported: int  # adds on disk that the child had not reported: it died between the write and the report


def kill_round(db: Path, rng: random.Random, max_delay: float = 0.04) -> KillRound:
    """Fork a writer, SIGKILL it after a random delay, and check the file: it loads and every reported
    write is in it. Raises AssertionError otherwise."""
    from docbao.store.annotations import AnnotationStore

    rfd, wfd = os.pipe()
    pid = fork(writer_loop, str(db), wfd)
    os.close(wfd)
    deadline = time.monotonic() + rng.uniform(0, max_delay)
    buf = b""
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([rfd], [], [], left)
        if ready:
            buf += os.read(rfd, 65536)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status), f"writer exited on its own (status {status}): see its traceback above"
    while chunk := os.read(rfd, 65536):
        buf += chunk
    os.close(rfd)
    lines = buf.split(b"\n")
    reported = [line.decode().split() for line in lines[:-1]]  # the last piece is unfinished (or b"")
    stale = any(p.name.endswith(".tmp") for p in db.parent.iterdir())
    store = AnnotationStore.open(db)  # raises if the file does not load
    notes = {a.id: a.note for a in store.all()}
    missing = [ann_id for kind, ann_id, _ in reported if kind == "a" and ann_id not in notes]
    assert not missing, f"{len(missing)} reported adds lost: {missing[:3]}"
    before = set(_seen.get(str(db), set()))
    new = set(notes) - before
    reported_adds = {ann_id for kind, ann_id, _ in reported if kind == "a"}
    _seen[str(db)] = set(notes)
    last_update: dict[str, int] = {}
    for kind, ann_id, n in reported:
        if kind == "u":
            last_update[ann_id] = int(n)
    for ann_id, n in last_update.items():
        # the note is the last reported one, or a later one written just before the kill
        assert notes[ann_id].startswith("sửa ") and int(notes[ann_id].split()[1]) >= n, (
            f"reported update lost: {ann_id} should have note 'sửa {n}', has {notes[ann_id]!r}")
    store.close()
    return KillRound(len(reported), len(notes), stale, len(new - reported_adds))


_seen: dict[str, set[str]] = {}  # annotation ids present after the previous round, per database


def concurrent_adds(db: Path, processes: int = 2, each: int = 500) -> tuple[int, float]:
    """``processes`` children add ``each`` annotations to one file at once; returns (count, seconds)."""
    from docbao.store.annotations import AnnotationStore

    t0 = time.perf_counter()
    pids = []
    for _ in range(processes):
        pids.append(fork(writer_loop, str(db), -1, each, False))
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"child failed: status {status}"
    elapsed = time.perf_counter() - t0
    return len(AnnotationStore.open(db).all()), elapsed
