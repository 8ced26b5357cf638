"""What every subcommand shares: the help layout, one-line errors with the right exit status, the store.

``guard(handler)`` turns the errors a command expects into ``docbao: <message>`` on stderr: bad usage
(:class:`UsageError`) exits 2; nothing to work on (:class:`CommandError`), a refused database or article
file, a failed fetch, an OS error exit 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, NoReturn

__all__ = [
    "SMALL_WORK_CHARS",
    "CommandError",
    "Handler",
    "UsageError",
    "err",
    "formatter",
    "guard",
    "one_line_errors",
    "open_store",
    "positive",
    "progress_line",
]

Handler = Callable[[argparse.Namespace], int]

# Below this many characters to analyse, one process (this one) is faster than starting workers: each
# worker costs a fresh interpreter and its own model load (about a third of a second), and the analyzer
# reads 100,000 to 150,000 characters a second.
SMALL_WORK_CHARS = 100_000


class UsageError(Exception):
    """Bad usage (options that contradict each other, an output that cannot be one): exit status 2."""


class CommandError(Exception):
    """Nothing to work on (no article in the paths given): exit status 1."""


def formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def err(message: str) -> None:
    print(f"docbao: {message}", file=sys.stderr)


def guard(fn: Handler) -> Handler:
    def run(args: argparse.Namespace) -> int:
        try:
            return fn(args)
        except UsageError as exc:
            err(str(exc))
            return 2
        except CommandError as exc:
            err(str(exc))
            return 1
        except Exception as exc:
            if not _expected(exc):
                raise
            if isinstance(exc, OSError) and exc.strerror:
                err(f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror)
            else:
                err(str(exc) or type(exc).__name__)
            return 1

    run.__name__ = fn.__name__
    run.__doc__ = fn.__doc__
    return run


def _expected(exc: Exception) -> bool:
    """A refused database or article file, a failed fetch, an OS error (the modules are imported lazily: an
    error class whose module was never imported cannot have been raised)."""
    from docbao.store.articles import ArticleError
    from docbao.store.storage import StoreError

    web = sys.modules.get("docbao.store.web")
    kinds: tuple[type[Exception], ...] = (StoreError, ArticleError, OSError)
    if web is not None:
        kinds += (web.WebError,)
    return isinstance(exc, kinds)


def open_store(args: argparse.Namespace) -> Any:  # -> AnnotationStore (imported lazily: keeps --help fast)
    from docbao.store.annotations import AnnotationStore

    return AnnotationStore.open(args.db)


def positive(value: str) -> int:
    """argparse type: a whole number, 1 or more."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, 1 or more, not {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"1 or more, not {n}")
    return n


def progress_line(p: Any) -> None:
    """A batch analysis' progress on one line of a terminal's stderr (nothing when stderr is a file)."""
    if sys.stderr.isatty():
        end = "\n" if p.finished else ""
        sys.stderr.write(f"\r\x1b[Kanalysing: {p.describe()}{end}")
        sys.stderr.flush()


def one_line_errors(parser: argparse.ArgumentParser) -> None:
    """This parser's and its subcommands' usage errors as one line naming the help to read (not the usage
    block), exit status 2."""
    prog = parser.prog

    def error(message: str) -> NoReturn:
        print(f"{prog}: {message} (see `{prog} --help`)", file=sys.stderr)
        raise SystemExit(2)

    parser.error = error  # type: ignore[method-assign]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                one_line_errors(sub)
