"""Quotations and their speakers.

- ``direct``: words inside quotation marks (“ ” « » and straight ") that are speech. Marks are paired per
  paragraph, not per sentence (sentence splitters cut inside quotations); a curly opener may be closed by a
  straight mark, as news text often mixes them.
- ``indirect``: reported speech without marks: after "rằng", after a speech verb (cho biết, khẳng định,
  nhấn mạnh, tuyên bố…), after a colon that follows a speech verb, or "Theo <someone>, …".
- ``term``: quoted words that are not speech (scare quotes, names of things).

Speaker: a name right after the quote ("…", ông X nói), else the subject of the speech verb, else the last
person named before the quote. A speaker is a span of the text (a person or organisation entity, or a title
phrase such as "Tổng thống Nga").
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from docbao.analysis.entities import TITLES, strip_titles
from docbao.analysis.intervals import SpanIndex
from docbao.analysis.segment import paragraphs, sentences
from docbao.analysis.spans import Quote, Span, Speaker
from docbao.analysis.text import UPPER

OPEN_CLOSE = {"“": "”", "«": "»", '"': '"', "„": "”", "‘": "’"}
LOOKBACK = 200  # characters searched back from a quote or a verb for its speech verb or subject

# Speech verbs. Those marked weak introduce speech only with "rằng" or a colon (they have other senses).
SPEECH_VERBS = (
    "cho biết thêm", "cho biết", "khẳng định", "nhấn mạnh", "tuyên bố", "thông báo", "cho rằng",
    "nhận định", "tiết lộ", "lưu ý", "nhắc đến", "nhắc lại", "đề xuất", "cảnh báo", "thừa nhận",
    "xác nhận", "giải thích", "bày tỏ", "trả lời", "phát biểu", "chia sẻ", "nói thêm", "nói", "kể",
    "viết", "hỏi", "đáp", "nêu rõ", "nhận xét", "đánh giá", "dẫn lời", "cam kết", "yêu cầu", "kêu gọi",
    "bình luận", "thông tin", "trao đổi", "phân tích", "tâm sự", "khuyến cáo", "cho hay", "đề nghị",
    "trả lời phỏng vấn",
)
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


@dataclass
class _Pair:
    open: int  # offset of the opening mark
    close: int  # offset of the closing mark
    start: int  # quoted words
    end: int


def find_pairs(text: str, start: int, end: int) -> list[_Pair]:
    """Quotation-mark pairs within text[start:end] (one paragraph). Unclosed marks are ignored.

    Inside curly quotes, a straight pair is a quotation within the quotation (“họ hét "dừng lại" rồi…”):
    it does not close the outer one. An apostrophe inside a word (O’Neil) does not close ‘…’.
    """
    pairs: list[_Pair] = []
    opener: tuple[int, str] | None = None
    nested = 0  # straight quotes opened inside a curly quotation
    for i in range(start, end):
        ch = text[i]
        if opener is None:
            if ch in OPEN_CLOSE and (ch != '"' or _straight_opens(text, i, start)):
                opener = (i, ch)
            continue
        o, och = opener
        if och in "“„" and ch == '"':
            if nested:
                nested -= 1
                continue
            if _straight_opens(text, i, start) and i + 1 < end and text[i + 1].isalnum():
                nested += 1
                continue
        closes = ch == OPEN_CLOSE[och] or (och in "“„" and ch == '"') or (och == '"' and ch == "”")
        if closes and ch == "’" and i + 1 < end and text[i + 1].isalnum():
            closes = False  # an apostrophe inside a word
        if closes:
            s, e = o + 1, i
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s < e:
                pairs.append(_Pair(o, i, s, e))
            opener = None
            nested = 0
    return pairs


def _straight_opens(text: str, i: int, para_start: int) -> bool:
    """A straight quote opens when it is not glued to the end of a word ("5" for inches is rare in news)."""
    return i == para_start or not text[i - 1].isalnum()


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


def _speaker_after(text: str, entities: SpanIndex, pos: int) -> Speaker | None:
    """ "…", ông X nói / "…", X cho biết: a name (with its verb) right after the closing mark."""
    window_end = min(len(text), pos + 80)
    m = re.match(r"[ \t]*[,–—-]?[ \t]*", text[pos:window_end])  # same sentence: a comma or dash at most
    at = pos + (m.end() if m else 0)
    tm = _TITLE_PHRASE.match(text, at, window_end)
    ent_start = strip_titles(text, at, window_end)[0] if tm else at
    for sp in entities.starting_at(ent_start):
        if sp.label in ("PER", "ORG"):
            rest = text[sp.end:window_end]
            if _VERB_RE.match(rest.lstrip()) or re.match(r"\s*\(", rest):
                return Speaker(sp.text, sp.start, sp.end)
    if tm and _VERB_RE.match(text[tm.end():window_end].lstrip()):
        return Speaker(tm.group(0), tm.start(), tm.end())
    return None


_ATTRIBUTION = re.compile(r"[ \t]*[,–—-]?[ \t]*(?:[\w\-]+[ \t]+){0,5}?(?:%s)(?!\w)" % "|".join(
    re.escape(v) for v in sorted(SPEECH_VERBS, key=len, reverse=True)))


def _attribution_after(text: str, pos: int, para_end: int) -> bool:
    """A speech verb follows the closing mark within a few words, on the same line ("…", ông Putin nói)."""
    return _ATTRIBUTION.match(text, pos, min(para_end, pos + 60)) is not None


def _speech_before(text: str, sent_start: int, pos: int) -> int | None:
    """Where the speech verb (or "rằng", or a colon) that introduces a quotation opening at ``pos``
    starts, in the same sentence and within about twelve words; None if there is none."""
    lo = max(sent_start, pos - LOOKBACK)
    colon = re.search(r":\s*$", text[lo:pos])
    if colon:
        at = lo + colon.start()
        verb = None
        for v in _VERB_RE.finditer(text, lo, at):
            verb = v
        return verb.start() if verb is not None and not text[verb.end():at].strip() else at
    best: re.Match[str] | None = None
    for m in _VERB_RE.finditer(text, lo, pos):
        best = m
    for m in _RANG.finditer(text, lo, pos):
        if best is None or m.start() > best.start():
            best = m
    if best is None or len(text[best.end():pos].split()) > 12:
        return None
    if best.group(0).lstrip().startswith("rằng"):
        return _verb_before_rang(text, sent_start, best.start())
    return best.start()


def _verb_before_rang(text: str, ss: int, rang: int) -> int:
    """Where the speech verb governing "rằng" at ``rang`` starts ("nói với Newsweek rằng" → "nói"), or
    ``rang`` itself if no speech verb stands within five words before it."""
    verb = None
    for v in _VERB_RE.finditer(text, max(ss, rang - LOOKBACK), rang):
        verb = v
    if verb is not None and len(text[verb.end():rang].split()) <= 5:
        return verb.start()
    return rang


def _full_names(ents: Sequence[Span]) -> dict[str, Span]:
    """Each proper word-suffix of a person's name → the first entity with that full name."""
    out: dict[str, Span] = {}
    for sp in ents:
        if sp.label == "PER":
            words = sp.text.split()
            for k in range(1, len(words)):
                out.setdefault(" ".join(words[k:]), sp)
    return out


def _canonical(speaker: Speaker | None, full: dict[str, Span]) -> Speaker | None:
    """A short mention ("Việt", "Rudd") resolved to the article's full name for that person
    ("Võ Trọng Việt", "Amber Rudd"): the first longer person entity ending with the same name."""
    if speaker is None:
        return None
    sp = full.get(speaker.text)
    return Speaker(sp.text, sp.start, sp.end) if sp is not None else speaker


def find_quotes(text: str, entities: Sequence[Span]) -> list[Quote]:
    """All quotes of the text, with speakers."""
    idx = SpanIndex(entities)
    full = _full_names(entities)
    out: list[Quote] = []
    for ps, pe in paragraphs(text):
        if not (any(ch in text[ps:pe] for ch in ":“\"«‘") or _VERB_RE.search(text, ps, pe)
                or _RANG.search(text, ps, pe) or _THEO.search(text, ps, pe)):
            continue  # no quotation mark, colon, speech verb or "Theo …,": nothing to find
        out.extend(_paragraph_quotes(text, idx, ps, pe))
    return [Quote(q.start, q.end, q.text, q.kind, _canonical(q.speaker, full)) for q in out]


def _paragraph_quotes(text: str, ents: SpanIndex, ps: int, pe: int) -> list[Quote]:
    sents = list(sentences(text, ps, pe, max_len=10**9))
    pairs = find_pairs(text, ps, pe)
    quotes: list[Quote] = []
    prev_direct_sentence: tuple[int, int] | None = None
    prev_speaker: Speaker | None = None
    for pr in pairs:
        ss, se = _sentence_of(sents, pr.open)
        before = _speech_before(text, ss, pr.open)
        after = _attribution_after(text, pr.close + 1, pe)
        n_words = len(text[pr.start:pr.end].split())
        same_sentence = prev_direct_sentence == (ss, se)
        # A quotation that is a sentence of its own (“…”. in a paragraph about someone) is speech.
        lead = text[ss:pr.open].strip()
        own_sentence = n_words >= 5 and (not lead or lead[-1] in ".!?…")
        direct = bool(before is not None or after or same_sentence or own_sentence or
                      (n_words >= 8 and re.search(r"[.!?…]", text[pr.start:pr.end])))
        kind = "direct" if direct else "term"
        speaker = None
        if direct:
            prev_direct_sentence = (ss, se)
            speaker = _speaker_after(text, ents, pr.close + 1)
            if speaker is None and before is not None:
                speaker = (_mention_before(text, ents, ss, before) or _first_actor(ents, ss, before))
            if speaker is None and same_sentence:
                speaker = prev_speaker
            if speaker is None:
                speaker = _first_actor(ents, ss, pr.open) or _last_person(ents, pr.open)
            if speaker is not None and speaker.text.lower() in _PRONOUNS:
                speaker = _last_person(ents, pr.open) or speaker
            prev_speaker = speaker
        quotes.append(Quote(pr.start, pr.end, text[pr.start:pr.end], kind, speaker))
    quotes.extend(_indirect(text, ents, sents, pairs))
    return sorted(quotes, key=lambda q: q.start)


def _inside_pairs(pairs: Sequence[_Pair], opens: Sequence[int], pos: int) -> bool:
    i = bisect.bisect_right(opens, pos) - 1
    return i >= 0 and pairs[i].open <= pos <= pairs[i].close


def _pair_opens_within(opens: Sequence[int], a: int, b: int) -> bool:
    i = bisect.bisect_left(opens, a)
    return i < len(opens) and opens[i] < b


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
