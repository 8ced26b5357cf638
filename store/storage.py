"""A TinyDB storage that never loses what it reported as written, and appends instead of rewriting.

TinyDB's own ``JSONStorage`` rewrites the file in place (a crash mid-write leaves half a file), escapes
Vietnamese as ``\\uXXXX`` and knows nothing of other processes. :class:`SafeStorage` keeps two files:

- ``<db>``, the **snapshot**: UTF-8 JSON, one document per line, Vietnamese written as is. It is only ever
  replaced whole: a temporary file in the same folder, fsync, ``os.replace``, fsync of the folder;
- ``<db>.journal``, the **journal**: every committed change since that snapshot, one JSON line per commit,
  appended and fsync'd before the write returns. Its first line names the snapshot it belongs to (a random
  token the snapshot's ``meta`` document holds), so a journal left over from before a compaction is ignored.

Reading is the snapshot with the journal replayed on top; a torn last line (a crash mid-append, never
reported as written) is ignored, and cut off by the next writer. When the journal outgrows a fraction of the
snapshot, the next commit **compacts**: it writes a new snapshot atomically, then starts a new journal. An
add therefore costs one small fsync'd append, not a rewrite of the whole file.

Also:

- an exclusive lock on a sidecar ``<db>.lock`` (``filelock``) for every :meth:`transaction`; the files are
  re-read first if another process changed them (only the new journal lines, when that is all that changed),
  so two processes never lose each other's updates;
- a file that is not valid JSON, not ours, from a newer schema, or whose journal is damaged is refused with a
  one-line :class:`StoreError` naming the file and what to do, and never written to;
- a failed write (disk full, read-only folder, permission denied) is a :class:`StoreError`, with the files as
  they were.

Documents handed out by :meth:`read` flag themselves when changed in place (TinyDB's ``Table.update`` does
that), so such a change is journaled like any other.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

APP = "docbao"
SCHEMA_VERSION = 2  # 2: the snapshot has a journal beside it (1: the snapshot alone, still read)
META_TABLE = "meta"
LOCK_TIMEOUT = 15.0  # seconds to wait for another docbao process to finish its write
JOURNAL_MAGIC = "docbao-journal"
#: compact when the journal is larger than this many bytes and than COMPACT_RATIO × the snapshot
COMPACT_MIN_BYTES = 1 << 20
COMPACT_RATIO = 0.5

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)

# Indirections so tests can simulate a full disk or a refused write without touching the real os module.
_os_write = os.write
_os_fsync = os.fsync
_os_replace = os.replace

Data = dict[str, dict[str, Any]]
Validator = Callable[[str, str, dict[str, Any]], dict[str, Any]]


class StoreError(Exception):
    """Anything that stops the store reading or writing. ``str()`` is one line: the file and what to do."""


class RecordError(ValueError):
    """A record that is not what docbao writes (raised by a validator; the storage names file and record)."""


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


class TrackedDoc(dict):  # type: ignore[type-arg]
    """A stored document that notices being changed in place (``Table.update`` does that)."""

    __slots__ = ("dirty",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dirty = False

    def __setitem__(self, key: Any, value: Any) -> None:
        self.dirty = True
        super().__setitem__(key, value)

    def __delitem__(self, key: Any) -> None:
        self.dirty = True
        super().__delitem__(key)

    def update(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self.dirty = True
        super().update(*args, **kwargs)

    def pop(self, *args: Any) -> Any:  # type: ignore[override]
        self.dirty = True
        return super().pop(*args)

    def popitem(self) -> Any:
        self.dirty = True
        return super().popitem()

    def clear(self) -> None:
        self.dirty = True
        super().clear()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self.dirty = True
        return super().setdefault(key, default)

    def __ior__(self, other: Any) -> TrackedDoc:  # type: ignore[override,misc]
        self.dirty = True
        super().__ior__(other)
        return self


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


def _loads(p: Path, raw: bytes, what: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError(f"{p}: not a docbao database (not UTF-8 text{what}); {_aside(p)}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{p}: not valid JSON{what} (line {exc.lineno}, column {exc.colno}: {exc.msg}), "
                         f"perhaps truncated or damaged; {_aside(p)}") from None
    except RecursionError:
        raise StoreError(f"{p}: not a docbao database (JSON nested too deeply{what}); {_aside(p)}") from None


def parse_bytes(path: Path | str, raw: bytes) -> Data:
    """Parse and check the bytes of a database snapshot. Raises StoreError (never for a valid database)."""
    p = Path(path)
    if not raw.strip():
        raise StoreError(f"{p}: empty file, not a docbao database; {_aside(p)}")
    return check_data(p, _loads(p, raw, ""))


def _dumps(obj: Any) -> bytes:
    text = json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: write it escaped, which json reads back exactly
        return json.dumps(obj, ensure_ascii=True, separators=(", ", ": ")).encode("ascii")


# A lone surrogate can only be in a UTF-8 JSON file as an escape (the bytes of one are not UTF-8).
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _hint(validate: Any, raw: bytes) -> None:
    if validate is not None and hasattr(validate, "scan_unicode"):
        validate.scan_unicode = _ESCAPED_SURROGATE.search(raw) is not None


def _signature(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def meta_document(token: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {"app": APP, "schema_version": SCHEMA_VERSION}
    if token:
        doc["journal"] = token
    return doc


def _meta_token(data: Data) -> str | None:
    meta = data.get(META_TABLE) or {}
    doc = next(iter(meta.values()), None)
    token = doc.get("journal") if isinstance(doc, dict) else None
    return token if isinstance(token, str) else None


def serialize(data: Mapping[str, Mapping[str, Any]]) -> bytes:
    """The snapshot layout: one document per line, ``meta`` first."""
    parts: list[bytes] = [b"{\n"]
    order = [META_TABLE] + [n for n in data if n != META_TABLE]
    first_table = True
    for name in order:
        table = data.get(name)
        if table is None:
            continue
        parts.append((b"" if first_table else b",\n") + _dumps(name) + b": {")
        first_table = False
        first = True
        for doc_id, doc in table.items():
            parts.append(b"\n" if first else b",\n")
            parts.append(_dumps(str(doc_id)) + b": " + _dumps(doc))
            first = False
        parts.append(b"\n}")
    parts.append(b"\n}\n")
    return b"".join(parts)


class SafeStorage(Storage):
    """See the module docstring. ``path=None`` keeps everything in memory (for tests).

    ``validate(table, doc_id, doc)``, if given, sees every document read from the files (not the ones this
    storage writes itself) and returns it, possibly repaired, or raises StoreError.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, durable: bool = True,
                 validate: Validator | None = None) -> None:
        # Write through a symlinked database to its target, so the link stays a link.
        self.path: Path | None = Path(os.path.realpath(Path(path).expanduser())) if path is not None else None
        self.durable = durable  # fsync files and folder (tests of logic alone may turn it off)
        self.validate = validate
        self._data: Data | None = None
        self._committed: dict[str, dict[str, Any]] = {}  # table → the table dict as of the last commit
        self._sig: tuple[int, int, int, int] | None = None  # the snapshot as last read or written
        self._jsig: tuple[int, int] | None = None  # (device, inode) of the journal we follow
        self._jpos = 0  # bytes of the journal read and applied (complete lines only)
        self._jstale = False  # the journal belongs to an older snapshot
        self._jtoken: str | None = None  # the snapshot's journal token
        self._read_state: Any = None  # the files as of the last plain read() or own write
        self._held_fd: int | None = None  # keeps the snapshot's inode alive (see _refresh)
        self._jfd: int | None = None  # the journal, opened for appending, keeps its inode alive
        self._lock: Any = None
        self._rlock = threading.RLock()
        self._depth = 0
        self._dirty = False  # TinyDB wrote data through write(): diff it against _committed
        self._ops: list[list[Any]] = []  # explicit changes (put/delete) of the open transaction
        self._snapshot: Data | None = None
        self._next_ids: dict[str, int] = {}
        self._cleaned = False
        #: bumped whenever the data was (re)loaded from the files: callers holding derived state reset it
        self.generation = 0
        #: count of commits written, full loads, and compactions (for tests and the bench)
        self.writes = 0
        self.loads = 0
        self.compactions = 0
        if self.path is not None:
            self._refresh()
        self._read_state = self._state()

    # -- paths -----------------------------------------------------------------------------------------
    @property
    def lock_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".lock")

    @property
    def journal_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".journal")

    # -- TinyDB Storage API ------------------------------------------------------------------------------
    def read(self) -> Data | None:
        with self._rlock:
            if self._depth == 0:
                self._refresh()
                self._read_state = self._state()
            return self._data

    def write(self, data: Data) -> None:
        if not isinstance(data, dict) or not all(
                isinstance(t, dict) and all(isinstance(d, dict) for d in t.values()) for t in data.values()):
            raise StoreError(f"{self.path or 'memory'}: SafeStorage holds TinyDB tables (an object of tables of "
                             f"documents), not {type(data).__name__} data; nothing was written")
        with self._rlock:
            if self._depth:
                self._data = data
                self._dirty = True
                return
            # A write outside a transaction: only safe if nobody changed the files since our read (or our
            # own last write, which is what the caller's data came from).
            seen = self._read_state
            with self.transaction():
                if self.path is not None and self._state() != seen:
                    raise StoreError(f"{self.path}: changed by another process meanwhile; nothing was "
                                     f"written, try again")
                self._data = data
                self._dirty = True

    def close(self) -> None:
        with self._rlock:
            for attr in ("_held_fd", "_jfd"):
                fd = getattr(self, attr)
                if fd is not None:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                    setattr(self, attr, None)
            self._sig = None
            self._jsig = None

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    # -- explicit changes (cheaper than TinyDB's whole-table rebuild) ------------------------------------
    def next_id(self, table: str) -> int:
        """The next free document id of ``table`` (inside a transaction)."""
        n = self._next_ids.get(table)
        if n is None:
            docs = (self._data or {}).get(table) or {}
            n = max((int(k) for k in docs), default=0) + 1
        self._next_ids[table] = n + 1
        return n

    def put(self, table: str, doc_id: int | str, doc: Mapping[str, Any]) -> None:
        """Set one document (inside a transaction)."""
        assert self._depth, "put() belongs in a transaction"
        if self._data is None:
            self._data = {}
        key = str(doc_id)
        stored = TrackedDoc(doc)
        self._table_for_change(table)[key] = stored
        self._ops.append(["p", table, key, stored])
        if table in self._next_ids and int(key) >= self._next_ids[table]:
            self._next_ids[table] = int(key) + 1

    def delete(self, table: str, doc_id: int | str) -> None:
        """Remove one document, if present (inside a transaction)."""
        assert self._depth, "delete() belongs in a transaction"
        key = str(doc_id)
        docs = (self._data or {}).get(table)
        if docs is None or key not in docs:
            return
        del self._table_for_change(table)[key]
        self._ops.append(["d", table, key])

    def _table_for_change(self, table: str) -> dict[str, Any]:
        assert self._data is not None
        docs = self._data.get(table)
        if docs is None:
            docs = self._data[table] = {}
        return docs

    # -- transactions ----------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the file lock, bring the data up to date once, buffer every write, commit them as one.

        Nested transactions join the outer one. If the body raises, nothing is written and the in-memory
        data is rolled back. If the commit fails, StoreError is raised and the files are as before.
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
                self._ops = []
                # A file-backed store rolls back by re-reading the files; only memory needs a snapshot.
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
                        if (self._dirty or self._ops) and ok:
                            self._commit()
                        elif self._dirty or self._ops:
                            self._rollback()
                    except BaseException:
                        self._rollback()
                        raise
                    finally:
                        self._dirty = False
                        self._ops = []
                        self._snapshot = None
                        self._release()

    @staticmethod
    def _copy(data: Data | None) -> Data | None:
        if data is None:
            return None
        return {name: {k: TrackedDoc(d) for k, d in table.items()} for name, table in data.items()}

    def _rollback(self) -> None:
        if self.path is None:
            self._data = self._snapshot
            self._committed = dict(self._data or {})
        else:  # forget what we have: the next read takes the files as they are
            self._forget()
        self._next_ids.clear()
        self.generation += 1

    # -- reading -----------------------------------------------------------------------------------------
    def _state(self) -> Any:
        return (self._sig, self._jsig, self._jpos)

    def _refresh(self) -> None:
        """Make ``_data`` the content of the files, re-reading only what changed."""
        if self.path is None:
            return
        p = self.path
        try:
            st = os.stat(p)
        except FileNotFoundError:
            if self._sig is not None or self._data is not None:
                self._forget()
                self.generation += 1
            return
        except OSError as exc:
            raise StoreError(f"{p}: cannot read it: {_errno_advice(exc)}") from None
        if self._sig is not None and _signature(st) == self._sig:
            self._follow_journal()
            return
        if not stat.S_ISREG(st.st_mode):
            raise StoreError(f"{p}: not a file (a folder?); use --db PATH with a file name")
        self._load()

    def _load(self) -> None:
        assert self.path is not None
        p = self.path
        try:
            fd = os.open(p, os.O_RDONLY | _O_CLOEXEC | _O_BINARY)
        except FileNotFoundError:
            self._forget()
            return
        except OSError as exc:
            raise StoreError(f"{p}: cannot read it: {_errno_advice(exc)}") from None
        try:
            fst = os.fstat(fd)
            raw = _read_all(fd)
            data = parse_bytes(p, raw)
            _hint(self.validate, raw)
            self._jstale = False
            token = _meta_token(data)
            tables: Data = {}
            for name, docs in data.items():
                if name != META_TABLE:  # docbao's own: kept apart, TinyDB never sees it as a table
                    tables[name] = {k: self._checked(name, k, d) for k, d in docs.items()}
            journal = self._read_journal(token, 0, None, tables)
            assert journal is not None
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"{p}: cannot read it: {_errno_advice(exc)}") from None
        except BaseException:
            os.close(fd)
            raise
        stale = self._jstale
        self._forget()
        self._jstale = stale
        self._hold(fd)
        self._sig = _signature(fst)
        self._jtoken = token
        self._jsig, self._jpos, _ = journal
        self._data = tables
        self._committed = dict(tables)
        self.loads += 1
        self.generation += 1

    def _checked(self, table: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        if self.validate is not None and table != META_TABLE:
            try:
                doc = self.validate(table, key, doc)
            except RecordError as exc:
                assert self.path is not None
                raise StoreError(f"{self.path}: damaged database ({table} record {key}: {exc}); "
                                 f"{_aside(self.path)}") from None
        return TrackedDoc(doc)

    def _follow_journal(self) -> None:
        """The snapshot is unchanged: apply the journal lines other processes appended since."""
        jp = self.journal_path
        assert jp is not None
        try:
            jst = os.stat(jp)
        except FileNotFoundError:
            if self._jsig is not None:  # our journal vanished (by hand?): take the files again
                self._load()
            return
        except OSError as exc:
            raise StoreError(f"{jp}: cannot read it: {_errno_advice(exc)}") from None
        if self._jsig == (jst.st_dev, jst.st_ino) and jst.st_size == self._jpos:
            return
        if self._jsig != (jst.st_dev, jst.st_ino) or jst.st_size < self._jpos or self._data is None:
            self._load()  # a new journal under an unchanged snapshot: start again from the snapshot
            return
        result = self._read_journal(self._jtoken, self._jpos, self._jsig, self._data)
        if result is None:
            self._load()
            return
        self._jsig, self._jpos, changed = result
        if changed:
            self._committed = dict(self._data)
            self._next_ids.clear()
            self.generation += 1

    def _read_journal(self, token: str | None, start: int, expect: tuple[int, int] | None,
                      target: Data) -> tuple[tuple[int, int] | None, int, int] | None:
        """Apply the journal's complete lines from byte ``start`` to ``target``. Returns the journal's
        (device, inode), the bytes applied and the number of changes, or None if the journal is no longer
        the one expected."""
        jp = self.journal_path
        assert jp is not None and self.path is not None
        try:
            fd = os.open(jp, os.O_RDONLY | _O_CLOEXEC | _O_BINARY)
        except FileNotFoundError:
            return (None, 0, 0) if expect is None else None
        try:
            jst = os.fstat(fd)
            if expect is not None and (jst.st_dev, jst.st_ino) != expect:
                return None
            if start:
                os.lseek(fd, start, os.SEEK_SET)
            raw = _read_all(fd)
        finally:
            os.close(fd)
        sig = (jst.st_dev, jst.st_ino)
        _hint(self.validate, raw)
        end = raw.rfind(b"\n") + 1  # a torn last line (a crash mid-append) is not applied
        pos = start
        changed = 0
        for line in raw[:end].split(b"\n")[:-1]:
            where = f" (its journal, the line at byte {pos})"
            record = _loads(self.path, line, where)
            if pos == 0:
                if not (isinstance(record, dict) and record.get(JOURNAL_MAGIC) == 1):
                    raise StoreError(f"{self.path}: damaged database (its journal {jp.name} does not start "
                                     f"with a docbao journal header); {_aside(self.path)}")
                if record.get("base") != token:
                    # From before the last compaction (a crash between the two renames): already in the
                    # snapshot. Skipped whole; the next write compacts, which replaces it.
                    self._jstale = True
                    return sig, start + len(raw), 0
                self._jstale = False
            else:
                changed += self._apply(record, target, where)
            pos += len(line) + 1
        return sig, start + end, changed

    def _apply(self, record: Any, target: Data, where: str) -> int:
        assert self.path is not None
        p = self.path
        bad = f"{p}: damaged database{where}; {_aside(p)}"
        ops = record.get("ops") if isinstance(record, dict) else None
        if not isinstance(ops, list):
            raise StoreError(bad)
        for op in ops:
            if not (isinstance(op, list) and len(op) >= 2 and isinstance(op[0], str) and isinstance(op[1], str)):
                raise StoreError(bad)
            kind, table = op[0], op[1]
            if kind == "x":
                target.pop(table, None)
                continue
            if kind == "t":
                target[table] = {}
                continue
            if len(op) < 3 or not isinstance(op[2], str) or not (op[2].isascii() and op[2].isdigit()):
                raise StoreError(bad)
            docs = target.setdefault(table, {})
            if kind == "p" and len(op) == 4 and isinstance(op[3], dict):
                docs[op[2]] = self._checked(table, op[2], op[3])
            elif kind == "d" and len(op) == 3:
                docs.pop(op[2], None)
            else:
                raise StoreError(bad)
        return len(ops)

    def _forget(self) -> None:
        self._hold(None)
        if self._jfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._jfd)
            self._jfd = None
        self._sig = None
        self._jsig = None
        self._jpos = 0
        self._jstale = False
        self._jtoken = None
        self._data = None
        self._committed = {}
        self._next_ids.clear()

    def _hold(self, fd: int | None) -> None:
        if self._held_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._held_fd)
        self._held_fd = fd

    # -- locking -----------------------------------------------------------------------------------------
    def _acquire(self) -> None:
        if self.path is None:
            return
        lock_path = self.lock_path
        assert lock_path is not None
        if self._lock is None:
            from filelock import FileLock

            try:
                self._mkdir()
            except OSError as exc:
                raise StoreError(f"{lock_path}: cannot create the lock file next to the database: "
                                 f"{_errno_advice(exc)}") from None
            self._lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT, thread_local=False,
                                  preserve_lock_file=True)
        from filelock import Timeout

        try:
            self._lock.acquire()
        except Timeout:
            raise StoreError(f"{self.path}: another docbao process has held its lock for "
                             f"{LOCK_TIMEOUT:.0f} s; close it or try again") from None
        except OSError as exc:
            raise StoreError(f"{lock_path}: cannot lock: {_errno_advice(exc)}") from None

    def _release(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(Exception):
                self._lock.release()

    def _mkdir(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)

    # -- writing -----------------------------------------------------------------------------------------
    def _changes(self) -> list[list[Any]]:
        """The ops of this transaction: the explicit ones, plus a diff of what TinyDB wrote."""
        if not self._dirty:
            return self._ops
        data = self._data if self._data is not None else {}
        ops: list[list[Any]] = list(self._ops)
        for name in self._committed:
            if name not in data and name != META_TABLE:
                ops.append(["x", name])
        for name, new in data.items():
            if name == META_TABLE:
                continue
            old = self._committed.get(name)
            if old is None:
                old = {}
                ops.append(["t", name])
            if new is not old:
                ops.extend(["d", name, key] for key in old if key not in new)
            for key, doc in new.items():
                if old.get(key) is not doc or not isinstance(doc, TrackedDoc) or doc.dirty:
                    stored = doc if isinstance(doc, TrackedDoc) else TrackedDoc(doc)
                    new[key] = stored
                    ops.append(["p", name, str(key), stored])
        self._next_ids.clear()
        return ops

    def _commit(self) -> None:
        ops = self._changes()
        data = self._data if self._data is not None else {}
        self._data = data
        if self.path is None:  # nothing to mark as docbao's: there is no file
            self._committed = dict(data)
            self._settle(ops)
            return
        if not ops and self._sig is not None:
            self._settle(ops)
            return
        if self._sig is None or self._jsig is None or self._jstale or self._needs_compaction():
            self._compact(data)
        else:
            self._append({"ops": ops})
        self._committed = dict(data)
        self._settle(ops)
        self.writes += 1
        self._read_state = self._state()

    @staticmethod
    def _settle(ops: list[list[Any]]) -> None:
        for op in ops:
            if op[0] == "p":
                op[3].dirty = False

    def _needs_compaction(self) -> bool:
        assert self._sig is not None  # _commit compacts when there is no snapshot yet
        snapshot = self._sig[2]
        return self._jpos > COMPACT_MIN_BYTES and self._jpos > COMPACT_RATIO * snapshot

    def _append(self, record: dict[str, Any]) -> None:
        jp = self.journal_path
        assert jp is not None and self.path is not None
        payload = _dumps(record) + b"\n"
        try:
            if self._jfd is None:
                self._jfd = os.open(jp, os.O_WRONLY | _O_CLOEXEC | _O_BINARY)
            st = os.fstat(self._jfd)
            if st.st_size != self._jpos:  # a torn line left by a crashed writer: cut it off first
                os.ftruncate(self._jfd, self._jpos)
            os.lseek(self._jfd, self._jpos, os.SEEK_SET)
            view = memoryview(payload)
            while view:
                n = _os_write(self._jfd, view)
                view = view[n:]
            if self.durable:
                _os_fsync(self._jfd)
        except OSError as exc:
            fd = self._jfd
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, self._jpos)
            raise StoreError(f"{self.path}: could not save; the previous file is intact: "
                             f"{_errno_advice(exc)}") from None
        self._jpos += len(payload)

    def _compact(self, data: Data) -> None:
        """Write the whole data as a new snapshot (atomically), then start a new journal for it."""
        assert self.path is not None
        token = secrets.token_hex(8)
        tables = {name: docs for name, docs in data.items() if name != META_TABLE}
        header = _dumps({JOURNAL_MAGIC: 1, "base": token}) + b"\n"
        snap_fd = self._atomic_write(self.path, serialize({META_TABLE: {"1": meta_document(token)}, **tables}),
                                     hold=True)
        jp = self.journal_path
        assert jp is not None
        jfd = self._atomic_write(jp, header, hold=True, after_failure="the database is saved")
        self._hold(snap_fd)
        self._sig = _signature(os.fstat(snap_fd))
        if self._jfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._jfd)
        self._jfd = jfd
        jst = os.fstat(jfd)
        self._jsig = (jst.st_dev, jst.st_ino)
        self._jpos = len(header)
        self._jtoken = token
        self._jstale = False
        self.compactions += 1

    def _atomic_write(self, p: Path, payload: bytes, *, hold: bool,
                      after_failure: str = "the previous file is intact") -> int:
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
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_BINARY, 0o666)
        except OSError as exc:
            raise StoreError(f"{p}: could not save (nothing was changed): {_errno_advice(exc)}") from None
        try:
            view = memoryview(payload)
            while view:
                n = _os_write(fd, view)
                view = view[n:]
            if mode is not None and hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            if self.durable:
                _os_fsync(fd)
            _os_replace(tmp, p)
        except OSError as exc:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StoreError(f"{p}: could not save; {after_failure}: {_errno_advice(exc)}") from None
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        if self.durable:
            self._fsync_folder(folder)
        if not hold:
            os.close(fd)
            return -1
        return fd

    @staticmethod
    def _fsync_folder(folder: Path) -> None:
        try:
            dfd = os.open(folder, os.O_RDONLY | _O_CLOEXEC)
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
        prefixes = (f".{self.path.name}.",)
        try:
            names = os.listdir(self.path.parent)
        except OSError:
            return
        for name in names:
            if name.startswith(prefixes) and name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    os.unlink(self.path.parent / name)


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
