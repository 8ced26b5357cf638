"""`docbao analyze`: entities and quotes of articles, readable (coloured) or as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable

EPILOG = """\
output (--json): one JSON object per article, one per line:
  {"path", "id", "title", "text_sha256",
   "entities": [{"start", "end", "label": PER|LOC|ORG|MISC, "text"}],
   "quotes": [{"start", "end", "text", "kind": direct|indirect|term,
               "speaker": {"text", "start", "end"} | null}]}
offsets are code points into the article text as docbao reads the file (UTF-8, BOM stripped, CRLF/CR → LF,
NFC); for .txt and .md files that is the whole file, title line included.

corrections: the entity corrections you made in the reader (x) apply here too, read from the annotation
database (--db, $DOCBAO_DB or the user data folder); --no-corrections shows the analyzer's own output.

examples:
  docbao analyze article.txt
  docbao analyze --json ~/news > analyses.jsonl
  docbao analyze --json a.txt | jq '.entities[] | select(.label == "PER") | .text'
"""

LABEL_STYLE = {"PER": "bold cyan", "LOC": "bold green", "ORG": "bold magenta", "MISC": "bold yellow"}


def register(sub: argparse._SubParsersAction, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("analyze", help="print the entities and quotes of articles",
                       description="Find named entities (people, places, organisations, other) and quotes "
                                   "with their speakers in article files.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="+", metavar="PATH", help="article files or folders (searched recursively)")
    p.add_argument("--json", action="store_true", help="one JSON object per article per line")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the analysis cache")
    p.add_argument("--no-corrections", action="store_true",
                   help="ignore the entity corrections saved in the annotation database")
    add_db(p)
    p.set_defaults(handler=run)


def load_lexicon(db: str | None) -> object | None:
    """The user's corrections as the analyzer takes them, or None when there are none. A database that
    cannot be read gets a one-line warning and the analysis goes on without corrections."""
    from docbao.store.paths import db_path

    path = db_path(db)
    if not path.exists():
        return None
    from docbao.store.annotations import AnnotationStore

    try:
        store = AnnotationStore.open(path)
        try:
            lexicon = store.lexicon()
        finally:
            store.close()
    except Exception as exc:  # StoreError, OSError: say it once, analyse without corrections
        print(f"docbao: warning: corrections not applied: {exc}", file=sys.stderr)
        return None
    return lexicon or None


def run(args: argparse.Namespace) -> int:
    from docbao.analysis.pipeline import Analyzer
    from docbao.store.articles import ArticleError, display_path, iter_files, load_file
    from docbao.store.paths import cache_dir

    analyzer = Analyzer(None if args.no_cache else cache_dir())
    lexicon = None if args.no_corrections else load_lexicon(args.db)
    failures = 0
    out = sys.stdout
    console = None
    if not args.json:
        from rich.console import Console

        console = Console(highlight=False)
    for path in iter_files(args.paths):
        shown = display_path(path)  # a file name that is not UTF-8 prints with U+FFFD
        try:
            articles = load_file(path)
        except ArticleError as exc:
            print(f"docbao: {exc}", file=sys.stderr)
            failures += 1
            continue
        except Exception as exc:  # a file no reader foresaw: say which, and go on with the others
            print(f"docbao: {shown}: could not be read ({type(exc).__name__}: {exc})", file=sys.stderr)
            failures += 1
            continue
        for note in sorted({a.meta["warning"] for a in articles if a.meta.get("warning")}):
            print(f"docbao: warning: {shown}: {note}", file=sys.stderr)
        for article in articles:
            try:
                result = analyzer.analyze(article.text, lexicon, article_id=article.id)  # type: ignore[arg-type]
            except Exception as exc:  # one article the analysis cannot take must not stop the batch
                print(f"docbao: {shown}: could not be analysed ({type(exc).__name__}: {exc})", file=sys.stderr)
                failures += 1
                continue
            if args.json:
                record = {
                    "path": shown,
                    "id": article.id,
                    "title": article.title,
                    "text_sha256": article.sha256,
                    "entities": [e.to_dict() for e in result.entities],
                    "quotes": [q.to_dict() for q in result.quotes],
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                out.flush()
            else:
                assert console is not None
                _print_readable(console, shown, article, result)
    return 1 if failures else 0


def _print_readable(console, path: str, article, result) -> None:  # type: ignore[no-untyped-def]
    from rich.text import Text

    console.print(Text(article.title or "(untitled)", style="bold underline"))
    console.print(Text(f"{path}  ·  id {article.id}  ·  {article.words} words", style="dim"))
    if result.entities:
        groups: dict[str, dict[str, int]] = {}
        for e in result.entities:
            groups.setdefault(e.label, {}).setdefault(e.text, 0)
            groups[e.label][e.text] += 1
        console.print(Text("Entities", style="bold"))
        for label in ("PER", "LOC", "ORG", "MISC"):
            if label not in groups:
                continue
            line = Text(f"  {label:<5}", style=LABEL_STYLE[label])
            items = sorted(groups[label].items(), key=lambda kv: (-kv[1], kv[0]))
            for i, (surface, n) in enumerate(items):
                if i:
                    line.append(", ")
                line.append(surface, style=LABEL_STYLE[label].replace("bold ", ""))
                if n > 1:
                    line.append(f" ×{n}", style="dim")
            console.print(line)
    else:
        console.print(Text("No entities found.", style="dim"))
    if result.quotes:
        console.print(Text("Quotes", style="bold"))
        for q in result.quotes:
            line = Text(f"  [{q.kind}] ", style="dim")
            line.append(f"“{q.text}”", style="italic")
            if q.speaker:
                line.append(" — ")
                line.append(q.speaker.text, style="bold cyan")
            line.append(f"  ({q.start}–{q.end})", style="dim")
            console.print(line)
    else:
        console.print(Text("No quotes found.", style="dim"))
    console.print()
