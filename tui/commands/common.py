"""What every subcommand shares: the help layout, one-line errors with the right exit status, the store.

``guard(handler)`` turns the errors a command expects into ``docbao: <message>`` on stderr: bad usage
(:class:`UsageError`) exits 2; nothing to work on (:class:`CommandError`), a refused database or article
file, a failed fetch, an OS error exit 1. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["CommandError", "Handler", "UsageError", "err", "formatter", "guard", "open_store"]

Handler = Callable[[argparse.Namespace], int]


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
