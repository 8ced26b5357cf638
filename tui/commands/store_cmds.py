"""Annotation subcommands: `docbao export`, `docbao import`, `docbao annotate`, `docbao tags`.

Each handler returns the exit code: 0 done, 1 an error (one line ``docbao: …`` on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path

from docbao.store.articles import Article, Library, default_paths
from docbao.store.storage import StoreError
from docbao.tui.commands.common import err, formatter, guard, open_store

EXPORT_EPILOG = """\
formats:
  json    docbao's own format (the default): articles, their annotations and your entity corrections;
          `docbao import` reads it back. Documented in docs/export-format.md.
  w3c     W3C Web Annotation JSON-LD: tags and notes as bodies, spans as position + quote selectors.
  jsonl   one line per article: {"text", "spans": [{"start", "end", "label"}]} with your entity
          corrections applied (Prodigy's format). Needs the articles: PATH.
  doccano one line per article: {"text", "label": [[start, end, LABEL]]} (doccano's format). Needs PATH.
  md      a readable digest of your highlights and notes, article by article.
A record that cannot be written is left out and named in a warning; the rest is exported.

examples:
  docbao export -o backup.json                    everything, as a file you can import later
  docbao export --format md ~/news > notes.md     highlights re-found in the current texts of ~/news
  docbao export --format w3c --article 1a2b3c4d5e6f7a8b
  docbao export --format jsonl ~/news -o train.jsonl
  docbao export --format doccano ~/news -o doccano.jsonl
"""

ANNOTATE_EPILOG = """\
The article is a file (PATH) or the id of an article in the library (--library, default: the bundled
samples). Offsets count characters (code points) of the article's text, the end excluded; without
--start/--end (or --quote) the annotation is about the whole article. Prints the new annotation's id.

examples:
  docbao annotate ~/news/bai-bao.txt --tag "chính trị" --note "đọc lại"
  docbao annotate ~/news/bai-bao.txt --start 120 --end 164 --tag trích-dẫn
  docbao annotate ~/news/bai-bao.txt --quote "Tổng thống Putin" --tag Nga
  docbao annotate 1a2b3c4d5e6f7a8b --library ~/news --note "nguồn tin đáng chú ý"
"""

TAGS_EPILOG = """\
Tags that differ only in case count as one, under their most used spelling.

example:
  docbao tags --db ~/annotations.json
"""

IMPORT_EPILOG = """\
Reads a file made by `docbao export` (format json: annotations, corrections and reading state; FILE -
reads standard input), or W3C Web Annotation JSON-LD (docbao's w3c export, or another tool's annotations
with TextQuote/TextPosition selectors), and merges it: new annotations are added, for one already here the
most recently updated version wins, and importing the same file twice changes nothing. An invalid file is
refused as a whole: nothing is written. W3C annotations are anchored to the library's articles by their
source (URL or file name) and text. The report counts annotations added, updated, unchanged, matched,
re-anchored (found elsewhere in the current text), and orphaned (no longer found: kept all the same).

examples:
  docbao import backup.json
  docbao import --library ~/news laptop-export.json
  docbao import --library ~/news annotations.jsonld
"""


def _library(paths: Sequence[str] | None, *, quiet_errors: bool = False) -> Library:
    lib = Library.load(list(paths) if paths else default_paths())
    if not quiet_errors:
        for problem in [*lib.errors, *lib.warnings]:
            _warn(str(problem))
    return lib


def _warn(message: str) -> None:
    err(f"warning: {message}")


# -- export ---------------------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    from docbao.store.export import export, write_file

    store = open_store(args)
    needs_texts = args.format in ("md", "jsonl", "doccano") or bool(args.paths)
    articles = None
    if needs_texts:
        lib = _library(args.paths)
        articles = {a.id: a for a in lib.articles}
    text = export(store, articles, args.format, args.article, warn=_warn)
    if args.output and args.output != "-":
        p = write_file(args.output, text)
        err(f"wrote {p}")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return 0


# -- import ---------------------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from docbao.store.export import import_native

    if args.file == "-":
        name = "standard input"
        stream = getattr(sys.stdin, "buffer", None)  # bytes when it is a real stream
        try:
            text = stream.read().decode("utf-8-sig") if stream is not None else sys.stdin.read()
        except UnicodeDecodeError:
            raise StoreError(f"{name}: not UTF-8 text; nothing was imported") from None
    else:
        p = Path(args.file).expanduser()
        try:
            if not p.is_file():
                raise StoreError(f"{p}: not a regular file; nothing was imported" if p.exists() else
                                 f"{p}: cannot read it: no such file")
            raw = p.read_bytes()
        except OSError as exc:
            raise StoreError(f"{p}: cannot read it: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise StoreError(f"{p}: not UTF-8 text, so not a docbao export; nothing was imported") from None
        name = str(p)
    store = open_store(args)
    lib = _library(args.library)
    report = import_native(store, text, {a.id: a for a in lib.articles}, name=name)
    print(f"imported {name}: {report.summary()}")
    for why in report.skipped:
        _warn(f"{name}: skipped {why}")
    return 0


# -- annotate -------------------------------------------------------------------------------------------
def _resolve_article(target: str, library: Sequence[str] | None) -> Article:
    p = Path(target).expanduser()
    if p.exists():
        lib = Library.load([p])
        if lib.errors:
            raise lib.errors[0]
        if len(lib.articles) == 1:
            return lib.articles[0]
        ids = ", ".join(a.id for a in lib.articles[:5]) + (", …" if len(lib.articles) > 5 else "")
        raise StoreError(f"{p} holds {len(lib.articles)} articles ({ids}); name one: "
                         f"docbao annotate ID --library {p}")
    lib = _library(library, quiet_errors=True)
    art = lib.get(target)
    if art is None:
        where = ", ".join(library) if library else "the bundled samples"
        raise StoreError(f"{target}: neither a file nor the id of an article in {where}; give a file, or "
                         f"--library PATH to look the id up there")
    return art


def cmd_annotate(args: argparse.Namespace) -> int:
    article = _resolve_article(args.target, args.library)
    start, end = args.start, args.end
    if args.quote is not None:
        if start is not None or end is not None:
            raise StoreError("give either --quote or --start/--end, not both")
        quote = unicodedata.normalize("NFC", args.quote)
        found = article.text.find(quote) if quote else -1
        if found < 0:
            raise StoreError(f"{args.quote!r} does not occur in {article.path or article.id}")
        start, end = found, found + len(quote)
    elif (start is None) != (end is None):
        raise StoreError("give both --start and --end (or neither, to annotate the whole article)")
    store = open_store(args)
    ann = store.add(article, start, end, tags=args.tag, note=args.note)
    print(ann.id)
    return 0


# -- tags -----------------------------------------------------------------------------------------------
def cmd_tags(args: argparse.Namespace) -> int:
    store = open_store(args)
    counts = store.tags()
    if not counts:
        where = getattr(store, "path", None)
        what = (f"no database at {where} yet, so no tags" if where is not None and not Path(where).exists()
                else "no tags yet")
        err(f"{what} (add some in the reader, or with `docbao annotate PATH --tag TAG`)")
        return 0
    width = len(str(max(counts.values())))
    for tag, n in counts.items():
        print(f"{n:>{width}}  {tag}")
    return 0


def register(sub: argparse._SubParsersAction, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    from docbao.store.export import FORMATS

    p = sub.add_parser("export", help="write your annotations as JSON, W3C JSON-LD, JSON lines or Markdown",
                       description="Write your annotations out (json also holds your entity corrections and "
                                   "reading state: it is the backup that `docbao import` reads back).",
                       epilog=EXPORT_EPILOG, formatter_class=formatter)
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="article files or folders, whose texts md and jsonl use (default: the bundled "
                        "samples)")
    p.add_argument("-f", "--format", choices=FORMATS, default="json", help="what to write (default: json)")
    p.add_argument("--article", metavar="ID", help="only this article's annotations")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    add_db(p)
    p.set_defaults(handler=guard(cmd_export))

    p = sub.add_parser("import", help="merge a docbao export or W3C Web Annotations into your annotations",
                       description="Merge a docbao export (or W3C Web Annotation JSON-LD) into the database.",
                       epilog=IMPORT_EPILOG, formatter_class=formatter)
    p.add_argument("file", metavar="FILE", help="a file from `docbao export`, or W3C Web Annotation JSON-LD "
                                                "(- for standard input)")
    p.add_argument("-l", "--library", action="append", metavar="PATH",
                   help="article files or folders to check the imported spans against (repeatable; default: "
                        "the bundled samples)")
    add_db(p)
    p.set_defaults(handler=guard(cmd_import))

    p = sub.add_parser("annotate", help="tag or note an article or a span of it (for scripts)",
                       description="Add an annotation and print its id.",
                       epilog=ANNOTATE_EPILOG, formatter_class=formatter)
    p.add_argument("target", metavar="PATH|ID",
                   help="an article file, or the id of an article in the library")
    p.add_argument("--start", type=int, metavar="S", help="first character of the span (0-based)")
    p.add_argument("--end", type=int, metavar="E", help="character after the span")
    p.add_argument("-q", "--quote", metavar="TEXT", help="the span is the first occurrence of TEXT")
    p.add_argument("-t", "--tag", action="append", default=[], metavar="TAG", help="a tag (repeatable)")
    p.add_argument("-n", "--note", default="", metavar="TEXT", help="a note")
    p.add_argument("-l", "--library", action="append", metavar="PATH",
                   help="where to look an article ID up (repeatable; default: the bundled samples)")
    add_db(p)
    p.set_defaults(handler=guard(cmd_annotate))

    p = sub.add_parser("tags", help="list your tags with how many annotations carry each",
                       description="List tags with their counts, most used first.",
                       epilog=TAGS_EPILOG, formatter_class=formatter)
    add_db(p)
    p.set_defaults(handler=guard(cmd_tags))
