"""The user's annotations, entity corrections, reading state and feeds: :class:`AnnotationStore`.

Everything goes in and out as the frozen dataclasses below; TinyDB documents never leave this module.
Every write is one locked, atomic, fsync'd replacement of the file (see :mod:`store.storage`), done before
the method returns, so a write that returned survives a crash, and two processes never lose each other's.

Offsets are code points into the article's NFC text, ``end`` exclusive.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.table import Document, Table

from docbao.analysis.lexicon import GLOBAL, Lexicon, LexiconEntry
from docbao.analysis.spans import LABELS
from docbao.store.anchoring import ARTICLE, ORPHAN, Placement, Target, anchor, make_target
from docbao.store.articles import Article, has_surrogate, repair_text
from docbao.store.storage import RecordError, SafeStorage, StoreError

__all__ = [
    "Anchored",
    "Annotation",
    "AnnotationStore",
    "ArticleRef",
    "Correction",
    "Feed",
    "MergeResult",
    "ReadingState",
    "StoreError",
    "Target",
    "normalize_note",
    "normalize_tags",
    "now_iso",
    "repair_text",
]

ANNOTATIONS, CORRECTIONS, READING, FEEDS = "annotations", "corrections", "reading", "feeds"
#: a feed remembers at most this many items (the newest): far more than any feed lists at once
MAX_FEED_ITEMS = 5000


@dataclass(frozen=True)
class ArticleRef:
    """The article an annotation belongs to, as it was when annotated."""

    id: str
    title: str
    source: str
    text_sha256: str


@dataclass(frozen=True)
class Annotation:
    id: str
    article: ArticleRef
    target: Target | None  # None: the whole article
    tags: tuple[str, ...]
    note: str
    created: str  # ISO 8601, UTC
    updated: str


@dataclass(frozen=True)
class Anchored:
    """An annotation placed in an article's current text."""

    annotation: Annotation
    start: int | None
    end: int | None
    status: str  # "exact" | "moved" | "fuzzy" | "orphan" | "article"


@dataclass(frozen=True)
class Correction:
    id: str
    surface: str
    label: str | None  # PER / LOC / ORG / MISC, None = "not an entity"
    scope: str  # "global" or an article id
    created: str


@dataclass(frozen=True)
class ReadingState:
    article_id: str
    position: int
    opened: str | None
    read: bool


@dataclass(frozen=True)
class Feed:
    """A feed the user follows (RSS or Atom). ``items`` maps each item already fetched (its guid, else its
    link) to the id of its article in the library, in the order they came; ``etag`` and ``last_modified``
    make the next refresh a conditional GET; ``error`` is why the last refresh failed ("" if it did not)."""

    id: str
    url: str
    title: str = ""
    site: str = ""  # the site's home page, as the feed gives it
    added: str = ""  # when it was followed (ISO 8601, UTC)
    checked: str | None = None  # when it was last refreshed
    etag: str = ""
    last_modified: str = ""
    error: str = ""
    items: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.title or self.url


@dataclass(frozen=True)
class MergeResult:
    """What :meth:`AnnotationStore.merge` did, by annotation (and correction) id."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    corrections_added: int = 0
    corrections_updated: int = 0
    corrections_unchanged: int = 0
    reading_added: int = 0
    reading_updated: int = 0
    reading_unchanged: int = 0
    feeds_added: int = 0
    feeds_updated: int = 0
    feeds_unchanged: int = 0


# -- small helpers -----------------------------------------------------------------------------------------
def format_time(dt: datetime) -> str:
    """A time as docbao stores it: UTC, ISO 8601 with microseconds and a Z, so it sorts as a string."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_iso() -> str:
    """The current UTC time, ISO 8601 with microseconds and a Z: sortable as a string."""
    return format_time(datetime.now(UTC))


def later_than(previous: str) -> str:
    """Now, or just after ``previous`` if that is later (a clock behind, or a time from another machine)."""
    now = datetime.now(UTC)
    try:
        prev = parse_time(previous)
    except ValueError:
        return format_time(now)
    return format_time(max(now, prev + timedelta(microseconds=1)))


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time (naive times are taken as UTC). Raises ValueError."""
    dt = datetime.fromisoformat(value)
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def normalize_tags(tags: Iterable[str] | str) -> tuple[str, ...]:
    """Trimmed (inner runs of white space become one space), case-preserving, de-duplicated
    case-insensitively keeping the first spelling; empty tags dropped."""
    if isinstance(tags, str):
        tags = (tags,)
    out: list[str] = []
    seen: set[str] = set()
    for raw in tags:
        if not isinstance(raw, str):
            raise StoreError(f"a tag must be text, not {type(raw).__name__}")
        tag = " ".join(_nfc(_check_text(raw, "a tag")).split())
        key = tag.casefold()
        if tag and key not in seen:
            seen.add(key)
            out.append(tag)
    return tuple(out)


def _check_text(s: str, what: str) -> str:
    if has_surrogate(s):
        raise StoreError(f"{what} contains invalid Unicode (an unpaired surrogate)")
    return s


def normalize_note(note: str) -> str:
    if not isinstance(note, str):
        raise StoreError(f"a note must be text, not {type(note).__name__}")
    return _nfc(_check_text(note, "the note")).strip()


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


# -- documents <-> dataclasses -----------------------------------------------------------------------------
def target_doc(t: Target | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"start": t.start, "end": t.end, "exact": t.exact, "prefix": t.prefix, "suffix": t.suffix}


def annotation_doc(a: Annotation) -> dict[str, Any]:
    """The stored (and exported) form of an annotation."""
    return {
        "id": a.id,
        "article": {"id": a.article.id, "title": a.article.title, "source": a.article.source,
                    "text_sha256": a.article.text_sha256},
        "target": target_doc(a.target),
        "tags": list(a.tags),
        "note": a.note,
        "created": a.created,
        "updated": a.updated,
    }


def _annotation(doc: Mapping[str, Any]) -> Annotation:
    """A stored record (checked when it was read from the file, or written by this API) as a dataclass."""
    art = doc["article"]
    t = doc.get("target")
    target = None if t is None else Target(t["start"], t["end"], t["exact"], t.get("prefix") or "",
                                           t.get("suffix") or "")
    created = doc["created"]
    return Annotation(
        id=doc["id"],
        article=ArticleRef(art["id"], art.get("title") or "", art.get("source") or "",
                           art.get("text_sha256") or ""),
        target=target,
        tags=tuple(doc.get("tags") or ()),
        note=doc.get("note") or "",
        created=created,
        updated=doc.get("updated") or created,
    )


def _correction(doc: Mapping[str, Any]) -> Correction:
    return Correction(doc["id"], doc["surface"], doc.get("label"), doc.get("scope") or GLOBAL, doc["created"])


def reading_doc(st: ReadingState) -> dict[str, Any]:
    """The stored (and exported) form of a reading state."""
    return {"article_id": st.article_id, "position": st.position, "opened": st.opened, "read": st.read}


def correction_doc(c: Correction) -> dict[str, Any]:
    return {"id": c.id, "surface": c.surface, "label": c.label, "scope": c.scope, "created": c.created}


def _reading(doc: Mapping[str, Any]) -> ReadingState:
    return ReadingState(doc["article_id"], doc.get("position") or 0, doc.get("opened"), doc.get("read") or False)


def feed_doc(f: Feed, *, export: bool = False) -> dict[str, Any]:
    """The stored form of a feed; ``export``: without what only this machine needs (the conditional-GET
    validators, the last check and its error)."""
    doc: dict[str, Any] = {"id": f.id, "url": f.url, "title": f.title, "site": f.site, "added": f.added}
    if not export:
        doc.update(checked=f.checked, etag=f.etag, last_modified=f.last_modified, error=f.error)
    doc["items"] = dict(f.items)
    return doc


def validate_label(label: str | None) -> str | None:
    if label is None:
        return None
    if label not in LABELS:
        raise StoreError(f"unknown entity label {label!r}; use one of {', '.join(LABELS)}, or none for "
                         f"'not an entity'")
    return label


def _sort_key(a: Anchored) -> tuple[int, int, int, str, str]:
    group = 0 if a.start is not None else (1 if a.status == ARTICLE else 2)
    return (group, a.start if a.start is not None else 0, a.end if a.end is not None else 0,
            a.annotation.created, a.annotation.id)

# -- record checks: the same rules on load and on import (what docbao exports, docbao imports) -------------
def _repair(obj: Any) -> tuple[Any, bool]:
    if isinstance(obj, str):
        fixed = repair_text(obj)
        return fixed, fixed is not obj
    if isinstance(obj, dict):
        out, changed = {}, False
        for k, v in obj.items():
            k2, c1 = _repair(k)
            v2, c2 = _repair(v)
            out[k2] = v2
            changed = changed or c1 or c2
        return (out, True) if changed else (obj, False)
    if isinstance(obj, list):
        items = [_repair(v) for v in obj]
        if any(c for _, c in items):
            return [v for v, _ in items], True
        return obj, False
    return obj, False


def _kind(v: Any) -> str:
    return "null" if v is None else {bool: "true/false", int: "a number", float: "a number", str: "text",
                                     list: "a list", dict: "an object"}.get(type(v), type(v).__name__)


def _text(doc: Mapping[str, Any], key: str, *, required: bool = False, nonempty: bool = False,
          default: str = "") -> str:
    if key not in doc or (doc[key] is None and not required):
        if required:
            raise RecordError(f"no {key!r}")
        return default
    v = doc[key]
    if not isinstance(v, str):
        raise RecordError(f"{key} is {v!r}, not text" if not isinstance(v, (dict, list)) else
                          f"{key} is {_kind(v)}, not text")
    if nonempty and not v.strip():
        raise RecordError(f"{key} is empty")
    return v


def _int(doc: Mapping[str, Any], key: str) -> int:
    v = doc.get(key)
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise RecordError(f"{key} is {v!r}, not a whole number of characters from 0 up")
    return v


_OWN_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def check_time(value: Any, key: str) -> str:
    """A time as docbao writes it (UTC, microseconds, Z), from any ISO 8601 time. Raises RecordError."""
    if not isinstance(value, str):
        raise RecordError(f"{key} is {value!r}, not an ISO 8601 time")
    try:
        dt = parse_time(value)
        if _OWN_TIME.fullmatch(value):
            return value  # already in docbao's form (the usual case: no formatting needed)
        return format_time(dt)
    except (ValueError, OverflowError):
        raise RecordError(f"{key} is {value!r}, not an ISO 8601 time") from None


def check_target(t: Any) -> Target | None:
    if t is None:
        return None
    if not isinstance(t, dict):
        raise RecordError(f"target is {_kind(t)}, not an object or null")
    start, end = _int(t, "start"), _int(t, "end")
    exact = _text(t, "exact", required=True)
    if not start < end:
        raise RecordError(f"target start {start} and end {end} do not make a span")
    if len(exact) != end - start:
        raise RecordError(f"target exact has {len(exact)} characters but end - start is {end - start}")
    return Target(start, end, exact, _text(t, "prefix"), _text(t, "suffix"))


def check_annotation(doc: Mapping[str, Any]) -> Annotation:
    """An annotation record as stored (or exported); raises RecordError naming the first problem."""
    art = doc.get("article")
    if not isinstance(art, dict):
        raise RecordError(f"article is {_kind(art)}, not an object")
    tags = doc.get("tags", [])
    if tags is None:
        tags = []
    if not isinstance(tags, list) or not all(isinstance(x, str) for x in tags):
        raise RecordError(f"tags is {tags!r}, not a list of text" if not isinstance(tags, (dict, list)) else
                          "tags is not a list of text")
    created = check_time(doc.get("created"), "created")
    updated = created if doc.get("updated") is None else check_time(doc["updated"], "updated")
    return Annotation(
        id=_text(doc, "id", required=True, nonempty=True),
        article=ArticleRef(_text(art, "id", required=True, nonempty=True), _text(art, "title"),
                           _text(art, "source"), _text(art, "text_sha256")),
        target=check_target(doc.get("target")),
        tags=tuple(tags),
        note=_text(doc, "note"),
        created=created,
        updated=updated,
    )


def check_correction(doc: Mapping[str, Any]) -> Correction:
    label = doc.get("label")
    if label is not None and label not in LABELS:
        raise RecordError(f"label is {label!r}; it is one of {', '.join(LABELS)}, or null")
    return Correction(_text(doc, "id", required=True, nonempty=True),
                      _text(doc, "surface", required=True, nonempty=True), label,
                      _text(doc, "scope", nonempty=True, default=GLOBAL) or GLOBAL,
                      check_time(doc.get("created"), "created"))


def check_reading(doc: Mapping[str, Any]) -> ReadingState:
    opened = doc.get("opened")
    if opened is not None:
        opened = check_time(opened, "opened")
    read = doc.get("read", False)
    if not isinstance(read, bool):
        raise RecordError(f"read is {read!r}, not true or false")
    position = doc.get("position", 0)
    if not _is_int(position) or position < 0:
        raise RecordError(f"position is {position!r}, not a whole number of characters from 0 up")
    return ReadingState(_text(doc, "article_id", required=True, nonempty=True), int(position), opened, read)


def check_feed(doc: Mapping[str, Any]) -> Feed:
    """A feed record as stored (or exported); raises RecordError naming the first problem."""
    url = _text(doc, "url", required=True, nonempty=True)
    if not re.match(r"(?i)https?://[^/\s]+", url):
        raise RecordError(f"url is {url!r}, not an http(s) address")
    items = doc.get("items", {})
    if items is None:
        items = {}
    if not isinstance(items, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in items.items()):
        raise RecordError("items is not an object of item keys to article ids (text to text)")
    checked = doc.get("checked")
    return Feed(
        id=_text(doc, "id", required=True, nonempty=True),
        url=url,
        title=_text(doc, "title"),
        site=_text(doc, "site"),
        added=check_time(doc.get("added"), "added"),
        checked=None if checked is None else check_time(checked, "checked"),
        etag=_text(doc, "etag"),
        last_modified=_text(doc, "last_modified"),
        error=_text(doc, "error"),
        items=dict(items),
    )


_CHECKS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    ANNOTATIONS: check_annotation, CORRECTIONS: check_correction, READING: check_reading, FEEDS: check_feed}


class RecordCheck:
    """The storage's validator: every record read from the files passes the checks above (or the database
    is refused, untouched, with the record named); lone surrogates are repaired and remembered."""

    def __init__(self) -> None:
        self.repaired: dict[tuple[str, str], str] = {}  # (table, document id) → the record's id
        #: set by the storage for each file it reads: False when its bytes hold no escaped surrogate at all
        self.scan_unicode = True

    def __call__(self, table: str, key: str, doc: dict[str, Any]) -> dict[str, Any]:
        check = _CHECKS.get(table)
        if check is None:
            return doc
        fixed, changed = _repair(doc) if self.scan_unicode else (doc, False)
        check(fixed)
        if changed:
            self.repaired[(table, key)] = str(fixed.get("id") or fixed.get("article_id") or key)
        else:
            self.repaired.pop((table, key), None)
        return fixed


class AnnotationStore:
    """Annotations, corrections, reading state and feeds in one TinyDB file. See the module docstring."""

    def __init__(self, storage: SafeStorage) -> None:
        self._storage = storage
        if storage.validate is None:
            storage.validate = RecordCheck()
            if storage.path is not None and storage.loads:
                storage._forget()  # loaded before it had the record checks: read it again with them
        self._db = TinyDB(storage=lambda: storage)
        self._tables: dict[str, Table] = {
            name: self._db.table(name, cache_size=0) for name in (ANNOTATIONS, CORRECTIONS, READING, FEEDS)
        }
        self._generation = storage.generation

    # -- opening -----------------------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str] | None = None, *, durable: bool = True) -> AnnotationStore:
        """Open (or prepare to create, on the first write) the database at ``path``.

        ``None`` means :func:`store.paths.db_path` (``$DOCBAO_DB`` or the user data folder). Raises
        StoreError for a file that is damaged, not ours or from a newer docbao, and never writes to it.
        """
        from docbao.store.paths import db_path

        p = db_path(path) if path is None else Path(path).expanduser()
        return cls(SafeStorage(p, durable=durable, validate=RecordCheck()))

    @classmethod
    def in_memory(cls) -> AnnotationStore:
        return cls(SafeStorage(None))

    @property
    def path(self) -> Path | None:
        return self._storage.path

    @property
    def storage(self) -> SafeStorage:
        return self._storage

    def repaired(self) -> dict[tuple[str, str], str]:
        """Records read with invalid Unicode (lone surrogates), shown with U+FFFD: (table, doc id) → id."""
        check = self._storage.validate
        return dict(check.repaired) if isinstance(check, RecordCheck) else {}

    def close(self) -> None:
        self._storage.close()

    def __enter__(self) -> AnnotationStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several writes into one locked, atomic write (they all happen or none does)."""
        with self._storage.transaction():
            if self._storage.generation != self._generation:
                # Another process wrote the file: TinyDB's cached next document ids may be taken.
                for table in self._tables.values():
                    table._next_id = None
                self._generation = self._storage.generation
            yield

    def _raw(self, name: str) -> dict[str, Any]:
        data = self._storage.read() or {}
        return data.get(name) or {}

    def _docs(self, name: str) -> Iterator[Document]:
        for key, doc in list(self._raw(name).items()):
            yield Document(doc, doc_id=int(key))

    def _damaged(self, what: str, exc: Exception) -> StoreError:
        return StoreError(f"{self.path or 'memory'}: a damaged {what} record ({type(exc).__name__}: {exc}); "
                          f"fix or remove that record, or restore a backup")

    def _convert(self, fn: Any, doc: Document, what: str) -> Any:
        try:
            return fn(doc)
        except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise self._damaged(what, exc) from None

    def _find(self, annotation_id: str) -> Document | None:
        for key, doc in self._raw(ANNOTATIONS).items():
            if doc.get("id") == annotation_id:
                return Document(doc, doc_id=int(key))
        return None

    def _replace(self, name: str, doc_id: int, doc: dict[str, Any]) -> None:
        self._storage.put(name, doc_id, doc)

    def _insert(self, name: str, doc: dict[str, Any]) -> int:
        doc_id = self._storage.next_id(name)
        self._storage.put(name, doc_id, doc)
        return doc_id

    # -- annotations -------------------------------------------------------------------------------------
    def add(self, article: Article, start: int | None = None, end: int | None = None,
            tags: Iterable[str] = (), note: str = "") -> Annotation:
        """Annotate the whole article (no start/end) or ``article.text[start:end]``."""
        text = article.text
        if (start is None) != (end is None):
            raise StoreError("give both start and end for a span, or neither for the whole article")
        target: Target | None = None
        if start is not None and end is not None:
            if not (_is_int(start) and _is_int(end)):
                raise StoreError(f"start and end must be integers, not {start!r} and {end!r}")
            if not 0 <= start < end <= len(text):
                raise StoreError(f"span {start}-{end} is not inside the article (0-{len(text)}, start before "
                                 f"end)")
            target = make_target(text, start, end)
            _check_text(target.exact, "the quoted text")
            target = Target(target.start, target.end, target.exact, repair_text(target.prefix),
                            repair_text(target.suffix))
        if not article.id or has_surrogate(article.id):
            raise StoreError(f"the article id {article.id!r} is empty or holds invalid Unicode")
        stamp = now_iso()
        ann = Annotation(
            id=str(uuid.uuid4()),
            article=ArticleRef(article.id, repair_text(article.title), repair_text(article.source or article.path),
                               article.sha256),
            target=target, tags=normalize_tags(tags), note=normalize_note(note), created=stamp,
            updated=stamp,
        )
        with self.transaction():
            self._insert(ANNOTATIONS, annotation_doc(ann))
        return ann

    def update(self, annotation_id: str, *, tags: Iterable[str] | None = None,
               note: str | None = None) -> Annotation:
        """Replace the tags and/or the note. Nothing is written if nothing changes."""
        new_tags = normalize_tags(tags) if tags is not None else None
        new_note = normalize_note(note) if note is not None else None
        with self.transaction():
            doc = self._find(annotation_id)
            if doc is None:
                raise StoreError(f"no annotation with id {annotation_id!r} (deleted meanwhile?)")
            old: Annotation = self._convert(_annotation, doc, "annotation")
            tags_now = old.tags if new_tags is None else new_tags
            note_now = old.note if new_note is None else new_note
            if (tags_now, note_now) == (old.tags, old.note):
                return old
            ann = Annotation(old.id, old.article, old.target, tags_now, note_now, old.created,
                             later_than(old.updated))
            self._replace(ANNOTATIONS, doc.doc_id, annotation_doc(ann))
        return ann

    def delete(self, annotation_id: str) -> None:
        with self.transaction():
            doc = self._find(annotation_id)
            if doc is None:
                raise StoreError(f"no annotation with id {annotation_id!r} (deleted meanwhile?)")
            self._storage.delete(ANNOTATIONS, doc.doc_id)

    def get(self, annotation_id: str) -> Annotation | None:
        doc = self._find(annotation_id)
        return None if doc is None else self._convert(_annotation, doc, "annotation")

    def all(self) -> list[Annotation]:
        """Every annotation, oldest first."""
        anns = [self._convert(_annotation, d, "annotation") for d in self._docs(ANNOTATIONS)]
        anns.sort(key=lambda a: (a.created, a.id))
        return anns

    def for_article(self, article: Article) -> list[Anchored]:
        """The article's annotations placed in its current text: spans by position, then whole-article
        annotations, then orphans (spans no longer found)."""
        out: list[Anchored] = []
        current = article.sha256
        for doc in self._docs(ANNOTATIONS):
            art = doc.get("article")
            if not isinstance(art, dict) or art.get("id") != article.id:
                continue
            ann: Annotation = self._convert(_annotation, doc, "annotation")
            out.append(place(ann, article.text, current))
        out.sort(key=_sort_key)
        return out

    def rebase(self, article: Article) -> list[Anchored]:
        """Like :meth:`for_article`, and also store the placements found in the current text (new position,
        quote context and ``text_sha256``; ``updated`` is kept: the user changed nothing), so that later
        edits of the article are followed from here. Orphans are left as they are. One write at most."""
        placed = self.for_article(article)
        moved = {p.annotation.id: p for p in placed
                 if p.start is not None and p.end is not None and p.annotation.target is not None
                 and (p.annotation.article.text_sha256 != article.sha256
                      or (p.start, p.end) != (p.annotation.target.start, p.annotation.target.end))}
        if not moved:
            return placed
        with self.transaction():
            for doc in list(self._docs(ANNOTATIONS)):
                p = moved.get(str(doc.get("id")))
                if p is None or p.start is None or p.end is None:
                    continue
                old: Annotation = self._convert(_annotation, doc, "annotation")
                if old != p.annotation:  # changed by another process meanwhile: leave it for next time
                    continue
                new = dataclasses.replace(
                    old, target=make_target(article.text, p.start, p.end),
                    article=dataclasses.replace(old.article, text_sha256=article.sha256))
                self._replace(ANNOTATIONS, doc.doc_id, annotation_doc(new))
        return placed

    def for_article_id(self, article_id: str) -> list[Annotation]:
        """An article's annotations as stored, without its text (oldest first)."""
        anns = [self._convert(_annotation, d, "annotation") for d in self._docs(ANNOTATIONS)
                if isinstance(d.get("article"), dict) and d["article"].get("id") == article_id]
        anns.sort(key=lambda a: (a.created, a.id))
        return anns

    def tags(self) -> dict[str, int]:
        """Tag → number of annotations with it, most used first. Tags differing only in case count as one,
        under their most used spelling."""
        spellings: dict[str, Counter[str]] = {}
        for doc in self._docs(ANNOTATIONS):
            for tag in doc.get("tags") or ():
                spellings.setdefault(str(tag).casefold(), Counter())[str(tag)] += 1
        counts = {c.most_common(1)[0][0]: sum(c.values()) for c in spellings.values()}
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold())))

    def with_tag(self, tag: str) -> list[Annotation]:
        """Annotations carrying ``tag`` (compared case-insensitively), oldest first."""
        key = " ".join(_nfc(tag).split()).casefold()
        return [a for a in self.all() if any(t.casefold() == key for t in a.tags)]

    def counts_by_article(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for doc in self._docs(ANNOTATIONS):
            art = doc.get("article")
            if isinstance(art, dict):
                counts[str(art.get("id"))] += 1
        return dict(counts)

    def tags_by_article(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        seen: dict[str, set[str]] = {}
        for doc in self._docs(ANNOTATIONS):
            art = doc.get("article")
            if not isinstance(art, dict):
                continue
            aid = str(art.get("id"))
            tags = out.setdefault(aid, [])
            keys = seen.setdefault(aid, set())
            for tag in doc.get("tags") or ():
                if str(tag).casefold() not in keys:
                    keys.add(str(tag).casefold())
                    tags.append(str(tag))
        return out

    def merge(self, annotations: Sequence[Annotation], corrections: Sequence[Correction] = (),
              reading: Sequence[ReadingState] = (), feeds: Sequence[Feed] = ()) -> MergeResult:
        """Merge annotations (and corrections, reading state and feeds) from elsewhere, in one write.

        A new id is added; for a known id the newer ``updated`` wins (equal times keep ours); the same id
        twice in what is merged: the newer. Reading state merges per article on ``opened`` the same way.
        Feeds merge by id or URL: a new one is added, a known one gains the items it did not have.
        Merging the same thing twice changes nothing."""
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        c_counts = Counter[str]()
        with self.transaction():
            existing: dict[str, Document] = {str(d.get("id")): d for d in self._docs(ANNOTATIONS)}
            new_docs: dict[str, dict[str, Any]] = {}
            replaced: dict[int, dict[str, Any]] = {}
            for ann in annotations:
                doc = annotation_doc(ann)
                old = existing.get(ann.id)
                if old is None and ann.id not in new_docs:
                    new_docs[ann.id] = doc
                    added.append(ann.id)
                elif old is None:  # the same id twice in one merge: the newer wins
                    if _newer(ann.updated, str(new_docs[ann.id].get("updated", ""))):
                        new_docs[ann.id] = doc
                elif dict(old) == doc or not _newer(ann.updated, str(old.get("updated", ""))):
                    unchanged.append(ann.id)
                else:
                    replaced[old.doc_id] = doc
                    existing[ann.id] = Document(doc, doc_id=old.doc_id)
                    updated.append(ann.id)
            for doc_id, d in replaced.items():
                self._replace(ANNOTATIONS, doc_id, d)
            for d in new_docs.values():
                self._insert(ANNOTATIONS, d)
            for corr in corrections:
                c_counts[self._merge_correction(corr)] += 1
            for st in reading:
                c_counts["r_" + self._merge_reading(st)] += 1
            for feed in feeds:
                c_counts["f_" + self._merge_feed(feed)] += 1
        return MergeResult(tuple(added), tuple(updated), tuple(unchanged), c_counts["added"],
                           c_counts["updated"], c_counts["unchanged"], c_counts["r_added"],
                           c_counts["r_updated"], c_counts["r_unchanged"], c_counts["f_added"],
                           c_counts["f_updated"], c_counts["f_unchanged"])

    def _merge_reading(self, st: ReadingState) -> str:
        doc = self._find_reading(st.article_id)
        record = reading_doc(st)
        if doc is None:
            self._insert(READING, record)
            return "added"
        mine = self._convert(_reading, doc, "reading state")
        if mine == st or not _newer(st.opened or "", mine.opened or ""):
            return "unchanged"
        self._replace(READING, doc.doc_id, record)
        return "updated"

    # -- corrections -------------------------------------------------------------------------------------
    def _find_correction(self, surface: str, scope: str) -> Document | None:
        for doc in self._docs(CORRECTIONS):
            if doc.get("surface") == surface and doc.get("scope", GLOBAL) == scope:
                return doc
        return None

    @staticmethod
    def _check_correction(surface: str, label: str | None, scope: str) -> tuple[str, str | None, str]:
        if not isinstance(surface, str) or not " ".join(surface.split()):
            raise StoreError("a correction needs the words it is about (an empty surface was given)")
        if not isinstance(scope, str) or not scope.strip():
            raise StoreError("a correction's scope is 'global' or an article id")
        return " ".join(_nfc(surface).split()), validate_label(label), scope.strip()

    def add_correction(self, surface: str, label: str | None, scope: str = GLOBAL) -> Correction:
        """Say that ``surface`` is ``label`` (None: not an entity), everywhere or in one article. Replaces an
        earlier correction of the same surface in the same scope (keeping its id)."""
        surface, label, scope = self._check_correction(surface, label, scope)
        with self.transaction():
            old = self._find_correction(surface, scope)
            corr = Correction(str(old["id"]) if old is not None else str(uuid.uuid4()), surface, label, scope,
                              now_iso())
            if old is not None:
                self._replace(CORRECTIONS, old.doc_id, correction_doc(corr))
            else:
                self._insert(CORRECTIONS, correction_doc(corr))
        return corr

    def _merge_correction(self, corr: Correction) -> str:
        surface, label, scope = self._check_correction(corr.surface, corr.label, corr.scope)
        corr = Correction(corr.id, surface, label, scope, corr.created)
        old = self._find_correction(surface, scope)
        if old is None:
            self._insert(CORRECTIONS, correction_doc(corr))
            return "added"
        mine = self._convert(_correction, old, "correction")
        if mine.label == corr.label or not _newer(corr.created, mine.created):
            return "unchanged"
        self._replace(CORRECTIONS, old.doc_id, correction_doc(Correction(mine.id, surface, label, scope,
                                                                          corr.created)))
        return "updated"

    def remove_correction(self, correction_id: str) -> None:
        with self.transaction():
            doc = next((d for d in self._docs(CORRECTIONS) if d.get("id") == correction_id), None)
            if doc is None:
                raise StoreError(f"no correction with id {correction_id!r} (removed meanwhile?)")
            self._storage.delete(CORRECTIONS, doc.doc_id)

    def corrections(self) -> list[Correction]:
        out = [self._convert(_correction, d, "correction") for d in self._docs(CORRECTIONS)]
        out.sort(key=lambda c: (c.created, c.id))
        return out

    def lexicon(self) -> Lexicon:
        return Lexicon(tuple(LexiconEntry(c.surface, c.label, c.scope) for c in self.corrections()))

    # -- reading state -----------------------------------------------------------------------------------
    def _find_reading(self, article_id: str) -> Document | None:
        for doc in self._docs(READING):
            if doc.get("article_id") == article_id:
                return doc
        return None

    def reading(self, article_id: str) -> ReadingState:
        doc = self._find_reading(article_id)
        if doc is None:
            return ReadingState(article_id, 0, None, False)
        return self._convert(_reading, doc, "reading state")

    def reading_states(self) -> dict[str, ReadingState]:
        out = {}
        for doc in self._docs(READING):
            st: ReadingState = self._convert(_reading, doc, "reading state")
            out[st.article_id] = st
        return out

    def set_reading(self, article_id: str, *, position: int | None = None,
                    read: bool | None = None) -> ReadingState:
        """Record where the reader is in an article and/or whether it is read; stamps ``opened``."""
        if position is not None and (not _is_int(position) or position < 0):
            raise StoreError(f"a reading position is a number of characters from the start, not {position!r}")
        if read is not None and not isinstance(read, bool):
            raise StoreError(f"read is true or false, not {read!r}")
        with self.transaction():
            doc = self._find_reading(article_id)
            old = (ReadingState(article_id, 0, None, False) if doc is None
                   else self._convert(_reading, doc, "reading state"))
            new = ReadingState(article_id, old.position if position is None else position, now_iso(),
                               old.read if read is None else read)
            record = reading_doc(new)
            if doc is None:
                self._insert(READING, record)
            else:
                self._replace(READING, doc.doc_id, record)
        return new

    # -- feeds -------------------------------------------------------------------------------------------
    def _find_feed(self, feed_id: str = "", url: str = "") -> Document | None:
        for doc in self._docs(FEEDS):
            if (feed_id and doc.get("id") == feed_id) or (url and doc.get("url") == url):
                return doc
        return None

    def feeds(self) -> list[Feed]:
        """The feeds followed, by title."""
        out = [self._convert(check_feed, d, "feed") for d in self._docs(FEEDS)]
        out.sort(key=lambda f: (f.name.casefold(), f.url))
        return out

    def get_feed(self, feed_id: str) -> Feed | None:
        doc = self._find_feed(feed_id=feed_id)
        return None if doc is None else self._convert(check_feed, doc, "feed")

    def add_feed(self, feed: Feed) -> Feed:
        """Follow a feed. Raises StoreError when one with the same id or URL is already followed."""
        try:
            feed = check_feed(feed_doc(feed))
        except RecordError as exc:
            raise StoreError(f"not a feed docbao can keep: {exc}") from None
        with self.transaction():
            old = self._find_feed(feed.id, feed.url)
            if old is not None:
                raise StoreError(f"{feed.url}: already followed (as {old.get('title') or old.get('url')!r})")
            self._insert(FEEDS, feed_doc(feed))
        return feed

    def update_feed(self, feed_id: str, *, items: Mapping[str, str] | None = None, **changes: Any) -> Feed:
        """Change a feed's fields (title, site, url, checked, etag, last_modified, error) and add ``items``
        (item key → article id) to those it has, in one write. Re-reads the record inside the write, so two
        refreshes at once lose neither's items. Raises StoreError if the feed is gone."""
        allowed = {"title", "site", "url", "checked", "etag", "last_modified", "error"}
        if set(changes) - allowed:
            raise StoreError(f"a feed has no field {sorted(set(changes) - allowed)[0]!r}")
        with self.transaction():
            doc = self._find_feed(feed_id=feed_id)
            if doc is None:
                raise StoreError(f"no feed with id {feed_id!r} (removed meanwhile?)")
            old: Feed = self._convert(check_feed, doc, "feed")
            merged = dict(old.items)
            for key, aid in (items or {}).items():
                merged.pop(key, None)
                merged[key] = aid  # the newest last
            if len(merged) > MAX_FEED_ITEMS:
                merged = dict(list(merged.items())[-MAX_FEED_ITEMS:])
            new = dataclasses.replace(old, items=merged, **changes)
            try:
                new = check_feed(feed_doc(new))
            except RecordError as exc:
                raise StoreError(f"not a feed docbao can keep: {exc}") from None
            if new != old:
                self._replace(FEEDS, doc.doc_id, feed_doc(new))
        return new

    def remove_feed(self, feed_id: str) -> Feed:
        """Stop following a feed (its articles stay in the library). Raises StoreError if there is none."""
        with self.transaction():
            doc = self._find_feed(feed_id=feed_id)
            if doc is None:
                raise StoreError(f"no feed with id {feed_id!r} (removed meanwhile?)")
            feed: Feed = self._convert(check_feed, doc, "feed")
            self._storage.delete(FEEDS, doc.doc_id)
        return feed

    def _merge_feed(self, feed: Feed) -> str:
        doc = self._find_feed(feed.id, feed.url)
        if doc is None:
            self._insert(FEEDS, feed_doc(feed))
            return "added"
        mine: Feed = self._convert(check_feed, doc, "feed")
        items = dict(mine.items)
        for key, aid in feed.items.items():
            items.setdefault(key, aid)
        new = dataclasses.replace(mine, items=items, title=mine.title or feed.title, site=mine.site or feed.site)
        if new == mine:
            return "unchanged"
        self._replace(FEEDS, doc.doc_id, feed_doc(new))
        return "updated"


def place(ann: Annotation, text: str, current_sha256: str | None = None) -> Anchored:
    """Place one annotation in a text (see :mod:`store.anchoring`)."""
    if ann.target is None:
        return Anchored(ann, None, None, ARTICLE)
    p: Placement = anchor(text, ann.target, ann.article.text_sha256, current_sha256)
    if p.status == ORPHAN:
        return Anchored(ann, None, None, ORPHAN)
    return Anchored(ann, p.start, p.end, p.status)


def _newer(candidate: str, mine: str) -> bool:
    """Is time ``candidate`` later than ``mine``? (A time that does not parse loses.)"""
    try:
        c = parse_time(candidate)
    except ValueError:
        return False
    try:
        m = parse_time(mine)
    except ValueError:
        return True
    return c > m
