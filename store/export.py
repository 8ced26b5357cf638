"""Export and import annotations: native JSON, W3C Web Annotation JSON-LD, JSON lines of spans, Markdown.

- ``json``: docbao's native format, versioned and documented in ``docs/export-format.md``; what
  :func:`import_native` reads back (a backup that merges).
- ``w3c``: a W3C Web Annotation ``AnnotationCollection`` (JSON-LD): tags as ``tagging`` bodies, the note as a
  ``commenting`` body, each span targeted with a TextPositionSelector and a TextQuoteSelector.
- ``jsonl``: one line per article, ``{"text", "spans": [{"start", "end", "label"}], "meta"}``, entities with
  the user's corrections applied: Prodigy's span format.
- ``doccano``: one line per article, ``{"text", "label": [[start, end, LABEL]]}``: doccano's span format.
- ``md``: a readable digest of highlights and notes, article by article.

Import reads the native format and W3C Web Annotation JSON-LD (docbao's own, and other tools' TextQuote and
TextPosition selectors, anchored to the library's articles). An export never fails on one bad record: it is
left out (or written repaired) and named in a one-line warning.

Nothing here imports Textual; the reader uses the same functions as ``docbao export``/``import``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import unicodedata
import urllib.parse
import uuid
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any

from docbao import __version__
from docbao.analysis.lexicon import Lexicon
from docbao.files import write_atomic
from docbao.store.anchoring import EXACT, ORPHAN, Target, anchor, make_target
from docbao.store.annotations import (
    Anchored,
    Annotation,
    AnnotationStore,
    ArticleRef,
    Correction,
    Feed,
    ReadingState,
    annotation_doc,
    check_feed,
    check_reading,
    check_target,
    correction_doc,
    feed_doc,
    format_time,
    normalize_note,
    normalize_tags,
    now_iso,
    parse_time,
    place,
    reading_doc,
    target_doc,
    validate_label,
)
from docbao.store.articles import Article, has_surrogate
from docbao.store.storage import RecordError, StoreError

FORMAT = "docbao-annotations"
FORMAT_VERSION = 1
FORMATS = ("json", "w3c", "jsonl", "doccano", "md")
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
W3C_TYPES = ("AnnotationCollection", "AnnotationPage", "Annotation")

AnalyzeFn = Callable[..., Any]
Warn = Callable[[str], None]


class ExportWarning(UserWarning):
    """A record an export had to skip or repair (the rest of the export is written)."""


def _warner(warn: Warn | None) -> Warn:
    if warn is not None:
        return warn

    def default(message: str) -> None:
        warnings.warn(message, ExportWarning, stacklevel=3)

    return default


def _generator() -> str:
    return f"docbao {__version__}"


def _annotation_sort_key(a: Annotation) -> tuple[int, int, int, str, str]:
    if a.target is None:
        return (0, 0, 0, a.created, a.id)
    return (1, a.target.start, a.target.end, a.created, a.id)


def _writable(obj: Any) -> bool:
    """Can ``obj`` be written as UTF-8 JSON (no lone surrogate anywhere)?"""
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError, RecursionError):
        return False
    return True


def _select(store: AnnotationStore, article_id: str | None, warn: Warn) -> list[Annotation]:
    """The annotations to export. One that cannot be written is skipped and named; one read with invalid
    Unicode (repaired to U+FFFD on load) is exported repaired, and named."""
    anns = store.all() if article_id is None else store.for_article_id(article_id)
    repaired = {rid for (table, _), rid in store.repaired().items() if table == "annotations"}
    if not _writable([annotation_doc(a) for a in anns]):  # rare: find the records to leave out, one by one
        kept = []
        for a in anns:
            if _writable(annotation_doc(a)):
                kept.append(a)
            else:
                warn(f"annotation {a.id!r} holds text that cannot be written (invalid Unicode); skipped")
        anns = kept
    for a in anns:
        if a.id in repaired:
            warn(f"annotation {a.id!r} held invalid Unicode (an unpaired surrogate), exported with U+FFFD "
                 f"in its place")
    return anns


def _groups(annotations: Iterable[Annotation]) -> list[tuple[ArticleRef, list[Annotation]]]:
    """Annotations grouped by article (id, title, source), groups by title, annotations by position."""
    groups: dict[tuple[str, str, str], list[Annotation]] = {}
    for a in annotations:
        groups.setdefault((a.article.id, a.article.title, a.article.source), []).append(a)
    out = []
    for (aid, title, source), anns in groups.items():
        anns.sort(key=_annotation_sort_key)
        out.append((ArticleRef(aid, title, source, anns[-1].article.text_sha256), anns))
    out.sort(key=lambda g: (g[0].title.casefold(), g[0].id, g[0].source))
    return out


def _check_article(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None,
                   article_id: str | None) -> None:
    if article_id is None:
        return
    if articles_by_id is not None and article_id in articles_by_id:
        return
    if store.for_article_id(article_id):
        return
    raise StoreError(f"no article with id {article_id!r}: it is not in the library and has no annotations "
                     f"(list ids with `docbao analyze` or the reader)")


# -- native JSON ----------------------------------------------------------------------------------------
def to_native(store: AnnotationStore, article_id: str | None = None, *, warn: Warn | None = None
              ) -> dict[str, Any]:
    """The native export as a JSON-ready dict: annotations, corrections, reading state and (for a whole
    export, not one article's) the feeds followed: a backup."""
    w = _warner(warn)
    articles = []
    for ref, anns in _groups(_select(store, article_id, w)):
        articles.append({
            "id": ref.id,
            "title": ref.title,
            "source": ref.source,
            "annotations": [
                {"id": a.id, "text_sha256": a.article.text_sha256, "target": target_doc(a.target),
                 "tags": list(a.tags), "note": a.note, "created": a.created, "updated": a.updated}
                for a in anns
            ],
        })
    corrections = []
    for c in store.corrections():
        if article_id is not None and c.scope != article_id:
            continue
        doc = correction_doc(c)
        if _writable(doc):
            corrections.append(doc)
        else:
            w(f"correction {c.id!r} holds text that cannot be written (invalid Unicode); skipped")
    reading = []
    for st in sorted(store.reading_states().values(), key=lambda r: r.article_id):
        if article_id is not None and st.article_id != article_id:
            continue
        doc = reading_doc(st)
        if _writable(doc):
            reading.append(doc)
        else:
            w(f"the reading state of {st.article_id!r} cannot be written (invalid Unicode); skipped")
    out: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generator": _generator(),
        "exported": now_iso(),
        "articles": articles,
        "corrections": corrections,
        "reading": reading,
    }
    if article_id is None:
        feeds = []
        for f in store.feeds():
            doc = feed_doc(f, export=True)
            if _writable(doc):
                feeds.append(doc)
            else:
                w(f"feed {f.url!r} holds text that cannot be written (invalid Unicode); skipped")
        out["feeds"] = feeds
    return out


def export_json(store: AnnotationStore, article_id: str | None = None, *, warn: Warn | None = None) -> str:
    return json.dumps(to_native(store, article_id, warn=warn), ensure_ascii=False, indent=2) + "\n"


# -- W3C Web Annotation ---------------------------------------------------------------------------------
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_VIETNAMESE = re.compile("[ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9\u0300\u0301\u0303\u0309\u0323]")
FILE_IRI = "urn:docbao:file:"
ARTICLE_IRI = "urn:docbao:article:"


def source_iri(ref: ArticleRef) -> str:
    """An IRI for the article: its URL when it has one, else one built from its file name (never a local
    path: other tools and other people read this export)."""
    if _SCHEME.match(ref.source):
        return ref.source
    name = PurePath(ref.source.replace("\\", "/")).name if ref.source else ""
    if name:
        return FILE_IRI + urllib.parse.quote(name, safe="")
    return ARTICLE_IRI + urllib.parse.quote(ref.id, safe="")


def _language(text: str) -> str:
    """BCP 47 tag of a note: Vietnamese when it has Vietnamese letters or tones, else undetermined."""
    return "vi" if _VIETNAMESE.search(unicodedata.normalize("NFD", text)) or _VIETNAMESE.search(text) else "und"


def _creator() -> dict[str, Any]:
    person: dict[str, Any] = {"type": "Person"}
    name = os.environ.get("DOCBAO_AUTHOR", "").strip()
    if name:
        person["name"] = name
    return person


def _w3c_generator() -> dict[str, Any]:
    return {"type": "Software", "name": _generator()}


def _w3c_item(a: Annotation) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag, "format": "text/plain"} for tag in a.tags
    ]
    if a.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": a.note,
                       "format": "text/plain", "language": _language(a.note)})
    item: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"urn:uuid:{a.id}" if _UUID.fullmatch(a.id) else f"urn:docbao:annotation:"
                                                               f"{urllib.parse.quote(a.id, safe='')}",
        "type": "Annotation",
        "motivation": "commenting" if a.note else ("tagging" if a.tags else "highlighting"),
        "created": a.created,
        "modified": a.updated,
        "creator": _creator(),
        "generator": _w3c_generator(),
    }
    if bodies:
        item["body"] = bodies
    source: dict[str, Any] = {"id": source_iri(a.article), "type": "Text", "format": "text/plain"}
    if a.target is None:
        target: dict[str, Any] = source
    else:
        t = a.target
        target = {"type": "SpecificResource", "source": source, "selector": [
            {"type": "TextPositionSelector", "start": t.start, "end": t.end},
            {"type": "TextQuoteSelector", "exact": t.exact, "prefix": t.prefix, "suffix": t.suffix},
        ]}
    item["target"] = target
    # docbao's own record of the article (ignored by other tools), so its own exports import back exactly
    item["docbao"] = {"article": {"id": a.article.id, "title": a.article.title,
                                  "text_sha256": a.article.text_sha256}}
    return item


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def to_w3c(store: AnnotationStore, article_id: str | None = None, *, warn: Warn | None = None
           ) -> dict[str, Any]:
    w = _warner(warn)
    items = [_w3c_item(a) for _, anns in _groups(_select(store, article_id, w)) for a in anns]
    stamp = now_iso()
    collection = f"urn:uuid:{uuid.uuid4()}"
    return {
        "@context": W3C_CONTEXT,
        "id": collection,
        "type": "AnnotationCollection",
        "label": "docbao annotations",
        "creator": _creator(),
        "generator": _w3c_generator(),
        "generated": stamp,
        "total": len(items),
        "first": {"id": f"{collection}#page-1", "type": "AnnotationPage", "partOf": collection,
                  "startIndex": 0, "items": items},
    }


def export_w3c(store: AnnotationStore, article_id: str | None = None, *, warn: Warn | None = None) -> str:
    return json.dumps(to_w3c(store, article_id, warn=warn), ensure_ascii=False, indent=2) + "\n"


# -- JSON lines of entity spans -------------------------------------------------------------------------
def _default_analyze() -> AnalyzeFn:
    from docbao.analysis.pipeline import analyze  # lazy: written apart, and heavy to import

    return analyze


def corrected_spans(text: str, entities: Iterable[Any], lexicon: Lexicon) -> list[dict[str, Any]]:
    """Entity spans as dicts, with the user's corrections re-applied to exact surface matches (the analyzer
    should already have applied them; this makes sure a correction always shows in the export)."""
    verdict = {e.surface: e.label for e in lexicon.entries}
    out = []
    for e in entities:
        start, end, label = int(e.start), int(e.end), str(e.label)
        surface = text[start:end]
        if surface in verdict:
            if verdict[surface] is None:
                continue
            label = str(verdict[surface])
        out.append({"start": start, "end": end, "label": label})
    out.sort(key=lambda s: (s["start"], s["end"], s["label"]))
    return out


def _span_lines(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None, article_id: str | None,
                analyze: AnalyzeFn | None, fmt: str, warn: Warn) -> str:
    if not articles_by_id:
        raise StoreError(f"the {fmt} export needs the articles' texts: give the article files or folders")
    if article_id is not None and article_id not in articles_by_id:
        raise StoreError(f"no article with id {article_id!r} in the library given; the {fmt} export needs "
                         f"its text")
    fn = analyze or _default_analyze()
    lexicon = store.lexicon()
    lines = []
    for aid, art in articles_by_id.items():
        if article_id is not None and aid != article_id:
            continue
        lex = lexicon.for_article(art.id)
        result = fn(art.text, lexicon=lex, article_id=art.id)
        spans = corrected_spans(art.text, result.entities, lex)
        if fmt == "doccano":
            record: dict[str, Any] = {"text": art.text,
                                      "label": [[s["start"], s["end"], s["label"]] for s in spans],
                                      "id": art.id, "title": art.title, "source": art.citation_source}
        else:
            record = {"text": art.text, "spans": spans,
                      "meta": {"id": art.id, "title": art.title, "source": art.citation_source}}
        if not _writable(record):
            warn(f"article {art.id!r} holds text that cannot be written (invalid Unicode); skipped")
            continue
        lines.append(json.dumps(record, ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


def export_jsonl(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None,
                 article_id: str | None = None, *, analyze: AnalyzeFn | None = None,
                 warn: Warn | None = None) -> str:
    """Prodigy's span format: ``{"text", "spans": [{"start", "end", "label"}], "meta"}`` per line."""
    return _span_lines(store, articles_by_id, article_id, analyze, "jsonl", _warner(warn))


def export_doccano(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None,
                   article_id: str | None = None, *, analyze: AnalyzeFn | None = None,
                   warn: Warn | None = None) -> str:
    """doccano's sequence-labelling format: ``{"text", "label": [[start, end, LABEL]]}`` per line."""
    return _span_lines(store, articles_by_id, article_id, analyze, "doccano", _warner(warn))


# -- Markdown digest ------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_block(text: str, prefix: str) -> list[str]:
    return [(prefix + _md(line)).rstrip() for line in text.split("\n")]


def _md_tags(tags: Iterable[str]) -> str:
    return ", ".join("`" + t.replace("`", "'") + "`" for t in tags)


def export_md(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None = None,
              article_id: str | None = None, *, warn: Warn | None = None) -> str:
    groups = _groups(_select(store, article_id, _warner(warn)))
    total = sum(len(anns) for _, anns in groups)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    n_articles = len({ref.id for ref, _ in groups})
    lines = ["# docbao: highlights and notes", "",
             f"*{total} annotation{'s' if total != 1 else ''} in {n_articles} "
             f"article{'s' if n_articles != 1 else ''}, exported {stamp}.*", ""]
    for ref, anns in groups:
        art = articles_by_id.get(ref.id) if articles_by_id else None
        lines += [f"## {_md(ref.title) or ref.id}", ""]
        if ref.source:
            lines += [f"Source: {_md(ref.source)}", ""]
        placed: list[Anchored] = [place(a, art.text, art.sha256) if art is not None else
                                  Anchored(a, None, None, "stored" if a.target else "article") for a in anns]
        for p in placed:
            a = p.annotation
            if a.target is None:
                lines.append("**About the whole article**")
            else:
                quote = art.text[p.start:p.end] if art is not None and p.start is not None else a.target.exact
                lines += _md_block(quote, "> ")
                if p.status == ORPHAN:
                    lines += [">", "> *(no longer found in the article's current text)*"]
            if a.tags:
                lines += ["", f"Tags: {_md_tags(a.tags)}"]
            if a.note:
                lines += ["", *_md_block(a.note, "")]
            lines += ["", f"<sub>{a.updated[:16].replace('T', ' ')} · {a.id}</sub>", "", "---", ""]
        if lines[-2] == "---":
            lines = lines[:-2]
    return "\n".join(lines).rstrip("\n") + "\n"


# -- dispatch -------------------------------------------------------------------------------------------
def export(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None, fmt: str,
           article_id: str | None = None, *, analyze: AnalyzeFn | None = None, warn: Warn | None = None) -> str:
    """Export in ``fmt`` (json, w3c, jsonl, doccano, md), everything or one article. Raises StoreError.

    A record that cannot be written is left out and named through ``warn`` (default: an ExportWarning);
    the rest is exported."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    _check_article(store, articles_by_id, article_id)
    if fmt == "json":
        return export_json(store, article_id, warn=warn)
    if fmt == "w3c":
        return export_w3c(store, article_id, warn=warn)
    if fmt == "jsonl":
        return export_jsonl(store, articles_by_id, article_id, analyze=analyze, warn=warn)
    if fmt == "doccano":
        return export_doccano(store, articles_by_id, article_id, analyze=analyze, warn=warn)
    return export_md(store, articles_by_id, article_id, warn=warn)


# -- import ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    orphaned: int = 0  # annotations whose article is in the library but whose span is no longer found
    missing_articles: int = 0  # annotations whose article is not in the library given (0 if none given)
    corrections_added: int = 0
    corrections_updated: int = 0
    corrections_unchanged: int = 0
    reading_added: int = 0
    reading_updated: int = 0
    reading_unchanged: int = 0
    matched: int = 0  # W3C: annotations found in their article where their selectors say
    reanchored: int = 0  # W3C: annotations found elsewhere in the article's text (moved, or approximately)
    skipped: tuple[str, ...] = ()  # W3C: annotations docbao cannot hold, each with why
    feeds_added: int = 0
    feeds_updated: int = 0  # feeds already followed that gained items
    feeds_unchanged: int = 0

    def summary(self) -> str:
        text = (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.orphaned} orphaned")
        if self.matched or self.reanchored:
            text += f" ({self.matched} matched, {self.reanchored} re-anchored)"
        if self.missing_articles:
            text += f", {self.missing_articles} on articles not in the library"
        if self.skipped:
            text += f", {len(self.skipped)} skipped"
        c = self.corrections_added + self.corrections_updated + self.corrections_unchanged
        if c:
            text += (f"; corrections: {self.corrections_added} added, {self.corrections_updated} updated, "
                     f"{self.corrections_unchanged} unchanged")
        r = self.reading_added + self.reading_updated + self.reading_unchanged
        if r:
            text += (f"; reading state: {self.reading_added} added, {self.reading_updated} updated, "
                     f"{self.reading_unchanged} unchanged")
        f = self.feeds_added + self.feeds_updated + self.feeds_unchanged
        if f:
            text += (f"; feeds: {self.feeds_added} added, {self.feeds_updated} updated, "
                     f"{self.feeds_unchanged} unchanged")
        return text


class _Invalid(Exception):
    pass


def _req(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str, *,
         default: Any = ..., nonempty: bool = False) -> Any:
    if key not in obj or (obj[key] is None and default is not ...):
        if default is ...:
            raise _Invalid(f"{where}: missing {key!r}")
        return default
    value = obj[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise _Invalid(f"{where}.{key}: expected {names}, found {type(value).__name__}")
    if nonempty and not value:
        raise _Invalid(f"{where}.{key}: must not be empty")
    return value


def _time(obj: Mapping[str, Any], key: str, where: str, default: Any = ...) -> str:
    """An ISO 8601 time, stored as docbao writes times (UTC, microseconds, Z) so they sort as strings."""
    value = _req(obj, key, str, where, default=default)
    try:
        return format_time(parse_time(value))
    except (ValueError, OverflowError):
        raise _Invalid(f"{where}.{key}: {value!r} is not an ISO 8601 time") from None


def _parse_target(t: Any, where: str) -> Target | None:
    try:
        return check_target(t)
    except RecordError as exc:
        raise _Invalid(f"{where}: {exc}") from None


def _has_surrogate(obj: Any) -> bool:
    """Does any string in the parsed JSON hold a lone surrogate (which no file can be written with)?"""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            if has_surrogate(x):
                return True
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return False


@dataclass
class Parsed:
    annotations: list[Annotation]
    corrections: list[Correction]
    reading: list[ReadingState]
    feeds: list[Feed] = dataclasses.field(default_factory=list)


def _load_json(text: str, name: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                         f"nothing was imported") from None
    except RecursionError:
        raise StoreError(f"{name}: JSON nested too deeply; nothing was imported") from None
    if _has_surrogate(data):
        raise StoreError(f"{name}: contains invalid Unicode (an unpaired surrogate such as \\ud800); "
                         f"nothing was imported")
    return data


def parse_native(text: str, name: str = "the import file") -> tuple[list[Annotation], list[Correction]]:
    """Read and fully check a native export. Raises StoreError naming ``name`` and the first problem."""
    parsed = _parse_native_checked(_load_json(text, name), name)
    return parsed.annotations, parsed.corrections


def _parse_native_checked(data: Any, name: str) -> Parsed:
    try:
        return _parse_native(data)
    except _Invalid as exc:
        raise StoreError(f"{name}: {exc}; nothing was imported") from None


def _parse_native(data: Any) -> Parsed:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _Invalid(f"not a docbao export (no \"format\": \"{FORMAT}\"), nor W3C Web Annotation JSON-LD")
    version = _req(data, "version", int, "top level")
    if version > FORMAT_VERSION:
        raise _Invalid(f"made by a newer docbao (format version {version}; this one reads up to "
                       f"{FORMAT_VERSION}): upgrade docbao")
    if version < 1:
        raise _Invalid(f"format version {version} does not exist")
    articles = _req(data, "articles", list, "top level")
    anns: list[Annotation] = []
    for i, art in enumerate(articles):
        where = f"articles[{i}]"
        if not isinstance(art, dict):
            raise _Invalid(f"{where}: expected an object")
        aid = _req(art, "id", str, where, nonempty=True)
        title = _req(art, "title", str, where, default="")
        source = _req(art, "source", str, where, default="")
        for j, a in enumerate(_req(art, "annotations", list, where)):
            w = f"{where}.annotations[{j}]"
            if not isinstance(a, dict):
                raise _Invalid(f"{w}: expected an object")
            ann_id = _req(a, "id", str, w, nonempty=True)
            tags = _req(a, "tags", list, w, default=[])
            if not all(isinstance(t, str) for t in tags):
                raise _Invalid(f"{w}.tags: expected a list of strings")
            created = _time(a, "created", w)
            anns.append(Annotation(
                id=ann_id,
                article=ArticleRef(aid, title, source, _req(a, "text_sha256", str, w, default="")),
                target=_parse_target(a.get("target"), f"{w}.target"),
                tags=normalize_tags(tags),
                note=normalize_note(_req(a, "note", str, w, default="")),
                created=created,
                updated=_time(a, "updated", w, default=created),
            ))
    corrections: list[Correction] = []
    for i, c in enumerate(_req(data, "corrections", list, "top level", default=[])):
        where = f"corrections[{i}]"
        if not isinstance(c, dict):
            raise _Invalid(f"{where}: expected an object")
        label = _req(c, "label", str, where, default=None)
        try:
            validate_label(label)
        except StoreError as exc:
            raise _Invalid(f"{where}.label: {exc}") from None
        surface = _req(c, "surface", str, where, nonempty=True)
        if not surface.strip():
            raise _Invalid(f"{where}.surface: must not be blank")
        scope = _req(c, "scope", str, where, default="global", nonempty=True)
        if not scope.strip():
            raise _Invalid(f"{where}.scope: must not be blank")
        corrections.append(Correction(_req(c, "id", str, where, nonempty=True), surface, label, scope,
                                      _time(c, "created", where)))
    reading: list[ReadingState] = []
    for i, r in enumerate(_req(data, "reading", list, "top level", default=[])):
        where = f"reading[{i}]"
        if not isinstance(r, dict):
            raise _Invalid(f"{where}: expected an object")
        try:
            st = check_reading(r)
        except RecordError as exc:
            raise _Invalid(f"{where}: {exc}") from None
        reading.append(st)
    feeds: list[Feed] = []
    for i, f in enumerate(_req(data, "feeds", list, "top level", default=[])):
        where = f"feeds[{i}]"
        if not isinstance(f, dict):
            raise _Invalid(f"{where}: expected an object")
        try:
            feeds.append(check_feed(f))
        except RecordError as exc:
            raise _Invalid(f"{where}: {exc}") from None
    return Parsed(anns, corrections, reading, feeds)


def _count_placements(store: AnnotationStore, anns: Sequence[Annotation],
                      articles_by_id: Mapping[str, Article] | None) -> tuple[int, int]:
    orphaned = missing = 0
    if articles_by_id is None:
        return 0, 0
    ids = {a.id for a in anns}
    for a in store.all():
        if a.id not in ids:
            continue
        art = articles_by_id.get(a.article.id)
        if art is None:
            missing += 1
        elif a.target is not None and place(a, art.text, art.sha256).status == ORPHAN:
            orphaned += 1
    return orphaned, missing


def import_native(store: AnnotationStore, text: str, articles_by_id: Mapping[str, Article] | None = None,
                  *, name: str = "the import file") -> ImportReport:
    """Merge an export into ``store`` in one write (idempotent; the newer ``updated`` wins): docbao's native
    format, or W3C Web Annotation JSON-LD (see :func:`import_w3c`), told apart by their content.

    With ``articles_by_id``, the report counts the imported spans that no longer anchor in their article's
    current text (``orphaned``: kept all the same) and the annotations on articles not in the library.
    Raises StoreError for an invalid file, having written nothing.
    """
    data = _load_json(text, name)
    if is_w3c(data):
        return import_w3c(store, data, articles_by_id, name=name)
    parsed = _parse_native_checked(data, name)
    result = store.merge(parsed.annotations, parsed.corrections, parsed.reading, parsed.feeds)
    orphaned, missing = _count_placements(store, parsed.annotations, articles_by_id)
    return ImportReport(len(result.added), len(result.updated), len(result.unchanged), orphaned, missing,
                        result.corrections_added, result.corrections_updated, result.corrections_unchanged,
                        result.reading_added, result.reading_updated, result.reading_unchanged,
                        feeds_added=result.feeds_added, feeds_updated=result.feeds_updated,
                        feeds_unchanged=result.feeds_unchanged)


# -- W3C import -----------------------------------------------------------------------------------------
def _types(obj: Any) -> set[str]:
    t = obj.get("type", obj.get("@type")) if isinstance(obj, dict) else None
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def is_w3c(data: Any) -> bool:
    """Is parsed JSON W3C Web Annotation (an Annotation, a Page, a Collection, or a list of Annotations)?"""
    if isinstance(data, list):
        return bool(data) and all("Annotation" in _types(x) for x in data)
    return bool(_types(data) & set(W3C_TYPES)) and (isinstance(data, dict) and data.get("format") != FORMAT)


def _w3c_items(data: Any, name: str) -> list[Any]:
    if isinstance(data, list):
        return data
    types = _types(data)
    if "Annotation" in types:
        return [data]
    pages = []
    if "AnnotationPage" in types:
        pages = [data]
    else:
        first = data.get("first")
        if isinstance(first, dict):
            pages = [first]
        elif first is not None:
            raise StoreError(f"{name}: the collection's pages are elsewhere ({first!r}); docbao imports "
                             f"collections whose first page is embedded; nothing was imported")
    items: list[Any] = []
    for page in pages:
        got = page.get("items")
        if not isinstance(got, list):
            raise StoreError(f"{name}: an AnnotationPage without an items list; nothing was imported")
        items.extend(got)
    return items


def _one(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _iri(value: Any) -> str | None:
    value = _one(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(_one(value.get("id", value.get("@id"))), str):
        return str(_one(value.get("id", value.get("@id"))))
    return None


@dataclass
class _W3CTarget:
    source: str
    quote: dict[str, Any] | None
    position: dict[str, Any] | None
    whole: bool


def _w3c_targets(item: dict[str, Any]) -> list[_W3CTarget]:
    raw = item.get("target")
    targets = raw if isinstance(raw, list) else [raw]
    out = []
    for t in targets:
        if isinstance(t, str):
            out.append(_W3CTarget(t, None, None, True))
            continue
        if not isinstance(t, dict):
            continue
        if "source" not in t:
            iri = _iri(t)
            if iri:
                out.append(_W3CTarget(iri, None, None, True))
            continue
        src = _iri(t.get("source"))
        if not src:
            continue
        sels = t.get("selector")
        sels = sels if isinstance(sels, list) else [sels]
        quote = next((s for s in sels if isinstance(s, dict) and "TextQuoteSelector" in _types(s)
                      and isinstance(s.get("exact"), str)), None)
        pos = next((s for s in sels if isinstance(s, dict) and "TextPositionSelector" in _types(s)
                    and _is_count(s.get("start")) and _is_count(s.get("end"))), None)
        out.append(_W3CTarget(src, quote, pos, quote is None and pos is None and not any(sels)))
    return out


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _file_name(iri: str) -> str:
    if iri.startswith(FILE_IRI):
        return urllib.parse.unquote(iri[len(FILE_IRI):])
    path = urllib.parse.urlsplit(iri).path
    return urllib.parse.unquote(path.rsplit("/", 1)[-1]) if path else ""


def _find_article(source: str, hint: str | None, articles: Mapping[str, Article]) -> list[Article]:
    """Library articles an annotation's target source may mean, best first."""
    if hint and hint in articles:
        return [articles[hint]]
    if source.startswith(ARTICLE_IRI):
        aid = urllib.parse.unquote(source[len(ARTICLE_IRI):])
        return [articles[aid]] if aid in articles else []
    by_url = [a for a in articles.values() if a.source == source]
    if by_url:
        return by_url
    name = _file_name(source)
    if not name:
        return []
    return [a for a in articles.values() if a.path and PurePath(a.path.replace("\\", "/")).name == name]


def _w3c_text(bodies: Any, item: dict[str, Any]) -> tuple[list[str], str]:
    tags: list[str] = []
    notes: list[str] = []
    for b in bodies if isinstance(bodies, list) else ([bodies] if bodies is not None else []):
        if isinstance(b, str):
            continue  # a body that is only an IRI: nothing docbao can show
        if not isinstance(b, dict):
            continue
        value = _one(b.get("value"))
        if not isinstance(value, str) or not value.strip():
            continue
        purpose = _one(b.get("purpose"))
        if purpose == "tagging":
            tags.append(value)
        else:
            notes.append(value)
    if isinstance(item.get("bodyValue"), str) and item["bodyValue"].strip():
        notes.append(item["bodyValue"])
    return tags, "\n\n".join(notes)


def _w3c_id(item: dict[str, Any]) -> str:
    raw = _iri(item)
    if raw:
        for prefix in ("urn:uuid:", "urn:docbao:annotation:"):
            if raw.startswith(prefix):
                return urllib.parse.unquote(raw[len(prefix):])
        return raw
    # no id: one from the content, so importing the same file twice still changes nothing
    digest = json.dumps(item, sort_keys=True, ensure_ascii=True)
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "docbao:w3c:" + digest))


def _w3c_time(item: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = _one(item.get(key))
        if isinstance(value, str):
            try:
                return format_time(parse_time(value))
            except (ValueError, OverflowError):
                continue
    return None


EPOCH = "1970-01-01T00:00:00.000000Z"


def import_w3c(store: AnnotationStore, data: Any, articles_by_id: Mapping[str, Article] | None = None, *,
               name: str = "the import file") -> ImportReport:
    """Merge W3C Web Annotations (docbao's own ``w3c`` export, or another tool's with TextQuote and/or
    TextPosition selectors), anchored to the library's articles by target source and text.

    An annotation's article is found by its source: docbao's own record of it, the article's URL, or its file
    name. Its span is found with the selectors (:func:`store.anchoring.anchor`): where they say (matched),
    elsewhere in the current text (re-anchored, stored at the new place), or not at all (orphaned: kept with
    its quote). One docbao cannot hold (no target, an empty quote…) is skipped and named in the report."""
    articles = dict(articles_by_id or {})
    anns: list[Annotation] = []
    skipped: list[str] = []
    matched = reanchored = orphaned = missing = 0
    fallback_time = _w3c_time(data, "generated", "created", "modified") if isinstance(data, dict) else None
    for n, item in enumerate(_w3c_items(data, name)):
        label = f"item {n}"
        if not isinstance(item, dict) or "Annotation" not in _types(item):
            skipped.append(f"{label}: not an Annotation")
            continue
        ann_id = _w3c_id(item)
        label = f"{label} ({ann_id})"
        targets = _w3c_targets(item)
        if not targets:
            skipped.append(f"{label}: no target docbao understands")
            continue
        hint = item.get("docbao", {}).get("article") if isinstance(item.get("docbao"), dict) else None
        hint = hint if isinstance(hint, dict) else {}
        t = targets[0]
        candidates = _find_article(t.source, hint.get("id") if isinstance(hint.get("id"), str) else None,
                                   articles)
        tags, note = _w3c_text(item.get("body"), item)
        try:
            tags_n = normalize_tags(tags)
            note_n = normalize_note(note)
        except StoreError as exc:
            skipped.append(f"{label}: {exc}")
            continue
        created = _w3c_time(item, "created") or fallback_time or EPOCH
        updated = _w3c_time(item, "modified") or created
        status, art, target = _w3c_place(t, candidates)
        if status == "skip":
            skipped.append(f"{label}: its selectors hold no text quote docbao can anchor")
            continue
        if art is not None:
            ref = ArticleRef(art.id, art.title, art.source or art.path,
                             art.sha256 if status in ("matched", "reanchored", "whole") else "")
        else:
            hint_id = hint.get("id") if isinstance(hint.get("id"), str) and hint.get("id") else None
            aid = hint_id or "w3c-" + hashlib.sha256(t.source.encode("utf-8")).hexdigest()[:16]
            title, sha = hint.get("title"), hint.get("text_sha256")
            ref = ArticleRef(aid, title if isinstance(title, str) else "", t.source,
                             sha if isinstance(sha, str) else "")
            if articles_by_id is not None:
                missing += 1
        matched += status == "matched"
        reanchored += status == "reanchored"
        orphaned += status == "orphan"
        anns.append(Annotation(ann_id, ref, target, tags_n, note_n, created, updated))
    result = store.merge(anns)
    return ImportReport(len(result.added), len(result.updated), len(result.unchanged), orphaned, missing,
                        matched=matched, reanchored=reanchored, skipped=tuple(skipped))


def _w3c_place(t: _W3CTarget, candidates: list[Article]) -> tuple[str, Article | None, Target | None]:
    """(status, article, target): status is matched / reanchored / orphan / whole / stored / skip."""
    if t.whole:
        return ("whole" if candidates else "stored"), (candidates[0] if candidates else None), None
    quote = t.quote or {}
    exact = quote.get("exact")
    prefix: str = quote["prefix"] if isinstance(quote.get("prefix"), str) else ""
    suffix: str = quote["suffix"] if isinstance(quote.get("suffix"), str) else ""
    start = t.position["start"] if t.position else None
    end = t.position["end"] if t.position else None
    for art in candidates:
        text = art.text
        if not exact:
            if start is not None and end is not None and 0 <= start < end <= len(text):
                return "matched", art, make_target(text, start, end)
            continue
        s = start if start is not None else 0
        probe = Target(s, s + len(exact), exact, prefix, suffix)
        p = anchor(text, probe)
        if p.status != ORPHAN and p.start is not None and p.end is not None:
            at = start is not None and (p.start, p.end) == (start, end) and text[p.start:p.end] == exact
            return ("matched" if at or (p.status == EXACT and start is None) else "reanchored"), art, \
                make_target(text, p.start, p.end)
    if not exact:
        return "skip", None, None
    s = start if start is not None else 0
    target = Target(s, s + len(exact), exact, prefix, suffix)
    if candidates:
        return "orphan", candidates[0], target
    return "stored", None, target


def _is_database(p: Path) -> bool:
    """Is ``p`` an existing docbao database (which an export must never replace)?"""
    from docbao.store.storage import parse_bytes

    try:
        if not p.is_file() or p.stat().st_size > 512 * 1024 * 1024:
            return False
        parse_bytes(p, p.read_bytes())
    except (OSError, StoreError):
        return False
    return True


def write_file(path: str | os.PathLike[str], text: str) -> Path:
    """Write an export atomically (a temporary file in the same folder, fsync, rename). Raises StoreError.

    Refuses to replace a docbao database: an export written over it would lose the reading state and
    leave a file docbao cannot open."""
    p = Path(path).expanduser()
    if _is_database(p):
        raise StoreError(f"{p}: is a docbao database; exporting onto it would replace your annotations, "
                         f"choose another file name")
    try:
        write_atomic(p, text)
    except (OSError, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"{p}: could not write the export: {reason}") from None
    return p
