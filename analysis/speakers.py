"""Who said a quote: the candidate mentions around it, the cues that point at one, and the ranker's features.

Candidates (:func:`mentions`): people, organisations and places the tagger found; a capitalised name after
a title that it missed ("cô Liên"); title phrases ("Tổng thống Nga"); the subject of a speech verb when it
is no name ("một người dân cho biết", "Tờ báo này viết"); the attribution right after a quote ("…", vị lãnh
đạo phường cho biết); and pronouns.

Cues (:func:`attribution`), the order news uses them in: the name right after the quote; the subject of
the speech verb that introduces it; "Theo X,"; then the last person named before it; pronouns and
descriptors when no name fits. A relaying agency ("hãng tin TASS dẫn lời…", "theo báo X") is told apart by
the words before it. The ranker (a logistic regression, ``models/speaker.lr``) weighs these cues against
each other; :func:`speaker_features` turns one (quote, mention) pair into its features.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docbao.analysis.gazetteer import MEDIA, SPEECH_VERBS, TITLES
from docbao.analysis.spans import Span
from docbao.analysis.text import LOWER, UPPER

_VERB_ALT = "|".join(re.escape(v) for v in sorted(SPEECH_VERBS, key=len, reverse=True))
VERB_RE = re.compile(r"(?<!\w)(%s)(?!\w)" % _VERB_ALT, re.IGNORECASE)
# A speech verb used as a verb, not inside a noun ("bài viết", "lời kêu gọi", "câu trả lời").
_NOUN_BEFORE = r"(?<!bài )(?<!lời )(?<!câu )(?<!cuộc )(?<!buổi )(?<!những )(?<!các )(?<!sự )(?<!Bài )(?<!Lời )"
SPEECH_RE = re.compile(r"(?<!\w)%s(%s)(?!\w)" % (_NOUN_BEFORE, _VERB_ALT), re.IGNORECASE)
_RELAYED = re.compile(r"(?:dẫn|trích)[ \t]+lời[ \t]+|theo[ \t]+lời[ \t]+", re.IGNORECASE)
_TITLE_ALT = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
_CAPWORD = r"[%s][\w\-.']*" % UPPER
_NAME = r"%s(?:[ \t]+%s){0,4}" % (_CAPWORD, _CAPWORD)
# A title phrase standing for a speaker: "Tổng thống Nga", "HLV Park Hang-seo", "Bộ trưởng Bộ Y tế".
_TITLE_PHRASE = re.compile(r"(?<!\w)(?:(?i:%s))(?:[ \t]+%s)+" % (_TITLE_ALT, _CAPWORD))
# A name after a title the tagger may have missed: "cô Liên", "anh Tuấn", "HLV Gama".
_TITLED_NAME = re.compile(r"(?<!\w)(?i:%s)[ \t]+(%s)" % (_TITLE_ALT, _NAME))
# The clause after a closing mark: "…", cô Liên lo lắng. / "…" – HLV Mario Gjurovski tỏ ra tự tin.
_AFTER_CLAUSE = re.compile(r"[ \t]*[,–—-][ \t]*|[ \t]+(?=[%s])" % LOWER)
PRONOUNS = ("chúng tôi", "tôi", "ông", "bà", "anh", "chị", "em", "cô", "chú", "bác", "cụ", "họ", "ông ấy",
            "bà ấy", "anh ấy", "chị ấy", "cô ấy", "người này", "vị này", "mình", "chúng ta", "chúng em")
_PRONOUN_RE = re.compile(r"(?<!\w)(%s)(?!\w)" % "|".join(re.escape(p) for p in sorted(PRONOUNS, key=len,
                                                                                          reverse=True)),
                         re.IGNORECASE)
_THEO = re.compile(r"(?<!\w)[Tt]heo[ \t]+")
_MEDIA_SET = frozenset(m.lower() for m in MEDIA)
_RELAY = frozenset({"báo", "tờ", "hãng", "đài", "trang", "kênh", "chí", "tin", "với", "lời", "dẫn", "của"})
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of text that may name a speaker, and what kind of stretch it is: PER, ORG, LOC (entities),
    NAME (a name after a title), TITLE, SUBJ (the subject of a speech verb), ATTR (after a quote), PRON."""

    start: int
    end: int
    kind: str

    def text_of(self, text: str) -> str:
        return text[self.start:self.end]


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Where a quote sits: its words and its marks (-1 when it has none)."""

    start: int
    end: int
    open: int
    close: int

    @property
    def before(self) -> int:
        return self.open if self.open >= 0 else self.start

    @property
    def after(self) -> int:
        return (self.close + 1) if self.close >= 0 else self.end


def _sentence_start(text: str, pos: int, floor: int) -> int:
    """Start of the sentence holding ``pos`` (a line break or . ! ? followed by a space), not before floor."""
    i = pos
    while i > floor:
        ch = text[i - 1]
        if ch == "\n" or (ch in ".!?" and i < len(text) and text[i].isspace() and i - 1 > floor
                          and not text[i - 2].isupper()):
            return i
        i -= 1
    return floor


def _sentence_end(text: str, pos: int, limit: int) -> int:
    m = re.compile(r"[.!?\n]").search(text, pos, min(len(text), pos + limit))
    return m.start() if m else min(len(text), pos + limit)


def mentions(text: str, entities: Sequence[Span], q: QuoteSpan, lo: int, hi: int,
             quoted: Sequence[tuple[int, int]] = ()) -> list[Mention]:
    """The candidate speakers of quote ``q`` between lo and hi (none inside the quote's own words; no
    pronoun inside any quotation: "tôi" there is the quoted speaker's own word)."""
    out: dict[tuple[int, int], Mention] = {}

    def add(s: int, e: int, kind: str) -> None:
        if e > s and not (q.start <= s and e <= q.end) and (s, e) not in out:
            out[(s, e)] = Mention(s, e, kind)

    for sp in entities:
        if sp.end > lo and sp.start < hi and sp.label != "MISC":
            add(sp.start, sp.end, sp.label)
    taken = sorted(out)

    def inside_entity(s: int, e: int) -> bool:
        i = bisect.bisect_right(taken, (s, 1 << 62))
        return any(a < e and s < b for a, b in taken[max(0, i - 2):i + 2])

    for m in _TITLED_NAME.finditer(text, lo, hi):
        if not inside_entity(m.start(1), m.end(1)):
            add(m.start(1), m.end(1), "NAME")
    for m in _TITLE_PHRASE.finditer(text, lo, hi):
        if len(m.group(0).split()) >= 2 and not inside_entity(m.start(), m.end()):
            add(m.start(), m.end(), "TITLE")
    for m in _PRONOUN_RE.finditer(text, lo, hi):
        nxt = text[m.end():m.end() + 2]
        if not (nxt[:1] == " " and nxt[1:2].isupper()) and not inside_entity(m.start(), m.end()) \
                and not _inside(quoted, m.start(), m.end()):
            add(m.start(), m.end(), "PRON")
    # The subject of a speech verb near the quote when it is no name: "một người dân cho biết:",
    # "Tờ báo này viết:" (from its clause's start to the verb; names inside are entity mentions already).
    for pos in (q.before, q.after):
        ss = _sentence_start(text, max(lo, pos - 1), lo)
        for v in SPEECH_RE.finditer(text, ss, min(hi, _sentence_end(text, pos, 200))):
            s, e = _clause(text, ss, v.start())
            e = _drop_adverbs(text, s, e)
            if e > s and len(text[s:e].split()) <= 6 and not _PRONOUN_RE.fullmatch(text, s, e):
                add(s, e, "SUBJ")  # a lone pronoun is a PRON mention (resolved to the person it stands for)
    # The attribution right after the closing mark.
    if q.close >= 0:
        after = _AFTER_CLAUSE.match(text, q.after, min(len(text), q.after + 3))
        if after:
            start = after.end()
            end = _sentence_end(text, start, 120)
            verb = VERB_RE.search(text, start, end)
            stop = verb.start() if verb else _name_end(text, start, end)
            s, e = _clause(text, start, stop)
            if 0 < e - s <= 80:
                add(s, e, "ATTR")
    return sorted(out.values(), key=lambda x: (x.start, x.end))


_JOINERS = re.compile(r"(?<!\w)(?:và|nhưng|khi|thì|rằng|sau đó|trong khi đó|đồng thời)[ \t]+", re.IGNORECASE)
_LEADING = re.compile(r"(?:(?:rồi|sau đó|tiếp đó|lúc này|khi đó|cũng|còn|thậm chí|ngay sau đó|cuối cùng|"
                      r"tuy nhiên|trong khi|ngoài ra)[ \t]+)+", re.IGNORECASE)
_ADVERBS = re.compile(r"(?:[ \t]+(?:cũng|đã|vừa|thì|còn|lại|mới|từng|tiếp tục|đều|sẽ|đang|liền|bèn))+$")


def _drop_adverbs(text: str, s: int, e: int) -> int:
    m = _ADVERBS.search(text, s, e)
    return m.start() if m else e


def _inside(spans: Sequence[tuple[int, int]], s: int, e: int) -> bool:
    i = bisect.bisect_right(spans, (s, 1 << 62))
    return any(a <= s and e <= b for a, b in spans[max(0, i - 3):i])


def _name_end(text: str, start: int, end: int) -> int:
    """End of "optional lower-case words, then capitalised words" from start (an attribution without a
    speech verb: "…", cô Liên lo lắng)."""
    m = re.compile(r"(?:[%s\w]+[ \t]+){0,3}?%s" % (LOWER, _NAME)).match(text, start, end)
    return m.end() if m else start


def _clause(text: str, s: int, e: int) -> tuple[int, int]:
    """The last clause of text[s:e] (after a comma or a conjunction), trimmed."""
    cut = max(text.rfind(",", s, e), text.rfind(";", s, e), text.rfind(":", s, e))
    if cut >= s:
        s = cut + 1
    for mm in _JOINERS.finditer(text, s, e):
        s = mm.end()
    while s < e and not text[s].isalnum():
        s += 1
    lead = _LEADING.match(text, s, e)
    if lead:
        s = lead.end()
    while e > s and not text[e - 1].isalnum() and text[e - 1] != ".":
        e -= 1
    return s, e


@dataclass
class Attribution:
    """The mentions the strong cues point at for one quote (None when a cue is absent)."""

    after: Mention | None = None  # in the clause right after the quote
    subject: Mention | None = None  # the first name of the sentence whose speech verb (or colon) introduces it
    subject_clause: Mention | None = None  # the first name of the verb's own clause (after the last comma)
    adjacent: Mention | None = None  # the name right before the verb (a few small words between at most)
    opener: bool = False  # the sentence opens with an adverbial ("Trao đổi với…, Theo…,"): its first name
    theo: Mention | None = None  # "Theo X," in its sentence
    last_person: Mention | None = None


def _first_in(pool: Sequence[Mention], s: int, e: int, kinds: frozenset[str]) -> Mention | None:
    for m in pool:
        if s <= m.start and m.end <= e and m.kind in kinds:
            return m
    return None


_ACTOR = frozenset({"PER", "ORG", "NAME", "TITLE", "SUBJ", "ATTR", "LOC", "PRON"})
_NAMED = frozenset({"PER", "ORG", "NAME", "LOC"})


def attribution(text: str, q: QuoteSpan, pool: Sequence[Mention]) -> Attribution:
    att = Attribution()
    if q.close >= 0:
        m = _AFTER_CLAUSE.match(text, q.after, min(len(text), q.after + 3))
        if m:
            end = _sentence_end(text, m.end(), 120)
            words = _WORD.findall(text[m.end():end])
            near = m.end() + len(" ".join(words[:4])) + 4
            att.after = (_first_in(pool, m.end(), near, _NAMED)
                         or _first_in(pool, m.end(), near, _ACTOR))
            relayed = _RELAYED.search(text, m.end(), end)
            if relayed:  # "…", hãng tin TASS dẫn lời Ngoại trưởng Séc Jakub Kulhanek: the quoted one spoke
                att.after = _first_in(pool, relayed.end(), end, _NAMED) or att.after
    ss = _sentence_start(text, q.before, 0)
    lead = text[ss:q.before]
    if not lead.strip():
        # The quote opens its sentence: the sentence before may introduce it ("X cho biết:").
        prev_end = ss
        while prev_end > 0 and text[prev_end - 1].isspace():
            prev_end -= 1
        if prev_end > 0 and text[prev_end - 1] == ":":
            ss = _sentence_start(text, prev_end - 1, 0)
            lead = text[ss:prev_end]
    verb = None
    for vm in SPEECH_RE.finditer(lead):
        verb = vm
    colon = lead.rstrip().endswith(":")
    if verb is not None or colon:
        limit = ss + (verb.start() if verb is not None else len(lead.rstrip()) - 1)
        att.subject = (_first_in(pool, ss, limit, _NAMED) or _first_in(pool, ss, limit, _ACTOR))
        comma = text.rfind(",", ss, limit)
        if comma >= 0:
            att.subject_clause = (_first_in(pool, comma + 1, limit, _NAMED)
                                  or _first_in(pool, comma + 1, limit, _ACTOR))
        for x in pool:
            if x.kind in _NAMED and ss <= x.start and x.end <= limit and len(text[x.end:limit].split()) <= 3:
                att.adjacent = x
        att.opener = bool(_OPENER.match(text, ss, limit))
    for tm in _THEO.finditer(text, ss, q.before):
        att.theo = _first_in(pool, tm.end(), tm.end() + 80, _NAMED)
    for x in pool:
        if x.kind in ("PER", "NAME") and x.end <= q.before:
            att.last_person = x
    return att


_OPENER = re.compile(r"[ \t]*(?:trước|theo|trao đổi|chia sẻ|nói về|phát biểu|khi|sau|tại|trong|về|với|"
                     r"bên cạnh|ngoài ra|tuy nhiên|đồng thời|cũng|còn)(?!\w)", re.IGNORECASE)


def bucket(n: int, edges: Sequence[int]) -> str:
    """A count as a feature value: the first edge it does not pass, or ">last"."""
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


def same_person(a: str, b: str) -> bool:
    a, b = a.lower(), b.lower()
    return a == b or a.endswith(" " + b) or b.endswith(" " + a)


def speaker_features(text: str, q: QuoteSpan, m: Mention, pool: Sequence[Mention], att: Attribution,
                     prev: str | None, counts: dict[str, int], quoted: Sequence[tuple[int, int]]) -> list[str]:
    surface = m.text_of(text)
    low = surface.lower()
    if m.end <= q.before:
        where, gap = "before", text[m.end:q.before]
    elif m.start >= q.after:
        where, gap = "after", text[q.after:m.start]
    else:
        where, gap = "inside", ""
    cues = [name for name, c in (("after", att.after), ("subj", att.subject), ("clause", att.subject_clause),
                                 ("adj", att.adjacent), ("theo", att.theo), ("last", att.last_person)) if c is m]
    if "subj" in cues and att.opener:
        cues.append("subj_opener")
    has = "".join(k[0] for k, c in (("after", att.after), ("subj", att.subject), ("theo", att.theo)) if c)
    f = [f"kind={m.kind}", f"where={where}", f"kind_where={m.kind}_{where}", f"has={has or '-'}"]
    for c in cues:
        f += [f"cue={c}", f"cue={c}_{m.kind}", f"cue={c}_has={has}"]
    if cues:
        f.append("cues=" + "+".join(cues))
    if not cues:
        f.append(f"nocue_has={has or '-'}")
        f.append(f"nocue_kind={m.kind}_has={has or '-'}")
    if m.kind == "PRON" or m.kind == "SUBJ":
        f.append(f"head={low.split()[0]}")
    paras = gap.count("\n")
    f.append(f"paras={bucket(paras, (0, 1, 2))}")
    f.append(f"dist={bucket(len(gap.split()), (0, 2, 5, 10, 20, 40, 80))}")
    nb = sum(1 for o in pool if (m.end <= o.start and o.end <= q.before) or (q.after <= o.start and o.end <= m.start))
    f.append(f"between={bucket(nb, (0, 1, 2, 4))}")
    before = [w.lower() for w in _WORD.findall(text[max(0, m.start - 30):m.start])][-2:]
    if before:
        f.append(f"prev={before[-1]}")
        if before[-1] in _RELAY:
            f.append("relay")
    after = [w.lower() for w in _WORD.findall(text[m.end:m.end + 40])][:3]
    if after and VERB_RE.match(" ".join(after)):
        f.append("verb_next")
    elif after and VERB_RE.search(" ".join(after)):
        f.append("verb_soon")
    if low in _MEDIA_SET:
        f.append("media")
    if _inside(quoted, m.start, m.end):
        f.append("in_quote")
    f.append(f"freq={bucket(counts.get(low, 0), (1, 2, 4, 8))}")
    if prev is not None:
        f.append(f"prevspk={same_person(prev, surface)}_has={has or '-'}")
    return f


def full_names(ents: Sequence[Span]) -> dict[str, Span]:
    """Each proper word-suffix of a person's name → the first entity with that full name."""
    out: dict[str, Span] = {}
    for sp in ents:
        if sp.label == "PER":
            words = sp.text.split()
            for k in range(1, len(words)):
                out.setdefault(" ".join(words[k:]), sp)
    return out
