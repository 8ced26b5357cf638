"""The annotation store as the UI holds it: a handle with explicit states, and results instead of exceptions.

The database opens just after the first paint (launch passes a factory), so a screen may ask for it while it
is still ``OPENING``; once open it is ``READY``; a file the store refuses (damaged, not ours, written by a
newer docbao), at open or later when another process changes it, makes it ``FAILED`` for good: the app shows
the error screen and nothing is ever written to that file.

Only the store's own failures become results: :class:`StoreError` (a refused file, a failed write: disk
full, read-only folder) and the validation errors it raises for bad input (``ValueError``). Anything else
is a bug and propagates, so it is seen, not reported as "Could not save".
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:  # types only: the first paint does not import the analysis package
    from docbao.analysis.lexicon import Lexicon
    from docbao.analysis.spans import Analysis

__all__ = ["AnalyzerLike", "Outcome", "State", "StoreHandle", "StoreLike"]

T = TypeVar("T")


class StoreLike(Protocol):
    """What the UI uses of store.annotations.AnnotationStore."""

    def add(self, article: Any, start: int | None = None, end: int | None = None, *,
            tags: Sequence[str] = (), note: str = "") -> Any: ...
    def update(self, annotation_id: str, *, tags: Sequence[str] | None = None, note: str | None = None) -> Any: ...
    def delete(self, annotation_id: str) -> None: ...
    def get(self, annotation_id: str) -> Any: ...
    def all(self) -> list[Any]: ...
    def for_article(self, article: Any) -> list[Any]: ...
    def for_article_id(self, article_id: str) -> list[Any]: ...
    def tags(self) -> dict[str, int]: ...
    def counts_by_article(self) -> dict[str, int]: ...
    def tags_by_article(self) -> dict[str, list[str]]: ...
    def add_correction(self, surface: str, label: str | None, scope: str = ...) -> Any: ...
    def remove_correction(self, correction_id: str) -> None: ...
    def corrections(self) -> list[Any]: ...
    def lexicon(self) -> Lexicon: ...
    def reading(self, article_id: str) -> Any: ...
    def reading_states(self) -> dict[str, Any]: ...
    def set_reading(self, article_id: str, *, position: int | None = None, read: bool | None = None) -> Any: ...
    def feeds(self) -> list[Any]: ...
    def get_feed(self, feed_id: str) -> Any: ...
    def remove_feed(self, feed_id: str) -> Any: ...
    def close(self) -> None: ...


class AnalyzerLike(Protocol):
    """What the UI uses of analysis.pipeline.Analyzer (tests pass fakes)."""

    def analyze(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Analysis: ...
    def cached(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None
               ) -> Analysis | None: ...


class State(enum.Enum):
    OPENING = "opening"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a store call gave: ``ok`` and its value, or the one-line reason it did not."""

    ok: bool
    value: T | None = None
    error: str = ""


def _expected(exc: BaseException) -> bool:
    from docbao.store.storage import StoreError

    return isinstance(exc, StoreError | OSError | ValueError)


class StoreHandle:
    def __init__(self, store: StoreLike | None = None, error: str | None = None) -> None:
        self.store = store
        self.error = error
        self.state = State.FAILED if error is not None else State.READY if store is not None else State.OPENING

    @property
    def ready(self) -> bool:
        return self.state is State.READY

    @property
    def live(self) -> StoreLike:
        """The open store, to pass its methods to read() and write() (which check readiness themselves)."""
        if self.store is None:
            raise RuntimeError("the store is not open")
        return self.store

    def open(self, factory: Callable[[], StoreLike]) -> Outcome[StoreLike]:
        """Open with ``factory`` (called once); READY, or FAILED with the reason."""
        if self.state is not State.OPENING:
            return Outcome(self.ready, self.store, self.error or "")
        try:
            self.store = factory()
        except Exception as exc:
            if not _expected(exc):
                raise
            return self._fail(exc)
        self.state = State.READY
        return Outcome(True, self.store)

    def _fail(self, exc: BaseException) -> Outcome[Any]:
        if isinstance(exc, OSError) and exc.strerror:
            message = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
        else:
            message = str(exc) or type(exc).__name__
        self.state, self.error = State.FAILED, message
        return Outcome(False, None, message)

    def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Outcome[T]:
        """A read; a refused file turns the handle FAILED (the app then shows why)."""
        if self.state is not State.READY:
            return Outcome(False, None, self.error or "the database is not open yet")
        try:
            return Outcome(True, fn(*args, **kwargs))
        except Exception as exc:
            from docbao.store.storage import StoreError

            if not isinstance(exc, StoreError):
                raise
            return self._fail(exc)

    def write(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> Outcome[T]:
        """A write; on failure nothing was saved and the error says what and why (the file is as it was)."""
        if self.state is not State.READY:
            return Outcome(False, None, f"Could not save {what}: {self.error or 'the database is not open yet'}")
        try:
            return Outcome(True, fn(*args, **kwargs))
        except Exception as exc:
            if not _expected(exc):
                raise
            return Outcome(False, None, f"Could not save {what}: {str(exc) or type(exc).__name__}")
