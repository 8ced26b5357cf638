"""Featurise text for the learned entity tagger: syllable tokens on exact offsets, and their columns.

A token is a run of letters and digits (split where a small letter meets a capital: "PhươngTheo"), or one
other non-space character. Each token gets columns that the CRF's feature templates read:

    0 the token            1 its shape (Aa, a, AA, A, 9, Mix, or the punctuation itself)
    2 place gazetteer      B-LOC / I-LOC / O: a known place name, matched case-sensitively
    3 cue words            B-/I- TITLE, ORGH (organisation head), LOCH (place head), MISCC (product cue),
                           MEDIA, ORGN (an organisation's name), SAY (speech verb), or O
    4 family name          FAM for a capitalised Vietnamese family name, else O
    5 document evidence    for a capitalised token: M if the same token is capitalised mid-sentence
                           elsewhere in the text, L if its lower-case form occurs, ML both, else O
    6 position             S + shape at a sentence start (capitals there say little), else the shape
    7 capital habit        how often the word is capitalised inside a sentence in 2,600 unlabelled news
                           articles (models/capstats.json: c0 never … c4 always; c? unseen)
    8 name part            for a capitalised token: G if the text introduces a person with it as the last
                           word of a full name (a family name first, or after a title), N another word of
                           such a name, else O

The templates (TEMPLATES) turn these into feature strings in underthesea_core's Rust featurizer, which
also looks syllable pairs up in underthesea's Vietnamese word list (``is_in_dict``, the signal its word
segmenter uses).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docbao.analysis import gazetteer as gz
from docbao.analysis.segment import paragraphs, sentences
from docbao.analysis.text import LOWER, UPPER

_TOKEN = re.compile(r"[^\W_]+|\S")
_CASE_SPLIT = re.compile(r"(?<=[%s])(?=[%s])" % (LOWER, UPPER))  # a small letter, then a capital


@dataclass(frozen=True, slots=True)
class Token:
    start: int
    end: int
    text: str


def _split_case(start: int, word: str) -> Iterable[Token]:
    """ "PhươngTheo" → Phương, Theo; "iPhone" → i, Phone; but "TPBank", "McDonald's" parts stay joined when
    the capital follows a capital."""
    pos = 0
    for m in _CASE_SPLIT.finditer(word):
        yield Token(start + pos, start + m.start(), word[pos:m.start()])
        pos = m.start()
    yield Token(start + pos, start + len(word), word[pos:])


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of text[start:end] on absolute offsets."""
    end = len(text) if end is None else end
    out: list[Token] = []
    for m in _TOKEN.finditer(text, start, end):
        w = m.group(0)
        if len(w) > 1 and not w.islower() and not w.isupper() and not w.istitle():
            out.extend(_split_case(m.start(), w))
        else:
            out.append(Token(m.start(), m.end(), w))
    return out


def sentence_tokens(text: str, start: int = 0, end: int | None = None) -> list[list[Token]]:
    """The tokens of each sentence of text[start:end] (paragraphs, then sentences)."""
    end = len(text) if end is None else end
    out: list[list[Token]] = []
    for ps, pe in paragraphs(text):
        if pe <= start or ps >= end:
            continue
        for ss, se in sentences(text, max(ps, start), min(pe, end)):
            toks = tokenize(text, ss, se)
            if toks:
                out.append(toks)
    return out


def shape(w: str) -> str:
    if w.isdigit():
        return "9"
    if w.isalpha():
        if w.islower():
            return "a"
        if w.isupper():
            return "AA" if len(w) > 1 else "A"
        if w[0].isupper() and w[1:].islower():
            return "Aa"
        return "Mix"
    if w.isalnum():
        return "A9" if w[0].isupper() else "a9"
    return w if w in "\"“”«»'‘’().,:;!?-–—/&" else "P"


# --- gazetteers as token sequences ----------------------------------------------------------------

def _key(phrase: str, lower: bool) -> tuple[str, ...]:
    toks = tuple(t.text for t in tokenize(phrase))
    return tuple(t.lower() for t in toks) if lower else toks


@functools.cache
def _tables() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str], frozenset[str], int]:
    places = {_key(p, False): "LOC" for p in gz.places()}
    cues: dict[tuple[str, ...], str] = {}
    words: Iterable[str]
    for cat, words in (("SAY", gz.SPEECH_VERBS), ("MISCC", gz.MISC_CUES), ("LOCH", gz.PLACE_HEADS),
                       ("ORGH", gz.ORG_HEADS), ("TITLE", gz.TITLES)):
        for w in words:
            cues[_key(w, True)] = cat
    for cat, words in (("MEDIA", gz.MEDIA), ("ORGN", gz.ORG_NAMES)):
        for w in words:
            cues[_key(w, True)] = cat
    longest = max(len(k) for k in (*places, *cues))
    return places, cues, frozenset(gz.FAMILY_NAMES), longest


def _mark(words: Sequence[str], table: dict[tuple[str, ...], str], longest: int) -> list[str]:
    out = ["O"] * len(words)
    i = 0
    n = len(words)
    while i < n:
        for k in range(min(longest, n - i), 0, -1):
            cat = table.get(tuple(words[i:i + k]))
            if cat is not None:
                out[i] = "B-" + cat
                for j in range(i + 1, i + k):
                    out[j] = "I-" + cat
                i += k
                break
        else:
            i += 1
    return out


_OPENERS = frozenset("\"“«‘'(-–—:")


def columns(sents: Sequence[Sequence[Token]], caps: dict[str, str] | None = None) -> list[list[list[str]]]:
    """The column rows of every token of every sentence (see the module docstring). ``caps``: the capital
    habit table (default: the shipped one)."""
    if caps is None:
        from docbao.analysis.models import capstats

        caps = capstats()
    places, cues, families, longest = _tables()
    # Document evidence: capitalised mid-sentence somewhere, and lower-case forms present.
    cap_mid: set[str] = set()
    lower_seen: set[str] = set()
    for toks in sents:
        prev = ""
        for k, t in enumerate(toks):
            w = t.text
            if w[:1].isupper() and k > 0 and prev not in _OPENERS and prev not in ".!?…":
                cap_mid.add(w)
            elif w.islower():
                lower_seen.add(w)
            prev = w
    marked = []
    for toks in sents:
        words = [t.text for t in toks]
        lows = [w.lower() for w in words]
        marked.append((words, lows, _mark(words, places, longest), _mark(lows, cues, longest)))
    given, name_part = _name_parts(marked, families)
    out: list[list[list[str]]] = []
    for words, lows, gaz, cue in marked:
        rows: list[list[str]] = []
        prev = ""
        for k, w in enumerate(words):
            sh = shape(w)
            if w[:1].isupper():
                ev = ("M" if w in cap_mid else "") + ("L" if lows[k] in lower_seen else "")
                ev = ev or "O"
                fam = "FAM" if w in families else "O"
                role = "G" if w in given else "N" if w in name_part else "O"
            else:
                ev, fam, role = "O", "O", "O"
            start = k == 0 or prev in _OPENERS
            habit = caps.get(lows[k], "c?") if w.isalpha() else "-"
            rows.append([w, sh, gaz[k], cue[k], fam, ev, ("S" + sh) if start else sh, habit, role])
            prev = w
        out.append(rows)
    return out


def _name_parts(marked: Sequence[tuple[list[str], list[str], list[str], list[str]]], families: frozenset[str]
                ) -> tuple[set[str], set[str]]:
    """Names the article introduces in full, for the later mentions that use only part of one (Vietnamese
    news calls "Nguyễn Quốc Bình" "Bình" from then on, "Tổng thống Michel Temer" "Temer"): the last word
    of every run of capitalised words that starts with a family name (two words or more) or follows a
    person's title, and the other words of those runs. A run the place list knows is not a name."""
    given: set[str] = set()
    part: set[str] = set()
    for words, _lows, gaz, cue in marked:
        n = len(words)
        k = 0
        while k < n:
            if not (words[k][:1].isupper() and words[k].isalpha()) or gaz[k] != "O":
                k += 1
                continue
            j = k
            while j < n and words[j][:1].isupper() and words[j].isalpha() and gaz[j] == "O" and cue[j] == "O":
                j += 1
            titled = k > 0 and cue[k - 1].endswith("TITLE")
            if j > k and ((words[k] in families and j - k >= 2) or titled):
                given.add(words[j - 1])
                part.update(words[k:j - 1])
            k = max(j, k + 1)
    return given, part


TEMPLATES: tuple[str, ...] = (
    "T[-2].lower", "T[-1].lower", "T[0].lower", "T[1].lower", "T[2].lower",
    "T[-2,-1].lower", "T[-1,0].lower", "T[0,1].lower", "T[1,2].lower",
    "T[0]", "T[-1]", "T[1]",
    "T[-1,0].is_in_dict", "T[0,1].is_in_dict", "T[-2,0].is_in_dict", "T[0,2].is_in_dict",
    "T[-2][1]", "T[-1][1]", "T[0][1]", "T[1][1]", "T[2][1]", "T[-1,0][1]", "T[0,1][1]", "T[-1,1][1]",
    "T[-1][2]", "T[0][2]", "T[1][2]",
    "T[-2][3]", "T[-1][3]", "T[0][3]", "T[1][3]", "T[-1,0][3]",
    "T[-1][4]", "T[0][4]", "T[1][4]",
    "T[-1][5]", "T[0][5]", "T[1][5]",
    "T[0][6]", "T[-1][6]",
    "T[-1][7]", "T[0][7]", "T[1][7]", "T[0,1][7]",
    "T[-1][8]", "T[0][8]", "T[1][8]",
)


@functools.cache
def featurizer(templates: tuple[str, ...] = TEMPLATES):  # type: ignore[no-untyped-def]
    """underthesea_core's Rust featurizer over our templates and underthesea's Vietnamese word list."""
    from underthesea_core import CRFFeaturizer

    return CRFFeaturizer(list(templates), set(vietnamese_words()))


def vietnamese_words() -> frozenset[str]:
    """underthesea's word list (Viet74K), lower-cased: the words ``underthesea.transformer.tagged_feature``
    gives as ``lower_words``, read from its file without importing underthesea (whose package import takes
    0.3 s: a third of a worker's start-up)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("underthesea")
    if spec is not None and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            path = Path(folder) / "transformer" / "Viet74K.txt"
            if path.is_file():
                words = path.read_text(encoding="utf-8").strip().split("\n")
                return frozenset(w.lower() for w in words)
    import warnings  # a layout we do not know: ask underthesea itself

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from underthesea.transformer.tagged_feature import lower_words
    return frozenset(lower_words)


def features(sents: Sequence[Sequence[Token]], templates: tuple[str, ...] = TEMPLATES,
             caps: dict[str, str] | None = None) -> list[list[list[str]]]:
    return featurizer(templates).process(columns(sents, caps))
