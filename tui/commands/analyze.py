"""`docbao analyze`: entities and quotes of articles, readable (coloured) or as JSON lines."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docbao.analysis.spans import LABELS
from docbao.tui.commands.common import SMALL_WORK_CHARS, CommandError, err, guard, positive, progress_line

if TYPE_CHECKING:
    from docbao.analysis.lexicon import Lexicon

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
  docbao analyze --jobs 2 ~/news > /dev/null     (fill the cache the reader and `docbao quotes` use)
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
    p.add_argument("-j", "--jobs", type=positive, default=None, metavar="N",
                   help="analyse with N processes (default: one per core; this process alone when there is "
                        "little to analyse)")
    add_db(p)
    p.set_defaults(handler=guard(run))


def load_lexicon(db: str | None) -> Lexicon | None:
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
        err(f"warning: corrections not applied: {exc}")
        return None
    return lexicon or None


def run(args: argparse.Namespace) -> int:
    from docbao.analysis.pipeline import Analyzer
    from docbao.store.paths import cache_dir

    loaded, failures = _load(args.paths)
    if not loaded and not failures:
        raise CommandError(f"no article to read in {' '.join(args.paths)} "
                           "(docbao reads .txt .md .html .htm .json files)")
    lexicon = None if args.no_corrections else load_lexicon(args.db)
    out = sys.stdout
    console = None
    if not args.json:
        from rich.console import Console

        console = Console(highlight=False, soft_wrap=not out.isatty())  # piped: one line per line, for grep
    with contextlib.ExitStack() as stack:
        cache = None if args.no_cache else cache_dir()
        todo = [a for _, a in loaded] if cache is None else _uncached(Analyzer(cache), loaded, lexicon)
        jobs = args.jobs
        if jobs is None and sum(len(a.text) for a in todo) < SMALL_WORK_CHARS:
            jobs = 1  # starting worker processes would cost more than it saves
        failed: dict[str, str] = {}
        if (jobs or 2) > 1 and len(todo) > 1:
            from docbao.analysis.batch import BatchRunner

            if cache is None:  # the workers hand their results over through a cache: a private one
                cache = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="docbao-analyze-")))
            failed = BatchRunner(cache, jobs, lexicon=lexicon).run(todo, on_progress=progress_line).failed
        analyzer = Analyzer(cache)
        for shown, article in loaded:
            try:
                if article.id in failed:
                    raise _Failed(failed[article.id])
                result = analyzer.analyze(article.text, lexicon, article_id=article.id)
            except Exception as exc:  # one article the analysis cannot take must not stop the batch
                reason = str(exc) if isinstance(exc, _Failed) else f"{type(exc).__name__}: {exc}"
                err(f"{shown}: could not be analysed ({reason})")
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


class _Failed(Exception):
    """An article a worker could not analyse (the message is the worker's one-line reason)."""


def _load(paths: Sequence[str]) -> tuple[list[tuple[str, Any]], int]:
    """(file shown as, article) for every article under ``paths``, and how many files could not be read
    (each said on stderr, once)."""
    from docbao.store.articles import ArticleError, display_path, iter_files, load_file

    loaded: list[tuple[str, Any]] = []
    failures = 0
    for path in iter_files(paths):
        shown = display_path(path)  # a file name that is not UTF-8 prints with U+FFFD
        try:
            articles = load_file(path)
        except ArticleError as exc:
            err(f"{exc}")
            failures += 1
            continue
        except Exception as exc:  # a file no reader foresaw: say which, and go on with the others
            err(f"{shown}: could not be read ({type(exc).__name__}: {exc})")
            failures += 1
            continue
        for note in sorted({a.meta["warning"] for a in articles if a.meta.get("warning")}):
            err(f"warning: {shown}: {note}")
        loaded.extend((shown, a) for a in articles)
    return loaded, failures


def _uncached(analyzer: Any, loaded: list[tuple[str, Any]], lexicon: Any) -> list[Any]:
    out = []
    for _, a in loaded:
        try:
            hit = analyzer.cached(a.text, lexicon, a.id)
        except Exception:  # an unreadable cache entry is a miss
            hit = None
        if hit is None:
            out.append(a)
    return out


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
        for label in LABELS:
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
