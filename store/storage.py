"""A TinyDB storage that never loses what it reported as written.

TinyDB's own ``JSONStorage`` rewrites the file in place (a crash mid-write leaves half a file), escapes
Vietnamese as ``\\uXXXX`` and knows nothing of other processes. :class:`SafeStorage` instead:

- writes a temporary file in the same folder, fsyncs it, ``os.replace``s it over the database and fsyncs
  the folder: readers see the old file or the new one, never half of one, and a write that returned is on
  disk;
- takes an exclusive ``fcntl.flock`` on a sidecar ``<db>.lock`` for every :meth:`transaction` and re-reads
  the file first if another process changed it, so two processes never lose each other's updates;
- refuses a file that is not valid JSON, not ours, or from a newer schema, with a one-line
  :class:`StoreError` naming the file and what to do, and never writes over such a file;
- reports a failed write (disk full, read-only folder, permission denied) as a :class:`StoreError`, with
  the previous file intact.

The file is UTF-8 JSON, one document per line, Vietnamese written as is::

    {
    "meta": {
    "1": {"app": "docbao", "schema_version": 1}
    },
    "annotations": {
    "1": {"id": "…", "article": {…}, "target": {…}, "tags": ["chính trị"], …}
    }
    }

Cheap re-reads: the storage keeps the descriptor of the file it last read or wrote open, so the inode
number cannot be reused by another file while we hold it; if a ``stat`` of the path shows the same device,
inode, size and mtime, the cached data is current. Writes go through a per-document serialisation cache
keyed by identity, which relies on one rule: **a stored document is never mutated in place** (TinyDB's
``Table.update`` does that; the annotation store replaces documents with ``remove`` + ``insert``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

APP = "docbao"
SCHEMA_VERSION = 1
META_TABLE = "meta"
LOCK_TIMEOUT = 15.0  # seconds to wait for another docbao process to finish its write

# Indirections so tests can simulate a full disk or a refused write without touching the real os module.
_os_write = os.write
_os_fsync = os.fsync
_os_replace = os.replace

Data = dict[str, dict[str, Any]]


class StoreError(Exception):
    """Anything that stops the store reading or writing. ``str()`` is one line: the file and what to do."""


_ASIDE = ("the file was left untouched; move it aside (for example to {name}.broken) to start a new "
          "database there, restore it from a backup, or use --db PATH or DOCBAO_DB for another file")


def _aside(path: Path) -> str:
    return _ASIDE.format(name=path.name)


def _errno_advice(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return "the disk is full; free some space and try again"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; check the permissions of the file and its folder, or use --db PATH"
    if exc.errno == errno.EROFS:
        return "the file system is read-only; use --db PATH to keep annotations somewhere writable"
    return f"{exc.strerror or exc}; try again, or use --db PATH for another file"


def check_data(path: Path | str, data: Any) -> Data:
    """Check that parsed JSON is a docbao database this version can read; return it. Raises StoreError."""
    p = Path(path)
    if not isinstance(data, dict):
        raise StoreError(f"{p}: not a docbao database (the top level is not a JSON object); {_aside(p)}")
    for name, table in data.items():
        if not isinstance(table, dict) or not all(isinstance(d, dict) for d in table.values()):
            raise StoreError(f"{p}: not a docbao database (table {name!r} is not a TinyDB table); "
                             f"{_aside(p)}")
        for key in table:
            if not (key.isascii() and key.isdigit()):
                raise StoreError(f"{p}: damaged database (table {name!r} has a document id {key!r} that is "
                                 f"not a number); {_aside(p)}")
    meta = data.get(META_TABLE)
    doc = next(iter(meta.values()), None) if meta else None
    if doc is None or doc.get("app") != APP:
        raise StoreError(f"{p}: not a docbao database (no docbao 'meta' table); {_aside(p)}")
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise StoreError(f"{p}: damaged database (meta.schema_version is {version!r}); {_aside(p)}")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{p}: written by a newer docbao (database schema {version}; this docbao reads "
                         f"up to {SCHEMA_VERSION}); the file was left untouched: upgrade docbao, or use "
                         f"--db PATH for another file")
    return data


def parse_bytes(path: Path | str, raw: bytes) -> Data:
    """Parse and check the bytes of a database file. Raises StoreError (never for a valid database)."""
    p = Path(path)
    if not raw.strip():
        raise StoreError(f"{p}: empty file, not a docbao database; {_aside(p)}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{p}: not a docbao database (not UTF-8 text); {_aside(p)}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}), perhaps "
                         f"truncated or damaged; {_aside(p)}") from None
    except RecursionError:
        raise StoreError(f"{p}: not a docbao database (JSON nested too deeply); {_aside(p)}") from None
    return check_data(p, data)


def _dumps(obj: Any) -> bytes:
    text = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: write it escaped, which json reads back exactly
        return json.dumps(obj, ensure_ascii=True, separators=(", ", ": ")).encode("ascii")


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def meta_document() -> dict[str, Any]:
    return {"app": APP, "schema_version": SCHEMA_VERSION}


class SafeStorage(Storage):
    """See the module docstring. ``path=None`` keeps everything in memory (for tests)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, durable: bool = True) -> None:
        # Write through a symlinked database to its target, so the link stays a link.
        self.path: Path | None = Path(os.path.realpath(Path(path).expanduser())) if path is not None else None
        self.durable = durable  # fsync file and folder (tests of logic alone may turn it off)
        self._data: Data | None = None
        self._sig: tuple[int, int, int, int] | None = None
        self._read_sig: tuple[int, int, int, int] | None = None  # the file as of the last plain read()
        self._held_fd: int | None = None  # keeps the inode of the cached file alive (see module doc)
        self._lock_fd: int | None = None
        self._rlock = threading.RLock()
        self._depth = 0
        self._dirty = False
        self._snapshot: Data | None = None
        self._ser: dict[int, tuple[dict[str, Any], bytes]] = {}
        self._cleaned = False
        #: bumped whenever the data was (re)loaded from the file: callers holding derived state reset it
        self.generation = 0
        #: count of file writes and of full re-reads (for tests and the bench)
        self.writes = 0
        self.loads = 0
        if self.path is not None:
            self._refresh()

    # -- TinyDB Storage API ------------------------------------------------------------------------------
    def read(self) -> Data | None:
        with self._rlock:
            if self._depth == 0:
                self._refresh()
                self._read_sig = self._sig
            return self._data

    def write(self, data: Data) -> None:
        with self._rlock:
            if self._depth:
                self._data = data
                self._dirty = True
                return
            # A write outside a transaction: only safe if nobody changed the file since our read.
            with self.transaction():
                if self.path is not None and self._sig != self._read_sig:
                    raise StoreError(f"{self.path}: changed by another process meanwhile; nothing was "
                                     f"written, try again")
                self._data = data
                self._dirty = True

    def close(self) -> None:
        with self._rlock:
            for attr in ("_held_fd", "_lock_fd"):
                fd = getattr(self, attr)
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                    setattr(self, attr, None)
            self._sig = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    # -- transactions ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the file lock, read the current file once, buffer every write, commit them as one.

        Nested transactions join the outer one. If the body raises, nothing is written and the in-memory
        data is rolled back. If the commit fails, StoreError is raised and the file is as before.
        """
        with self._rlock:
            outer = self._depth == 0
            if outer:
                self._acquire()
                try:
                    self._refresh()
                except BaseException:
                    self._release()
                    raise
                self._dirty = False
                # A file-backed store rolls back by re-reading the file; only memory needs a snapshot.
                self._snapshot = self._copy(self._data) if self.path is None else None
            self._depth += 1
            ok = False
            try:
                yield
                ok = True
            finally:
                self._depth -= 1
                if outer:
                    try:
                        if self._dirty and ok:
                            self._commit()
                        elif self._dirty:
                            self._rollback()
                    except BaseException:
                        self._rollback()
                        raise
                    finally:
                        self._dirty = False
                        self._snapshot = None
                        self._release()

    @staticmethod
    def _copy(data: Data | None) -> Data | None:
        # Documents are never mutated in place, so copying the two outer levels is a full snapshot.
        return None if data is None else {name: dict(table) for name, table in data.items()}

    def _rollback(self) -> None:
        if self.path is None:
            self._data = self._snapshot
        else:  # forget what we have: the next read takes the file as it is
            self._data = None
            self._sig = None
            self._ser.clear()
        self.generation += 1

    # -- reading -----------------------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Make ``_data`` the content of the file, re-reading it only if it changed."""
        if self.path is None:
            return
        p = self.path
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if self._sig is not None or self._data is not None:
                self._forget()
            return
        except OSError as exc:
            raise StoreError(f"{p}: cannot read it: {_errno_advice(exc)}") from None
        if self._sig is not None and _signature(st) == self._sig:
            return
        if not stat.S_ISREG(st.st_mode):
            raise StoreError(f"{p}: not a file (a folder?); use --db PATH with a file name")
        try:
            fd = os.open(p, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            self._forget()
            return
        except OSError as exc:
            raise StoreError(f"{p}: cannot read it: {_errno_advice(exc)}") from None
        try:
            fst = os.fstat(fd)
            chunks = []
            while True:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
            data = parse_bytes(p, b"".join(chunks))
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"{p}: cannot read it: {_errno_advice(exc)}") from None
        except BaseException:
            os.close(fd)
            raise
        self._hold(fd)
        self._sig = _signature(fst)
        self._data = data
        self._ser.clear()
        self.loads += 1
        self.generation += 1

    def _forget(self) -> None:
        self._hold(None)
        self._sig = None
        self._data = None
        self._ser.clear()
        self.generation += 1

    def _hold(self, fd: int | None) -> None:
        if self._held_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._held_fd)
        self._held_fd = fd

    # -- locking -----------------------------------------------------------------------------------------
    @property
    def lock_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".lock")

    def _acquire(self) -> None:
        if self.path is None:
            return
        lock_path = self.lock_path
        assert lock_path is not None
        if self._lock_fd is None:
            try:
                self._mkdir()
                self._lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError as exc:
                raise StoreError(f"{lock_path}: cannot create the lock file next to the database: "
                                 f"{_errno_advice(exc)}") from None
        deadline = time.monotonic() + LOCK_TIMEOUT
        delay = 0.0005
        while True:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(f"{self.path}: another docbao process has held its lock for "
                                     f"{LOCK_TIMEOUT:.0f} s; close it or try again") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.02)
            except OSError as exc:
                raise StoreError(f"{lock_path}: cannot lock: {_errno_advice(exc)}") from None

    def _release(self) -> None:
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _mkdir(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)

    # -- writing -----------------------------------------------------------------------------------------
    def _commit(self) -> None:
        data = self._data if self._data is not None else {}
        if not data.get(META_TABLE):
            data[META_TABLE] = {"1": meta_document()}
        self._data = data
        if self.path is None:
            return
        payload = self._serialize(data)
        self._atomic_write(payload)
        self.writes += 1

    def _serialize(self, data: Data) -> bytes:
        """One document per line; unchanged documents reuse their bytes from the last write."""
        old = self._ser
        new: dict[int, tuple[dict[str, Any], bytes]] = {}
        parts: list[bytes] = [b"{\n"]
        order = [META_TABLE] + [n for n in data if n != META_TABLE]
        for ti, name in enumerate(order):
            table = data.get(name)
            if table is None:
                continue
            parts.append((b",\n" if ti else b"") + _dumps(name) + b": {")
            first = True
            for doc_id, doc in table.items():
                key = id(doc)
                hit = old.get(key)
                enc = hit[1] if hit is not None and hit[0] is doc else _dumps(doc)
                new[key] = (doc, enc)
                parts.append(b"\n" if first else b",\n")
                parts.append(b'"' + str(doc_id).encode("ascii") + b'": ')
                parts.append(enc)
                first = False
            parts.append(b"\n}")
        parts.append(b"\n}\n")
        self._ser = new
        return b"".join(parts)

    def _atomic_write(self, payload: bytes) -> None:
        p = self.path
        assert p is not None
        folder = p.parent
        try:
            self._mkdir()
        except OSError as exc:
            raise StoreError(f"{p}: cannot create its folder: {_errno_advice(exc)}") from None
        if not self._cleaned:
            self._clean_stale_temp_files()
        tmp = folder / f".{p.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
        try:
            mode = stat.S_IMODE(os.stat(p).st_mode)
        except OSError:
            mode = None
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
        except OSError as exc:
            raise StoreError(f"{p}: could not save (nothing was changed): {_errno_advice(exc)}") from None
        try:
            view = memoryview(payload)
            while view:
                n = _os_write(fd, view)
                view = view[n:]
            if mode is not None:
                os.fchmod(fd, mode)
            if self.durable:
                _os_fsync(fd)
            _os_replace(tmp, p)
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StoreError(f"{p}: could not save; the previous file is intact: "
                             f"{_errno_advice(exc)}") from None
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if self.durable:
            self._fsync_folder(folder)
        fst = os.fstat(fd)
        self._hold(fd)
        self._sig = _signature(fst)

    @staticmethod
    def _fsync_folder(folder: Path) -> None:
        try:
            dfd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return
        try:
            _os_fsync(dfd)
        except OSError:
            pass  # some file systems refuse fsync on a folder; the rename itself has happened
        finally:
            os.close(dfd)

    def _clean_stale_temp_files(self) -> None:
        """Remove temporary files left by a writer that died mid-write (we hold the lock: none is live)."""
        assert self.path is not None
        self._cleaned = True
        prefix = f".{self.path.name}."
        try:
            names = os.listdir(self.path.parent)
        except OSError:
            return
        for name in names:
            if name.startswith(prefix) and name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    os.unlink(self.path.parent / name)
