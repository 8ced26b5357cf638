"""The library as a knowledge base: who is named where, and who said what. :class:`KnowledgeIndex`.

Built from the cached analyses (docbao.analysis.pipeline.Analyzer; the whole library is analysed into the
cache by docbao.analysis.batch), under the user's corrections: the index asks the analyzer for the analysis
under the lexicon it is given, and the analyzer's cache key already holds the corrections that apply to an
article. Nothing here is the user's data: the index is a file in the cache folder that can be deleted.

**Records.** One record per article, keyed by article id and stamped with the text's sha256 and the
analysis cache key: an article is re-read from its analysis only when its text, the analyzer or a
correction that applies to it changed (:meth:`KnowledgeIndex.refresh`), or when the app hands in a fresh
analysis (:meth:`KnowledgeIndex.update`). Everything else is derived from the records, in memory, into a
view that queries read and that each change replaces whole; a change re-derives only the groups, articles
and quotes it touches (a new name can move shorter names into its group: those are redone too).

**Memory.** 10,000 articles make some millions of small long-lived objects. An app that builds the index
should call ``gc.collect(); gc.freeze()`` afterwards: otherwise the next full collection of the cyclic
garbage collector (often during the first keystrokes that follow) walks them all, a pause of ~0.3 s.

**Groups.** Entity mentions are grouped by label and name, where the name is the mention with titles and
honorifics stripped (analysis.entities.strip_titles) and spaces normalised, compared case-insensitively:
"Tổng thống Putin" and "Putin" are one name. A name that is a word-suffix of a longer name of the same
label joins it ("Putin" → "Vladimir Putin", "Nga" → "Liên bang Nga"): the longer name in the same article
first; else the longer name in the library, if only one (several, as "Nam" in "Việt Nam" and "Hà Nam":
the short name stays on its own). A quote's speaker belongs to the group of the entity it names (a
person first); a speaker that names no entity is grouped by its own name, titles stripped, or kept whole
when it is a description ("nhà lãnh đạo Nga").

**Queries** (each a few milliseconds on 10,000 articles; see bench/library.py): quotes by speaker (any
alias, accents and case optional), by words in the quote, by tag, by article; entity groups by label; the
articles of a group with the first mention in each; the groups that occur in the same articles.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import gc
import io
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from docbao.analysis.entities import strip_titles
from docbao.analysis.lexicon import Lexicon
from docbao.analysis.text import fold, text_sha256
from docbao.files import write_atomic
from docbao.store.citation import citable, citation

__all__ = [
    "INDEX_FORMAT",
    "LABEL_NAMES",
    "ArticleInfo",
    "Group",
    "GroupArticle",
    "KnowledgeIndex",
    "QuoteHit",
    "QuoteTags",
    "RefreshReport",
    "analysis_key",
    "citation",
    "quotes_csv",
    "quotes_markdown",
]

INDEX_FORMAT = 1
INDEX_FILE = f"knowledge-v{INDEX_FORMAT}.json"
LABEL_NAMES = {"PER": "people", "LOC": "places", "ORG": "organisations", "MISC": "other"}
SPEECH = ("direct", "indirect")
MAX_DORMANT = 20_000  # records of articles not in the current library, kept for when they come back
DATE_KEYS = ("date", "published", "pubdate", "datePublished")
_SPEAKER_PRIORITY = {"PER": 0, "ORG": 1, "MISC": 2, "LOC": 3}


class _Analysis(Protocol):
    @property
    def entities(self) -> Sequence[Any]: ...

    @property
    def quotes(self) -> Sequence[Any]: ...


class _Article(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def title(self) -> str: ...


def analysis_key(analyzer: Any, text: str, lexicon: Lexicon | None, article_id: str | None) -> str:
    """The analyzer's cache key for this text under these corrections (what a record is stamped with)."""
    fn = getattr(analyzer, "key", None) or getattr(analyzer, "_key", None)
    if callable(fn):
        return str(fn(text, lexicon, article_id))
    lex = lexicon.for_article(article_id) if lexicon else None
    entries = tuple(e for e in lex.entries if e.surface in text) if lex else ()
    return f"{text_sha256(text)}-{type(analyzer).__name__}-{Lexicon(entries).version}"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Building the index makes hundreds of thousands of small objects, and none is garbage: the cyclic
    collector would walk them all again and again (it tripled the time of a 10,000-article build)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _norm(s: str) -> str:
    return " ".join(s.split())


def _key(s: str) -> str:
    return _norm(s).casefold()


def _folded(s: str) -> str:
    return " ".join(fold(s).split())


# -- records -------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Mention:
    """One name's mentions in one article, aggregated."""

    label: str
    name: str  # titles stripped, spaces normalised, as first written
    parent: str | None  # the key of a longer name of the same label in the same article that ends with it
    count: int
    start: int  # the first mention (offsets of the name, titles stripped)
    end: int
    surfaces: tuple[str, ...]  # as written, titles included ("Tổng thống Putin")
    key: str = field(default="", compare=False)  # the name, case-folded (set from name)
    use: tuple[str, str, str | None] = field(default=("", "", None), compare=False)  # (label, key, parent)

    def __post_init__(self) -> None:
        key = _key(self.name)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "use", (self.label, key, self.parent))


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    start: int
    end: int
    text: str
    kind: str
    speaker: tuple[str, int, int] | None  # (text, start, end) as the analysis gave it
    speaker_use: tuple[str, str, str | None] | None  # (label, key, parent): how the speaker is grouped
    speaker_name: str | None  # the speaker's name (titles stripped), or the description kept whole
    folded: str = field(default="", compare=False)


@dataclass(frozen=True)
class ArticleInfo:
    id: str
    title: str
    path: str
    source: str
    date: str | None


@dataclass(frozen=True)
class ArticleRecord:
    info: ArticleInfo
    sha256: str
    key: str
    mentions: tuple[Mention, ...]
    quotes: tuple[QuoteRecord, ...]

    @property
    def id(self) -> str:
        return self.info.id


def _date_of(article: Any) -> str | None:
    meta = getattr(article, "meta", None) or {}
    for k in DATE_KEYS:
        v = meta.get(k) if isinstance(meta, Mapping) else None
        if v:
            return str(v)
    return None


def _info(article: Any) -> ArticleInfo:
    return ArticleInfo(str(article.id), str(getattr(article, "title", "") or ""), str(getattr(article, "path", "")),
                       str(getattr(article, "source", "") or getattr(article, "path", "") or ""), _date_of(article))


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    try:
        s, e = strip_titles(text, start, end)
    except Exception:  # a helper of the analysis that fails on odd text must not lose the mention
        return start, end
    while s < e and not text[s].isalnum():
        s += 1
    return (s, e) if s < e else (start, end)


def _local_parents(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """For names in one article: the longer name of the same label that each is a word-suffix of, when
    exactly one such longer name is maximal."""
    by_label: dict[str, list[str]] = {}
    for label, key in keys:
        by_label.setdefault(label, []).append(key)
    out: dict[tuple[str, str], str] = {}
    for label, names in by_label.items():
        if len(names) < 2:
            continue
        longer = _suffix_map(names)
        for k in names:
            root = _unique_root(k, longer)
            if root is not None:
                out[(label, k)] = root
    return out


def _suffix_map(names: Iterable[str]) -> dict[str, list[str]]:
    """proper word-suffix → the names that end with it."""
    longer: dict[str, list[str]] = {}
    for n in names:
        words = n.split(" ")
        for i in range(1, len(words)):
            longer.setdefault(" ".join(words[i:]), []).append(n)
    return longer


def _unique_root(key: str, longer: Mapping[str, list[str]]) -> str | None:
    cands = longer.get(key)
    if not cands:
        return None
    if len(cands) == 1:
        return cands[0]
    cand_set = set(cands)
    maximal = [c for c in cand_set if not cand_set.intersection(longer.get(c, ()))]
    return maximal[0] if len(maximal) == 1 else None


def extract(article: _Article, analysis: _Analysis, key: str) -> ArticleRecord:
    """The record of one article from its analysis."""
    text = article.text
    acc: dict[tuple[str, str], list[Any]] = {}  # (label, key) → [name, count, start, end, surfaces]
    spans: list[tuple[int, int, str, str]] = []  # (start, end, label, key) of every entity, for speakers
    for e in analysis.entities:
        label = str(e.label)
        s, t = _strip(text, e.start, e.end)
        name = _norm(text[s:t])
        if not name:
            continue
        k = name.casefold()
        spans.append((e.start, e.end, label, k))
        entry = acc.get((label, k))
        if entry is None:
            acc[(label, k)] = [name, 1, s, t, {_norm(e.text)}]
        else:
            entry[1] += 1
            entry[4].add(_norm(e.text))
            if s < entry[2]:
                entry[0], entry[2], entry[3] = name, s, t
    parents = _local_parents(acc)
    mentions = tuple(Mention(label, v[0], parents.get((label, k)), v[1], v[2], v[3], tuple(sorted(v[4])))
                     for (label, k), v in acc.items())
    quotes: list[QuoteRecord] = []
    for q in analysis.quotes:
        if q.kind not in SPEECH:
            continue
        sp = q.speaker
        speaker = (str(sp.text), int(sp.start), int(sp.end)) if sp is not None else None
        use, speaker_name = _speaker_use(text, speaker, spans, acc, parents)
        quotes.append(QuoteRecord(q.start, q.end, q.text, q.kind, speaker, use, speaker_name, _folded(q.text)))
    return ArticleRecord(_info(article), text_sha256(text), key, mentions, tuple(quotes))


def _speaker_use(text: str, speaker: tuple[str, int, int] | None, spans: list[tuple[int, int, str, str]],
                 acc: Mapping[tuple[str, str], list[Any]], parents: Mapping[tuple[str, str], str]
                 ) -> tuple[tuple[str, str, str | None] | None, str | None]:
    if speaker is None:
        return None, None
    stext, s0, e0 = speaker
    inside = [sp for sp in spans if sp[0] < e0 and s0 < sp[1]]
    inside.sort(key=lambda sp: (_SPEAKER_PRIORITY.get(sp[2], 9), -(sp[1] - sp[0])))
    s, t = _strip(text, s0, e0) if 0 <= s0 < e0 <= len(text) else (s0, e0)
    stripped = _norm(text[s:t]) if 0 <= s < t <= len(text) else _norm(stext)
    if inside and (inside[0][2] != "LOC" or (inside[0][0], inside[0][1]) == (s0, e0)):
        _, _, label, k = inside[0]
        return (label, k, parents.get((label, k))), str(acc[(label, k)][0])
    if inside and stripped.casefold() == inside[0][3] and stripped != _norm(stext):
        # a title before a place ("Tổng thống Nga", "nhà lãnh đạo Nga"): a description, kept whole
        whole = _norm(stext)
        return ("PER", whole.casefold(), None), whole
    if not stripped:
        return None, _norm(stext) or None
    k = stripped.casefold()
    parent = parents.get(("PER", k))
    if parent is None and ("PER", k) not in acc:
        longer = [n for (label, n) in acc if label == "PER" and n.endswith(" " + k)]
        parent = longer[0] if len(longer) == 1 else None
    return ("PER", k, parent), stripped


# -- persistence -------------------------------------------------------------------------------------------

def _record_doc(r: ArticleRecord) -> dict[str, Any]:
    i = r.info
    return {
        "id": i.id, "title": i.title, "path": i.path, "source": i.source, "date": i.date,
        "sha256": r.sha256, "key": r.key,
        "m": [[m.label, m.name, m.parent, m.count, m.start, m.end, list(m.surfaces)] for m in r.mentions],
        "q": [[q.start, q.end, q.text, q.kind, list(q.speaker) if q.speaker else None,
               list(q.speaker_use) if q.speaker_use else None, q.speaker_name] for q in r.quotes],
    }


def _record(doc: Mapping[str, Any]) -> ArticleRecord:
    info = ArticleInfo(str(doc["id"]), str(doc["title"]), str(doc["path"]), str(doc["source"]),
                       None if doc.get("date") is None else str(doc["date"]))
    mentions = tuple(Mention(str(m[0]), str(m[1]), None if m[2] is None else str(m[2]), int(m[3]), int(m[4]),
                             int(m[5]), tuple(str(x) for x in m[6])) for m in doc["m"])
    quotes = []
    for q in doc["q"]:
        sp = q[4]
        use = q[5]
        quotes.append(QuoteRecord(
            int(q[0]), int(q[1]), str(q[2]), str(q[3]),
            (str(sp[0]), int(sp[1]), int(sp[2])) if sp else None,
            (str(use[0]), str(use[1]), None if use[2] is None else str(use[2])) if use else None,
            None if q[6] is None else str(q[6]), _folded(str(q[2]))))
    return ArticleRecord(info, str(doc["sha256"]), str(doc["key"]), mentions, tuple(quotes))


# -- what queries return -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Group:
    """Mentions of one entity across the library."""

    id: str  # "LABEL:key of its longest name"
    label: str
    name: str  # its longest name, as most often written
    aliases: tuple[str, ...]  # every name and surface it was written as
    mentions: int
    articles: int


@dataclass(frozen=True)
class GroupArticle:
    """One article a group occurs in, with its first mention there."""

    article: ArticleInfo
    count: int
    start: int
    end: int
    surface: str  # the name at the first mention


@dataclass(frozen=True)
class QuoteHit:
    """A quote as the quote book shows it: offsets are code points into the article text (as analysed)."""

    article: ArticleInfo
    start: int
    end: int
    text: str
    kind: str
    speaker: str | None  # the speaker's group name ("Vladimir Putin"), else the speaker as written
    speaker_text: str | None  # as written at the quote ("Ông Putin")
    speaker_start: int | None
    speaker_end: int | None
    speaker_group: str | None  # Group.id, if the speaker is one of the library's entities

    @property
    def article_id(self) -> str:
        return self.article.id

    def citation(self) -> str:
        return citation(self.text, self.speaker, self.article.title, self.article.source)

    def to_json(self) -> dict[str, Any]:
        """The object `docbao quotes --json` prints: `docbao analyze --json`'s quote, plus the article."""
        a = self.article
        sp = None if self.speaker_text is None else {"text": self.speaker_text, "start": self.speaker_start,
                                                     "end": self.speaker_end}
        return {"id": a.id, "title": a.title, "path": a.path, "source": a.source, "date": a.date,
                "start": self.start, "end": self.end, "text": self.text, "kind": self.kind, "speaker": sp,
                "speaker_name": self.speaker, "speaker_group": self.speaker_group,
                "citation": self.citation()}


@dataclass(frozen=True)
class RefreshReport:
    articles: int  # in the library given
    indexed: int  # with a record now
    reused: int  # records that were still current
    extracted: int  # records (re)built from an analysis
    removed: int  # records of articles no longer in the library
    missing: tuple[str, ...]  # article ids with no cached analysis yet (analyse them, then refresh again)
    seconds: float


class QuoteTags:
    """Which quotes carry which tag, from the annotation store: an annotation's tags apply to the quotes its
    span overlaps, and a whole-article annotation's to every quote of the article. Tags compare
    case-insensitively, accents optional."""

    def __init__(self) -> None:
        self.article: dict[str, set[str]] = {}
        self.spans: dict[str, list[tuple[int, int, frozenset[str]]]] = {}

    @classmethod
    def from_article_tags(cls, tags: Mapping[str, Iterable[str]]) -> QuoteTags:
        """From ``AnnotationStore.tags_by_article()``: every tag of an article applies to all its quotes."""
        self = cls()
        for aid, ts in tags.items():
            self.article.setdefault(str(aid), set()).update(_folded(t) for t in ts)
        return self

    @classmethod
    def from_annotations(cls, annotations: Iterable[Any]) -> QuoteTags:
        """From ``AnnotationStore.all()`` (store.annotations.Annotation): tags where they were put."""
        self = cls()
        for ann in annotations:
            tags = frozenset(_folded(t) for t in ann.tags)
            if not tags:
                continue
            aid = str(ann.article.id)
            if ann.target is None:
                self.article.setdefault(aid, set()).update(tags)
            else:
                self.spans.setdefault(aid, []).append((int(ann.target.start), int(ann.target.end), tags))
        return self

    def of(self, article_id: str, start: int, end: int) -> set[str]:
        """The (folded) tags of a quote."""
        out = set(self.article.get(article_id, ()))
        for s, e, tags in self.spans.get(article_id, ()):
            if s < end and start < e:
                out |= tags
        return out

    def has(self, tag: str, article_id: str, start: int, end: int) -> bool:
        return _folded(tag) in self.of(article_id, start, end)

    def names(self) -> set[str]:
        out: set[str] = set()
        for ts in self.article.values():
            out |= ts
        for spans in self.spans.values():
            for _, _, tags in spans:
                out |= tags
        return out


TagsLike = QuoteTags | Mapping[str, Iterable[str]]


def _as_tags(tags: TagsLike | None) -> QuoteTags | None:
    if tags is None or isinstance(tags, QuoteTags):
        return tags
    return QuoteTags.from_article_tags(tags)


# -- the index -----------------------------------------------------------------------------------------------

Use = tuple[str, str, str | None]


Row = tuple[tuple[Any, ...], "QuoteHit", str, str]  # (sort key, hit, speaker key, folded text)


@dataclass
class _View:
    """Everything queries read, derived from the records and replaced whole after every change, so a
    query on one thread never sees a half-made update from another. The next change builds the next view
    from this one, redoing only what the change touched."""

    records: dict[str, ArticleRecord] = field(default_factory=dict)
    uses: dict[Use, dict[str, Mention]] = field(default_factory=dict)  # inner dicts are never changed after
    use_group: dict[Use, str] = field(default_factory=dict)
    group_uses: dict[str, list[Use]] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    by_label: dict[str, list[Group]] = field(default_factory=dict)
    article_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # filled as queries ask
    title_keys: dict[str, str] = field(default_factory=dict)  # article id → folded title (for sorting)
    quote_rows: dict[str, list[Row]] = field(default_factory=dict)  # article id → its quotes' rows
    quotes: list[QuoteHit] = field(default_factory=list)
    quote_folded: list[str] = field(default_factory=list)
    quote_speaker: list[str] = field(default_factory=list)  # each quote's key into speaker_hay ("" none)
    speaker_hay: dict[str, str] = field(default_factory=dict)  # speaker key → "\n" + folded aliases
    speakers_at: dict[str, set[str]] = field(default_factory=dict)  # start name or group → quoting articles
    group_hay: dict[str, str] = field(default_factory=dict)  # filled on the first name query
    speaker_positions: dict[str, list[int]] | None = None  # made on the first speaker query
    text_hay: str | None = None  # made on the first text query
    text_starts: list[int] = field(default_factory=list)


class KnowledgeIndex:
    """Entities, quotes and speakers of a library. See the module docstring.

    Threads: one writer at a time (refresh, update, remove: run them in a background worker); queries may
    run on any thread meanwhile, and see the index as it was after the last write that returned.
    """

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        self.folder = None if folder is None else Path(folder)
        self._records: dict[str, ArticleRecord] = {}
        self._dormant: dict[str, ArticleRecord] = {}
        self._uses: dict[Use, dict[str, Mention]] = {}  # use → article id → its mentions there
        self._copied: set[Use] = set()  # inner dicts of _uses copied since the last view (copy on write)
        self._by_start: dict[tuple[str, str], set[Use]] = {}  # (label, parent or key) → uses
        self._names: Counter[tuple[str, str]] = Counter()  # (label, key) → articles using it
        self._longer: dict[str, dict[str, list[str]]] = {}  # label → word-suffix → names ending with it
        self._roots: dict[tuple[str, str], str] = {}  # (label, key) → the longer name it joins
        self._new_names: set[tuple[str, str]] = set()  # names that came or went since the last view
        self._touched_uses: set[Use] = set()
        self._touched_articles: set[str] = set()
        self._folds: dict[str, str] = {}
        # a change that touches more than this share of the names is derived from scratch (it is faster)
        self.full_share = 1 / 3
        self.derives: Counter[str] = Counter()  # how often the tables were derived "full" or "incremental"
        self._dirty = False
        self._unsaved = False
        self._lock = threading.RLock()
        self._view = _View()
        self.version = 0  # bumped on every change: views compare it to know they are stale

    # -- files ---------------------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return None if self.folder is None else self.folder / "index" / INDEX_FILE

    @classmethod
    def open(cls, cache_dir: str | os.PathLike[str] | None) -> KnowledgeIndex:
        """The index kept in ``cache_dir`` (``None``: in memory only). A missing, damaged or older file
        gives an empty index (it is derivable: :meth:`refresh` rebuilds it). Records load as dormant:
        :meth:`refresh` with the library's articles brings back the ones still current."""
        self = cls(cache_dir)
        path = self.path
        if path is None:
            return self
        try:
            with _gc_paused():
                data = json.loads(path.read_text(encoding="utf-8"))
                if data.get("format") != INDEX_FORMAT:
                    return self
                for doc in data.get("records", ()):
                    self._dormant[str(doc["id"])] = _record(doc)
        except Exception:  # absent or damaged: start empty
            self._dormant.clear()
        return self

    def save(self) -> bool:
        """Write the records (atomically) if anything changed; False if the folder cannot be written."""
        path = self.path
        if path is None or not self._unsaved:
            return True
        with self._lock:
            dormant = list(self._dormant.values())[-MAX_DORMANT:]
            docs = [_record_doc(r) for r in (*self._records.values(), *dormant)]
            self._unsaved = False
        try:  # derivable: no fsync
            write_atomic(path, json.dumps({"format": INDEX_FORMAT, "records": docs}, ensure_ascii=False,
                                          separators=(",", ":")), durable=False)
        except OSError:
            self._unsaved = True
            return False
        return True

    # -- keeping it current -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._view.records)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._view.records

    def refresh(self, articles: Iterable[Any], analyzer: Any, lexicon: Lexicon | None = None, *,
                cancelled: Callable[[], bool] | None = None) -> RefreshReport:
        """Make the index hold exactly ``articles`` under ``lexicon``: records whose text and analysis key
        are unchanged are kept; the others are rebuilt from the analyzer's cache (never computed:
        articles without a cached analysis are listed in ``missing``, and left out until analysed)."""
        t0 = time.perf_counter()
        arts = list(articles)
        wanted = {str(a.id) for a in arts}
        reused = extracted = removed = 0
        missing: list[str] = []
        with self._lock, _gc_paused():
            for aid in [aid for aid in self._records if aid not in wanted]:
                self._dormant[aid] = self._take(aid)
                removed += 1
            for a in arts:
                if cancelled is not None and cancelled():
                    break
                aid = str(a.id)
                key = analysis_key(analyzer, a.text, lexicon, aid)
                sha = getattr(a, "sha256", None) or text_sha256(a.text)
                rec = self._records.get(aid) or self._dormant.get(aid)
                if rec is not None and rec.key == key and rec.sha256 == sha:
                    info = _info(a)
                    if rec.info != info:  # renamed, moved: the analysis still holds
                        rec = ArticleRecord(info, rec.sha256, rec.key, rec.mentions, rec.quotes)
                        self._replace(rec)
                    elif aid not in self._records:
                        self._replace(rec)
                    reused += 1
                    continue
                try:
                    analysis = analyzer.cached(a.text, lexicon, article_id=aid)
                except Exception:
                    analysis = None
                if analysis is None:
                    missing.append(aid)
                    if aid in self._records:
                        self._dormant[aid] = self._take(aid)  # stale: out until analysed again
                    continue
                self._replace(extract(a, analysis, key))
                extracted += 1
            self._derive()
        return RefreshReport(len(arts), len(self._records), reused, extracted, removed, tuple(missing),
                             time.perf_counter() - t0)

    def update(self, article: Any, analysis: Any, key: str) -> None:
        """Index one article's fresh analysis (the reader or the batch just made it); ``key`` is
        :func:`analysis_key` of it."""
        rec = extract(article, analysis, key)
        with self._lock, _gc_paused():
            self._replace(rec)
            self._derive()

    def remove(self, article_id: str) -> None:
        with self._lock, _gc_paused():
            if article_id in self._records:
                self._dormant[article_id] = self._take(article_id)
                self._derive()

    def _replace(self, rec: ArticleRecord) -> None:
        if rec.id in self._records:
            self._take(rec.id)
        self._dormant.pop(rec.id, None)
        self._put(rec)

    def _inner(self, use: Use) -> dict[str, Mention]:
        """The use's articles, safe to change: the view may share the dict, so it is copied once a view."""
        inner = self._uses.get(use)
        if inner is None:
            inner = self._uses[use] = {}
            self._copied.add(use)
        elif use not in self._copied:
            inner = self._uses[use] = dict(inner)
            self._copied.add(use)
        return inner

    def _put(self, rec: ArticleRecord) -> None:
        aid = rec.id
        self._records[aid] = rec
        for m in rec.mentions:
            use = m.use
            self._inner(use)[aid] = m
            self._by_start.setdefault((m.label, m.parent or m.key), set()).add(use)
            self._touched_uses.add(use)
            nk = (m.label, m.key)
            self._names[nk] += 1
            if self._names[nk] == 1:
                self._new_names.add(nk)
        self._touched_articles.add(aid)
        self._changed()

    def _take(self, aid: str) -> ArticleRecord:
        rec = self._records.pop(aid)
        for m in rec.mentions:
            use = m.use
            if use in self._uses:
                inner = self._inner(use)
                inner.pop(aid, None)
                if not inner:
                    del self._uses[use]
                    uses = self._by_start.get((m.label, m.parent or m.key))
                    if uses is not None:
                        uses.discard(use)
                        if not uses:
                            del self._by_start[(m.label, m.parent or m.key)]
            self._touched_uses.add(use)
            nk = (m.label, m.key)
            self._names[nk] -= 1
            if self._names[nk] <= 0:
                del self._names[nk]
                self._new_names.add(nk)
        self._touched_articles.add(aid)
        self._changed()
        return rec

    def _changed(self) -> None:
        self._dirty = True
        self._unsaved = True

    # -- derived tables -------------------------------------------------------------------------------
    def _update_roots(self) -> set[tuple[str, str]]:
        """Bring the word-suffix table and the roots up to date with the names that came or went; return
        the (label, name) whose root may have changed (those names and their word-suffixes)."""
        affected: set[tuple[str, str]] = set()
        for label, name in self._new_names:
            present = (label, name) in self._names
            longer = self._longer.setdefault(label, {})
            words = name.split(" ")
            affected.add((label, name))
            for i in range(1, len(words)):
                suffix = " ".join(words[i:])
                affected.add((label, suffix))
                names = longer.get(suffix, [])
                if present and name not in names:
                    longer[suffix] = [*names, name]
                elif not present and name in names:
                    rest = [n for n in names if n != name]
                    if rest:
                        longer[suffix] = rest
                    else:
                        del longer[suffix]
        self._new_names.clear()
        for label, name in affected:
            root = _unique_root(name, self._longer.get(label, {})) if (label, name) in self._names else None
            if root is None:
                self._roots.pop((label, name), None)
            else:
                self._roots[(label, name)] = root
        return affected

    def _make_group(self, g: str, uses: Iterable[Use], all_uses: Mapping[Use, dict[str, Mention]]) -> Group:
        label, _, root = g.partition(":")
        spell: Counter[str] = Counter()
        aliases: set[str] = set()
        mentions = 0
        seen: set[str] = set()
        for u in uses:
            arts = all_uses[u]
            seen.update(arts)
            for m in arts.values():
                mentions += m.count
                if m.key == root:
                    spell[m.name] += m.count
                aliases.add(m.name)
                aliases.update(m.surfaces)
        name = spell.most_common(1)[0][0] if spell else max(aliases, key=len)
        return Group(g, label, name, tuple(sorted(aliases, key=lambda a: (-len(a), a))), mentions, len(seen))

    def _derive(self) -> None:
        if not self._dirty:
            return
        prev = self._view
        affected = self._update_roots()
        touched_uses = set(self._touched_uses)
        for start in affected:
            touched_uses.update(self._by_start.get(start, ()))
        view = _View(records=dict(self._records), uses=dict(self._uses))
        full = not prev.records or len(touched_uses) > len(view.uses) * self.full_share
        regrouped: set[str] = set()  # articles whose groups changed
        self.derives["full" if full else "incremental"] += 1
        if full:
            view.use_group = {u: self._group_of(u) for u in view.uses}
            for u, g in view.use_group.items():
                view.group_uses.setdefault(g, []).append(u)
            view.groups = {g: self._make_group(g, us, view.uses) for g, us in view.group_uses.items()}
            touched_groups = set(view.groups)
        else:
            view.use_group = dict(prev.use_group)
            view.group_uses = dict(prev.group_uses)
            view.groups = dict(prev.groups)
            touched_groups = set()
            for u in touched_uses:
                old = prev.use_group.get(u)
                new = self._group_of(u) if u in view.uses else None
                if old is not None:
                    touched_groups.add(old)
                    rest = [x for x in view.group_uses.get(old, ()) if x != u]
                    if rest:
                        view.group_uses[old] = rest
                    else:
                        view.group_uses.pop(old, None)
                if new is not None:
                    touched_groups.add(new)
                    view.group_uses[new] = [*view.group_uses.get(new, ()), u]
                    view.use_group[u] = new
                else:
                    view.use_group.pop(u, None)
                if old != new:
                    regrouped.update(prev.uses.get(u, ()))
                    regrouped.update(view.uses.get(u, ()))
            for g in touched_groups:
                us = view.group_uses.get(g)
                if us:
                    view.groups[g] = self._make_group(g, us, view.uses)
                else:
                    view.groups.pop(g, None)
            view.group_hay = {g: h for g, h in prev.group_hay.items() if g not in touched_groups}
        labels = {g.partition(":")[0] for g in touched_groups}
        view.by_label = {} if full else dict(prev.by_label)
        for label in labels:
            view.by_label[label] = sorted((gr for gr in view.groups.values() if gr.label == label), key=_group_order)
        for label in [lab for lab, lst in view.by_label.items() if lab in labels and not lst]:
            del view.by_label[label]
        if not full:
            gone = self._touched_articles | regrouped
            view.article_groups = {a: t for a, t in prev.article_groups.items() if a not in gone}
            view.title_keys = {a: t for a, t in prev.title_keys.items() if a not in self._touched_articles}
        for aid, rec in view.records.items():
            if aid not in view.title_keys:
                view.title_keys[aid] = fold(rec.info.title)
        self._derive_quotes(view, prev, full, affected, touched_groups)
        self._view = view
        self._copied.clear()
        self._touched_uses.clear()
        self._touched_articles.clear()
        self._dirty = False
        self.version += 1

    def _group_of(self, use: Use) -> str:
        label, k, parent = use
        start = parent if parent is not None else k
        root = self._roots.get((label, start), start)
        return f"{label}:{root}"

    def _speaker_group(self, use: Use, groups: Mapping[str, Group]) -> str | None:
        g = self._group_of(use)
        if g in groups:
            return g
        label, k, parent = use
        if parent is None and (label, k) not in self._names:  # a speaker named only at the quote
            r = _unique_root(k, self._longer.get(label, {}))
            if r is not None and f"{label}:{r}" in groups:
                return f"{label}:{r}"
        return None

    def _fold(self, s: str) -> str:
        got = self._folds.get(s)
        if got is None:
            got = self._folds[s] = _folded(s)
        return got

    def _rows(self, rec: ArticleRecord, view: _View) -> list[Row]:
        info = rec.info
        order = (info.date is None, _neg(info.date or ""), view.title_keys[info.id], info.id)
        rows: list[Row] = []
        for q in rec.quotes:
            gid = self._speaker_group(q.speaker_use, view.groups) if q.speaker_use is not None else None
            grp = view.groups.get(gid) if gid is not None else None
            sp = q.speaker
            hit = QuoteHit(info, q.start, q.end, q.text, q.kind, grp.name if grp is not None else q.speaker_name,
                           sp[0] if sp else None, sp[1] if sp else None, sp[2] if sp else None, gid)
            skey = gid if gid is not None else (f"~{self._fold(q.speaker_name)}" if q.speaker_name else "")
            rows.append(((*order, q.start), hit, skey, q.folded))
        return rows

    def _derive_quotes(self, view: _View, prev: _View, full: bool, affected: set[tuple[str, str]],
                       touched_groups: set[str]) -> None:
        if full:
            redo: set[str] = set(view.records)
            view.quote_rows = {}
        else:
            redo = set(self._touched_articles)
            for label, name in affected:
                redo.update(prev.speakers_at.get(f"{label}:{name}", ()))
            for g in touched_groups:
                redo.update(prev.speakers_at.get(g, ()))
            view.quote_rows = dict(prev.quote_rows)
        changed_skeys: set[str] = set(touched_groups)
        for aid in redo:
            old = view.quote_rows.pop(aid, None)
            if old:
                changed_skeys.update(r[2] for r in old)
            rec = view.records.get(aid)
            if rec is not None and rec.quotes:
                rows = self._rows(rec, view)
                view.quote_rows[aid] = rows
                changed_skeys.update(r[2] for r in rows)
        everything = [r for rows in view.quote_rows.values() for r in rows]
        everything.sort(key=lambda r: r[0])
        view.quotes = [r[1] for r in everything]
        view.quote_speaker = [r[2] for r in everything]
        view.quote_folded = [r[3] for r in everything]
        # who speaks where: a quote's article is redone when its speaker's name or group changes
        names: dict[str, set[str]] = {}
        for aid, rows in view.quote_rows.items():
            rec = view.records[aid]
            for q in rec.quotes:
                if q.speaker_use is not None:
                    label, k, parent = q.speaker_use
                    view.speakers_at.setdefault(f"{label}:{parent or k}", set()).add(aid)
            for _, hit, skey, _ in rows:
                if hit.speaker_group is not None:
                    view.speakers_at.setdefault(hit.speaker_group, set()).add(aid)
                if skey and (full or skey in changed_skeys):
                    got = names.setdefault(skey, set())
                    if hit.speaker:
                        got.add(hit.speaker)
                    if hit.speaker_text:
                        got.add(hit.speaker_text)
        view.speaker_hay = {} if full else {k: h for k, h in prev.speaker_hay.items() if k not in changed_skeys}
        for skey, got in names.items():
            grp = view.groups.get(skey)
            if grp is not None:
                got.update(grp.aliases)
            view.speaker_hay[skey] = "\n" + "\n".join({self._fold(n) for n in got})

    # -- queries -------------------------------------------------------------------------------------
    def groups(self, label: str | None = None, *, name: str | None = None, limit: int | None = None
               ) -> list[Group]:
        """Entity groups, most mentioned first; of one label; whose aliases match ``name`` (a word start,
        accents and case optional)."""
        view = self._view
        if label is not None:
            pool: list[Group] = view.by_label.get(label, [])
        else:
            pool = sorted(view.groups.values(), key=_group_order)
        if name:
            q = _folded(name)
            hay = view.group_hay
            out = []
            for gr in pool:
                h = hay.get(gr.id)
                if h is None:
                    h = hay[gr.id] = "\n" + "\n".join(_folded(a) for a in gr.aliases)
                if _alias_match(q, h):
                    out.append(gr)
            pool = out
        return pool[:limit] if limit is not None else list(pool)

    def group(self, group_id: str) -> Group | None:
        return self._view.groups.get(group_id)

    def articles_of(self, group_id: str) -> list[GroupArticle]:
        """The articles a group occurs in, most mentions first, each with its first mention."""
        view = self._view
        firsts: dict[str, GroupArticle] = {}
        for use in view.group_uses.get(group_id, ()):
            for aid, m in view.uses.get(use, {}).items():
                prev = firsts.get(aid)
                if prev is None:
                    firsts[aid] = GroupArticle(view.records[aid].info, m.count, m.start, m.end, m.name)
                else:
                    first = (m.start, m.end, m.name) if m.start < prev.start else (prev.start, prev.end,
                                                                                  prev.surface)
                    firsts[aid] = GroupArticle(prev.article, prev.count + m.count, *first)
        titles = view.title_keys
        return sorted(firsts.values(), key=lambda ga: (-ga.count, titles.get(ga.article.id, ""), ga.article.id))

    def article_groups(self, article_id: str) -> tuple[str, ...]:
        """The groups that occur in one article."""
        return self._article_groups(self._view, article_id)

    @staticmethod
    def _article_groups(view: _View, article_id: str) -> tuple[str, ...]:
        got = view.article_groups.get(article_id)
        if got is None:
            rec = view.records.get(article_id)
            if rec is None:
                return ()
            ug = view.use_group
            got = view.article_groups[article_id] = tuple(dict.fromkeys(ug[m.use] for m in rec.mentions))
        return got

    def cooccurring(self, group_id: str, limit: int | None = 20, label: str | None = None
                    ) -> list[tuple[Group, int]]:
        """The groups found in the same articles as ``group_id``, with the number of articles they share,
        most shared first (then the most mentioned)."""
        view = self._view
        counts: Counter[str] = Counter()
        arts: set[str] = set()
        for use in view.group_uses.get(group_id, ()):
            arts.update(view.uses.get(use, ()))
        for aid in arts:
            counts.update(self._article_groups(view, aid))
        counts.pop(group_id, None)
        ranked = []
        for g, n in counts.items():
            grp = view.groups.get(g)
            if grp is not None and (label is None or grp.label == label):
                ranked.append((grp, n))
        ranked.sort(key=lambda gn: (-gn[1], -gn[0].mentions, gn[0].name.casefold()))
        return ranked[:limit] if limit is not None else ranked

    def speakers(self, kinds: Collection[str] | None = ("direct",)) -> list[tuple[str, int]]:
        """Every speaker (the name shown) with its number of quotes, most quoted first."""
        c: Counter[str] = Counter(h.speaker for h in self._view.quotes
                                  if h.speaker and (kinds is None or h.kind in kinds))
        return c.most_common()

    def quotes(self, *, speaker: str | None = None, text: str | None = None, tag: str | None = None,
               tags: TagsLike | None = None, kinds: Collection[str] | None = ("direct",),
               article_id: str | None = None, group: str | None = None, limit: int | None = None
               ) -> list[QuoteHit]:
        """Quotes, newest article first (then by title and position). Filters, all optional, combined:

        - ``speaker``: a word start of any alias of the speaker, accents and case optional ("putin");
        - ``text``: words in the quote, accents and case optional;
        - ``tag``: a tag of the quote (see :class:`QuoteTags`; ``tags`` is a QuoteTags or
          ``AnnotationStore.tags_by_article()``); without ``tags`` nothing has a tag;
        - ``kinds``: "direct" (the default), "indirect"; None for both;
        - ``article_id``, ``group`` (a speaker's Group.id).
        """
        view = self._view
        hits = view.quotes
        cand: list[int] | None = None  # positions in hits that pass the filters so far (None: all)
        if speaker:
            q = _folded(speaker)
            by_key = self._speaker_positions(view)
            keys = [k for k, h in view.speaker_hay.items() if _alias_match(q, h)]
            cand = sorted(i for k in keys for i in by_key.get(k, ()))
        if text:
            q = _folded(text)
            if cand is not None and len(cand) < 2_000:
                folded = view.quote_folded
                cand = [i for i in cand if q in folded[i]]
            else:
                found = self._text_positions(view, q)
                cand = found if cand is None else sorted(set(cand).intersection(found))
        if kinds is not None and set(kinds) != set(SPEECH):
            kset = set(kinds)
            cand = [i for i in (range(len(hits)) if cand is None else cand) if hits[i].kind in kset]
        if article_id is not None:
            cand = [i for i in (range(len(hits)) if cand is None else cand) if hits[i].article.id == article_id]
        if group is not None:
            cand = [i for i in (range(len(hits)) if cand is None else cand) if hits[i].speaker_group == group]
        if tag is not None:
            qt = _as_tags(tags)
            if qt is None:
                return []
            want = _folded(tag)
            cand = [i for i in (range(len(hits)) if cand is None else cand)
                    if want in qt.of(hits[i].article.id, hits[i].start, hits[i].end)]
        out = list(hits) if cand is None else [hits[i] for i in cand]
        return out[:limit] if limit is not None else out

    @staticmethod
    def _speaker_positions(view: _View) -> dict[str, list[int]]:
        """speaker key → positions of its quotes (made on the first speaker query of a view)."""
        got = view.speaker_positions
        if got is None:
            got = {}
            for i, k in enumerate(view.quote_speaker):
                if k:
                    got.setdefault(k, []).append(i)
            view.speaker_positions = got
        return got

    @staticmethod
    def _text_positions(view: _View, q: str) -> list[int]:
        """Positions of the quotes whose folded text contains ``q``: one search through all the texts
        joined (a quote that matches is left at its first match)."""
        if view.text_hay is None:
            starts, at = [], 0
            for f in view.quote_folded:
                starts.append(at)
                at += len(f) + 1
            view.text_starts = starts
            view.text_hay = "\x00".join(view.quote_folded)
        hay, starts = view.text_hay, view.text_starts
        out: list[int] = []
        pos = hay.find(q)
        while pos >= 0:
            i = bisect.bisect_right(starts, pos) - 1
            if pos + len(q) <= starts[i] + len(view.quote_folded[i]):
                out.append(i)
            nxt = i + 1
            if nxt >= len(starts):
                break
            pos = hay.find(q, starts[nxt])
        return out

    def article(self, article_id: str) -> ArticleInfo | None:
        rec = self._view.records.get(article_id)
        return rec.info if rec is not None else None

    def stats(self) -> dict[str, int]:
        view = self._view
        return {"articles": len(view.records), "groups": len(view.groups), "quotes": len(view.quotes),
                "direct": sum(1 for h in view.quotes if h.kind == "direct")}


def _group_order(gr: Group) -> tuple[int, int, str]:
    return (-gr.mentions, -gr.articles, gr.name.casefold())


def _neg(s: str) -> str:
    """A string that sorts in the reverse order of ``s`` (newest date first)."""
    return "".join(chr(0x10FFFF - ord(c)) for c in s)


def _alias_match(q: str, hay: str) -> bool:
    """``q`` (folded) starts a word of one of the "\\n"-separated folded aliases in ``hay``."""
    if not q:
        return True
    return ("\n" + q) in hay or (" " + q) in hay or ("-" + q) in hay


# -- export ------------------------------------------------------------------------------------------------

CSV_FIELDS = ("speaker", "quote", "article", "source", "date", "citation", "kind", "article_id", "path",
              "start", "end")


def quotes_csv(hits: Iterable[QuoteHit]) -> str:
    """The quote book as CSV (UTF-8 text; a header row; one quote a row)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for h in hits:
        a = h.article
        w.writerow([h.speaker or "", h.text, a.title, citable(a.source), a.date or "", h.citation(), h.kind, a.id,
                    a.path, h.start, h.end])
    return buf.getvalue()


def _md_escape(s: str) -> str:
    out = _norm(s)
    for ch in ("\\", "*", "_", "`", "[", "]", "<", ">", "#", "|"):
        out = out.replace(ch, "\\" + ch)
    return out


def quotes_markdown(hits: Iterable[QuoteHit], title: str = "Quote book") -> str:
    """The quote book as Markdown: a section per speaker (most quoted first); each quote as its citation,
    “quote” — speaker, title (source), then its date when known."""
    by_speaker: dict[str, list[QuoteHit]] = {}
    for h in hits:
        by_speaker.setdefault(h.speaker or "", []).append(h)
    order = sorted(by_speaker, key=lambda s: (s == "", -len(by_speaker[s]), s.casefold()))
    total = sum(len(v) for v in by_speaker.values())
    lines = [f"# {_md_escape(title)}", "",
             f"{total} quote{'' if total == 1 else 's'}, {len(order)} speaker{'' if len(order) == 1 else 's'}.", ""]
    for s in order:
        lines += [f"## {_md_escape(s) if s else '(speaker unknown)'}", ""]
        for h in by_speaker[s]:
            date = f" · {_md_escape(h.article.date)}" if h.article.date else ""
            lines.append(f"- {_md_escape(h.citation())}{date}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
