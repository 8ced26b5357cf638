"""The library without Textual: one row per article, the filter language, sorting, and the order the reader
follows with ] and [.

Filter: free words are a phrase searched in titles, tags and text (case and diacritics optional: "ha noi"
finds "Hà Nội"); ``tag:NAME`` keeps articles with that tag; ``is:unread`` / ``is:read`` by read state;
``who:NAME`` articles where NAME is a person or a quote's speaker (from the analyses in the cache, so only
analysed articles can match); ``site:NAME`` and ``feed:NAME`` where an article came from (its site, the feed
that brought it). Quotes group words: ``tag:"tin nóng"``, ``who:"Vladimir Putin"``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docbao.analysis.text import fold

__all__ = ["SORTS", "LibraryIndex", "Query", "Row", "count_cell", "parse_query"]

SORTS = {"title": "title", "opened": "date opened", "annotations": "annotations", "date": "date published"}


@dataclass
class Row:
    article_id: str
    title: str
    words: int | None  # None: not counted yet
    entities: int | None = None  # None: not looked up yet; -1: not analysed yet
    quotes: int | None = None
    notes: int = 0
    tags: list[str] = field(default_factory=list)
    read: bool = False
    opened: str = ""  # ISO time the article was last opened, "" if never
    date: str = ""  # published, when known
    site: str = ""
    feed: str = ""  # the title of the feed that brought it
    people: frozenset[str] = frozenset()  # folded names of its people and speakers (when analysed)


def count_cell(n: int | None) -> str:
    """ "…" not looked up yet, "–" not analysed yet (never 0 for that), else the number."""
    if n is None:
        return "…"
    return "–" if n < 0 else str(n)


@dataclass(frozen=True)
class Query:
    text: str = ""  # folded phrase
    tags: tuple[str, ...] = ()  # folded
    read: bool | None = None
    who: tuple[str, ...] = ()  # folded
    site: tuple[str, ...] = ()  # folded
    feed: tuple[str, ...] = ()  # folded

    @property
    def empty(self) -> bool:
        return not (self.text or self.tags or self.who or self.site or self.feed or self.read is not None)


def parse_query(q: str) -> Query:
    try:
        words = shlex.split(q)
    except ValueError:  # an open quote while typing: as if closed at the end
        try:
            words = shlex.split(q + '"')
        except ValueError:
            words = q.replace('"', " ").split()
    text: list[str] = []
    fields: dict[str, list[str]] = {"tag": [], "who": [], "site": [], "feed": []}
    read: bool | None = None
    for w in words:
        low = w.lower()
        name, colon, value = low.partition(":")
        if colon and name in fields and value:
            fields[name].append(" ".join(fold(w[len(name) + 1:]).split()))
        elif low in ("is:unread", "is:new"):
            read = False
        elif low == "is:read":
            read = True
        else:
            text.append(w)
    return Query(" ".join(fold(" ".join(text)).split()), tuple(fields["tag"]), read, tuple(fields["who"]),
                 tuple(fields["site"]), tuple(fields["feed"]))


def _holds(hay: str, text: str) -> bool:
    """The folded ``text`` is in ``hay`` as a phrase ("ha noi" finds Hà Nội: Vietnamese words are several
    syllables, so words apart would match far too much); commas part phrases that may stand anywhere
    ("putin, belarus")."""
    return all(p.strip() in hay for p in text.split(","))


def people_of(analysis: Any) -> frozenset[str]:
    """The folded names of an analysis's people and speakers (what `who:` matches)."""
    people = {fold(e.text) for e in analysis.entities if e.label == "PER"}
    people |= {fold(q.speaker.text) for q in analysis.quotes if q.speaker is not None}
    return frozenset(people)


def _fold_body(text: str) -> str:
    """Folded, with runs of white space (line breaks too) as one space, so a phrase matches across lines."""
    return " ".join(fold(text).split())


class LibraryIndex:
    """Rows, their folded texts, and the current filter and sort."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = list(rows)
        self.by_id = {r.article_id: i for i, r in enumerate(self.rows)}
        self.sort = "title"
        self.query_text = ""
        self._bases = [self._base(r) for r in self.rows]
        # folded once, not on every keystroke of a filter: each row's tags, and its site and feed
        self._tags = [self._tag_set(r) for r in self.rows]
        self._origins = [(fold(r.site), fold(r.feed)) for r in self.rows]
        self._bodies: list[str] | None = None
        order = sorted(range(len(self.rows)), key=lambda i: self._bases[i])
        self._title_rank = [0] * len(self.rows)
        for rank, i in enumerate(order):
            self._title_rank[i] = rank
        self._last: tuple[str, list[int]] | None = None
        self.view: list[int] = list(order)

    @staticmethod
    def _tag_set(r: Row) -> frozenset[str]:
        return frozenset(" ".join(fold(t).split()) for t in r.tags)

    @staticmethod
    def _base(r: Row) -> str:
        return " ".join(fold(r.title).split()) + "\n" + "\n".join(" ".join(fold(t).split()) for t in r.tags)

    @property
    def text_indexed(self) -> bool:
        return self._bodies is not None

    def set_bodies(self, texts: Iterable[str]) -> None:
        """The articles' texts (in row order), folded for the filter (a worker does this: 10,000 articles)."""
        self._bodies = [_fold_body(t) for t in texts]
        self._last = None

    def add_rows(self, rows: Sequence[Row]) -> None:
        """Articles that joined the library (fetched from the web): at the end, then in the current order."""
        for r in rows:
            self.by_id[r.article_id] = len(self.rows)
            self.rows.append(r)
            self._bases.append(self._base(r))
            self._tags.append(self._tag_set(r))
            self._origins.append((fold(r.site), fold(r.feed)))
            if self._bodies is not None:
                self._bodies.append("")  # folded with the next full pass (a new filter still sees the title)
        order = sorted(range(len(self.rows)), key=lambda i: self._bases[i])
        self._title_rank = [0] * len(self.rows)
        for rank, i in enumerate(order):
            self._title_rank[i] = rank
        self._last = None
        self.filter(self.query_text)

    def set_analysed(self, article_id: str, entities: int, quotes: int, people: frozenset[str]) -> None:
        """An article was analysed (in the reader): its counts and the people `who:` finds."""
        i = self.by_id.get(article_id)
        if i is None:
            return
        row = self.rows[i]
        row.entities, row.quotes, row.people = entities, quotes, people
        self._last = None

    def row_changed(self, i: int) -> None:
        """Tags or title of row ``i`` changed."""
        self._bases[i] = self._base(self.rows[i])
        self._tags[i] = self._tag_set(self.rows[i])
        self._last = None

    # -- filtering and order ---------------------------------------------------------------------------
    def _hay(self, i: int) -> str:
        b = self._bodies
        return self._bases[i] + "\n" + b[i] if b is not None and i < len(b) else self._bases[i]

    def _match(self, i: int, q: Query) -> bool:
        r = self.rows[i]
        if q.read is not None and r.read != q.read:
            return False
        if q.tags and not all(t in self._tags[i] for t in q.tags):
            return False
        if q.who and not all(any(w == p or re.search(rf"(?<!\w){re.escape(w)}(?!\w)", p) for p in r.people)
                             for w in q.who):
            return False
        site, feed = self._origins[i]
        if q.site and not all(x in site for x in q.site):
            return False
        if q.feed and not all(x in feed for x in q.feed):
            return False
        return not q.text or _holds(self._hay(i), q.text)

    def filter(self, text: str) -> list[int]:
        """Apply a filter (see the module docstring) and the current sort; the rows shown, in order."""
        self.query_text = text
        q = parse_query(text)
        base = None
        if self._last is not None and text.startswith(self._last[0]) and self._last[0].strip() \
                and ":" not in text and '"' not in text:
            base = self._last[1]  # typing on: search within the previous matches
        candidates: Iterable[int] = base if base is not None else range(len(self.rows))
        matches = [i for i in candidates if self._match(i, q)] if not q.empty else list(range(len(self.rows)))
        self._last = (text, matches)
        self.view = self._order(matches)
        return self.view

    def _order(self, indices: list[int]) -> list[int]:
        rows = self.rows
        if self.sort == "opened":
            return sorted(indices, key=lambda i: (rows[i].opened, -self._title_rank[i]), reverse=True)
        if self.sort == "annotations":
            return sorted(indices, key=lambda i: (-rows[i].notes, self._title_rank[i]))
        if self.sort == "date":
            return sorted(indices, key=lambda i: (rows[i].date, -self._title_rank[i]), reverse=True)
        return sorted(indices, key=self._title_rank.__getitem__)

    def set_sort(self, sort: str) -> list[int]:
        if sort not in SORTS:
            raise ValueError(f"unknown sort {sort!r}")
        self.sort = sort
        self.view = self._order(self._last[1] if self._last is not None else list(range(len(self.rows))))
        return self.view

    def next_sort(self) -> str:
        keys = list(SORTS)
        return keys[(keys.index(self.sort) + 1) % len(keys)]

    # -- the reader's neighbours -------------------------------------------------------------------
    def neighbour(self, article_id: str, step: int) -> str | None:
        """The article ``step`` rows after (or before) this one in the order shown; None at either end."""
        ids = [self.rows[i].article_id for i in self.view]
        if article_id not in ids:
            return None
        k = ids.index(article_id) + step
        return ids[k] if 0 <= k < len(ids) else None

    def last_read(self) -> str | None:
        """The article opened most recently (the library starts there)."""
        opened = [r for r in self.rows if r.opened]
        return max(opened, key=lambda r: r.opened).article_id if opened else None

    def unread(self) -> int:
        return sum(1 for r in self.rows if not r.read)
