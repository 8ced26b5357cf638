"""How a quote is cited: “quote” — speaker, title (source), in a format the user may set (config).

The title is the headline cut at a word within 100 characters; the source is the article's URL when known,
else its file name: never an absolute local path.
"""

from __future__ import annotations

import re
import string
from pathlib import PurePath
from typing import Any

__all__ = ["DEFAULT_FORMAT", "bare_quote", "citable", "citation", "cite", "cite_source", "cite_title", "render"]

DEFAULT_FORMAT = "“{quote}” — {speaker}, {title} ({source})"
PLACEHOLDERS = ("quote", "speaker", "title", "source", "date", "url")
_PAIRS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»", '"': '"', "'": "'", "<": ">"}
_SEP = " \t,;:.·|/–—-"
_OPEN = re.compile(r"([(\[{“‘«\"'<])\s*$")
TITLE_LIMIT = 100
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def cite_title(title: str, limit: int = TITLE_LIMIT) -> str:
    one = " ".join(title.split())
    if len(one) <= limit:
        return one
    cut = one.rfind(" ", 0, limit)
    return (one[:cut] if cut > limit // 2 else one[:limit - 1]).rstrip(" ,;:-–—") + "…"


def cite_source(article: Any) -> str:
    meta = getattr(article, "meta", {}) or {}
    for candidate in (meta.get("canonical"), meta.get("url"), getattr(article, "source", "")):
        if candidate and _URL.match(str(candidate)):
            return str(candidate)
    return citable(str(getattr(article, "path", "") or getattr(article, "source", "") or ""))


def citable(source: str) -> str:
    """A URL as it is; a local path as its file name (a citation never shows where a file sits on disk)."""
    if not source or _URL.match(source):
        return source
    return PurePath(source).name


def render(fmt: str, **values: object) -> str:
    """Fill ``fmt``'s placeholders; a part whose value is empty (missing, None or blank) is dropped with the
    punctuation that only served it: brackets or quotation marks around it, and one separator beside it (the
    one after it, or the one before it when nothing follows or a bracket opens next). With the default
    format: no speaker → “q” — title (source); no source → “q” — speaker, title."""
    fmtr = string.Formatter()
    items: list[tuple[str, str]] = [("lit", "")]  # alternating literal, ("val" | "gap"), literal, …
    for literal, name, spec, conv in fmtr.parse(fmt):
        items[-1] = ("lit", items[-1][1] + literal)
        if name is None:
            continue
        value = values.get(name)
        if value is None or not str(value).strip():
            items += [("gap", ""), ("lit", "")]
        else:
            items += [("val", fmtr.format_field(fmtr.convert_field(value, conv), spec or "")), ("lit", "")]
    i = 1
    while i < len(items):
        if items[i][0] != "gap":
            i += 2
            continue
        left, right = items[i - 1][1], items[i + 1][1]
        m = _OPEN.search(left)
        if m and right.lstrip().startswith(_PAIRS[m.group(1)]):
            left, right = left[:m.start()], right.lstrip()[1:]
        if not any(kind == "val" for kind, _ in items[i + 2:]):  # nothing follows: drop the separator before
            left = left.rstrip(_SEP)
        elif i == 1 or right.lstrip(_SEP)[:1] not in _PAIRS:  # drop the separator after
            right = right.lstrip(_SEP)
        else:  # a bracket opens next: "speaker, {title} (source)" → "speaker (source)"
            left = left.rstrip(_SEP)
        items[i - 1:i + 2] = [("lit", left + right)]
    return "".join(text for _, text in items).strip()


_MARKS = {"“": "”", '"': '"', "«": "»", "‘": "’", "'": "'", "„": "“"}


def bare_quote(quote: str) -> str:
    """The words on one line, without one pair of quotation marks around them (a selection that took the
    marks along would otherwise be cited as ““…””)."""
    one = " ".join(quote.split())
    if len(one) >= 2 and _MARKS.get(one[0]) == one[-1] and one[-1] not in one[1:-1]:
        one = one[1:-1].strip()
    return one


def cite(quote: str, speaker: str | None, article: Any, fmt: str = DEFAULT_FORMAT) -> str:
    meta = getattr(article, "meta", {}) or {}
    source = cite_source(article)
    return render(fmt, quote=bare_quote(quote), speaker=speaker or "", title=cite_title(article.title),
                  source=source, url=source if _URL.match(source) else "", date=str(meta.get("date", "")))


def citation(text: str, speaker: str | None, title: str, source: str, fmt: str = DEFAULT_FORMAT) -> str:
    """The citation of a quote from its parts (the reader, the quote book and its exports use this)."""
    source = citable(source)
    return render(fmt, quote=bare_quote(text), speaker=speaker or "", title=cite_title(title),
                  source=source, url=source if _URL.match(source) else "", date="")
