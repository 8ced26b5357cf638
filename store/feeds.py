"""Feeds: follow RSS and Atom feeds, as newsboat does; their items become articles in the user's library.

- :func:`follow` takes a feed's URL, or a web page that announces one (``<link rel="alternate"
  type="application/rss+xml">`` or ``atom+xml``), checks it is a feed (feedparser), and records it in the
  annotation database (the ``feeds`` table of :class:`store.annotations.AnnotationStore`: the feeds are the
  user's data, so they are in the native export and come back on import).
- :func:`refresh` fetches the feed with a conditional GET (ETag, Last-Modified: a 304 fetches nothing), then
  the pages of the items it has not fetched before (by guid, else link), a few at a time, through
  :func:`store.web.add_url`. An item that fails is reported (one :class:`store.web.WebError` each, a line
  ``<url>: <reason>``) and the others are kept; failed items are tried again at the next refresh. Progress
  goes to a callback, called in the caller's thread after each item.
- :func:`counts` gives each feed's articles and how many are unread (not marked read in the reading state).

Nothing here imports Textual. The app runs :func:`refresh` in a worker thread and posts its progress.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from docbao.analysis.text import fold, normalize_text
from docbao.store.annotations import AnnotationStore, Feed, ReadingState, now_iso
from docbao.store.storage import StoreError
from docbao.store.web import (
    ADDED,
    HTML_TYPES,
    AddResult,
    Response,
    WebError,
    WebOptions,
    add_url,
    check_url,
    decode_html,
    fetch,
    library_ids,
    looks_html,
    normalize_url,
    save_text,
    use_client,
)

__all__ = [
    "Entry",
    "Feed",
    "FeedCounts",
    "Followed",
    "ParsedFeed",
    "Progress",
    "RefreshReport",
    "counts",
    "discover",
    "feed_id",
    "find_feed",
    "follow",
    "parse_feed",
    "refresh",
    "refresh_all",
    "unfollow",
]

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, "
               "text/xml;q=0.8, text/html;q=0.5, */*;q=0.1")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
WORKERS = 4  # pages fetched at once during a refresh: polite to one site, and quick enough
FAILED = "failed"


def feed_id(url: str) -> str:
    """A feed's id: from the URL it was first followed at (stable, 16 hex digits)."""
    return hashlib.sha256(("docbao:feed\x00" + normalize_url(url)).encode("utf-8")).hexdigest()[:16]


# -- parsing ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One item of a feed."""

    key: str  # what identifies it across refreshes: its guid, else its link
    link: str  # its page ("" when the item has none)
    title: str = ""
    author: str = ""
    date: str = ""  # YYYY-MM-DD when the feed gives one
    text: str = ""  # its own content as text, used only when it has no link


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site: str  # the site's home page
    entries: tuple[Entry, ...]


def _html_text(html: str) -> str:
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return html
    for br in root.iter("br", "p", "div", "li", "h1", "h2", "h3", "h4"):
        br.tail = "\n" + (br.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().split("\n")]
    return "\n".join(line for line in lines if line)


def _date(parsed: Any) -> str:
    if not parsed:
        return ""
    try:
        return time.strftime("%Y-%m-%d", parsed)
    except (TypeError, ValueError):
        return ""


def parse_feed(content: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """An RSS or Atom document's title, site and items. Raises WebError when it is not a feed."""
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    try:
        d = feedparser.parse(content, response_headers=headers, resolve_relative_uris=True,
                             sanitize_html=True)
    except Exception as exc:  # feedparser is lenient, but a parser bug must not become a traceback
        raise WebError(url, f"could not read the feed ({type(exc).__name__}: {exc})") from None
    if not d.get("version"):
        why = d.get("bozo_exception")
        detail = f": {str(why).splitlines()[0]}" if why else ""
        raise WebError(url, f"not a feed (not RSS or Atom XML{detail})")
    info = d.get("feed", {})
    entries: list[Entry] = []
    seen: set[str] = set()
    for e in d.get("entries", []):
        link = str(e.get("link") or "").strip()
        if link and not re.match(r"(?i)https?://", link):
            link = ""
        text = ""
        if not link:
            content_list = e.get("content") or []
            raw = content_list[0].get("value", "") if content_list else e.get("summary", "")
            text = _html_text(str(raw or ""))
        title = " ".join(str(e.get("title") or "").split())
        key = str(e.get("id") or e.get("guid") or link or "").strip()
        if not key:
            key = "sha256:" + hashlib.sha256(f"{title}\x00{text}".encode()).hexdigest()[:24]
        if key in seen:
            continue
        seen.add(key)
        entries.append(Entry(key=key, link=link, title=normalize_text(title),
                             author=" ".join(str(e.get("author") or "").split()),
                             date=_date(e.get("published_parsed") or e.get("updated_parsed")), text=text))
    return ParsedFeed(title=normalize_text(" ".join(str(info.get("title") or "").split())),
                      site=str(info.get("link") or ""), entries=tuple(entries))


_ALTERNATE_TYPES = frozenset(FEED_TYPES)


def discover(html: str, base_url: str) -> list[tuple[str, str]]:
    """The feeds an HTML page announces: (absolute URL, title) for each ``<link rel="alternate">`` of an RSS
    or Atom type, in page order."""
    from urllib.parse import urljoin

    import lxml.html

    try:
        root = lxml.html.fromstring(html.encode("utf-8", "replace"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ValueError, TypeError, lxml.etree.ParserError):
        return []
    out: list[tuple[str, str]] = []
    for link in root.xpath("//link[@href][@type]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rel and kind in _ALTERNATE_TYPES:
            href = urljoin(base_url, (link.get("href") or "").strip())
            if re.match(r"(?i)https?://", href) and href not in [u for u, _ in out]:
                out.append((href, " ".join((link.get("title") or "").split())))
    return out


# -- following ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Followed:
    """A feed just followed, and the document fetched to check it (so the first refresh need not fetch it
    again)."""

    feed: Feed
    parsed: ParsedFeed
    response: Response
    discovered_from: str = ""  # the page that announced the feed, if the URL given was a page


def _fetch_feed(url: str, client: httpx.Client, options: WebOptions, *, etag: str = "",
                last_modified: str = "") -> Response:
    return fetch(url, client=client, options=options, etag=etag, last_modified=last_modified, accept=FEED_ACCEPT)


def _is_page(r: Response) -> bool:
    """Is this a web page (to look for a feed link in) rather than a feed? A feed mislabelled text/html is
    still a feed."""
    head = r.content[:2048].lower()
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return False
    if r.content_type in FEED_TYPES or ("xml" in r.content_type and not r.content_type.endswith("xhtml+xml")):
        return False
    return r.content_type in HTML_TYPES or looks_html(r.content)


def follow(store: AnnotationStore, url: str, *, client: httpx.Client | None = None,
           options: WebOptions | None = None) -> Followed:
    """Follow the feed at ``url``, or the first feed the page at ``url`` announces. Raises WebError (not a
    feed, no feed announced, a network failure) or StoreError (already followed), having written nothing."""
    o = options or WebOptions()
    url = check_url(url)
    _check_new(store, url)
    with use_client(client, o) as c:
        r = _fetch_feed(url, c, o)
        page = ""
        if _is_page(r):
            try:
                html, _, _ = decode_html(r.content, r.charset)
            except Exception:
                raise WebError(url, "not a feed, nor a page that announces one (binary content)") from None
            found = discover(html, r.final_url)
            if not found:
                raise WebError(url, "no feed here: a web page that announces no RSS or Atom feed "
                                    "(<link rel=\"alternate\" type=\"application/rss+xml\">)")
            page, url = url, found[0][0]
            _check_new(store, url)
            r = _fetch_feed(url, c, o)
        parsed = parse_feed(r.content, r.final_url, r.content_type)
    feed = Feed(id=feed_id(url), url=url, title=parsed.title, site=parsed.site, added=now_iso())
    feed = store.add_feed(feed)
    return Followed(feed, parsed, r, page)


def _check_new(store: AnnotationStore, url: str) -> None:
    key, fid = normalize_url(url), feed_id(url)
    for f in store.feeds():
        if normalize_url(f.url) == key or f.id == fid:
            raise StoreError(f"{url}: already followed (as {f.name!r})")


def find_feed(store: AnnotationStore, query: str) -> Feed:
    """The feed ``query`` names: its URL, its id, its title, or a unique part of its title (accents and
    case optional). Raises StoreError naming the candidates when there is none or several."""
    feeds = store.feeds()
    q = query.strip()
    for f in feeds:
        if q in (f.url, f.id):
            return f
    if re.match(r"(?i)https?://", q):
        key = normalize_url(q)
        for f in feeds:
            if normalize_url(f.url) == key:
                return f
    fq = fold(q)
    exact = [f for f in feeds if fold(f.title) == fq]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [f for f in feeds if fq and fq in fold(f.title)]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise StoreError(f"no feed matches {query!r} (`docbao feeds list` shows them)")
    names = ", ".join(repr(f.name) for f in partial[:5]) + (", …" if len(partial) > 5 else "")
    raise StoreError(f"{query!r} matches several feeds ({names}): give its URL")


def unfollow(store: AnnotationStore, query: str) -> Feed:
    """Stop following a feed (see :func:`find_feed`); the articles fetched from it stay in the library."""
    return store.remove_feed(find_feed(store, query).id)


# -- refreshing ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """A refresh's progress: ``done`` of ``total`` new items of ``feed`` finished; ``url`` and ``status``
    (added, exists, unchanged, failed) say which item just finished ("" at the start of a feed)."""

    feed: str
    done: int
    total: int
    url: str = ""
    status: str = ""
    error: str = ""


ProgressFn = Callable[[Progress], None]


@dataclass
class RefreshReport:
    feed: Feed  # as recorded after the refresh
    not_modified: bool = False  # the server said 304: nothing fetched
    new: int = 0  # items not fetched before
    results: list[AddResult] = field(default_factory=list)
    failures: list[WebError] = field(default_factory=list)
    error: WebError | None = None  # the feed itself could not be fetched or read

    @property
    def added(self) -> int:
        return sum(1 for r in self.results if r.status == ADDED)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.failures

    def summary(self) -> str:
        if self.error is not None:
            return f"{self.feed.name}: failed: {self.error.reason}"
        if self.not_modified:
            return f"{self.feed.name}: not modified since the last refresh"
        if not self.new:
            return f"{self.feed.name}: no new items"
        text = f"{self.feed.name}: {self.added} new article{'s' if self.added != 1 else ''}"
        known = len(self.results) - self.added
        if known:
            text += f", {known} already in the library"
        if self.failures:
            text += f", {len(self.failures)} failed (tried again at the next refresh)"
        return text


def _item_meta(feed: Feed, parsed: ParsedFeed, e: Entry) -> dict[str, str]:
    return {"feed": feed.url, "feed_title": feed.title or parsed.title, "title": e.title, "author": e.author,
            "date": e.date}


def _fetch_item(e: Entry, meta: Mapping[str, str], library: Path | None, client: httpx.Client,
                options: WebOptions) -> AddResult:
    if e.link:
        return add_url(e.link, library=library, client=client, options=options, feed=meta)
    if e.text.strip():
        return save_text(f"{meta['feed']}#{e.key}", e.title, e.text, library, feed=meta)
    raise WebError(e.key, "the item has neither a link nor any text")


def refresh(store: AnnotationStore, feed: Feed, *, library: Path | None = None,
            client: httpx.Client | None = None, options: WebOptions | None = None, workers: int = WORKERS,
            progress: ProgressFn | None = None, prefetched: Response | None = None) -> RefreshReport:
    """Fetch the feed's new items into the library (see the module docstring). Never raises for the network:
    the feed's own failure is ``report.error``, an item's is in ``report.failures``. One database write."""
    o = options or WebOptions()
    notify = progress or (lambda p: None)
    stamp = now_iso()
    with use_client(client, o) as c:
        try:
            r = prefetched or _fetch_feed(feed.url, c, o, etag=feed.etag, last_modified=feed.last_modified)
            if r.not_modified:
                feed = store.update_feed(feed.id, checked=stamp, error="")
                notify(Progress(feed.name, 0, 0))
                return RefreshReport(feed, not_modified=True)
            parsed = parse_feed(r.content, r.final_url, r.content_type)
        except WebError as exc:
            feed = store.update_feed(feed.id, checked=stamp, error=exc.reason)
            notify(Progress(feed.name, 0, 0, feed.url, FAILED, exc.reason))
            return RefreshReport(feed, error=exc)
        new = [e for e in parsed.entries if e.key not in feed.items]
        report = RefreshReport(feed, new=len(new))
        notify(Progress(feed.name, 0, len(new)))
        done: dict[str, str] = {}
        try:
            _run_items(new, feed, parsed, library, c, o, max(1, workers), report, done, notify)
        finally:
            # What was fetched is recorded even if the refresh is interrupted. With failures, the validators
            # are not updated, so the next refresh gets the whole feed again and retries the failed items.
            items = {e.key: done[e.key] for e in reversed(new) if e.key in done}
            keep = report.failures or len(done) < len(new)
            report.feed = store.update_feed(
                feed.id, items=items, checked=stamp, error="", title=parsed.title or feed.title,
                site=parsed.site or feed.site, etag=feed.etag if keep else r.etag,
                last_modified=feed.last_modified if keep else r.last_modified)
    return report


def _run_items(new: Sequence[Entry], feed: Feed, parsed: ParsedFeed, library: Path | None, client: httpx.Client,
               options: WebOptions, workers: int, report: RefreshReport, done: dict[str, str],
               notify: ProgressFn) -> None:
    if not new:
        return
    pool = ThreadPoolExecutor(max_workers=min(workers, len(new)), thread_name_prefix="docbao-feed")
    pending: dict[Future[AddResult], Entry] = {}
    try:
        for e in new:
            pending[pool.submit(_fetch_item, e, _item_meta(feed, parsed, e), library, client, options)] = e
        finished = 0
        while pending:
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in ready:
                e = pending.pop(fut)
                finished += 1
                try:
                    res = fut.result()
                except WebError as exc:
                    report.failures.append(exc)
                    notify(Progress(feed.name, finished, len(new), exc.url, FAILED, exc.reason))
                    continue
                except Exception as exc:  # one item no one foresaw must not stop the others
                    err = WebError(e.link or e.key, f"could not be read ({type(exc).__name__}: {exc})")
                    report.failures.append(err)
                    notify(Progress(feed.name, finished, len(new), err.url, FAILED, err.reason))
                    continue
                done[e.key] = res.article.id
                report.results.append(res)
                notify(Progress(feed.name, finished, len(new), res.url, res.status))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def refresh_all(store: AnnotationStore, feeds: Iterable[Feed] | None = None, *, library: Path | None = None,
                client: httpx.Client | None = None, options: WebOptions | None = None, workers: int = WORKERS,
                progress: ProgressFn | None = None) -> list[RefreshReport]:
    """Refresh the feeds given (all followed when None), one after the other, sharing one client."""
    o = options or WebOptions()
    chosen = list(store.feeds() if feeds is None else feeds)
    with use_client(client, o) as c:
        return [refresh(store, f, library=library, client=c, options=o, workers=workers, progress=progress)
                for f in chosen]


# -- unread counts ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedCounts:
    articles: int  # the feed's articles still in the library
    unread: int  # of those, the ones not marked read


def counts(store: AnnotationStore, library: Path | None = None,
           reading: Mapping[str, ReadingState] | None = None) -> dict[str, FeedCounts]:
    """Feed id → its articles in the library and how many are unread (no file is read; no network)."""
    present = library_ids(library)
    states = store.reading_states() if reading is None else reading
    out: dict[str, FeedCounts] = {}
    for f in store.feeds():
        ids = {aid for aid in f.items.values() if aid in present}
        unread = sum(1 for aid in ids if not (states.get(aid) and states[aid].read))
        out[f.id] = FeedCounts(len(ids), unread)
    return out

