"""Articles and libraries: read seeds/ and user paths (.txt .md .html .htm .json) into :class:`Article`.

The article text is canonical (see :mod:`analysis.text`): UTF-8 or a legacy code page, BOM stripped, LF,
NFC. For .txt and .md files the whole file is the text, title line included, so offsets match the file.

Article ids are stable: they come from the file's name and the article's title, never from where the
folder lives, so they survive a restart, a move of the library folder, and edits to the body.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from docbao.analysis.text import (
    MAX_TEXT_BYTES,
    BinaryFileError,
    decode_bytes_noted,
    normalize_text,
    one_line,
    text_sha256,
)

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json")
MAX_FILE_BYTES = MAX_TEXT_BYTES
_SURROGATE = re.compile("[\ud800-\udfff]")


def has_surrogate(text: str) -> bool:
    """Does ``text`` hold a lone surrogate (which no UTF-8 file can be written with)?"""
    return _SURROGATE.search(text) is not None


def repair_text(text: str) -> str:
    """Lone surrogates (a JSON article can hold them; no UTF-8 file can be written with them) → U+FFFD, one
    for one: offsets survive."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text that can always be printed or written as UTF-8: bytes of a file name that are not
    UTF-8 (Python keeps them as lone surrogates) are shown as U+FFFD."""
    return repair_text(os.fspath(path))


class ArticleError(Exception):
    """A file that cannot be read as an article. ``str()`` is a one-line message naming the file."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{display_path(path)}: {reason}")
        self.path = display_path(path)
        self.reason = reason


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    path: str = ""  # the file it came from ("" for articles made in memory)
    source: str = ""  # where it was published (a URL) if known, else the file path
    format: str = "txt"
    encoding: str = "utf-8"
    meta: dict[str, str] = field(default_factory=dict, compare=False)

    @cached_property
    def sha256(self) -> str:
        return text_sha256(self.text)

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def citation_source(self) -> str:
        """What a citation names: the article's canonical URL when known, else its URL, else its file."""
        return self.meta.get("canonical") or self.source or self.path


def make_id(name: str, title: str) -> str:
    """Stable id from a file's base name and the article title (not its folder, not its body).

    A file name that is not valid UTF-8 (Python holds its bad bytes as lone surrogates) counts by its bytes."""
    key = f"{normalize_text(name)}\x00{normalize_text(title).strip()}"
    try:
        raw = key.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = key.encode("utf-8", "surrogateescape")  # the file name's own bytes
        except UnicodeEncodeError:
            raw = key.encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()[:16]


def from_text(text: str, *, title: str | None = None, name: str = "", path: str = "", source: str = "",
              fmt: str = "txt", encoding: str = "utf-8") -> Article:
    """An article from text in memory (canonicalised here)."""
    text = normalize_text(text)
    if title is None:
        title = title_of_plain(text) if fmt != "md" else title_of_markdown(text)
    return Article(id=make_id(name or title, title), title=title, text=text, path=path,
                   source=source or path, format=fmt, encoding=encoding)


def title_of_plain(text: str) -> str:
    for line in text.split("\n"):
        if line.strip():
            return one_line(line, 200)
    return ""


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def title_of_markdown(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _MD_HEADING.match(line)
        if m:
            return one_line(m.group(1), 200)
        # Setext heading: a line underlined with === or ---
        if line.strip() and i + 1 < len(lines) and re.fullmatch(r"\s*(=+|-+)\s*", lines[i + 1]):
            return one_line(line, 200)
    return title_of_plain(text)


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES. A FIFO, a device (/dev/zero), a socket is
    refused without reading it (opening a FIFO does not wait for a writer); so is a larger file."""
    limit_mb = MAX_FILE_BYTES // (1024 * 1024)
    try:
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ArticleError(path, "is a folder, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise ArticleError(path, f"not a regular file ({_kind(st.st_mode)}); not read")
        if st.st_size > MAX_FILE_BYTES:
            raise ArticleError(path, f"too large ({st.st_size // (1024 * 1024)} MB; the limit is {limit_mb} MB)")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as fh:
            fst = os.fstat(fh.fileno())
            if not stat.S_ISREG(fst.st_mode):  # swapped for something else since the stat
                raise ArticleError(path, f"not a regular file ({_kind(fst.st_mode)}); not read")
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise ArticleError(path, f"too large (more than {limit_mb} MB, the limit)")
        return data
    except ArticleError:
        raise
    except IsADirectoryError:
        raise ArticleError(path, "is a folder, not a file") from None
    except FileNotFoundError:
        raise ArticleError(path, "no such file") from None
    except PermissionError:
        raise ArticleError(path, "permission denied") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise ArticleError(path, "not a regular file; not read") from None
        raise ArticleError(path, exc.strerror or str(exc)) from None


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def _decode(path: Path, data: bytes) -> tuple[str, str, str]:
    """(NFC text, encoding, a warning or ""): bytes that are not UTF-8 in a UTF-8 file are replaced."""
    try:
        text, encoding, note = decode_bytes_noted(data)
    except BinaryFileError as exc:
        raise ArticleError(path, str(exc)) from None
    return normalize_text(text), encoding, note


def load_file(path: str | os.PathLike[str]) -> list[Article]:
    """Read one file into its articles (a .json file may hold several). Raises ArticleError."""
    p = Path(path)
    suffix = p.suffix.lower()
    data = _read_bytes(p)
    text, encoding, note = _decode(p, data)
    name = p.name
    if suffix in (".html", ".htm"):
        arts = [_from_html(p, text, encoding)]
    elif suffix == ".json":
        arts = _from_json(p, text, encoding)
    else:
        if not text.strip():
            raise ArticleError(p, "empty file")
        fmt = "md" if suffix in (".md", ".markdown") else "txt"
        title = title_of_markdown(text) if fmt == "md" else title_of_plain(text)
        arts = [Article(id=make_id(name, title), title=title, text=text, path=display_path(p),
                        source=display_path(p), format=fmt, encoding=encoding)]
    if note:
        for a in arts:
            a.meta["warning"] = note
    return arts


def _from_html(p: Path, html: str, encoding: str) -> Article:
    try:
        page = extract_html(html)
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ArticleError(p, f"cannot read HTML: {exc}") from None
    if not page.text.strip():
        raise ArticleError(p, "no article text found in this HTML page")
    title = page.title or title_of_plain(page.text)
    meta = {k: v for k, v in (("canonical", page.canonical), ("author", page.author), ("date", page.date),
                              ("site", page.site), ("language", page.language),
                              ("description", page.description)) if v}
    return Article(id=make_id(p.name, title), title=title, text=page.text, path=display_path(p),
                   source=page.canonical or display_path(p), format="html", encoding=encoding, meta=meta)


@dataclass(frozen=True)
class PageFields:
    """What :func:`extract_html` finds in a web page: the main text (NFC, LF, paragraphs one a line) and the
    page's own metadata ("" where the page does not say)."""

    title: str
    text: str
    author: str = ""
    date: str = ""  # YYYY-MM-DD, only from the page's metadata (never guessed from its text)
    site: str = ""
    canonical: str = ""  # absolute http(s) URL
    language: str = ""  # BCP 47 primary tag, lower case ("vi")
    description: str = ""


_VIET_CHARS = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]")


def extract_html(html: str, url: str = "", *, title_line: bool = False) -> PageFields:
    """The main text and metadata of an HTML page (trafilatura for text, title, author, date and site; the
    page's <link rel=canonical>, og:url, <html lang>, og:locale for the rest). ``url`` is where the page was
    fetched from: relative links resolve against it and it is trafilatura's fallback URL. With
    ``title_line`` the text begins with the title line, as a .txt article does (trafilatura keeps the
    headline in the text on some pages and not on others). Pure: no network."""
    import trafilatura  # lazy: costs ~0.3 s to import

    doc = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False,
        # the date only from the page's metadata: the extensive search guesses one from any number in the text
        date_extraction_params={"extensive_search": False, "original_date": True})
    fields: dict[str, object] = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else dict(doc or {})

    def text_of(name: str) -> str:
        v = fields.get(name)
        return " ".join(normalize_text(v).split()) if isinstance(v, str) else ""

    body = normalize_text(str(fields.get("text") or "")).strip()
    head = _head_info(html, url)
    language = head.get("language", "") or text_of("language").lower()
    if not language and len(_VIET_CHARS.findall(body[:5000])) >= 20:
        language = "vi"  # no tag on the page, but plainly Vietnamese text
    title = text_of("title")
    if title_line and title and body:
        first = body.split("\n", 1)[0].strip()
        if not (first == title or first.startswith(title) or title.startswith(first)):
            body = f"{title}\n{body}"
    return PageFields(
        title=one_line(title, 200) if title else "",
        text=body,
        author=text_of("author"),
        date=text_of("date"),
        site=text_of("sitename"),
        canonical=head.get("canonical", ""),
        language=language,
        description=text_of("description"),
    )


def _head_info(html: str, url: str) -> dict[str, str]:
    """canonical (absolute http(s) URL) and language from a page's markup ({} for what it does not say)."""
    from urllib.parse import urljoin, urlsplit

    import lxml.html

    out: dict[str, str] = {}
    try:
        root = lxml.html.fromstring(html.encode("utf-8", "surrogatepass"),
                                    parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (ValueError, TypeError, lxml.etree.ParserError):
        return out
    for href in [*root.xpath('//link[@rel and @href]'), *root.xpath('//meta[@property="og:url"][@content]')]:
        if href.tag == "link" and "canonical" not in (href.get("rel") or "").lower().split():
            continue
        raw = (href.get("href") if href.tag == "link" else href.get("content")) or ""
        cand = urljoin(url, raw.strip()) if url else raw.strip()
        parts = urlsplit(cand)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            continue
        # A page whose canonical is the site's home page (a common template error) would make every
        # article of the site one: ignore it unless the page itself is the home page.
        if parts.path in ("", "/") and not parts.query and url and urlsplit(url).path not in ("", "/"):
            continue
        out["canonical"] = cand
        break
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not lang:
        for meta in root.xpath('//meta[@content][@property="og:locale" or @http-equiv="content-language" '
                               'or @http-equiv="Content-Language" or @name="language"]'):
            lang = meta.get("content") or ""
            if lang:
                break
    lang = re.split(r"[-_,;\s]", lang.strip(), maxsplit=1)[0].lower()
    if re.fullmatch(r"[a-z]{2,3}", lang):
        out["language"] = lang
    return out


_TEXT_KEYS = ("text", "content", "body")
#: keys of a JSON article copied into ``Article.meta`` (text; a list of texts is joined with ", "). A web
#: article (``docbao add``, feeds) has url, canonical, site, author, date, language, fetched, feed...
META_KEYS = ("url", "canonical", "site", "author", "date", "language", "description", "fetched", "feed",
             "feed_title", "html", "published", "pubdate", "datePublished")
#: other spellings of those keys that JSON from other tools uses
_META_ALIASES = {"canonical_url": "canonical", "sitename": "site", "site_name": "site", "lang": "language"}


def _json_meta(item: dict[str, object]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for raw_key, value in item.items():
        key = _META_ALIASES.get(raw_key, raw_key)
        if key not in META_KEYS or key in meta:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = ", ".join(v.strip() for v in value if v.strip())
        if isinstance(value, str) and value.strip():
            meta[key] = repair_text(normalize_text(value).strip())
    return meta


def _from_json(p: Path, raw: str, encoding: str) -> list[Article]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ArticleError(p, f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise ArticleError(p, "JSON nested too deeply to be an article file") from None
    items = data if isinstance(data, list) else [data]
    out: list[Article] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise ArticleError(p, f"item {i} is not an object with a 'text' field")
        body = next((item[k] for k in _TEXT_KEYS if isinstance(item.get(k), str)), None)
        if body is None or not body.strip():
            raise ArticleError(p, f"item {i} has no 'text' (or 'content'/'body') string")
        # JSON can spell a lone surrogate (\ud800), which no file can hold: shown as U+FFFD, one for one.
        text = repair_text(normalize_text(body))
        title = repair_text(one_line(str(item.get("title") or ""), 200)) or title_of_plain(text)
        meta = _json_meta(item)
        source = meta.get("canonical") or meta.get("url") or item.get("source")
        source = repair_text(source) if isinstance(source, str) and source.strip() else display_path(p)
        art_id = repair_text(str(item["id"])) if item.get("id") else make_id(f"{p.name}#{i}", title)
        out.append(Article(id=art_id, title=title, text=text, path=display_path(p), source=source,
                           format="json", encoding=encoding, meta=meta))
    if not out:
        raise ArticleError(p, "no articles in this JSON file")
    return out


def iter_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Expand files and folders (recursively, sorted, hidden entries skipped) into article files.

    A path given explicitly is yielded whatever its suffix (so errors about it can be reported);
    inside folders only known suffixes are taken.
    """
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith(".") and f.lower().endswith(SUFFIXES) and f.lower() != "readme.md":
                        yield Path(root) / f
        else:
            yield p


@dataclass
class Library:
    """The articles docbao has open, in order, plus the files that could not be read."""

    articles: list[Article] = field(default_factory=list)
    errors: list[ArticleError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # files read with a repair ("path: what")

    @classmethod
    def load(cls, paths: Iterable[str | os.PathLike[str]]) -> Library:
        lib = cls()
        seen: set[str] = set()
        for f in iter_files(paths):
            try:
                arts = load_file(f)
            except ArticleError as exc:
                lib.errors.append(exc)
                continue
            except Exception as exc:  # a file no reader foresaw (a library bug): skip it, say which
                lib.errors.append(ArticleError(f, f"could not be read ({type(exc).__name__}: {exc})"))
                continue
            notes = {a.meta["warning"] for a in arts if a.meta.get("warning")}
            lib.warnings.extend(f"{display_path(f)}: {n}" for n in sorted(notes))
            for a in arts:
                if a.id in seen:
                    continue
                seen.add(a.id)
                lib.articles.append(a)
        return lib

    def get(self, article_id: str) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)

    def __len__(self) -> int:
        return len(self.articles)


def default_paths() -> list[Path]:
    """What `docbao` opens with no PATH: the bundled samples, and the articles fetched from the web (the
    user's library folder) once there are any."""
    from docbao.store.paths import library_dir, seeds_dir

    fetched = library_dir()
    return [seeds_dir(), fetched] if fetched.is_dir() else [seeds_dir()]
