"""Export and import annotations: native JSON, W3C Web Annotation JSON-LD, JSON lines of spans, Markdown.

- ``json``: docbao's native format, versioned and documented in ``docs/export-format.md``; what
  :func:`import_native` reads back (a backup that merges).
- ``w3c``: a W3C Web Annotation ``AnnotationCollection`` (JSON-LD): tags as ``tagging`` bodies, the note as a
  ``commenting`` body, each span targeted with a TextPositionSelector and a TextQuoteSelector.
- ``jsonl``: one line per article, ``{"text", "spans": [{"start", "end", "label"}], "meta"}``, entities with
  the user's corrections applied: readable by Prodigy- or doccano-style annotation tools.
- ``md``: a readable digest of highlights and notes, article by article.

Nothing here imports Textual; the reader uses the same functions as ``docbao export``/``import``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docbao.analysis.lexicon import Lexicon
from docbao.store.anchoring import ORPHAN, Target
from docbao.store.annotations import (
    Anchored,
    Annotation,
    AnnotationStore,
    ArticleRef,
    Correction,
    format_time,
    normalize_note,
    normalize_tags,
    now_iso,
    parse_time,
    place,
    validate_label,
)
from docbao.store.articles import Article
from docbao.store.storage import StoreError

FORMAT = "docbao-annotations"
FORMAT_VERSION = 1
FORMATS = ("json", "w3c", "jsonl", "md")
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

AnalyzeFn = Callable[..., Any]


def _generator() -> str:
    try:
        from importlib.metadata import version

        return f"docbao {version('docbao')}"
    except Exception:  # pragma: no cover - not installed
        return "docbao"


def _annotation_sort_key(a: Annotation) -> tuple[int, int, int, str, str]:
    if a.target is None:
        return (0, 0, 0, a.created, a.id)
    return (1, a.target.start, a.target.end, a.created, a.id)


def _select(store: AnnotationStore, article_id: str | None) -> list[Annotation]:
    return store.all() if article_id is None else store.for_article_id(article_id)


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
def _target_json(t: Target | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"start": t.start, "end": t.end, "exact": t.exact, "prefix": t.prefix, "suffix": t.suffix}


def to_native(store: AnnotationStore, article_id: str | None = None) -> dict[str, Any]:
    """The native export as a JSON-ready dict."""
    articles = []
    for ref, anns in _groups(_select(store, article_id)):
        articles.append({
            "id": ref.id,
            "title": ref.title,
            "source": ref.source,
            "annotations": [
                {"id": a.id, "text_sha256": a.article.text_sha256, "target": _target_json(a.target),
                 "tags": list(a.tags), "note": a.note, "created": a.created, "updated": a.updated}
                for a in anns
            ],
        })
    corrections = [c for c in store.corrections() if article_id is None or c.scope == article_id]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generator": _generator(),
        "exported": now_iso(),
        "articles": articles,
        "corrections": [{"id": c.id, "surface": c.surface, "label": c.label, "scope": c.scope,
                         "created": c.created} for c in corrections],
    }


def export_json(store: AnnotationStore, article_id: str | None = None) -> str:
    return json.dumps(to_native(store, article_id), ensure_ascii=False, indent=2) + "\n"


# -- W3C Web Annotation ---------------------------------------------------------------------------------
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def source_iri(ref: ArticleRef) -> str:
    """An IRI for the article: its URL when it has one, else a docbao URN built from its stable id."""
    if _SCHEME.match(ref.source):
        return ref.source
    return f"urn:docbao:article:{ref.id}"


def _w3c_item(a: Annotation) -> dict[str, Any]:
    bodies: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in a.tags
    ]
    if a.note:
        bodies.append({"type": "TextualBody", "purpose": "commenting", "value": a.note,
                       "format": "text/plain"})
    item: dict[str, Any] = {
        "@context": W3C_CONTEXT,
        "id": f"urn:uuid:{a.id}",
        "type": "Annotation",
        "motivation": "commenting" if a.note else ("tagging" if a.tags else "highlighting"),
        "created": a.created,
        "modified": a.updated,
    }
    if bodies:
        item["body"] = bodies
    target: dict[str, Any] = {"source": source_iri(a.article)}
    if a.target is not None:
        t = a.target
        target["selector"] = [
            {"type": "TextPositionSelector", "start": t.start, "end": t.end},
            {"type": "TextQuoteSelector", "exact": t.exact, "prefix": t.prefix, "suffix": t.suffix},
        ]
    item["target"] = target
    return item


def to_w3c(store: AnnotationStore, article_id: str | None = None) -> dict[str, Any]:
    items = [_w3c_item(a) for _, anns in _groups(_select(store, article_id)) for a in anns]
    return {
        "@context": W3C_CONTEXT,
        "type": "AnnotationCollection",
        "label": "docbao annotations",
        "generator": {"type": "Software", "name": _generator()},
        "generated": now_iso(),
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }


def export_w3c(store: AnnotationStore, article_id: str | None = None) -> str:
    return json.dumps(to_w3c(store, article_id), ensure_ascii=False, indent=2) + "\n"


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


def export_jsonl(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None,
                 article_id: str | None = None, *, analyze: AnalyzeFn | None = None) -> str:
    if not articles_by_id:
        raise StoreError("the jsonl export needs the articles' texts: give the article files or folders")
    if article_id is not None and article_id not in articles_by_id:
        raise StoreError(f"no article with id {article_id!r} in the library given; the jsonl export needs "
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
        lines.append(json.dumps({"text": art.text, "spans": spans,
                                 "meta": {"id": art.id, "title": art.title, "source": art.citation_source}},
                                ensure_ascii=False))
    return "".join(line + "\n" for line in lines)


# -- Markdown digest ------------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_block(text: str, prefix: str) -> list[str]:
    return [(prefix + _md(line)).rstrip() for line in text.split("\n")]


def _md_tags(tags: Iterable[str]) -> str:
    return ", ".join("`" + t.replace("`", "'") + "`" for t in tags)


def export_md(store: AnnotationStore, articles_by_id: Mapping[str, Article] | None = None,
              article_id: str | None = None) -> str:
    groups = _groups(_select(store, article_id))
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
           article_id: str | None = None, *, analyze: AnalyzeFn | None = None) -> str:
    """Export in ``fmt`` (json, w3c, jsonl, md), everything or one article. Raises StoreError."""
    if fmt not in FORMATS:
        raise StoreError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    _check_article(store, articles_by_id, article_id)
    if fmt == "json":
        return export_json(store, article_id)
    if fmt == "w3c":
        return export_w3c(store, article_id)
    if fmt == "jsonl":
        return export_jsonl(store, articles_by_id, article_id, analyze=analyze)
    return export_md(store, articles_by_id, article_id)


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

    def summary(self) -> str:
        text = (f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{self.orphaned} orphaned")
        if self.missing_articles:
            text += f", {self.missing_articles} on articles not in the library"
        c = self.corrections_added + self.corrections_updated + self.corrections_unchanged
        if c:
            text += (f"; corrections: {self.corrections_added} added, {self.corrections_updated} updated, "
                     f"{self.corrections_unchanged} unchanged")
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
    if t is None:
        return None
    if not isinstance(t, dict):
        raise _Invalid(f"{where}: expected an object or null")
    start = _req(t, "start", int, where)
    end = _req(t, "end", int, where)
    exact = _req(t, "exact", str, where, nonempty=True)
    if not 0 <= start < end:
        raise _Invalid(f"{where}: start {start} and end {end} do not make a span")
    if len(exact) != end - start:
        raise _Invalid(f"{where}: exact has {len(exact)} characters but end - start is {end - start}")
    return Target(start, end, exact, _req(t, "prefix", str, where, default=""),
                  _req(t, "suffix", str, where, default=""))


def _has_surrogate(obj: Any) -> bool:
    """Does any string in the parsed JSON hold a lone surrogate (which no file can be written with)?"""
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            if any("\ud800" <= ch <= "\udfff" for ch in x):
                return True
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return False


def parse_native(text: str, name: str = "the import file") -> tuple[list[Annotation], list[Correction]]:
    """Read and fully check a native export. Raises StoreError naming ``name`` and the first problem."""
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
    try:
        return _parse_native(data)
    except _Invalid as exc:
        raise StoreError(f"{name}: {exc}; nothing was imported") from None


def _parse_native(data: Any) -> tuple[list[Annotation], list[Correction]]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        if isinstance(data, dict) and data.get("type") == "AnnotationCollection":
            raise _Invalid("a W3C export; docbao imports its native format (docbao export --format json)")
        raise _Invalid(f"not a docbao export (no \"format\": \"{FORMAT}\")")
    version = _req(data, "version", int, "top level")
    if version > FORMAT_VERSION:
        raise _Invalid(f"made by a newer docbao (format version {version}; this one reads up to "
                       f"{FORMAT_VERSION}): upgrade docbao")
    if version < 1:
        raise _Invalid(f"format version {version} does not exist")
    articles = _req(data, "articles", list, "top level")
    anns: list[Annotation] = []
    seen: set[str] = set()
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
            if ann_id in seen:
                raise _Invalid(f"{w}: annotation id {ann_id!r} appears twice")
            seen.add(ann_id)
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
        corrections.append(Correction(_req(c, "id", str, where, nonempty=True),
                                      _req(c, "surface", str, where, nonempty=True), label,
                                      _req(c, "scope", str, where, default="global", nonempty=True),
                                      _time(c, "created", where)))
    return anns, corrections


def import_native(store: AnnotationStore, text: str, articles_by_id: Mapping[str, Article] | None = None,
                  *, name: str = "the import file") -> ImportReport:
    """Merge a native export into ``store`` in one write (idempotent; the newer ``updated`` wins).

    With ``articles_by_id``, the report counts the imported spans that no longer anchor in their article's
    current text (``orphaned``: kept all the same) and the annotations on articles not in the library.
    Raises StoreError for an invalid file, having written nothing.
    """
    anns, corrections = parse_native(text, name)
    result = store.merge(anns, corrections)
    orphaned = missing = 0
    if articles_by_id is not None:
        ids = {a.id for a in anns}
        for a in store.all():
            if a.id not in ids:
                continue
            art = articles_by_id.get(a.article.id)
            if art is None:
                missing += 1
            elif a.target is not None and place(a, art.text, art.sha256).status == ORPHAN:
                orphaned += 1
    return ImportReport(len(result.added), len(result.updated), len(result.unchanged), orphaned, missing,
                        result.corrections_added, result.corrections_updated, result.corrections_unchanged)


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
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except (OSError, UnicodeError) as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StoreError(f"{p}: could not write the export: {reason}") from None
    return p
