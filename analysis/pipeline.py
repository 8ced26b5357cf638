"""analyze(text, lexicon) → Analysis, and the cached, thread-friendly :class:`Analyzer` the app uses.

The pipeline: sentences → syllable tokens and features → the learned CRF (analysis.ner) → the user's
corrections (lexicon) → quotation candidates → speech/term classifier and speaker ranker (analysis.quotes),
and reported speech by rules (analysis.indirect).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from docbao.analysis import entities as ent
from docbao.analysis import models, ner
from docbao.analysis.cache import AnalysisCache
from docbao.analysis.lexicon import Lexicon
from docbao.analysis.quotes import find_quotes
from docbao.analysis.segment import paragraphs
from docbao.analysis.spans import Analysis, Quote, Span, Speaker
from docbao.analysis.text import normalize_text, text_sha256


def _analyzer_version() -> str:
    """A hash of this package's code, of the shipped models and of the versions of underthesea and Babel
    (CLDR data): any change to what an analysis can be gives new cache keys, so no stale analysis is served."""
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for f in sorted(Path(__file__).parent.glob("*.py")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    h.update(json.dumps(models.manifest().get("files", {}), sort_keys=True).encode())
    for dist in ("underthesea", "underthesea-core", "babel"):
        try:
            h.update(f"{dist}={version(dist)}".encode())
        except PackageNotFoundError:
            h.update(f"{dist}=absent".encode())
    return h.hexdigest()[:12]


ANALYZER_VERSION = _analyzer_version()


def _entities(text: str, lexicon: Lexicon | None) -> list[Span]:
    return ent.apply_lexicon(text, ner.tag_entities(text), lexicon)


def relevant_lexicon(text: str, lexicon: Lexicon | None, article_id: str | None) -> Lexicon | None:
    """The corrections that can change this article's analysis: those for it (or global) whose surface
    form occurs in its text. Cache keys use this, so a correction re-analyses only the articles it touches."""
    if not lexicon:
        return None
    lex = lexicon.for_article(article_id)
    return Lexicon(tuple(e for e in lex.entries if e.surface and e.surface in text)) or None


def analyze(text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Analysis:
    """Entities and quotes of ``text`` (which must already be canonical NFC; see analysis.text)."""
    if text != normalize_text(text):
        raise ValueError("analyze() needs canonical text: pass it through analysis.text.normalize_text")
    lex = relevant_lexicon(text, lexicon, article_id)
    spans = _entities(text, lex)
    quotes = find_quotes(text, spans)
    return Analysis(tuple(spans), tuple(quotes), ANALYZER_VERSION)


def _partial(text: str, first: tuple[int, int], lexicon: Lexicon | None, article_id: str | None) -> Analysis:
    """The analysis of the paragraphs that overlap ``first`` alone, on offsets into the whole text."""
    paras = [p for p in paragraphs(text) if p[1] >= first[0] and p[0] <= first[1]]
    if not paras:
        return Analysis((), (), ANALYZER_VERSION, meta={"partial": True})
    base = paras[0][0]
    window = analyze(text[base:paras[-1][1]], lexicon, article_id)

    def sp(x: Speaker | None) -> Speaker | None:
        return Speaker(x.text, x.start + base, x.end + base) if x else None

    return Analysis(
        tuple(Span(e.start + base, e.end + base, e.label, e.text, e.source) for e in window.entities),
        tuple(Quote(q.start + base, q.end + base, q.text, q.kind, sp(q.speaker)) for q in window.quotes),
        ANALYZER_VERSION, meta={"partial": True})


class Analyzer:
    """The analysis as the app and the CLI use it, cached on disk (``cache_dir=None``: no cache).

    Calls into the tagger are serialised by a lock, so any thread may analyse; call :meth:`warm` once
    first, on one thread, because underthesea's cold first calls are not safe to run concurrently.
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.cache_dir = None if cache_dir is None else Path(cache_dir)
        self.cache = AnalysisCache(self.cache_dir) if self.cache_dir is not None else None

    def warm(self) -> None:
        ner.warm()

    def _key(self, text: str, lexicon: Lexicon | None, article_id: str | None) -> str:
        lex = relevant_lexicon(text, lexicon, article_id)
        return f"{text_sha256(text)}-{ANALYZER_VERSION}-{lex.version if lex else 'none'}"

    def cached(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None
               ) -> Analysis | None:
        """The cached analysis, or None; never computes."""
        if self.cache is None:
            return None
        return self.cache.get(self._key(text, lexicon, article_id), text)

    def analyze(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None) -> Analysis:
        key = self._key(text, lexicon, article_id) if self.cache is not None else ""
        return self._analyze(key, text, lexicon, article_id)

    def _analyze(self, key: str, text: str, lexicon: Lexicon | None, article_id: str | None) -> Analysis:
        if self.cache is not None:
            hit = self.cache.get(key, text)
            if hit is not None:
                return hit
        result = analyze(text, lexicon, article_id)
        if self.cache is not None:
            self.cache.put(key, result)
        return result

    def analyze_progressive(self, text: str, lexicon: Lexicon | None = None, article_id: str | None = None,
                            first: tuple[int, int] | None = None) -> Iterator[Analysis]:
        """Yield a partial analysis of the paragraphs around ``first`` (start, end), then the whole.

        A cached analysis is yielded at once, alone. The partial one has ``meta["partial"] = True``.
        """
        key = self._key(text, lexicon, article_id) if self.cache is not None else ""
        hit = self.cache.get(key, text) if self.cache is not None else None
        if hit is not None:
            yield hit
            return
        if first is not None and first[1] - first[0] < len(text) // 2:
            yield _partial(text, first, lexicon, article_id)
        yield self._analyze(key, text, lexicon, article_id)
