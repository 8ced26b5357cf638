"""The article's text wrapped to a width: visual lines ↔ code-point offsets. Pure: no Textual.

Graphemes are the text's extended grapheme clusters (Unicode UAX #29, the ``regex`` module's ``\\X``): a
letter with its combining marks, a flag 🇻🇳 (two regional indicators), a skin-toned 👍🏽, a ZWJ family, a
Hangul syllable in jamo. A grapheme is never split across lines nor stepped into by the cursor. Its width
is rich's cell length of what docbao draws for it (:func:`render_cluster`), the same measure Textual
applies to the strip, so what is laid out is what is drawn: a tab is :data:`TAB_WIDTH` spaces, a control
character its control picture (␛), and the characters terminals and rich disagree about (U+FE0F and the
other variation selectors, the skin-tone modifiers U+1F3FB–U+1F3FF, ZWJ and other format characters)
are not drawn at all. A grapheme made only of such characters (a zero-width space between two words)
joins the grapheme before it; at the start of a paragraph, or a lone combining mark, it is drawn on a
dotted circle ◌.

One segmentation, :func:`segment`, gives each code point the width of the grapheme it starts (0 inside a
grapheme); its running sum is all the wrap loop needs. Almost every code point of Vietnamese NFC text is a
grapheme of its own one cell wide; a paragraph made only of those has the running sum ``range(n + 1)``
without measuring anything, so 1 MB lays out in some tens of milliseconds. Elsewhere only the stretches
around characters that can join a neighbour go through ``\\X``.

:class:`Layout` wraps each paragraph (the text between newlines) greedily at spaces and tabs; a word wider
than the line is broken hard at a grapheme boundary. Visual line ``i`` shows ``text[starts[i]:ends[i]]``;
what lies between ``ends[i]`` and ``starts[i + 1]`` is the line's *gap*: the spaces it broke at and/or the
newline that ended the paragraph. Blank lines are visual lines of their own (``start == end``).
Coordinates: ``x`` is the cell column inside the text column (padding excluded), ``y`` the visual line in
the whole document (not the screen row).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate, pairwise

import regex
from rich.cells import cell_len

__all__ = ["TAB_WIDTH", "Grapheme", "Layout", "render_cluster", "segment", "text_column"]

TAB_WIDTH = 4
_CLUSTER = regex.compile(r"\X")
# a code point that is a grapheme on its own whatever its neighbours (see segment)
_STANDALONE = regex.compile(r"[\p{GCB=Other}\p{GCB=LV}\p{GCB=LVT}\t\x00-\x09\x0b-\x1f\x7f-\x9f]")
_JOINERS = re.compile(b"\x00+")
_SKIN_TONES = range(0x1F3FB, 0x1F400)


def _not_drawn(cp: int) -> bool:
    if cp in _SKIN_TONES or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
        return True
    return unicodedata.category(chr(cp)) in ("Cf", "Zl", "Zp")


class _DrawTable(dict[int, str | None]):
    """str.translate table: what is drawn for a code point (None: nothing; a control: its picture)."""

    def __missing__(self, cp: int) -> str | None:
        value: str | None = chr(cp)
        if cp == 0x09:
            value = " " * TAB_WIDTH
        elif cp < 0x20:
            value = chr(0x2400 + cp)
        elif cp == 0x7F:
            value = "\u2421"
        elif 0x80 <= cp < 0xA0:
            value = "\ufffd"
        elif _not_drawn(cp):
            value = None
        self[cp] = value
        return value


_DRAWN = _DrawTable()


@lru_cache(maxsize=8192)
def _render(cluster: str) -> tuple[str, int, bool]:
    """(drawn text, width in cells ≥ 1, whether the cluster has anything of its own to draw)."""
    drawn = cluster.translate(_DRAWN)
    width = cell_len(drawn)
    if width == 0:  # nothing to see (a lone combining mark, a format character): draw it on a dotted circle
        return "\u25cc" + drawn, cell_len("\u25cc" + drawn), bool(drawn)
    return drawn, width, True


def render_cluster(cluster: str) -> tuple[str, int]:
    """What docbao draws for one grapheme cluster, and its width in cells (always ≥ 1)."""
    drawn, width, _visible = _render(cluster)
    return drawn, width


class _WidthTable(dict[int, str]):
    """str.translate table: chr(width) for a code point that is a grapheme of its own whatever its
    neighbours (and is drawn as itself or as a control picture), else "\\x00": it may join a neighbour."""

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        value = "\x00"
        if ch == "\t":
            value = chr(TAB_WIDTH)
        elif _STANDALONE.match(ch) and not _not_drawn(cp):
            width = render_cluster(ch)[1]
            if unicodedata.category(ch)[0] != "M" and width <= 2:
                value = chr(width)
        self[cp] = value
        return value


_WIDTHS = _WidthTable()


def _simple_class() -> str:
    """A regex class body of the code points (in the ranges news text uses) whose width entry is 1."""
    candidates = ((0x20, 0x7E), (0xA0, 0x52F), (0x1E00, 0x1EFF), (0x2010, 0x205E), (0x20A0, 0x20C0),
                  (0x2100, 0x214F), (0x2190, 0x21FF))
    ranges: list[list[int]] = []
    for lo, hi in candidates:
        for cp in range(lo, hi + 1):
            if _WIDTHS[cp] != "\x01" or 0x80 <= cp < 0xA0:
                continue
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1][1] = cp
            else:
                ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) + ("" if a == b else "-" + re.escape(chr(b))) for a, b in ranges)


_NOT_SIMPLE = re.compile(f"[^\\n{_simple_class()}]")


def segment(text: str, start: int, end: int) -> Sequence[int]:
    """For each code point of ``text[start:end]`` (a range whose ends are grapheme boundaries): the width
    of the grapheme it starts, or 0 when it is inside a grapheme.

    Code points marked standalone in the width table are graphemes of their own: UAX #29 never joins two
    of them. Each run of the others is segmented with ``\\X`` together with the standalone code point on
    either side (which may join it), so every stretch handed to ``\\X`` starts and ends on a boundary.
    """
    n = end - start
    widths: bytearray | list[int]
    if len(_NOT_SIMPLE.findall(text, start, min(end, start + 64))) > 8:  # not mostly one-cell code points
        widths = bytearray(text[start:end].translate(_WIDTHS), "latin-1")
    else:  # mostly one-cell code points: look up only the others
        widths = bytearray(b"\x01") * n
        for m in _NOT_SIMPLE.finditer(text, start, end):
            widths[m.start() - start] = ord(_WIDTHS[ord(m.group())])
    regions: list[list[int]] = []
    for run in _JOINERS.finditer(widths):
        a, b = max(0, run.start() - 1), min(n, run.end() + 1)
        if regions and a < regions[-1][1]:
            regions[-1][1] = b
        else:
            regions.append([a, b])
    for a, b in regions:
        glue_to = -1  # the last drawn grapheme of the stretch: a grapheme with nothing to draw joins it
        for m in _CLUSTER.finditer(text, start + a, start + b):
            ca, cb = m.start() - start, m.end() - start
            _drawn, width, visible = _render(m.group())
            if glue_to >= 0 and not visible:
                width = 0
            else:
                glue_to = ca
            if width > 255 and isinstance(widths, bytearray):
                widths = list(widths)
            widths[ca] = width
            widths[ca + 1 : cb] = bytes(cb - ca - 1) if isinstance(widths, bytearray) else [0] * (cb - ca - 1)
    return widths


def _cumulative(text: str, start: int, end: int) -> tuple[Sequence[int], bool]:
    """(cum, simple): cum[k] is the width of text[start : start + k]; simple: one cell per code point."""
    n = end - start
    if _NOT_SIMPLE.search(text, start, end) is None:
        return range(n + 1), True
    widths = segment(text, start, end)
    if isinstance(widths, bytearray) and widths.count(2) == n:  # CJK: two cells per code point
        return range(0, 2 * n + 1, 2), False
    return [0, *accumulate(widths)], False


def text_column(total: int, max_width: int | None) -> tuple[int, int]:
    """(left padding, text width) of the text column in ``total`` cells, capped at ``max_width`` and
    centred."""
    pad = 2 if total >= 24 else (1 if total >= 6 else 0)
    width = max(1, total - 2 * pad)
    if max_width and width > max_width:
        pad += (width - max_width) // 2
        width = max_width
    return pad, width


Grapheme = tuple[int, str, int]
"""(source offset, drawn text, width in cells)."""


class Layout:
    """The visual lines of ``text`` wrapped to ``width`` cells. Immutable once built."""

    def __init__(self, text: str, width: int) -> None:
        self.text = text
        self.width = max(1, width)
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.widths: list[int] = []
        self.complex = bytearray()  # 1: the line is not one cell per code point
        self._graphemes: dict[int, list[Grapheme]] = {}
        pos, n = 0, len(text)
        while True:
            nl = text.find("\n", pos)
            self._wrap(pos, n if nl < 0 else nl)
            if nl < 0:
                break
            pos = nl + 1

    def _add(self, start: int, end: int, width: int, is_complex: int) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.widths.append(width)
        self.complex.append(is_complex)

    def _wrap(self, s: int, pe: int) -> None:
        """Greedy wrap of the paragraph text[s:pe], over the running widths of its graphemes."""
        text, w, add = self.text, self.width, self._add
        cum, simple = _cumulative(text, s, pe)
        step = cum.step if isinstance(cum, range) else 0  # every code point a grapheme `step` cells wide
        flag = 0 if simple else 1
        n = pe - s
        total = cum[n]
        tabs = not simple and text.find("\t", s, pe) >= 0

        def breakable(k: int) -> bool:  # relative position k is a space or tab that is a grapheme alone
            if text[s + k] not in " \t":
                return False
            return step > 0 or (cum[k + 1] > cum[k] and (k + 1 == n or cum[k + 2] > cum[k + 1]))

        def last_break(i: int, j: int) -> int:  # the last breakable position in (i, j), or -1
            hi = s + j
            while True:
                found = text.rfind(" ", s + i + 1, hi)
                if tabs:
                    found = max(found, text.rfind("\t", s + i + 1, hi))
                if found < 0 or breakable(found - s):
                    return found if found < 0 else found - s
                hi = found

        i = 0
        while True:
            base = cum[i]
            if total - base <= w:
                add(s + i, pe, total - base, flag)
                return
            # text[s+i : s+j] fits, and j is a grapheme boundary
            j = i + w // step if step else bisect_right(cum, base + w, i, n + 1) - 1
            p = j if breakable(j) else last_break(i, j)
            end = p
            while end > i and breakable(end - 1):
                end -= 1
            if p <= i or end == i:  # no space to break at (or only indentation): break hard
                if j == i:  # one grapheme wider than the line: a line of its own
                    j = bisect_right(cum, cum[i + 1], i + 1, n + 1) - 1
                add(s + i, s + j, cum[j] - base, flag)
                i = j
                if i >= n:
                    return
                continue
            add(s + i, s + end, cum[end] - base, flag)
            i = p + 1
            while i < n and breakable(i):
                i += 1
            if i == n:
                return

    # -- queries ----------------------------------------------------------------------------------------
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
        """The graphemes of a line's content (on a simple line: one per code point)."""
        cached = self._graphemes.get(line)
        if cached is not None:
            return cached
        text, s, e = self.text, self.starts[line], self.ends[line]
        if self.complex[line]:
            widths = segment(text, s, e)
            firsts = [k for k in range(e - s) if widths[k]]
            result = [(s + a, render_cluster(text[s + a : s + b])[0], widths[a])
                      for a, b in pairwise([*firsts, e - s])]
        else:
            result = [(o, text[o], 1) for o in range(s, e)]
        if len(self._graphemes) > 512:
            self._graphemes.clear()
        self._graphemes[line] = result
        return result

    def offset_to_xy(self, offset: int) -> tuple[int, int]:
        offset = min(max(0, offset), len(self.text))
        line = self.line_of(offset)
        s, end = self.starts[line], self.ends[line]
        if offset > end:  # in the gap: one cell per offset, past the text column's edge they share its last
            return min(self.widths[line] + offset - end, self.width), line
        if not self.complex[line]:
            return offset - s, line
        return sum(w for o, _d, w in self.line_graphemes(line) if o < offset), line

    def xy_to_offset(self, x: int, y: int) -> int:
        if y < 0:
            return 0
        if y >= len(self.starts):
            return len(self.text)
        s, e, lw = self.starts[y], self.ends[y], self.widths[y]
        x = max(0, x)
        if x >= lw:
            last = self.gap_end(y) - 1
            if last < e:  # a hard break: no gap, the end offset is drawn at the start of the next line
                return self.prev_boundary(e) if e > s else s
            return min(e + x - lw, last)
        if not self.complex[y]:
            return s + x
        col = 0
        for o, _d, w in self.line_graphemes(y):
            if x < col + w:
                return o
            col += w
        return e

    # -- graphemes ----------------------------------------------------------------------------------------
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
        if offset >= len(self.text):
            return len(self.text)
        line = self.line_of(offset)
        if not self.complex[line] or offset >= self.ends[line]:
            return offset + 1
        return next((o for o, _d, _w in self.line_graphemes(line) if o > offset), self.ends[line])

    def prev_boundary(self, offset: int) -> int:
        return 0 if offset <= 0 else self.snap(offset - 1)

    def line_end_offset(self, line: int) -> int:
        """Where End puts the cursor: after the content, or on the last grapheme after a hard break."""
        e = self.ends[line]
        if self.gap_end(line) > e:
            return e
        return self.prev_boundary(e) if e > self.starts[line] else e
