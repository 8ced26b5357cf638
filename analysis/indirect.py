"""Reported speech without quotation marks (kind ``indirect``), found by rules.

After "rằng", after a speech verb (cho biết, khẳng định, nhấn mạnh, tuyên bố…), after a colon that follows
a speech verb, "Theo <someone>, …", and a headline or lead naming its speaker before a colon. The speaker is
the subject of the verb (a person or organisation, a title phrase, an acronym), else the first actor of the
sentence, else the last person named. Direct quotations are found by analysis.quotes and passed in, so that
speech already quoted is not reported twice.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from docbao.analysis.entities import strip_titles
from docbao.analysis.gazetteer import SPEECH_VERBS, TITLES
from docbao.analysis.intervals import SpanIndex
from docbao.analysis.segment import paragraphs, sentences
from docbao.analysis.spans import Quote, Span, Speaker
from docbao.analysis.text import UPPER

OPEN_CLOSE = {"“": "”", "«": "»", '"': '"', "„": "”", "‘": "’"}
LOOKBACK = 200  # characters searched back from a quote or a verb for its speech verb or subject

# Speech verbs marked weak introduce speech only with "rằng" or a colon (they have other senses).
WEAK_VERBS = frozenset({
    "phát biểu", "chia sẻ", "nói thêm", "nói", "kể", "viết", "hỏi", "đáp", "trả lời", "giải thích",
    "bày tỏ", "đề xuất", "cam kết", "yêu cầu", "kêu gọi", "bình luận", "thông tin", "trao đổi",
    "phân tích", "tâm sự", "đánh giá", "nhận xét", "nhắc lại", "khuyến cáo", "cảnh báo", "xác nhận",
    "đề nghị", "trả lời phỏng vấn",
})
_VERB_RE = re.compile(r"(?<!\w)(%s)(?!\w)" % "|".join(re.escape(v) for v in sorted(SPEECH_VERBS, key=len,
                                                                                      reverse=True)))
# Words that, right after a verb, show it is not introducing what was said.
_NOT_CONTENT = re.compile(
    r"(?:tại|với|trong|ở|trước|sau|khi|vào|hôm|ngày|của|và|nhưng|được|bị|này|đó|chuyện|gì|lên|ra|"
    r"cho|qua|bằng|từ|đến|tới|lại|rõ|như|hay|hoặc|thì|mà|về(?!\s+việc)|nữa|không|chưa|cũng)(?!\w)",
    re.IGNORECASE,
)
_SKIP_AFTER_VERB = re.compile(
    r"(?:\s*(?:thêm|rằng|là|(?:về |đến )?việc(?=\s+[%s]))(?!\w))*\s*,?\s*" % UPPER, re.IGNORECASE)
_RANG = re.compile(r"(?<!\w)rằng(?!\w)\s*[,:]?\s*")
_COORD_SPEECH = re.compile(r"\s*,?\s+(?:và|nhưng|rồi)\s+(?:ông|bà|anh|chị)?\s*(?:%s)(?!\w)" % "|".join(
    re.escape(v) for v in SPEECH_VERBS))
_THEO = re.compile(r"(?<!\w)Theo\s+([^,.;:“”\"«»]{2,80}?),\s*")
_ADVERBS = re.compile(r"(?:\s*(?:cũng|đã|sẽ|vừa|còn|thì|mới|lại|đều|từng|đang|liền|bèn|tiếp tục|trước đó)"
                      r"(?!\w))*\s*$")
_TITLE_ALT = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
_CAP = r"[%s][\w\-.]*" % UPPER
_ADMIN = r"(?:UBND|HĐND|quận|huyện|tỉnh|thành phố|TP\.?|xã|phường|Sở|Bộ|Ủy ban)"
_TITLE_PHRASE = re.compile(r"(?:(?i:%s)\s+)+(?:%s\s+)?(?:%s)(?:\s+%s)*" % (_TITLE_ALT, _ADMIN, _CAP, _CAP))
_PAREN_ACRONYM = re.compile(r"\(\s*([A-ZĐ][A-ZĐ0-9&\-]{1,12})\s*\)\s*$")
_PRONOUNS = frozenset({"ông", "bà", "anh", "chị", "cô", "em", "họ", "ông ấy", "bà ấy", "anh ấy", "chị ấy",
                       "cô ấy", "người này", "vị này"})



class _Pair:
    """A quoted stretch passed in (open and close are the offsets just outside its words)."""

    __slots__ = ("close", "open")

    def __init__(self, open_: int, close: int) -> None:
        self.open = open_
        self.close = close


def _sentence_of(sents: Sequence[tuple[int, int]], pos: int) -> tuple[int, int]:
    i = bisect.bisect_right(sents, (pos, float("inf"))) - 1
    if i >= 0 and sents[i][0] <= pos < sents[i][1]:
        return sents[i]
    return (pos, pos)


def _trim_end(text: str, s: int, e: int) -> tuple[int, int]:
    while e > s and (text[e - 1].isspace() or text[e - 1] in ".,;:!?…-–—"):
        e -= 1
    while s < e and (text[s].isspace() or text[s] in ",;:-–—"):
        s += 1
    return s, e


def _entity_at_end(entities: SpanIndex, text: str, pos: int, labels: tuple[str, ...]) -> Span | None:
    """An entity of those labels ending right before ``pos`` (allowing adverbs and spaces between)."""
    m = _ADVERBS.search(text, max(0, pos - 60), pos)
    cut = m.start() if m else pos
    for sp in entities.before(cut, 300):
        if sp.label in labels and not text[sp.end:cut].strip():
            return sp
    return None


def _mention_before(text: str, entities: SpanIndex, sent_start: int, pos: int) -> Speaker | None:
    """The subject right before a speech verb at ``pos``: an entity, a title phrase or an acronym."""
    sent_start = max(sent_start, pos - LOOKBACK)
    m = _ADVERBS.search(text, sent_start, pos)
    cut = m.start() if m else pos
    paren = re.search(r"\s*\([^()]{1,40}\)\s*$", text[sent_start:cut])
    if paren and not _PAREN_ACRONYM.search(text, sent_start, cut):
        cut = sent_start + paren.start()
    ent = _entity_at_end(entities, text, cut, ("PER", "ORG"))
    if ent is not None and ent.start >= sent_start:
        return Speaker(ent.text, ent.start, ent.end)
    acr = _PAREN_ACRONYM.search(text, sent_start, cut)
    if acr:
        return Speaker(acr.group(1), acr.start(1), acr.end(1))
    best: re.Match[str] | None = None
    for tm in _TITLE_PHRASE.finditer(text, max(sent_start, cut - 80), cut):
        if not text[tm.end():cut].strip():
            best = tm
    if best is not None:
        s = best.start()
        return Speaker(text[s:best.end()], s, best.end())
    return None


def _first_actor(entities: SpanIndex, s: int, e: int) -> Speaker | None:
    for sp in entities.within(s, e):
        if sp.label in ("PER", "ORG"):
            return Speaker(sp.text, sp.start, sp.end)
    return None


def _last_person(entities: SpanIndex, before: int) -> Speaker | None:
    best = entities.last_before(before, "PER")
    return Speaker(best.text, best.start, best.end) if isinstance(best, Span) else None


def _verb_before_rang(text: str, ss: int, rang: int) -> int:
    """Where the speech verb governing "rằng" at ``rang`` starts ("nói với Newsweek rằng" → "nói"), or
    ``rang`` itself if no speech verb stands within five words before it."""
    verb = None
    for v in _VERB_RE.finditer(text, max(ss, rang - LOOKBACK), rang):
        verb = v
    if verb is not None and len(text[verb.end():rang].split()) <= 5:
        return verb.start()
    return rang


def _inside_pairs(pairs: Sequence[_Pair], opens: Sequence[int], pos: int) -> bool:
    i = bisect.bisect_right(opens, pos) - 1
    return i >= 0 and pairs[i].open <= pos <= pairs[i].close


def _pair_opens_within(opens: Sequence[int], a: int, b: int) -> bool:
    i = bisect.bisect_left(opens, a)
    return i < len(opens) and opens[i] < b


def _theo_speaker(text: str, ents: SpanIndex, vpos: int, cstart: int) -> Speaker | None:
    """ "Theo ông X, …" / "Theo Bộ Y tế, …": the phrase must name a person or an organisation."""
    m = _THEO.match(text, vpos)
    if not m:
        return None
    ps, pe = m.start(1), m.end(1)
    name_start = strip_titles(text, ps, pe)[0]
    for sp in ents.starting_at(name_start):
        if sp.end == pe and sp.label in ("PER", "ORG"):
            return Speaker(sp.text, sp.start, sp.end)
    tm = _TITLE_PHRASE.match(text, ps, pe)
    if tm and tm.end() == pe:
        return Speaker(tm.group(0), tm.start(), tm.end())
    return None
def _indirect(text: str, ents: SpanIndex, sents: Sequence[tuple[int, int]], pairs: Sequence[_Pair]
              ) -> list[Quote]:
    out: list[Quote] = []
    opens = [p.open for p in pairs]
    for ss, se in sents:
        triggers: list[tuple[int, int, int]] = []  # (verb start, content start, kind of trigger)
        for m in _VERB_RE.finditer(text, ss, se):
            verb = m.group(1)
            after = _SKIP_AFTER_VERB.match(text, m.end(), se)
            cstart = after.end() if after else m.end()
            skipped = text[m.end():cstart]
            has_rang = "rằng" in skipped
            colon = re.match(r"\s*:\s*", text[m.end():se])
            if colon:
                cstart = m.end() + colon.end()
            elif verb in WEAK_VERBS and not has_rang and "," not in skipped:
                continue
            if not colon and _NOT_CONTENT.match(text, cstart):
                continue
            triggers.append((m.start(), cstart, 0))
        for m in _RANG.finditer(text, ss, se):
            triggers.append((_verb_before_rang(text, ss, m.start()), m.end(), 1))
        for m in _THEO.finditer(text, ss, se):
            triggers.append((m.start(), m.end(), 2))
        # "Chủ tịch Nguyễn Đức Chung: Xem xét đình chỉ…" (a headline or lead naming its speaker)
        lead = re.match(r"([^:“”\"«»\n]{2,80}?)\s*:\s*", text[ss:se])
        if lead and _mention_before(text, ents, ss, ss + lead.end(1)) is not None:
            triggers.append((ss + lead.end(1), ss + lead.end(), 3))
        triggers.sort()
        covered_until = -1
        for vpos, cstart, how in triggers:
            if cstart <= covered_until or vpos < covered_until or _inside_pairs(pairs, opens, vpos):
                continue
            if cstart >= se or text[cstart] in OPEN_CLOSE:
                continue
            cend = se
            co = _COORD_SPEECH.search(text, cstart, se)
            if co:
                cend = co.start()
            if _pair_opens_within(opens, cstart, cend):
                continue  # the speech is (partly) quoted: the direct quote stands for it
            s, e = _trim_end(text, cstart, cend)
            if len(text[s:e].split()) < 3:
                continue
            if how == 2:
                who = _theo_speaker(text, ents, vpos, cstart)
                if who is None:
                    continue
                speaker: Speaker | None = who
            else:
                speaker = _mention_before(text, ents, ss, vpos)
                if speaker is None or speaker.text.lower() in _PRONOUNS:
                    speaker = _first_actor(ents, ss, vpos) or _last_person(ents, vpos)
            out.append(Quote(s, e, text[s:e], "indirect", speaker))
            covered_until = e
    return out




def indirect_quotes(text: str, entities: Sequence[Span], quoted: Sequence[tuple[int, int]]) -> list[Quote]:
    """Indirect quotes of the whole text; ``quoted`` are the (start, end) of quotations already found."""
    idx = SpanIndex(entities)
    out: list[Quote] = []
    spans = sorted(quoted)
    covered = bytearray(len(text) + 1)  # 1 inside a quotation already found (none is empty)
    for s, e in spans:
        covered[s:e] = b"\x01" * (e - s)
    for ps, pe in paragraphs(text):
        if not (":" in text[ps:pe] or _VERB_RE.search(text, ps, pe) or _RANG.search(text, ps, pe)
                or _THEO.search(text, ps, pe)):
            continue
        lo, hi = bisect.bisect_left(spans, (ps,)), bisect.bisect_left(spans, (pe,))
        pairs = [_Pair(s - 1, e) for s, e in spans[lo:hi]]
        sents = list(sentences(text, ps, pe, max_len=10**9))
        out.extend(q for q in _indirect(text, idx, sents, pairs)
                   if covered.find(1, q.start, q.end) == -1)  # speech already quoted
    return out
