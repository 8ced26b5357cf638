"""Word-wrap layout of an article's text: visual lines ↔ code-point offsets. Pure: no Textual.

A :class:`WrapLayout` splits the text at its own newlines into paragraphs and wraps each paragraph
greedily at spaces to ``width`` terminal cells; a word longer than the width is broken hard (at a
grapheme boundary). Every visual line ``i`` is ``text[starts[i]:ends[i]]``; what lies between
``ends[i]`` and ``starts[i + 1]`` is the line's *gap*: the spaces the line broke at and/or the newline
that ended the paragraph. Blank lines of the text are visual lines of their own (``start == end``).

Widths are measured per grapheme with rich's ``cell_len`` on what is actually drawn (see
:func:`render_cluster`): a base character plus its combining marks is one grapheme, CJK and emoji are
two cells, a tab is :data:`TAB_WIDTH` spaces, control characters show as control pictures (␛), and
U+FE0F, the skin-tone modifiers U+1F3FB–U+1F3FF, ZWJ and other format characters are *not drawn*
(terminals and rich disagree about their widths, so docbao never sends them to the terminal).

Speed: almost all Vietnamese NFC text is made of characters that are one cell each and never combine
(:data:`SIMPLE_CHARS`); a paragraph made only of those is wrapped with ``str.rfind`` per line, so 1 MB
lays out in a few tens of milliseconds. Only paragraphs holding other characters go grapheme by grapheme.

Coordinates: ``x`` is the cell column inside the text area (0 = first text cell, padding excluded),
``y`` the visual line index in the whole document (not the screen row).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from functools import lru_cache
from itertools import accumulate

from rich.cells import cell_len, get_character_cell_size

__all__ = [
    "SIMPLE_CHARS",
    "TAB_WIDTH",
    "Grapheme",
    "WrapLayout",
    "next_paragraph",
    "next_word",
    "prev_paragraph",
    "prev_word",
    "render_cluster",
]

TAB_WIDTH = 4

# Candidate ranges of characters that are one cell wide and stand alone (never combine with a neighbour).
_SIMPLE_CANDIDATES = (
    (0x20, 0x7E),
    (0xA0, 0x2FF),  # Latin-1, Latin Extended-A/B, IPA, spacing modifiers
    (0x370, 0x52F),  # Greek, Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional: ạ ả ấ ầ ẩ ẫ ậ … (Vietnamese)
    (0x2010, 0x205E),  # dashes, quotes “ ” ‘ ’, …, ‰
    (0x20A0, 0x20C0),  # currency: ₫ €
    (0x2100, 0x214F),  # letterlike: №, ™
    (0x2190, 0x21FF),  # arrows
)


def _simple_ranges() -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for lo, hi in _SIMPLE_CANDIDATES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            cat = unicodedata.category(ch)
            ok = (
                cat[0] not in "MC"
                and cat not in ("Zl", "Zp")
                and cp != 0xAD
                and get_character_cell_size(ch) == 1
                and cell_len(ch) == 1
            )
            if not ok:
                continue
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return ranges


_RANGES = _simple_ranges()
SIMPLE_CHARS: frozenset[str] = frozenset(chr(cp) for lo, hi in _RANGES for cp in range(lo, hi + 1))
"""Characters drawn as exactly one cell that never join a neighbouring character into a grapheme."""


def _class_body(ranges: list[tuple[int, int]]) -> str:
    parts = []
    for lo, hi in ranges:
        parts.append(re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
    return "".join(parts)


# Anything that is neither simple nor a newline forces the slow, grapheme-by-grapheme path.
_NOT_SIMPLE = re.compile(f"[^\\n{_class_body(_RANGES)}]")
_WORD = re.compile(r"[\w\u0300-\u036f]+")
_SKIN_TONES = range(0x1F3FB, 0x1F400)


@lru_cache(maxsize=8192)
def _char_kind(ch: str) -> int:
    """0: starts a grapheme; 1: extends the previous one and is drawn; 2: extends it and is not drawn;
    3: a tab; 4: a control character (drawn as a picture)."""
    cp = ord(ch)
    if ch == "\t":
        return 3
    if cp < 0x20 or 0x7F <= cp < 0xA0:
        return 4
    if cp in _SKIN_TONES or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return 2
    cat = unicodedata.category(ch)
    if cat == "Cf":
        return 2
    if cat[0] == "M":
        return 1
    return 0


class _WidthTable(dict[int, str]):
    """str.translate table: a code point → chr(its width) when it is a grapheme on its own one or two
    cells wide, else "\x00" (marks, format characters, tabs, controls: the grapheme-by-grapheme path)."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        value = "\x00"
        if _char_kind(ch) == 0:
            width = cell_len(ch)
            if width in (1, 2):
                value = chr(width)
        self[cp] = value
        return value


_WIDTHS = _WidthTable()


def _control_picture(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x20:
        return chr(0x2400 + cp)
    if cp == 0x7F:
        return "\u2421"
    return "\ufffd"


def render_cluster(cluster: str) -> tuple[str, int]:
    """What docbao draws for one grapheme cluster, and its width in cells (always ≥ 1)."""
    if cluster == "\t":
        return " " * TAB_WIDTH, TAB_WIDTH
    out = []
    for ch in cluster:
        kind = _char_kind(ch)
        if kind == 2:
            continue
        out.append(_control_picture(ch) if kind == 4 else ch)
    drawn = "".join(out)
    width = cell_len(drawn)
    if width == 0:  # a lone combining mark or format character: draw it on a dotted circle
        drawn = "\u25cc" + drawn
        width = cell_len(drawn)
    return drawn, width


Grapheme = tuple[int, str, int]
"""(source offset, drawn text, width in cells)."""


def iter_graphemes(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each grapheme of ``text[start:end]``; ``start`` must be a grapheme start."""
    i = start
    while i < end:
        j = i + 1
        kind = _char_kind(text[i])
        if kind in (0, 1, 2):  # a lone mark or format char at the start is a grapheme of its own
            while j < end:
                k = _char_kind(text[j])
                if k in (1, 2) or (k == 0 and text[j - 1] == "\u200d"):
                    j += 1
                else:
                    break
        yield i, j
        i = j


def _is_grapheme_start(text: str, i: int) -> bool:
    """True when ``i`` surely starts a grapheme (what iter_graphemes would yield from any earlier start)."""
    kind = _char_kind(text[i])
    if kind in (3, 4):
        return True
    return kind == 0 and (i == 0 or text[i - 1] != "\u200d")


def graphemes(text: str, start: int, end: int) -> list[Grapheme]:
    out: list[Grapheme] = []
    for a, b in iter_graphemes(text, start, end):
        drawn, width = render_cluster(text[a:b])
        out.append((a, drawn, width))
    return out


class WrapLayout:
    """The visual lines of ``text`` wrapped to ``width`` cells. Immutable once built."""

    _force_slow = False  # tests: wrap every paragraph grapheme by grapheme, to compare the fast paths

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(1, width)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.widths: list[int] = []
        self.complex: bytearray = bytearray()
        self._cache: dict[int, list[Grapheme]] = {}
        self._build()

    # -- building ---------------------------------------------------------------------------------
    def _build(self) -> None:
        text = self.text
        n = len(text)
        not_simple = _NOT_SIMPLE.search
        pos = 0
        while True:
            nl = text.find("\n", pos)
            pe = n if nl < 0 else nl
            if pe == pos:
                self._add(pos, pos, 0, False)
            elif not_simple(text, pos, pe) is None and not self._force_slow:
                self._wrap_simple(pos, pe)
            else:
                self._wrap_complex(pos, pe)
            if nl < 0:
                break
            pos = nl + 1
        if not self.starts:
            self._add(0, 0, 0, False)

    def _add(self, start: int, end: int, width: int, is_complex: bool) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.widths.append(width)
        self.complex.append(1 if is_complex else 0)

    def _wrap_simple(self, s: int, pe: int) -> None:
        text, w = self.text, self.width
        add = self._add
        while pe - s > w:
            lim = s + w
            p = lim if text[lim] == " " else text.rfind(" ", s + 1, lim)
            end = p
            if p > s:
                while end > s and text[end - 1] == " ":
                    end -= 1
            if p <= s or end == s:  # no break opportunity (or only indentation): break the word hard
                add(s, lim, w, False)
                s = lim
                continue
            add(s, end, end - s, False)
            s = p + 1
            while s < pe and text[s] == " ":
                s += 1
            if s == pe:
                return
        add(s, pe, pe - s, False)

    def _cluster_widths(self, s: int, pe: int, table: str) -> tuple[list[int], set[int]]:
        """Per code point of text[s:pe]: the width of the grapheme it starts, 0 inside a grapheme; and
        the (relative) positions inside graphemes. Only the characters around the specials (marked
        "\x00" in ``table``) are segmented grapheme by grapheme."""
        text = self.text
        widths = list(table.encode("latin-1"))
        inside: set[int] = set()
        done = 0
        n = pe - s
        find = table.find
        q = find("\x00")
        while q >= 0:
            if q >= done:
                r = q  # back up to a certain grapheme start
                while r > 0 and not _is_grapheme_start(text, s + r):
                    r -= 1
                for ga, gb in iter_graphemes(text, s + r, pe):
                    widths[ga - s] = render_cluster(text[ga:gb])[1]
                    for k in range(ga - s + 1, gb - s):
                        widths[k] = 0
                        inside.add(k)
                    done = gb - s
                    if done > q and (done >= n or (table[done] != "\x00" and text[gb - 1] != "\u200d")):
                        break
            q = find("\x00", max(q + 1, done))
        return widths, inside

    def _wrap_widths(self, s: int, pe: int, widths: list[int] | bytes, inside: set[int]) -> None:
        """Greedy wrap with per-code-point widths (cumulated, then bisected per line)."""
        text, w = self.text, self.width
        add = self._add
        cum = [0, *accumulate(widths)]  # cum[k]: width of text[s : s + k]
        n = pe - s

        rfind = text.rfind
        has_tab = text.find("\t", s, pe) >= 0

        def breakable(k: int) -> bool:  # relative position k is a one-character space grapheme
            return text[s + k] in " \t" and k not in inside and (k + 1 not in inside)

        i = 0
        while True:
            base = cum[i]
            if cum[n] - base <= w:
                add(s + i, pe, cum[n] - base, True)
                return
            j = bisect_right(cum, base + w, i, n + 1) - 1  # text[s+i : s+j] fits, text[s+j] does not
            if breakable(j):
                p = j
            else:  # the last one-character space grapheme in (i, j)
                p, hi = -1, s + j
                while True:
                    found = max(rfind(" ", s + i + 1, hi), rfind("\t", s + i + 1, hi) if has_tab else -1)
                    if found < 0:
                        break
                    if breakable(found - s):
                        p = found - s
                        break
                    hi = found
            end = p
            if p > i:
                while end > i and breakable(end - 1):
                    end -= 1
            if p <= i or end == i:
                if j == i:  # one grapheme wider than the line
                    j = i + 1
                    while j < n and j in inside:
                        j += 1
                add(s + i, s + j, cum[j] - base, True)
                i = j
                if i >= n:
                    return
                continue
            add(s + i, s + end, cum[end] - base, True)
            k = p + 1
            while k < n and breakable(k):
                k += 1
            if k == n:
                return
            i = k

    def _wrap_complex(self, s: int, pe: int) -> None:
        text, w = self.text, self.width
        if not self._force_slow:
            table = text[s:pe].translate(_WIDTHS)
            if "\x00" not in table:
                self._wrap_widths(s, pe, table.encode("latin-1"), set())
            else:
                widths, inside = self._cluster_widths(s, pe, table)
                self._wrap_widths(s, pe, widths, inside)
            return
        gs: list[tuple[int, int, bool]] = []  # (offset, width, is_space)
        for a, b in iter_graphemes(text, s, pe):
            ch = text[a]
            if b - a == 1 and (ch == " " or ch == "\t"):
                gs.append((a, TAB_WIDTH if ch == "\t" else 1, True))
            else:
                gs.append((a, render_cluster(text[a:b])[1], False))
        i, count = 0, len(gs)
        while i < count:
            col = 0
            j = i
            last_break = -1  # index of the first space of the last space run inside the line
            while j < count:
                _off, gw, sp = gs[j]
                if sp and j > i and not gs[j - 1][2]:
                    last_break = j
                if col + gw > w:
                    break
                col += gw
                j += 1
            if j >= count:
                self._add(gs[i][0], pe, col, True)
                return
            # line overflows at j
            if gs[j][2]:  # overflowing on a space: break there
                brk = j
                while brk > i and gs[brk - 1][2]:
                    brk -= 1
                if brk == i:
                    brk = -1
            else:
                brk = last_break
            if brk > i:
                end = gs[brk][0]
                width = sum(g[1] for g in gs[i:brk])
                self._add(gs[i][0], end, width, True)
                k = brk
                while k < count and gs[k][2]:
                    k += 1
                i = k
            else:
                if j == i:  # a single grapheme wider than the line: give it a line of its own
                    j = i + 1
                end = gs[j][0] if j < count else pe
                self._add(gs[i][0], end, sum(g[1] for g in gs[i:j]), True)
                i = j

    # -- queries ----------------------------------------------------------------------------------
    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The visual line showing ``offset`` (an offset in a gap belongs to the line before it)."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def gap_end(self, line: int) -> int:
        """One past the last offset that belongs to ``line`` (content and gap)."""
        if line + 1 < len(self.starts):
            return self.starts[line + 1]
        return len(self.text) + 1

    def line_graphemes(self, line: int) -> list[Grapheme]:
        """The graphemes of a line's content (for simple lines: one per code point)."""
        cached = self._cache.get(line)
        if cached is not None:
            return cached
        s, e = self.starts[line], self.ends[line]
        if self.complex[line]:
            result = graphemes(self.text, s, e)
        else:
            text = self.text
            result = [(o, text[o], 1) for o in range(s, e)]
        if len(self._cache) > 512:
            self._cache.clear()
        self._cache[line] = result
        return result

    def _x_in_line(self, line: int, offset: int) -> int:
        s = self.starts[line]
        if not self.complex[line]:
            return offset - s
        x = 0
        for o, _d, w in self.line_graphemes(line):
            if o >= offset:
                break
            x += w
        return x

    def offset_to_xy(self, offset: int) -> tuple[int, int]:
        offset = min(max(0, offset), len(self.text))
        line = self.line_of(offset)
        end = self.ends[line]
        if offset <= end:
            return self._x_in_line(line, offset), line
        return min(self.widths[line] + offset - end, self.width), line

    def xy_to_offset(self, x: int, y: int) -> int:
        if y < 0:
            return 0
        if y >= len(self.starts):
            return len(self.text)
        line = y
        x = max(0, x)
        s, e, lw = self.starts[line], self.ends[line], self.widths[line]
        if x >= lw:
            last = self.gap_end(line) - 1
            if last < e:  # hard break: no gap, the end offset belongs to the next line
                return self.prev_boundary(e) if e > s else s
            return min(e + x - lw, last)
        if not self.complex[line]:
            return s + x
        col = 0
        for o, _d, w in self.line_graphemes(line):
            if x < col + w:
                return o
            col += w
        return e

    # -- navigation -------------------------------------------------------------------------------
    def snap(self, offset: int) -> int:
        """The start of the grapheme holding ``offset``."""
        offset = min(max(0, offset), len(self.text))
        line = self.line_of(offset)
        if not self.complex[line] or offset >= self.ends[line]:
            return offset
        best = self.starts[line]
        for o, _d, _w in self.line_graphemes(line):
            if o > offset:
                break
            best = o
        return best

    def next_boundary(self, offset: int) -> int:
        n = len(self.text)
        if offset >= n:
            return n
        line = self.line_of(offset)
        if not self.complex[line] or offset >= self.ends[line]:
            return offset + 1
        for o, _d, _w in self.line_graphemes(line):
            if o > offset:
                return o
        return self.ends[line]

    def prev_boundary(self, offset: int) -> int:
        if offset <= 0:
            return 0
        return self.snap(offset - 1)

    def line_end_offset(self, line: int) -> int:
        """Where End puts the cursor: after the content, or on the last grapheme after a hard break."""
        e = self.ends[line]
        if self.gap_end(line) > e:
            return e
        return self.prev_boundary(e) if e > self.starts[line] else e


def next_word(text: str, offset: int) -> int:
    """Start of the next word after ``offset`` (or the end of the text)."""
    m = _WORD.search(text, offset)
    if m and m.start() == offset:
        m = _WORD.search(text, m.end())
    return m.start() if m else len(text)


def prev_word(text: str, offset: int) -> int:
    """Start of the word holding ``offset - 1``, or of the word before it (or 0)."""
    window = 256
    while True:
        lo = max(0, offset - window)
        last = None
        for m in _WORD.finditer(text, lo, offset):
            last = m
        if last is not None and (last.start() > lo or lo == 0):
            return last.start()
        if lo == 0:
            return 0
        window *= 4


def next_paragraph(text: str, offset: int) -> int:
    """Start of the next paragraph (first non-newline after the next newline), or the end of the text."""
    nl = text.find("\n", offset)
    if nl < 0:
        return len(text)
    i = nl
    n = len(text)
    while i < n and text[i] == "\n":
        i += 1
    return i


def prev_paragraph(text: str, offset: int) -> int:
    """Start of the paragraph holding ``offset``; if already there, of the previous paragraph."""
    i = offset
    while i > 0 and text[i - 1] == "\n":  # at a paragraph start (or on blank lines): step back over them
        i -= 1
    nl = text.rfind("\n", 0, i)
    start = nl + 1
    if start >= offset and start > 0:
        return prev_paragraph(text, start - 1) if start - 1 > 0 else 0
    return start
