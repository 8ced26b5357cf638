"""The user's corrections, as the analyzer sees them: a lexicon of surface forms.

A correction says "this surface form is LABEL" or, with label None, "this surface form is not an entity",
either everywhere (scope "global") or in one article (scope = the article id). The store keeps them; the
analyzer takes them as a :class:`Lexicon`, whose ``version`` goes into cache keys.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

GLOBAL = "global"


@dataclass(frozen=True, slots=True)
class LexiconEntry:
    surface: str
    label: str | None  # PER / LOC / ORG / MISC, or None for "not an entity"
    scope: str = GLOBAL  # "global" or an article id


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[LexiconEntry, ...] = ()

    @property
    def version(self) -> str:
        """A short hash of the entries: part of every cache key, so a correction refreshes cached analyses."""
        if not self.entries:
            return "none"
        payload = json.dumps(
            sorted((e.surface, e.label or "", e.scope) for e in self.entries), ensure_ascii=False
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]

    def for_article(self, article_id: str | None) -> Lexicon:
        """The entries that apply to one article; an article's own entries win over global ones."""
        picked: dict[str, LexiconEntry] = {}
        for e in self.entries:
            if e.scope == GLOBAL and e.surface not in picked:
                picked[e.surface] = e
        for e in self.entries:
            if article_id is not None and e.scope == article_id:
                picked[e.surface] = e
        return Lexicon(tuple(picked.values()))

    def __bool__(self) -> bool:
        return bool(self.entries)
