"""Articles and libraries: read seeds/ and user paths (.txt .md .html .htm .json) into :class:`Article`.

The article text is canonical (see :mod:`analysis.text`): UTF-8 or a legacy code page, BOM stripped, LF,
NFC. For .txt and .md files the whole file is the text, title line included, so offsets match the file.

Article ids are stable: they come from the file's name and the article's title, never from where the
folder lives, so they survive a restart, a move of the library folder, and edits to the body.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from docbao.analysis.text import BinaryFileError, decode_bytes, normalize_text, text_sha256

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".json")
MAX_FILE_BYTES = 64 * 1024 * 1024


class ArticleError(Exception):
    """A file that cannot be read as an article. ``str()`` is a one-line message naming the file."""

    def __init__(self, path: str | os.PathLike[str], reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
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
        return self.source or self.path


def make_id(name: str, title: str) -> str:
    """Stable id from a file's base name and the article title (not its folder, not its body)."""
    key = f"{normalize_text(name)}\x00{normalize_text(title).strip()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


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
            return _clip_title(line.strip())
    return ""


_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def title_of_markdown(text: str) -> str:
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = _MD_HEADING.match(line)
        if m:
            return _clip_title(m.group(1))
        # Setext heading: a line underlined with === or ---
        if line.strip() and i + 1 < len(lines) and re.fullmatch(r"\s*(=+|-+)\s*", lines[i + 1]):
            return _clip_title(line.strip())
    return title_of_plain(text)


def _clip_title(title: str, limit: int = 200) -> str:
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(path, f"too large ({size // (1024 * 1024)} MB; the limit is "
                                     f"{MAX_FILE_BYTES // (1024 * 1024)} MB)")
        return path.read_bytes()
    except ArticleError:
        raise
    except IsADirectoryError:
        raise ArticleError(path, "is a folder, not a file") from None
    except FileNotFoundError:
        raise ArticleError(path, "no such file") from None
    except PermissionError:
        raise ArticleError(path, "permission denied") from None
    except OSError as exc:
        raise ArticleError(path, exc.strerror or str(exc)) from None


def _decode(path: Path, data: bytes) -> tuple[str, str]:
    try:
        text, encoding = decode_bytes(data)
    except BinaryFileError as exc:
        raise ArticleError(path, str(exc)) from None
    return normalize_text(text), encoding


def load_file(path: str | os.PathLike[str]) -> list[Article]:
    """Read one file into its articles (a .json file may hold several). Raises ArticleError."""
    p = Path(path)
    suffix = p.suffix.lower()
    data = _read_bytes(p)
    text, encoding = _decode(p, data)
    name = p.name
    if suffix in (".html", ".htm"):
        return [_from_html(p, text, encoding)]
    if suffix == ".json":
        return _from_json(p, text, encoding)
    if not text.strip():
        raise ArticleError(p, "empty file")
    fmt = "md" if suffix in (".md", ".markdown") else "txt"
    title = title_of_markdown(text) if fmt == "md" else title_of_plain(text)
    return [Article(id=make_id(name, title), title=title, text=text, path=str(p), source=str(p),
                    format=fmt, encoding=encoding)]


def _from_html(p: Path, html: str, encoding: str) -> Article:
    try:
        import trafilatura  # lazy: costs ~0.3 s to import
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ArticleError(p, f"cannot read HTML: {exc}") from None
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    fields = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    body = normalize_text(fields.get("text") or "")
    if not body.strip():
        raise ArticleError(p, "no article text found in this HTML page")
    title = _clip_title(fields["title"]) if fields.get("title") else title_of_plain(body)
    source = fields.get("url") or str(p)
    return Article(id=make_id(p.name, title), title=title, text=body, path=str(p), source=source,
                   format="html", encoding=encoding)


_TEXT_KEYS = ("text", "content", "body")


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
        text = normalize_text(body)
        title = _clip_title(str(item.get("title") or "")) or title_of_plain(text)
        source = str(item.get("url") or item.get("source") or p)
        art_id = str(item["id"]) if item.get("id") else make_id(f"{p.name}#{i}", title)
        out.append(Article(id=art_id, title=title, text=text, path=str(p), source=source, format="json",
                           encoding=encoding))
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
    from docbao.store.paths import seeds_dir

    return [seeds_dir()]
