"""`docbao quotes` and `docbao entities`: the library as a knowledge base, from scripts.

Both load the articles, analyse the ones not in the cache yet (``--jobs N`` processes, see
docbao.analysis.batch), bring the index in the cache folder up to date (docbao.store.index) under your
entity corrections, and print a readable table, JSON lines, or (quotes) Markdown or CSV.

Each handler returns the exit code: 0 done, 1 an error (one line ``docbao: …`` on stderr), 2 bad usage.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docbao.analysis.spans import LABEL_TITLES, LABELS
from docbao.files import write_atomic
from docbao.tui.commands.common import SMALL_WORK_CHARS, CommandError, UsageError, err, guard, positive, progress_line

QUOTES_EPILOG = """\
Every quote in the articles with its speaker, article and date (when the article has one). A speaker is
matched by any of its names and titles ("putin" finds quotes of "Vladimir Putin" and of "Tổng thống
Putin"), accents and case optional; so are --text and --tag.

output:
  (default)   a table
  --json      one JSON object per quote per line: the quote as `docbao analyze --json` prints it
              {"start", "end", "text", "kind", "speaker": {"text", "start", "end"} | null} plus the
              article's "id", "title", "path", "source", "date", and "speaker_name" (the speaker's
              fullest name in the library) and "citation"; offsets are code points into the article text
  --format md   Markdown: by speaker, each quote as its citation “quote” — speaker, title (source)
  --format csv  speaker, quote, article, source, date, citation, kind, article_id, path, start, end

examples:
  docbao quotes ~/news
  docbao quotes --speaker putin --json ~/news | jq -r .text
  docbao quotes --text "leo thang" --kind all ~/news
  docbao quotes --tag "cần kiểm tra" ~/news
  docbao quotes --format md -o quotes.md ~/news
  docbao quotes --format csv -o quotes.csv --jobs 4 ~/news
"""

ENTITIES_EPILOG = """\
People, places, organisations and other names across the articles, with how often and in how many
articles each occurs, and the names found in the same articles. Mentions are grouped: titles are dropped
("Tổng thống Putin" is Putin) and a short name joins the one longer name it ends ("Putin" joins
"Vladimir Putin").

output:
  (default)  a table per label
  --json     one JSON object per entity per line: {"id", "label", "name", "aliases", "mentions",
             "articles": [{"id", "title", "path", "count", "start", "end", "text"}],
             "cooccurring": [{"id", "label", "name", "articles"}]}
             start/end: the first mention in that article, code points into its text (as `docbao analyze`)

examples:
  docbao entities ~/news
  docbao entities --label PER --limit 20 ~/news
  docbao entities --label places --json ~/news > places.jsonl
  docbao entities --name "ha noi" ~/news
"""

LABEL_ALIASES = {"per": "PER", "person": "PER", "people": "PER", "loc": "LOC", "place": "LOC",
                 "places": "LOC", "org": "ORG", "organisation": "ORG", "organisations": "ORG",
                 "organization": "ORG", "organizations": "ORG", "misc": "MISC", "other": "MISC"}


def _label(value: str) -> str:
    v = value.strip()
    if v.upper() in LABEL_TITLES:
        return v.upper()
    got = LABEL_ALIASES.get(v.casefold())
    if got is None:
        raise argparse.ArgumentTypeError(
            f"PER, LOC, ORG or MISC (or people, places, organisations, other), not {value!r}")
    return got


def _common(p: argparse.ArgumentParser, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders (searched recursively)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("-j", "--jobs", type=positive, default=None, metavar="N",
                   help="analyse uncached articles with N processes (default: one per core; this process "
                        "alone when there is little to analyse)")
    add_db(p)


def register(sub: argparse._SubParsersAction, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("quotes", help="the quote book: who said what, in which article",
                       description="List the quotes in articles with their speakers; filter by speaker, words "
                                   "or tag; export as Markdown or CSV.",
                       epilog=QUOTES_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p, add_db)
    p.add_argument("-s", "--speaker", metavar="NAME", help="only quotes of this speaker (any alias)")
    p.add_argument("-t", "--text", metavar="WORDS", help="only quotes containing these words")
    p.add_argument("--tag", metavar="TAG", help="only quotes you tagged TAG (or whose article you did)")
    p.add_argument("-k", "--kind", choices=("direct", "indirect", "all"), default="direct",
                   help="direct speech in quotation marks (default), reported speech, or all")
    p.add_argument("-f", "--format", choices=("table", "json", "md", "csv"), default=None,
                   help="output format (default: table; --json is --format json)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: standard output)")
    p.set_defaults(handler=guard(cmd_quotes))

    p = sub.add_parser("entities", help="people, places and organisations across articles, with counts",
                       description="List the named entities of articles, grouped across the library, with "
                                   "their articles and the entities found beside them.",
                       epilog=ENTITIES_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _common(p, add_db)
    p.add_argument("-l", "--label", type=_label, metavar="L",
                   help="only PER, LOC, ORG or MISC (or people, places, organisations, other)")
    p.add_argument("-n", "--name", metavar="NAME", help="only entities with a name starting so (any alias)")
    p.add_argument("--limit", type=positive, metavar="N", help="at most N entities per label")
    p.set_defaults(handler=guard(cmd_entities))





# -- the library, analysed and indexed -----------------------------------------------------------------

def build_index(paths: Sequence[str], db: str | None, jobs: int | None, *, need_annotations: bool = False
                ) -> tuple[Any, Any, list[str], Any]:
    """(index, library, problems, annotations or None): the articles under ``paths`` indexed, the ones not
    in the cache analysed first. ``problems`` are one-line messages (unreadable files, failed analyses)."""
    from docbao.analysis.batch import BatchRunner
    from docbao.analysis.pipeline import Analyzer
    from docbao.store.annotations import AnnotationStore
    from docbao.store.articles import Library
    from docbao.store.index import KnowledgeIndex
    from docbao.store.paths import cache_dir

    lib = Library.load(paths)
    problems = [str(e) for e in lib.errors]
    if not lib.articles:
        where = ", ".join(paths)
        raise CommandError(f"no articles found in {where} (.txt .md .html .htm .json files)"
                         + (f"; {problems[0]}" if len(problems) == 1 else ""))
    with AnnotationStore.open(db) as store:
        lexicon = store.lexicon()
        annotations = store.all() if need_annotations else None
    cache = cache_dir()
    analyzer = Analyzer(cache)
    index = KnowledgeIndex.open(cache)
    report = index.refresh(lib.articles, analyzer, lexicon)
    if report.missing:
        wanted = set(report.missing)
        todo = [a for a in lib.articles if a.id in wanted]
        if jobs is None and sum(len(a.text) for a in todo) < SMALL_WORK_CHARS:
            jobs = 1  # starting worker processes would cost more than it saves
        runner = BatchRunner(cache, jobs, lexicon=lexicon)
        result = runner.run(todo, on_progress=progress_line)
        if result.failed:
            reasons = sorted(set(result.failed.values()))
            n = len(result.failed)
            problems.append(f"could not analyse {n} article{'s' if n != 1 else ''}: {reasons[0]}"
                            + (f" (and {len(reasons) - 1} other reasons)" if len(reasons) > 1 else ""))
        index.refresh(lib.articles, analyzer, lexicon)
    index.save()
    return index, lib, problems, annotations


def _open_output(path: str | None) -> Any:
    if not path or path == "-":
        return None
    p = Path(path).expanduser()
    if p.is_dir():
        raise UsageError(f"{p}: is a folder; -o takes a file name")
    return p


def _write(target: Any, text: str) -> None:
    if target is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(target, text)  # a file that was there is replaced whole or not at all
    err(f"wrote {target}")


def _report(problems: Sequence[str]) -> int:
    for msg in problems:
        err(msg)
    return 1 if problems else 0


# -- docbao quotes --------------------------------------------------------------------------------------

def cmd_quotes(args: argparse.Namespace) -> int:
    from docbao.store.index import QuoteTags, quotes_csv, quotes_markdown

    fmt = args.format or ("json" if args.json else "table")
    if args.json and fmt != "json":
        raise UsageError(f"--json and --format {fmt} ask for two formats; give one")
    target = _open_output(args.output)
    index, _lib, problems, annotations = build_index(args.paths, args.db, args.jobs,
                                                     need_annotations=args.tag is not None)
    tags = QuoteTags.from_annotations(annotations) if annotations is not None else None
    kinds = None if args.kind == "all" else (args.kind,)
    hits = index.quotes(speaker=args.speaker, text=args.text, tag=args.tag, tags=tags, kinds=kinds)
    if fmt == "json":
        _write(target, "".join(json.dumps(h.to_json(), ensure_ascii=False) + "\n" for h in hits))
    elif fmt == "md":
        _write(target, quotes_markdown(hits))
    elif fmt == "csv":
        _write(target, quotes_csv(hits))
    else:
        _write_table(target, _quotes_table(hits, args))
    return _report(problems)


def _quotes_table(hits: Sequence[Any], args: argparse.Namespace) -> Any:
    from rich.table import Table
    from rich.text import Text

    from docbao.store.citation import cite_title

    table = Table(show_lines=False, expand=False, highlight=False, title_justify="left",
                  title=Text(_quotes_title(len(hits), args), style="bold"))
    table.add_column("Speaker", style="bold cyan", overflow="fold", max_width=24)
    table.add_column("Quote", overflow="fold", ratio=3)
    table.add_column("Article", overflow="fold", ratio=1)
    dated = any(h.article.date for h in hits)
    if dated:
        table.add_column("Date", style="dim", no_wrap=True)
    for h in hits:
        cells = [Text(h.speaker or "—"), Text(f"“{h.text}”", style="italic"), Text(cite_title(h.article.title, 60))]
        table.add_row(*cells, *([Text(h.article.date or "")] if dated else []))
    return table


def _quotes_title(n: int, args: argparse.Namespace) -> str:
    kind = {"direct": "direct quote", "indirect": "reported statement", "all": "quote"}[args.kind]
    what = f"{n} {kind}{'s' if n != 1 else ''}"
    filters = [f"speaker “{args.speaker}”" if args.speaker else "", f"words “{args.text}”" if args.text else "",
               f"tag “{args.tag}”" if args.tag else ""]
    got = ", ".join(f for f in filters if f)
    return what + (f" · {got}" if got else "")


def _write_table(target: Any, renderable: Any) -> None:
    from rich.console import Console

    if target is None:
        Console(highlight=False).print(renderable)
        return
    buf = io.StringIO()
    Console(file=buf, highlight=False, width=160, color_system=None).print(renderable)
    _write(target, buf.getvalue())


# -- docbao entities ------------------------------------------------------------------------------------

def cmd_entities(args: argparse.Namespace) -> int:
    index, _lib, problems, _ = build_index(args.paths, args.db, args.jobs)
    labels = [args.label] if args.label else list(LABELS)
    if args.json:
        out = []
        for label in labels:
            for g in index.groups(label, name=args.name, limit=args.limit):
                arts = [{"id": ga.article.id, "title": ga.article.title, "path": ga.article.path,
                         "count": ga.count, "start": ga.start, "end": ga.end, "text": ga.surface}
                        for ga in index.articles_of(g.id)]
                co = [{"id": c.id, "label": c.label, "name": c.name, "articles": n}
                      for c, n in index.cooccurring(g.id, limit=10)]
                out.append(json.dumps({"id": g.id, "label": g.label, "name": g.name, "aliases": list(g.aliases),
                                       "mentions": g.mentions, "articles": arts, "cooccurring": co},
                                      ensure_ascii=False) + "\n")
        _write(None, "".join(out))
        return _report(problems)
    from rich.console import Console, Group
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    for label in labels:
        groups = index.groups(label, name=args.name, limit=args.limit)
        if not groups:
            continue
        table = Table(title=Text(f"{LABEL_TITLES[label]} ({label}) · {len(groups)}", style="bold"),
                      title_justify="left", highlight=False)
        table.add_column("Name", style="bold", overflow="fold", max_width=36)
        table.add_column("Mentions", justify="right")
        table.add_column("Articles", justify="right")
        table.add_column("Also in those articles", overflow="fold", style="dim")
        for g in groups:
            beside = ", ".join(c.name for c, _ in index.cooccurring(g.id, limit=4))
            table.add_row(Text(g.name), str(g.mentions), str(g.articles), Text(beside))
        parts.append(table)
    if not parts:
        err("no entities found" + (f" named {args.name!r}" if args.name else ""))
    else:
        Console(highlight=False).print(Group(*parts))
    return _report(problems)
