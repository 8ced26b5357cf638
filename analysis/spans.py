"""The spans the analysis returns: plain, immutable, JSON-friendly.

A span is a pair of code-point offsets into the article's NFC text, ``end`` exclusive, and
``text == article_text[start:end]`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Label = Literal["PER", "LOC", "ORG", "MISC"]
QuoteKind = Literal["direct", "indirect", "term"]
LABELS: tuple[str, ...] = ("PER", "LOC", "ORG", "MISC")
LABEL_TITLES: dict[str, str] = {"PER": "People", "LOC": "Places", "ORG": "Organisations", "MISC": "Other"}
QUOTE_KINDS: tuple[str, ...] = ("direct", "indirect", "term")


@dataclass(frozen=True, slots=True)
class Span:
    """A named entity (or any labelled stretch of text)."""

    start: int
    end: int
    label: str
    text: str
    source: str = "model"  # "model" (CRF), "rule", "gazetteer", "lexicon" (a user correction), "repeat"

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]), str(data["label"]), str(data["text"]),
                   str(data.get("source", "model")))


@dataclass(frozen=True, slots=True)
class Speaker:
    text: str
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: the quoted words without their quotation marks, and who said them."""

    start: int
    end: int
    text: str
    kind: str  # QuoteKind
    speaker: Speaker | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind,
            "speaker": self.speaker.to_dict() if self.speaker else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Quote:
        sp = data.get("speaker")
        speaker = Speaker(str(sp["text"]), int(sp["start"]), int(sp["end"])) if sp else None
        return cls(int(data["start"]), int(data["end"]), str(data["text"]), str(data["kind"]), speaker)


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the analyzer found in one text."""

    entities: tuple[Span, ...] = ()
    quotes: tuple[Quote, ...] = ()
    version: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "entities": [{**e.to_dict(), "source": e.source} for e in self.entities],
            "quotes": [q.to_dict() for q in self.quotes],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        return cls(
            entities=tuple(Span.from_dict(e) for e in data["entities"]),
            quotes=tuple(Quote.from_dict(q) for q in data["quotes"]),
            version=str(data.get("version", "")),
        )

    def check(self, text: str) -> None:
        """Raise AssertionError if any span does not slice to its text (used by tests and the cache)."""
        for e in self.entities:
            if not (0 <= e.start < e.end <= len(text)) or text[e.start:e.end] != e.text:
                raise AssertionError(f"bad entity span {e!r}")
        for q in self.quotes:
            if not (0 <= q.start < q.end <= len(text)) or text[q.start:q.end] != q.text:
                raise AssertionError(f"bad quote span {q!r}")
            sp = q.speaker
            if sp is None:
                continue
            if not (0 <= sp.start < sp.end <= len(text)) or text[sp.start:sp.end] != sp.text:
                raise AssertionError(f"bad speaker span {sp!r}")
