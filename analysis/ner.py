"""Named entities from the learned tagger: sentences → tokens → features → CRF → BIO → spans.

Offsets are exact by construction: tokens are found on the text itself (analysis.features), so a span is
always ``text[start:end]`` of whole tokens.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

from docbao.analysis import models
from docbao.analysis.decode import propagate, spans_from_bio
from docbao.analysis.features import columns, featurizer, sentence_tokens
from docbao.analysis.spans import Span

CHUNK = 16  # sentences featurised at once: bounds memory (1 MB at once: 1.4 GB) and the time the GIL is held
# in one native call (64 sentences: 32 ms, felt as key latency while the reader analyses; 16: 6 ms)


LONG = 100_000  # characters from which the cyclic garbage collector waits for the end of the tagging
_paused = 0
_pause_lock = threading.Lock()


@contextlib.contextmanager
def _collector_paused(n_chars: int) -> Iterator[None]:
    """A long text makes hundreds of thousands of tokens and rows at once; each full collection over them
    holds the GIL for up to 100 ms (felt as key latency while the reader analyses in a thread). They hold
    no cycles, so the collector waits until the tagging ends; nested and concurrent uses are counted."""
    global _paused
    if n_chars < LONG:
        yield
        return
    with _pause_lock:
        _paused += 1
        gc.disable()
    try:
        yield
    finally:
        with _pause_lock:
            _paused -= 1
            if _paused == 0:
                gc.enable()


class ModelMissing(RuntimeError):
    """The shipped entity model is not where it should be (a broken install or checkout)."""


def warm() -> None:
    """Load the model and the featurizer's word list now (both are loaded on first use otherwise)."""
    if models.entity_tagger() is None:
        raise ModelMissing(f"the entity model {models.MODELS_DIR / models.NER_FILE} is missing: reinstall "
                           "docbao, or rebuild it with `python -m docbao.analysis.train`")
    featurizer()


def tag_entities(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Entities of text[start:end] (whole sentences), on offsets into ``text``."""
    tagger = models.entity_tagger()
    if tagger is None:
        warm()  # raises ModelMissing with the path
        raise AssertionError("unreachable")
    with _collector_paused((len(text) if end is None else end) - start):
        sents = sentence_tokens(text, start, end)
        rows = columns(sents)  # document evidence comes from every sentence
        # A sentence without a capital letter holds no name: it is not tagged.
        keep = [i for i, toks in enumerate(sents) if any(t.text[:1].isupper() for t in toks)]
        out: list[Span] = []
        fz = featurizer()
        for c in range(0, len(keep), CHUNK):  # features are big (about 200 kB a sentence): a few at a time
            part = keep[c:c + CHUNK]
            for i, f in zip(part, fz.process([rows[i] for i in part]), strict=True):
                out.extend(spans_from_bio(text, sents[i], tagger.tag(f)))
        spans = propagate(text, sents, out)
        del sents, rows  # freed now: the collector's next pass does not meet them
    return spans
