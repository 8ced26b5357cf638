"""Rule-based improvements on top of the CRF, kept because each raised F1 on our gold (bench/quality.py).

Candidates come from several sources, each with a priority; where candidates overlap the higher priority
wins, then the longer span:

    teams (U20 + country)                                      ORG    6
    organisation patterns (head noun + capitalised words)     ORG    5
    places: gazetteer and "tỉnh/huyện/hồ/… + name"; media      LOC/ORG 4
    people: title or honorific + name, Vietnamese full names   PER    3
    acronyms, weapon names                                     ORG/MISC 2
    the CRF's own spans, trimmed of leading common nouns       any    1

then document-level consistency: one label per surface form in an article (the majority, by priority),
and unlabelled repeats of a found entity labelled too. Precision first: a capitalised word nothing
vouches for stays plain.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from docbao.analysis.entities import Token, is_date_or_number, is_title_word, trim_span
from docbao.analysis.gazetteer import AMBIGUOUS, places
from docbao.analysis.intervals import Coverage, greedy_non_overlapping
from docbao.analysis.spans import Span
from docbao.analysis.text import LOWER, word_boundary

ORG_HEADS = (
    "bộ", "sở", "ủy ban", "uỷ ban", "ubnd", "hđnd", "ủy ban nhân dân", "hội đồng nhân dân", "công ty",
    "tổng công ty", "tập đoàn", "ngân hàng", "trường", "trường đại học", "đại học", "học viện", "viện",
    "hội đồng", "đảng", "quốc hội", "công an", "tòa án", "toà án", "tand", "viện kiểm sát", "vksnd",
    "bệnh viện", "hiệp hội", "hội", "liên đoàn", "câu lạc bộ", "clb", "ban", "cục", "tổng cục", "chi cục",
    "trung tâm", "quỹ", "tổ chức", "liên minh", "cơ quan", "văn phòng", "thông tấn xã", "đài truyền hình",
    "đài phát thanh", "báo", "tạp chí", "nhà xuất bản", "hãng", "hãng thông tấn", "lực lượng", "quân đội",
    "quân khu", "bộ tư lệnh", "bộ chỉ huy", "cảnh sát", "phòng cảnh sát", "ủy ban châu âu", "liên hợp quốc",
    "nhà nước liên minh", "hợp tác xã", "htx", "tòa án nhân dân", "viện kiểm sát nhân dân", "mặt trận",
    "đoàn thanh niên", "hội liên hiệp", "tổng liên đoàn", "ngân hàng nhà nước", "kho bạc", "chi nhánh",
    "trường thpt", "trường thcs", "trường tiểu học", "tiểu học", "thcs", "thpt", "đội tuyển", "nhà nước",
)
# Standalone organisation names with no head noun pattern.
ORG_NAMES = ("Quốc hội", "Chính phủ", "Liên Hợp Quốc", "Liên hợp quốc", "NATO", "Liên minh châu Âu", "EU",
             "ASEAN", "WHO", "IMF", "WTO", "FIFA", "UEFA", "AFF", "Lầu Năm Góc", "Quốc vụ viện", "Điện Elysee")
# News media, cited bare (gold convention: "báo", "đài" stay outside the span).
MEDIA = ("Newsweek", "CNN", "BBC", "Reuters", "AFP", "AP", "Bloomberg", "New York Times", "Washington Post",
         "Guardian", "Al Jazeera", "TASS", "RIA Novosti", "Sputnik", "Tân Hoa Xã", "Yonhap", "Kyodo", "NHK",
         "Dân trí", "Dân Trí", "VnExpress", "Tuổi Trẻ", "Thanh Niên", "VietNamNet", "Zing", "Lao Động",
         "Tiền Phong", "Nhân Dân", "VTV", "VOV", "TTXVN", "Người Lao Động", "Infonet", "Kenh14", "Soha",
         "Fox News", "CBS", "NBC", "ABC News", "Financial Times", "Wall Street Journal", "Politico", "Axios")
# Lower-case words that may join capitalised words inside one organisation name.
ORG_JOINERS = frozenset({
    "nhân dân", "và", "tỉnh", "huyện", "thành phố", "tp", "tp.", "quận", "xã", "phường", "thị xã",
    "thị trấn", "cổ phần", "tnhh", "tmcp", "trách nhiệm hữu hạn", "thương mại", "quốc gia", "trung ương",
    "tối cao", "&", "-", "cấp cao", "nhà nước", "điều tra", "an ninh", "kinh tế", "hình sự",
})
# Lower-case heads that belong to a place name (gold convention: "thành phố Dnipro", "hồ Núi Cốc").
PLACE_HEADS = ("thành phố", "tp.", "tp", "tỉnh", "huyện", "quận", "xã", "phường", "thị trấn", "thị xã",
               "hồ", "sông", "núi", "đảo", "bán đảo", "khu phố", "thôn", "xóm", "ấp", "bản", "làng", "đèo",
               "vịnh", "quần đảo", "cảng", "sân bay", "phố", "đường", "kênh", "châu", "phương", "miền")
_PLACE_HEAD_RE = re.compile(r"(?:%s)" % "|".join(re.escape(h) for h in sorted(PLACE_HEADS, key=len, reverse=True)),
                            re.IGNORECASE)
GENERIC_ACRONYMS = frozenset({
    "UBND", "HĐND", "HĐQT", "CQĐT", "TNHH", "TMCP", "CP", "CLB", "THPT", "THCS", "BHYT", "BHXH", "GDP", "CEO",
    "TP", "TP.HCM", "ĐB", "VND", "USD", "VNĐ", "ĐBQH", "GS", "PGS", "TS", "ThS", "BS", "NSND", "NSƯT", "HLV", "MC",
    "CSGT", "CSĐT", "TAND", "VKSND", "VKS", "HTX", "ĐH", "PV", "TV", "TTXVN", "COVID", "SMS", "KCN", "KTX",
    "ATM", "PCCC", "GTVT", "BQL", "UAV", "ID", "OK", "PGS.TS", "GS.TS", "QĐ", "NĐ", "CT", "TT",
    "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII", "XIII", "XIV", "XV", "XX", "XXI",
})
MISC_CUES = ("tên lửa", "hệ thống", "vũ khí", "máy bay", "tiêm kích", "xe tăng", "tàu sân bay", "chiến dịch",
             "tàu ngầm", "trực thăng", "pháo")
FAMILY_NAMES = frozenset("""Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Trịnh Đoàn
Lâm Mai Trương Tạ Lưu Hà Cao Chu Tô Lương Quách Triệu Từ Kiều Vương Châu Phùng Nghiêm Đào Âu Lại Khổng Thân
Tăng Mạc Hứa Giang Văn Doãn La Lò Lục Nông Kim Vi Quan Khúc Tôn Thạch Diệp Ông Mã Đàm Bạch Trịnh Cù Đồng
Huỳnh Thái Tống Lữ Lã Ninh Phí Bế Hầu Yên Hoàng Khương Kha Đoàn Sầm Cấn Chế Viên""".split())  # noqa: SIM905


def _is_title(text: str, tok: Token) -> bool:
    return is_title_word(text, tok.start, tok.end)

_WORD = re.compile(r"[^\W_][\w\-'’.]*[^\W_]|[^\W_]")


@dataclass(frozen=True)
class _Cand:
    start: int
    end: int
    label: str
    prio: int
    source: str


def _cap(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _lowers(tok: Token) -> str:
    return tok.text.lower()


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]


# --- organisations ----------------------------------------------------------------------------------

_HEAD_SET = frozenset(ORG_HEADS)


def _org_head(tok: Token) -> int | None:
    """If the token is (or starts with) an organisation head, where the head ends inside the token."""
    low = _lowers(tok)
    if low in _HEAD_SET:
        return tok.end
    words = low.split(" ")
    for k in range(min(4, len(words) - 1), 0, -1):
        head = " ".join(words[:k])
        if head in _HEAD_SET and _cap(tok.text[len(head) + 1:]):
            return tok.start + len(head)
    return None


def _place_prefix(surface: str) -> str | None:
    """The longest place name (not an ambiguous one) that the surface starts with, followed by more words."""
    gaz = places()
    words = surface.split(" ")
    for k in range(len(words) - 1, 0, -1):
        head = " ".join(words[:k])
        if head in gaz and head not in AMBIGUOUS:
            return head
    return None


def _org_candidates(text: str, sents: Sequence[Sequence[Token]]) -> list[_Cand]:
    out: list[_Cand] = []
    for toks in sents:
        i = 0
        while i < len(toks):
            tok = toks[i]
            head_end = _org_head(tok)
            if head_end is None:
                i += 1
                continue
            end = tok.end if head_end < tok.end else None  # the head token itself holds a name part
            j = i + 1
            while j < len(toks):
                t = toks[j]
                if t.start - toks[j - 1].end > 2 and text[toks[j - 1].end:t.start].strip():
                    break
                low = _lowers(t)
                if _cap(t.text) and t.pos != "CH" and not _org_head_starts_new(t, toks, j):
                    if _is_title(text, t) or is_date_or_number(t.text) or _looks_like_person(t):
                        break
                    end = t.end
                elif low in ORG_JOINERS:
                    pass  # may join two capitalised parts; the span ends at the last one
                elif t.text.isupper() and len(t.text) > 1:
                    end = t.end
                else:
                    break
                j += 1
            if end is not None and end > tok.start:
                s, e = trim_span(text, tok.start, end)
                if e > s and any(c.isupper() for c in text[head_end:e]):
                    out.append(_Cand(s, e, "ORG", 5, "rule"))
            i = max(j, i + 1)
    out += _names_in(text, ORG_NAMES, "ORG", 5)
    return out


@functools.cache
def _alternation(names: tuple[str, ...] | frozenset[str]) -> re.Pattern[str]:
    """One pattern matching any of the names, longest first (built once per list)."""
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def _names_in(text: str, names: tuple[str, ...], label: str, prio: int) -> list[_Cand]:
    """Every whole-word occurrence of the given names."""
    return [_Cand(m.start(), m.end(), label, prio, "rule") for m in _alternation(names).finditer(text)
            if word_boundary(text, m.start(), m.end())]


def _org_head_starts_new(t: Token, toks: Sequence[Token], j: int) -> bool:
    # "Bộ Y tế và Bộ Công an": a second head after "và" starts a new organisation.
    return j > 0 and _lowers(toks[j - 1]) == "và" and _org_head(t) is not None


# --- places -----------------------------------------------------------------------------------------

_CUES_BEFORE_AMBIGUOUS = re.compile(
    r"(?:nước|tại|ở|sang|tới|đến|của|người|phía|chính phủ|thủ tướng|tổng thống|quốc vương|nữ hoàng|"
    r"đại sứ quán|hoàng gia|và|với|giữa|cả|Mỹ,|Pháp,|Đức,|Anh,)\s+$", re.IGNORECASE)


def _place_candidates(text: str, sents: Sequence[Sequence[Token]]) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _alternation(frozenset(places())).finditer(text):
        s, e = m.start(), m.end()
        if not word_boundary(text, s, e):
            continue
        # "Hà Nội" in "Hà Nội" fine; "Nam" in "Nam Định" is handled by longest-first alternation.
        if m.group(0) in AMBIGUOUS:
            before = text[max(0, s - 25):s]
            after = text[e:e + 2]
            if not _CUES_BEFORE_AMBIGUOUS.search(before) or (after[:1] == " " and _cap(after[1:2])):
                continue
        # A capitalised word glued after a place ("Thái Bình" is a place but "Thái Bình Dương" is longer)
        # is left to the longest match; a name right after (Belarus Lukashenko) is split by the rules below.
        out.append(_Cand(s, e, "LOC", 4, "gazetteer"))
    # "tỉnh Quảng Nam", "huyện Bình Xuyên", "hồ Núi Cốc", "thành phố Dnipro": head + capitalised words.
    for toks in sents:
        for i, tok in enumerate(toks):
            if not _PLACE_HEAD_RE.fullmatch(tok.text) or i + 1 >= len(toks):
                continue
            end = None
            for t in toks[i + 1:]:
                name_part = _cap(t.text) and t.pos != "CH" and not _is_title(text, t) and _org_head(t) is None
                numbered = t.text.isdigit() and end is None and _lowers(tok) in ("khu phố", "phường", "quận")
                if name_part or numbered:
                    end = t.end
                else:
                    break
            low = _lowers(tok)
            if end is not None and low not in ("châu", "phương", "miền", "đường", "phố"):
                out.append(_Cand(tok.start, end, "LOC", 4, "rule"))
    return out


# --- people -----------------------------------------------------------------------------------------

def _name_run(text: str, toks: Sequence[Token], i: int) -> tuple[int, int | None]:
    """(index after the run of capitalised name tokens starting at i, end offset of the run).

    Every syllable of a name is capitalised: a token such as "Putin nhắc" (the segmenter glued a verb to
    the name) ends the run after its capitalised part.
    """
    j = i
    end = None
    while j < len(toks):
        t = toks[j]
        if not _cap(t.text) or t.pos == "CH" or _is_title(text, t) or _org_head(t) is not None:
            break
        if is_date_or_number(t.text) or (t.text.isupper() and len(t.text) > 1):
            break
        cut = _capitalised_prefix(t)
        end = cut
        j += 1
        if cut < t.end:
            break
    return j, end


def _capitalised_prefix(t: Token) -> int:
    """End of the leading capitalised syllables of a token ("Putin nhắc" → end of "Putin")."""
    pos = t.start
    for m in re.finditer(r"\S+", t.text):
        if not _cap(m.group(0)) and not m.group(0)[0].isdigit():
            break
        pos = t.start + m.end()
    return pos


def _looks_like_person(t: Token) -> bool:
    """A capitalised token shaped like a Vietnamese full name (family name + 1-3 syllables)."""
    parts = t.text.split()
    return (2 <= len(parts) <= 4 and parts[0] in FAMILY_NAMES and all(_cap(p) for p in parts)
            and t.text not in places())


def _person_candidates(text: str, sents: Sequence[Sequence[Token]]) -> list[_Cand]:
    out: list[_Cand] = []
    gaz = places()
    for toks in sents:
        for i, tok in enumerate(toks):
            after_title = _is_title(text, tok)
            family = tok.text.split(" ")[0] in FAMILY_NAMES and _cap(tok.text)
            if after_title:
                j, end = _name_run(text, toks, i + 1)
                if j == i + 1 or end is None:
                    continue
                run = toks[i + 1:j]
                # "Tổng thống Belarus Lukashenko": a place first, then the name.
                k = 0
                while k < len(run) and (run[k].text in gaz and run[k].text not in AMBIGUOUS):
                    k += 1
                if k < len(run) and end > run[k].start:
                    out.append(_Cand(run[k].start, end, "PER", 3, "rule"))
            elif family and (i == 0 or not _is_title(text, toks[i - 1])):
                j, end = _name_run(text, toks, i)
                surface = text[tok.start:end] if end else ""
                n_syll = len(surface.split())
                if (end is not None and 2 <= n_syll <= 5 and surface not in gaz
                        and _place_prefix(surface) is None):
                    out.append(_Cand(tok.start, end, "PER", 3, "rule"))
    return out


# --- acronyms, teams, weapons -------------------------------------------------------------------------

_ACRONYM = re.compile(r"(?<![\w.])[A-ZĐ][A-ZĐ0-9&]{1,7}(?![\w.])")
_TEAM = re.compile(r"(?<!\w)U\d{2}\s+")
_MISC_NAME = re.compile(r"(?i:%s)(?:\s+[%s]+){0,3}\s+(\S+(?:\s+\S+){0,3})" % ("|".join(MISC_CUES), LOWER))
_MISC_CUE = re.compile(r"(?i:%s)(?:\s+[%s]+){0,5}\s+$" % ("|".join(MISC_CUES), LOWER))


def _other_candidates(text: str) -> list[_Cand]:
    out: list[_Cand] = []
    gaz = places()
    for m in _ACRONYM.finditer(text):
        word = m.group(0)
        if word in GENERIC_ACRONYMS or word in gaz or not any(c.isalpha() for c in word[1:]):
            continue
        if word.isdigit() or re.fullmatch(r"[IVXLC]+", word):
            continue
        before = text[max(0, m.start() - 60):m.start()].rstrip("( ")
        label = "MISC" if _MISC_CUE.search(before + " ") else "ORG"
        out.append(_Cand(m.start(), m.end(), label, 2, "rule"))
    for m in _TEAM.finditer(text):
        following = _words(text, m.end(), min(len(text), m.end() + 40))
        for k in range(min(4, len(following)), 0, -1):
            end = following[k - 1][1]
            if text[m.end():end] in gaz:
                out.append(_Cand(m.start(), end, "ORG", 6, "rule"))
                break
    # "tên lửa (đạn đạo|tầm trung) Oreshnik": capitalised words a few lower-case words after a cue.
    for m in _MISC_NAME.finditer(text):
        s, e = m.start(1), m.end(1)
        words = _words(text, s, e)
        k = 0
        while k < len(words) and _cap(text[words[k][0]:words[k][1]]):
            k += 1
        if k == 0:
            continue
        e = words[k - 1][1]
        if text[s:e] not in gaz and text[s:e] not in GENERIC_ACRONYMS:
            out.append(_Cand(s, e, "MISC", 2, "rule"))
    out += _names_in(text, MEDIA, "ORG", 4)
    return out


# --- the CRF's spans, trimmed -------------------------------------------------------------------------

def _trim_leading_common_nouns(text: str, sp: Span) -> tuple[int, int] | None:
    """Drop leading lower-case words that are not part of a name ("lãnh thổ Nga" → "Nga"),
    keeping place heads ("thành phố Dnipro") and organisation heads ("bệnh viện Bạch Mai")."""
    words = _words(text, sp.start, sp.end)
    k = 0
    while k < len(words) and not _cap(text[words[k][0]:words[k][1]]):
        rest = text[words[k][0]:sp.end]
        low = rest.lower()
        if any(low.startswith(h + " ") for h in PLACE_HEADS if h not in ("phố", "đường")) or any(
                low.startswith(h + " ") for h in ORG_HEADS):
            break
        k += 1
    if k == len(words):
        return None
    s = words[k][0]
    if not any(c.isupper() for c in text[s:sp.end]):
        return None
    return s, sp.end


def _crf_candidates(text: str, spans: Sequence[Span]) -> list[_Cand]:
    out: list[_Cand] = []
    gaz = places()
    for sp in spans:
        trimmed = _trim_leading_common_nouns(text, sp)
        if trimmed is None:
            continue
        s, e = trim_span(text, *trimmed)
        if e <= s:
            continue
        surface = text[s:e]
        label = sp.label
        if surface in gaz:
            label = "LOC"
        elif surface.isupper() and len(surface) > 1:
            continue  # acronyms are decided by the acronym rule
        elif len(surface) <= 2 or "." in surface:
            continue  # initials and credits ("Kh", "Kh.V"): not names we can vouch for
        # "Belarus Lukashenko", "Belarus Alexander Lukashenko": a place glued before a name.
        name = _place_prefix(surface)
        if name is not None and _cap(surface[len(name) + 1:]):
            out.append(_Cand(s, s + len(name), "LOC", 1, "model"))
            s = s + len(name) + 1
            label = "PER" if label in ("PER", "LOC") else label
        out.append(_Cand(s, e, label, 1, "model"))
    return out


# --- putting it together ------------------------------------------------------------------------------

def _resolve(cands: Sequence[_Cand]) -> list[_Cand]:
    return greedy_non_overlapping(sorted(cands, key=lambda c: (-c.prio, -(c.end - c.start), c.start)))


def _consistency(text: str, chosen: list[_Cand]) -> list[_Cand]:
    """One label per surface form (the highest priority, then the majority); repeats labelled too."""
    votes: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for c in chosen:
        v = votes[text[c.start:c.end]][c.label]
        v[0] = max(v[0], c.prio)
        v[1] += 1
    label_of = {surface: max(v.items(), key=lambda kv: (kv[1][0], kv[1][1]))[0] for surface, v in votes.items()}
    out = [_Cand(c.start, c.end, label_of[text[c.start:c.end]], c.prio, c.source) for c in chosen]
    # Unlabelled repeats, and the given name alone of a Vietnamese full name ("Cường" of "Lê Văn Cường").
    extra: dict[str, str] = {}
    for surface, label in label_of.items():
        if len(surface) >= 2 and _cap(surface) and surface not in AMBIGUOUS:
            extra[surface] = label
        parts = surface.split()
        if label == "PER" and len(parts) >= 3 and parts[0] in FAMILY_NAMES and parts[-1] not in AMBIGUOUS:
            extra.setdefault(parts[-1], "PER")
    # One pass over the text's words: at each capitalised word, the surfaces that start with it.
    by_first: dict[str, list[str]] = defaultdict(list)
    for surface in sorted(extra, key=len, reverse=True):
        first = _WORD.match(surface)
        if first:
            by_first[first.group(0)].append(surface)
    occupied = Coverage(len(text))
    for c in out:
        occupied.add(c.start, c.end)
    for m in _WORD.finditer(text):
        for surface in by_first.get(m.group(0), ()):
            i, j = m.start(), m.start() + len(surface)
            if not text.startswith(surface, i):
                continue
            # A lone given name must not be the start of another capitalised name ("Cường Quốc").
            nxt = text[j:j + 2]
            if (word_boundary(text, i, j) and not (nxt[:1] == " " and _cap(nxt[1:2]))
                    and occupied.add(i, j)):
                out.append(_Cand(i, j, extra[surface], 0, "repeat"))
                break
    return sorted(out, key=lambda c: c.start)


def refine(text: str, spans: Sequence[Span], tokens: Sequence[Sequence[Token]] = ()) -> list[Span]:
    """Better entities from the CRF's (cleaned) spans and the tagged tokens of the same text."""
    cands = _crf_candidates(text, spans)
    if tokens:
        cands += _org_candidates(text, tokens)
        cands += _place_candidates(text, tokens)
        cands += _person_candidates(text, tokens)
    cands += _other_candidates(text)
    chosen = _consistency(text, _resolve(cands))
    out = []
    for c in chosen:
        s, e = trim_span(text, c.start, c.end)
        if e > s and not is_date_or_number(text[s:e]):
            out.append(Span(s, e, c.label, text[s:e], c.source))
    return out
