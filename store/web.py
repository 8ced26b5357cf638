"""News from the web: fetch a page, extract the article, keep it in the user's library as a file.

``docbao add URL`` and feed refreshes (:mod:`store.feeds`) come through here:

- :func:`fetch` GETs a URL with httpx: timeouts (connect, read, and a deadline for the whole response), up
  to 10 redirects, a size limit (20 MB) enforced while the body streams in (a larger body is cut off, not
  read to the end), conditional GET (ETag, Last-Modified; a 304 is :attr:`Response.not_modified`), and a
  User-Agent naming docbao and its version. Every failure is a :class:`WebError` whose ``str()`` is one
  line, ``<url>: <reason>``.
- :func:`decode_html` finds the charset (the HTTP header, then ``<meta charset>``; a page whose bytes do
  not match what it declares is read as what it really is, with a warning).
- :func:`store.articles.extract_html` (trafilatura) gives the text and the page's own metadata.
- :func:`save_page` writes the article as ``<library>/<site>/<id>.json`` (what :func:`store.articles.load_file`
  reads: text, title, url, canonical, site, author, date, language, fetched, feed) and the page as it came,
  gzipped, beside it (``<id>.html.gz``). Both are written atomically (temporary file, fsync, rename): a file
  in the library is always whole. The id comes from the canonical URL, so the same article fetched twice,
  by whatever URL, is one file.

Nothing here imports Textual; the app calls :func:`add_url` from a worker thread.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import gzip
import hashlib
import json
import os
import re
import socket
import ssl
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from docbao import __version__
from docbao.analysis.text import BinaryFileError, decode_bytes_noted, normalize_text
from docbao.files import write_atomic
from docbao.store.articles import Article, ArticleError, PageFields, extract_html, load_file, title_of_plain

MAX_BYTES = 20 * 1024 * 1024
MIN_WORDS = 12  # fewer words than this besides the title (a menu, a caption) is no article
FORMAT = "docbao-article"
FORMAT_VERSION = 1
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: statuses of :func:`add_url`
ADDED, UPDATED, UNCHANGED, EXISTS = "added", "updated", "unchanged", "exists"


USER_AGENT = f"docbao/{__version__} (terminal news reader) python-httpx/{httpx.__version__}"


class WebError(Exception):
    """A URL that could not be fetched or read as an article. ``str()`` is one line: ``<url>: <reason>``."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass(frozen=True)
class WebOptions:
    """How patient and how generous a fetch is."""

    connect_timeout: float = 10.0  # seconds to connect
    read_timeout: float = 20.0  # seconds without a byte from the server
    deadline: float = 60.0  # seconds for a whole response, however slowly it comes
    max_bytes: int = MAX_BYTES  # a larger body is cut off and refused
    max_redirects: int = 10
    user_agent: str = USER_AGENT


def make_client(options: WebOptions | None = None) -> httpx.Client:
    """An httpx client set up as docbao fetches (thread-safe: a feed refresh shares one among its workers)."""
    o = options or WebOptions()
    return httpx.Client(
        follow_redirects=True, max_redirects=o.max_redirects,
        timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout),
        headers={"User-Agent": o.user_agent, "Accept-Language": "vi, en;q=0.7, *;q=0.3"},
        limits=httpx.Limits(max_connections=16, max_keepalive_connections=8),
    )


@contextlib.contextmanager
def use_client(client: httpx.Client | None, options: WebOptions) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with make_client(options) as own:
        yield own


# -- URLs ---------------------------------------------------------------------------------------------
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|_ga|zarsrc|gidzl)$", re.IGNORECASE)


def check_url(url: str) -> str:
    """A URL docbao can fetch: trimmed, ``https://`` added to a bare ``example.com/path``. Raises WebError."""
    raw = url.strip()
    if not raw:
        raise WebError(url, "an empty address")
    if "://" not in raw and re.match(r"^[\w.-]+\.[a-zA-Z]{2,}(:\d+)?(/|$)", raw):
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise WebError(url, "not a valid web address") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise WebError(url, "not a web address (docbao fetches http:// and https:// URLs)")
    if not parts.hostname:
        raise WebError(url, "not a valid web address (no host)")
    return raw


def normalize_url(url: str) -> str:
    """The form of a URL that identifies an article: lower-case scheme and host, no default port, no
    fragment, no tracking parameters (utm_*, fbclid…), the other parameters kept in their order."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def article_id(url: str) -> str:
    """The id of the article at ``url`` (its canonical URL, best): stable, 16 hex digits."""
    return hashlib.sha256(("docbao:url\x00" + normalize_url(url)).encode("utf-8")).hexdigest()[:16]


def site_folder(url: str) -> str:
    """The library folder of a URL's site: its host without ``www.``, safe as a file name."""
    host = (urlsplit(url).hostname or "web").lower().rstrip(".")
    host = host.removeprefix("www.")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    host = re.sub(r"[^a-z0-9.-]+", "_", host).strip(".") or "web"
    return host


def article_path(library: Path, url: str) -> Path:
    """Where the article whose canonical URL is ``url`` lives in ``library``."""
    return library / site_folder(url) / f"{article_id(url)}.json"


# -- fetching -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Response:
    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str  # the media type, lower case, without parameters ("" if none)
    charset: str  # the charset the HTTP header declares ("" if none)
    content: bytes
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False  # a 304 to a conditional GET: content is empty
    headers: Mapping[str, str] = field(default_factory=dict)


def _media_type(value: str) -> tuple[str, str]:
    media, _, params = value.partition(";")
    charset = ""
    for param in params.split(";"):
        k, _, v = param.partition("=")
        if k.strip().lower() == "charset":
            charset = v.strip().strip("\"'").strip()
    return media.strip().lower(), charset


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def fetch(url: str, *, client: httpx.Client | None = None, options: WebOptions | None = None,
          etag: str = "", last_modified: str = "", accept: str = "") -> Response:
    """GET ``url`` (see the module docstring). Raises WebError for anything but a 2xx (or a 304 when
    ``etag``/``last_modified`` make it conditional) whose body fits in ``options.max_bytes``."""
    o = options or WebOptions()
    url = check_url(url)
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if accept:
        headers["Accept"] = accept
    started = time.monotonic()
    try:
        with use_client(client, o) as c, c.stream("GET", url, headers=headers, follow_redirects=True) as r:
            final = str(r.url)
            ctype, charset = _media_type(r.headers.get("content-type", ""))
            common = {"url": url, "final_url": final, "status": r.status_code, "content_type": ctype,
                      "charset": charset, "etag": r.headers.get("etag", ""),
                      "last_modified": r.headers.get("last-modified", ""), "headers": dict(r.headers)}
            if r.status_code == 304 and (etag or last_modified):
                return Response(content=b"", not_modified=True, **common)
            if r.status_code >= 400:
                phrase = r.reason_phrase or httpx.codes.get_reason_phrase(r.status_code)
                raise WebError(url, f"HTTP {r.status_code} {phrase}".rstrip() + _status_hint(r.status_code))
            if r.status_code >= 300:
                raise WebError(url, f"HTTP {r.status_code}: a redirect without a place to go")
            declared = r.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > o.max_bytes:
                raise WebError(url, f"too large ({_mb(int(declared))}; the limit is {_mb(o.max_bytes)}); "
                                    f"not downloaded")
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > o.max_bytes:
                    raise WebError(url, f"too large (more than {_mb(o.max_bytes)}, the limit); cut off there, "
                                        f"nothing saved")
                if time.monotonic() - started > o.deadline:
                    raise WebError(url, f"too slow: the page was still arriving after {o.deadline:g} s; "
                                        f"nothing saved")
            return Response(content=bytes(body), **common)
    except WebError:
        raise
    except httpx.HTTPError as exc:
        raise WebError(url, _network_reason(exc, url, o)) from None
    except (ValueError, UnicodeError) as exc:  # an address httpx cannot even build a request for
        raise WebError(url, f"not a valid web address ({exc})") from None


def _status_hint(status: int) -> str:
    if status == 404 or status == 410:
        return " (no such page: check the address)"
    if status in (401, 403):
        return " (the site refuses docbao: it may need a login or block robots)"
    if status == 429:
        return " (too many requests: try again later)"
    if status >= 500:
        return " (the site's server failed: try again later)"
    return ""


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        yield cur
        cur = cur.__cause__ or cur.__context__


def _network_reason(exc: httpx.HTTPError, url: str, o: WebOptions) -> str:
    host = urlsplit(url).hostname or url
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting to {host} (no answer in {o.connect_timeout:g} s)"
    if isinstance(exc, httpx.ReadTimeout):
        return f"timed out: {host} sent nothing for {o.read_timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out talking to {host}"
    if isinstance(exc, httpx.TooManyRedirects):
        return f"too many redirects (more than {o.max_redirects})"
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "not a web address (docbao fetches http:// and https:// URLs)"
    if isinstance(exc, httpx.DecodingError):
        return "the page's compressed body is damaged"
    if isinstance(exc, httpx.RemoteProtocolError):
        text = str(exc).lower()
        if "incomplete" in text or "complete message body" in text or "peer closed" in text:
            return "the connection closed before the whole page arrived (truncated); nothing saved"
        return f"the server broke the HTTP protocol ({exc})"
    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            if cause.errno in (getattr(socket, "EAI_AGAIN", -3),):
                return f"cannot look up {host} (DNS not answering: is the network up?)"
            return f"cannot find the host {host} (DNS lookup failed: check the address, or the network)"
        if isinstance(cause, ssl.SSLError):
            return f"secure connection to {host} failed ({getattr(cause, 'reason', None) or cause})"
        if isinstance(cause, OSError) and cause.errno is not None:
            if cause.errno == errno.ECONNREFUSED:
                return f"connection refused by {host} (no web server there?)"
            if cause.errno in (errno.ENETUNREACH, errno.ENETDOWN, errno.EHOSTUNREACH):
                return f"no network ({os.strerror(cause.errno).lower()})"
            if cause.errno == errno.ECONNRESET:
                return f"{host} reset the connection"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {host} ({exc or type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


# -- reading a page -----------------------------------------------------------------------------------
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def _codec(label: str) -> str | None:
    """Python's codec name for a charset label, with the labels browsers treat specially."""
    label = label.strip().lower()
    if label in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii", "iso8859-1", "l1"):
        label = "cp1252"  # what browsers (and the WHATWG encoding standard) read these labels as
    if label in ("windows-1258", "x-viet-windows"):
        label = "cp1258"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_html(content: bytes, header_charset: str = "") -> tuple[str, str, str]:
    """(text, charset used, a warning or ""): the charset of a BOM, else the HTTP header's, else the page's
    ``<meta charset>``; bytes that are not in the charset declared are read as what they are (UTF-8, or the
    Vietnamese cp1258) with a warning. Raises BinaryFileError for bytes that are no text at all."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content.decode(name, "replace").lstrip("\ufeff"), name, ""
    head = content[:16384]
    meta = _META_CHARSET.search(head)
    declared = [(header_charset, "the server"), ((meta.group(1).decode("ascii", "replace") if meta else ""),
                                                  "the page")]
    notes: list[str] = []
    tried: set[str] = set()
    for label, who in declared:
        if not label:
            continue
        codec = _codec(label)
        if codec is None:
            notes.append(f"{who} declared an unknown charset {label!r}")
            continue
        if codec in tried:
            continue
        tried.add(codec)
        if codec != "utf-8" and _is_utf8_text(content):
            notes.append(f"{who} declared {label}, but the page is UTF-8; read as UTF-8")
            return content.decode("utf-8"), "utf-8", "; ".join(notes)
        try:
            return content.decode(codec), codec, "; ".join(notes)
        except UnicodeDecodeError:
            notes.append(f"{who} declared {label}, but the page is not {label}")
    text, name, note = decode_bytes_noted(content)  # BinaryFileError propagates
    if note:
        notes.append(note)
    if notes and not any(n.endswith(f"read as {name}") for n in notes):
        notes[-1] += f"; read as {name}"
    return text, name, "; ".join(notes)


def _is_utf8_text(content: bytes) -> bool:
    """Valid UTF-8 with at least one multi-byte character (which legacy text almost never is by chance)."""
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf",
                 b"ID3", b"OggS", b"RIFF", b"\x00\x00\x00")


def looks_binary(content: bytes) -> bool:
    head = content[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head


def looks_html(content: bytes) -> bool:
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<!--")) or b"<html" in head[:1024] or \
        b"<body" in head or b"<p>" in head


#: content types whose body may still be HTML (servers mislabel pages): sniffed
_SNIFFED = frozenset({"", "text/plain", "application/octet-stream", "text/xml", "application/xml"})


@dataclass(frozen=True)
class Page:
    """A fetched web page, read: what :func:`save_page` stores."""

    url: str  # as asked for
    final_url: str  # after redirects
    html: bytes  # the body as it came
    fields: PageFields
    charset: str
    fetched: str  # ISO 8601 UTC
    warnings: tuple[str, ...] = ()

    @property
    def canonical(self) -> str:
        """The page's canonical URL, else where the redirects ended."""
        return self.fields.canonical or self.final_url


def read_page(response: Response) -> Page:
    """Check a response is an HTML page with article text, and read it. Raises WebError."""
    url = response.url
    ctype = response.content_type
    content = response.content
    if not content.strip():
        raise WebError(url, "the server sent an empty page")
    if not (ctype in HTML_TYPES or (ctype in _SNIFFED and looks_html(content))):
        if _looks_feed(ctype, content):
            raise WebError(url, "a feed, not a web page: follow it with `docbao feeds add`")
        if looks_binary(content):
            raise WebError(url, f"binary content, not a web page (the server sent {ctype or 'no content type'})")
        raise WebError(url, f"not a web page (the server sent {ctype or 'no content type'})")
    if looks_binary(content):
        raise WebError(url, f"binary content, not a web page (though the server called it {ctype})")
    try:
        text, charset, note = decode_html(content, response.charset)
    except BinaryFileError:
        raise WebError(url, "binary content, not a web page") from None
    try:
        fields = extract_html(text, response.final_url, title_line=True)
    except Exception as exc:  # trafilatura or lxml choking on a page: say so in one line
        raise WebError(url, f"could not read the page ({type(exc).__name__}: {exc})") from None
    body = fields.text.split("\n", 1)[1] if fields.title and fields.text.startswith(fields.title) and \
        "\n" in fields.text else ("" if fields.text == fields.title else fields.text)
    if len(body.split()) < MIN_WORDS:
        raise WebError(url, "no article text found on the page (a home page, a video, or a page that needs "
                            "JavaScript?); nothing saved")
    from docbao.store.annotations import now_iso

    return Page(url, response.final_url, content, fields, charset, now_iso(), (note,) if note else ())


def _looks_feed(ctype: str, content: bytes) -> bool:
    if "rss" in ctype or "atom" in ctype:
        return True
    head = content[:2048].lower()
    return ctype in ("text/xml", "application/xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)


# -- the library --------------------------------------------------------------------------------------
def default_library() -> Path:
    from docbao.store.paths import library_dir

    return library_dir()


def find_existing(url: str, library: Path | None = None) -> Path | None:
    """The library file of the article whose canonical URL is ``url``, if already there (no network)."""
    try:
        path = article_path(library or default_library(), check_url(url))
    except WebError:
        return None
    return path if path.is_file() else None


def library_ids(library: Path | None = None) -> set[str]:
    """The ids of the articles in the library (their file names: no file is read)."""
    root = library or default_library()
    if not root.is_dir():
        return set()
    return {p.stem for p in root.glob("*/*.json") if not p.name.startswith(".")}


def record_of(page: Page, *, feed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON article :func:`save_page` writes (the keys :func:`store.articles.load_file` reads)."""
    f = page.fields
    extra = dict(feed or {})
    canonical = page.canonical
    record: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "id": article_id(canonical),
        "title": f.title or extra.get("title", "") or title_of_plain(f.text),
        "url": page.url,
        "canonical": canonical,
        "site": f.site or extra.get("feed_title", "") or (urlsplit(canonical).hostname or ""),
        "author": f.author or extra.get("author", ""),
        "date": f.date or extra.get("date", ""),
        "language": f.language,
        "description": f.description,
        "fetched": page.fetched,
        "feed": extra.get("feed", ""),
        "feed_title": extra.get("feed_title", ""),
        "charset": page.charset,
        "html": f"{article_id(canonical)}.html.gz",
        "text": f.text,
    }
    if page.final_url != page.url:
        record["final_url"] = page.final_url
    return record


_SAME_KEYS = ("title", "text", "canonical", "site", "author", "date", "language", "description")


@dataclass(frozen=True)
class AddResult:
    """What :func:`add_url` did: ``status`` is added, updated (refreshed, and something changed), unchanged
    (fetched, and the library already had it as it is) or exists (already in the library; not fetched)."""

    url: str
    status: str
    article: Article
    path: Path
    warnings: tuple[str, ...] = ()

    @property
    def saved(self) -> bool:
        return self.status in (ADDED, UPDATED)


def save_page(page: Page, library: Path | None = None, *, feed: Mapping[str, str] | None = None,
              refresh: bool = True) -> AddResult:
    """Store a page in the library, unless the article (by canonical URL) is there already: then it is left
    as it is ("exists"), or with ``refresh`` rewritten if its text or metadata changed ("updated", else
    "unchanged")."""
    root = library or default_library()
    record = record_of(page, feed=feed)
    path = article_path(root, page.canonical)
    old = _read_record(path)
    if old is not None:
        if not refresh:
            return AddResult(page.url, EXISTS, _load(path, page.url), path, page.warnings)
        if all(old.get(k, "") == record.get(k, "") for k in _SAME_KEYS):
            return AddResult(page.url, UNCHANGED, _load(path, page.url), path, page.warnings)
        for key in ("feed", "feed_title"):  # a refresh keeps the feed the article first came from
            if old.get(key) and not record.get(key):
                record[key] = old[key]
    try:
        payload = (json.dumps(record, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: written escaped, which the loader shows as U+FFFD
        payload = (json.dumps(record, ensure_ascii=True, indent=1) + "\n").encode("ascii")
    html_path = path.with_name(record["html"])
    had_html = html_path.exists()
    try:
        write_atomic(html_path, gzip.compress(page.html, compresslevel=6, mtime=0))
        write_atomic(path, payload)
    except OSError as exc:
        if not had_html:  # the page without its article would be half a save: take it back
            with contextlib.suppress(OSError):
                html_path.unlink()
        raise WebError(page.url, f"could not save it in {root}: {exc.strerror or exc}") from None
    return AddResult(page.url, UPDATED if old is not None else ADDED, _load(path, page.url), path, page.warnings)


def _read_record(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _load(path: Path, url: str) -> Article:
    try:
        return load_file(path)[0]
    except ArticleError as exc:  # pragma: no cover - we just wrote it
        raise WebError(url, f"saved, but it cannot be read back: {exc.reason}") from None


def add_url(url: str, *, library: Path | None = None, client: httpx.Client | None = None,
            options: WebOptions | None = None, refresh: bool = False,
            feed: Mapping[str, str] | None = None) -> AddResult:
    """Fetch the article at ``url`` and keep it in the library (see the module docstring).

    An article already in the library under this URL is not fetched again ("exists") unless ``refresh``.
    ``feed`` (keys feed, feed_title, and fallbacks title, author, date from the feed item) is recorded with it.
    Raises WebError, one line, having saved nothing."""
    root = library or default_library()
    url = check_url(url)
    existing = find_existing(url, root)
    if existing is not None and not refresh:
        return AddResult(url, EXISTS, _load(existing, url), existing)
    response = fetch(url, client=client, options=options, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
    page = read_page(response)
    return save_page(page, root, feed=feed, refresh=refresh)


def save_text(url: str, title: str, text: str, library: Path | None = None, *,
              feed: Mapping[str, str] | None = None, html: bytes = b"") -> AddResult:
    """Store an article whose text came with a feed item (no page to fetch: an item without a link)."""
    from docbao.store.annotations import now_iso

    body = normalize_text(text).strip()
    if not body:
        raise WebError(url, "no article text")
    fields = PageFields(title=" ".join(title.split()), text=body)
    page = Page(url, url, html or body.encode("utf-8"), fields, "utf-8", now_iso())
    return save_page(page, library, feed=feed, refresh=False)
