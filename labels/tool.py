"""Labelling bookkeeping: articles as inline markup for a person to read and correct, and back to offsets.

A working file is the article's text with its labels written inline:

    [[PER:Joe Biden]]        an entity (PER, LOC, ORG, MISC), top level only, never nested in another
    <<Q3:...>>               a direct quote's words (without the quotation marks); entities may be inside

and, after the line ``=== QUOTES ===``, one line per quote: ``Q3 | speaker | alias; alias`` (the speaker as
the fullest name the article gives, else a descriptor, else ``-``). Removing the markup must give the
article's text back exactly; `check` says where it does not.

    python labels/tool.py plain DOC... --out DIR        the bare text, for an independent second labelling
    python labels/tool.py check FILE...                 validate; list inconsistencies to look at
    python labels/tool.py compile FILE... --by NAME     write labels/unc/<doc>.json (offsets)
    python labels/tool.py markup DOC                    a compiled label file back as markup (to revise it)

DOC is a UNC document id (news_world_010). The corpus is read from ../shared/corpus/unc (or $UNC_DIR).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
UNC = Path(os.environ.get("UNC_DIR", ROOT.parent / "shared" / "corpus" / "unc"))
DEST = HERE / "unc"
LABELS = ("PER", "LOC", "ORG", "MISC")
SEP = "=== QUOTES ==="
PUNCT_EDGE = " \t\n.,;:!?\"'“”‘’«»()[]{}-–—…"


def manifest() -> dict[str, dict]:
    out = {}
    with open(UNC / "manifest.jsonl", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out[row["doc_id"]] = row
    return out


def unc_text(doc_id: str) -> str:
    raw = (UNC / "articles" / f"{doc_id}.txt").read_bytes().decode("utf-8-sig")
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


class MarkupError(ValueError):
    pass


def _line_of(s: str, i: int) -> int:
    return s.count("\n", 0, i) + 1


def parse(markup: str) -> tuple[str, list[dict], list[dict]]:
    """(plain text, entities, quotes) from a working file's article part. Raises MarkupError."""
    out: list[str] = []
    pos = 0  # offset in the plain text
    ents: list[dict] = []
    quotes: list[dict] = []
    stack: list[tuple[str, str, int, int]] = []  # (kind, label/qid, plain start, markup index)
    i = 0
    n = len(markup)
    tok = re.compile(r"\[\[(PER|LOC|ORG|MISC):|<<(Q\d+):|\]\]|>>|\[\[|<<")
    while i < n:
        m = tok.search(markup, i)
        if not m:
            out.append(markup[i:])
            pos += n - i
            break
        out.append(markup[i:m.start()])
        pos += m.start() - i
        t = m.group(0)
        if m.group(1):
            if any(k == "E" for k, *_ in stack):
                raise MarkupError(f"line {_line_of(markup, m.start())}: an entity inside an entity")
            stack.append(("E", m.group(1), pos, m.start()))
        elif m.group(2):
            if stack:
                raise MarkupError(f"line {_line_of(markup, m.start())}: a quote inside another span")
            stack.append(("Q", m.group(2), pos, m.start()))
        elif t == "]]":
            if not stack or stack[-1][0] != "E":
                raise MarkupError(f"line {_line_of(markup, m.start())}: ']]' closes nothing")
            _, lab, s, _ = stack.pop()
            ents.append({"start": s, "end": pos, "label": lab})
        elif t == ">>":
            if not stack or stack[-1][0] != "Q":
                raise MarkupError(f"line {_line_of(markup, m.start())}: '>>' closes nothing")
            _, qid, s, _ = stack.pop()
            quotes.append({"id": qid, "start": s, "end": pos})
        else:
            raise MarkupError(f"line {_line_of(markup, m.start())}: '{t}' must be [[LABEL:… or <<Qn:… "
                              f"(labels: {', '.join(LABELS)})")
        i = m.end()
    if stack:
        _, lab, _, at = stack[-1]
        raise MarkupError(f"line {_line_of(markup, at)}: {lab} opened here is never closed")
    text = "".join(out)
    for e in ents:
        e["text"] = text[e["start"]:e["end"]]
    for q in quotes:
        q["text"] = text[q["start"]:q["end"]]
    ents.sort(key=lambda e: (e["start"], e["end"]))
    quotes.sort(key=lambda q: q["start"])
    return text, ents, quotes


def parse_speakers(part: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for k, line in enumerate(part.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        cells = [c.strip() for c in line.split("|")]
        if not re.fullmatch(r"Q\d+", cells[0]) or len(cells) < 2:
            raise MarkupError(f"quotes section line {k}: expected 'Qn | speaker | alias; alias', got {line!r}")
        speaker = cells[1] if cells[1] not in ("", "-") else None
        aliases = [a.strip() for a in (cells[2] if len(cells) > 2 else "").split(";") if a.strip()]
        if speaker and speaker not in aliases:
            aliases.insert(0, speaker)
        if cells[0] in out:
            raise MarkupError(f"quotes section: {cells[0]} listed twice")
        out[cells[0]] = {"speaker": speaker, "speaker_aliases": aliases}
    return out


def read_work(path: Path) -> tuple[str, str, list[dict], list[dict], list[str]]:
    """(doc id, text, entities, quotes, warnings) of a working file; raises MarkupError."""
    doc = path.stem
    raw = path.read_text(encoding="utf-8")
    raw = unicodedata.normalize("NFC", raw)
    if SEP not in raw:
        raise MarkupError(f"no '{SEP}' line (put it after the article, even with no quotes)")
    body, spk = raw.split(SEP, 1)
    body = body[:-1] if body.endswith("\n") else body
    text, ents, quotes = parse(body)
    original = unc_text(doc)
    if text != original:
        a = next((i for i, (x, y) in enumerate(zip(text, original, strict=False)) if x != y),
                 min(len(text), len(original)))
        raise MarkupError(f"line {_line_of(text, a)}: the text differs from the article here: "
                          f"{text[max(0, a - 30):a + 30]!r} vs the original {original[max(0, a - 30):a + 30]!r}")
    speakers = parse_speakers(spk)
    warnings: list[str] = []
    ids = [q["id"] for q in quotes]
    for q in quotes:
        if ids.count(q["id"]) > 1:
            raise MarkupError(f"{q['id']} is used for two quotes")
        if q["id"] not in speakers:
            raise MarkupError(f"{q['id']} has no line in the quotes section")
        q.update(speakers[q["id"]])
        for a in q["speaker_aliases"]:
            if a not in text:
                warnings.append(f"{q['id']}: alias {a!r} does not occur in the article (check the spelling)")
    for qid in speakers:
        if qid not in ids:
            raise MarkupError(f"{qid} is in the quotes section but not in the text")
    for sp in ents + quotes:
        t = sp["text"]
        what = sp.get("label") or sp["id"]
        if not t.strip():
            raise MarkupError(f"line {_line_of(text, sp['start'])}: empty {what}")
        if what in LABELS and (t[0] in PUNCT_EDGE or t[-1] in PUNCT_EDGE) and not (
                t[-1] == "." and re.search(r"\b\w\.$", t)):  # "H." initials, "TP."
            warnings.append(f"line {_line_of(text, sp['start'])}: {what} {t!r} starts or ends with a space "
                            "or punctuation")
        if "\n" in t and what in LABELS:
            raise MarkupError(f"line {_line_of(text, sp['start'])}: entity {t!r} spans two lines")
    # Consistency: the same surface labelled two ways, or labelled in one place and not in another.
    by_surface: dict[str, set[str]] = {}
    for e in ents:
        by_surface.setdefault(e["text"], set()).add(e["label"])
    for surf, labs in sorted(by_surface.items()):
        if len(labs) > 1:
            warnings.append(f"{surf!r} is labelled {' and '.join(sorted(labs))}: fine only if meant differently")
    covered = [(e["start"], e["end"]) for e in ents]
    for surf in sorted(by_surface):
        for m in re.finditer(r"(?<!\w)" + re.escape(surf) + r"(?!\w)", text):
            if not any(s <= m.start() and m.end() <= e for s, e in covered):
                warnings.append(f"line {_line_of(text, m.start())}: {surf!r} is labelled elsewhere but not here")
    return doc, text, ents, quotes, warnings


def to_markup(text: str, ents: list[dict], quotes: list[dict]) -> str:
    """Inline markup of spans (entities inside a quote are kept; entities crossing a quote edge dropped)."""
    marks: list[tuple[int, int, str]] = []  # (offset, order, string)
    qs = sorted(quotes, key=lambda q: q["start"])
    for q in qs:
        marks.append((q["start"], 1, f"<<{q['id']}:"))
        marks.append((q["end"], 0, ">>"))
    for e in ents:
        crosses = any(q["start"] < e["end"] and e["start"] < q["end"] and
                      not (q["start"] <= e["start"] and e["end"] <= q["end"]) for q in qs)
        if crosses:
            continue
        marks.append((e["start"], 2, f"[[{e['label']}:"))
        marks.append((e["end"], -1, "]]"))
    marks.sort(key=lambda m: (m[0], m[1]))
    out, last = [], 0
    for off, _, s in marks:
        out.append(text[last:off])
        out.append(s)
        last = off
    out.append(text[last:])
    lines = [SEP]
    for q in qs:
        sp = q.get("speaker") or "-"
        aliases = [a for a in q.get("speaker_aliases", []) if a != q.get("speaker")]
        lines.append(f"{q['id']} | {sp} | {'; '.join(aliases)}".rstrip(" |"))
    return "".join(out) + "\n" + "\n".join(lines) + "\n"



_QUOTE_EDGE = " \t\n.,;:!?…-–—\"'“”‘’«»"


def trim_quote(text: str, start: int, end: int) -> tuple[int, int]:
    """A quote's span without white space, quotation marks or final punctuation at its ends."""
    while start < end and text[start] in _QUOTE_EDGE:
        start += 1
    while end > start and text[end - 1] in _QUOTE_EDGE:
        end -= 1
    return start, end


def compile_one(path: Path, by: str, dest: Path) -> Path:
    doc, text, ents, quotes, _ = read_work(path)
    for q in quotes:
        q["start"], q["end"] = trim_quote(text, q["start"], q["end"])
        q["text"] = text[q["start"]:q["end"]]
    meta = manifest()[doc]
    old = dest / f"{doc}.json"
    prev = json.loads(old.read_text(encoding="utf-8")) if old.exists() else {}
    rec = {
        "doc_id": doc,
        "corpus": "unc",
        "file": meta["file"],
        "topic": meta["topic"],
        "url": meta["url"],
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "split": prev.get("split", "train"),
        "labelled_by": by,
        "entities": [{k: e[k] for k in ("start", "end", "label", "text")} for e in ents],
        "quotes": [{"start": q["start"], "end": q["end"], "kind": "direct", "text": q["text"],
                    "speaker": q["speaker"], "speaker_aliases": q["speaker_aliases"]} for q in quotes],
    }
    for k in ("adjudicated", "second_labelling"):
        if k in prev:
            rec[k] = prev[k]
    dest.mkdir(parents=True, exist_ok=True)
    old.write_text(json.dumps(rec, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return old


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plain")
    p.add_argument("docs", nargs="+")
    p.add_argument("--out", required=True, type=Path)
    p = sub.add_parser("check")
    p.add_argument("files", nargs="+", type=Path)
    p = sub.add_parser("compile")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument("--by", required=True, help="who labelled (a short name)")
    p.add_argument("--dest", type=Path, default=DEST)
    p = sub.add_parser("markup")
    p.add_argument("doc")
    p.add_argument("--src", type=Path, default=DEST)
    args = ap.parse_args(argv)
    status = 0
    if args.cmd == "plain":
        args.out.mkdir(parents=True, exist_ok=True)
        for doc in args.docs:
            (args.out / f"{doc}.txt").write_text(unc_text(doc) + "\n" + SEP + "\n", encoding="utf-8")
            print(args.out / f"{doc}.txt")
    elif args.cmd == "check":
        for f in args.files:
            try:
                _, _, ents, quotes, warnings = read_work(f)
            except (MarkupError, OSError) as exc:
                print(f"{f}: ERROR {exc}")
                status = 1
                continue
            counts = {lab: sum(1 for e in ents if e["label"] == lab) for lab in LABELS}
            print(f"{f}: ok: {len(ents)} entities {counts}, {len(quotes)} quotes")
            for w in warnings:
                print(f"  warning: {w}")
    elif args.cmd == "compile":
        for f in args.files:
            try:
                print(compile_one(f, args.by, args.dest))
            except (MarkupError, OSError) as exc:
                print(f"{f}: ERROR {exc}")
                status = 1
    elif args.cmd == "markup":
        rec = json.loads((args.src / f"{args.doc}.json").read_text(encoding="utf-8"))
        quotes = [{**q, "id": f"Q{k}"} for k, q in enumerate(rec["quotes"], 1)]
        sys.stdout.write(to_markup(unc_text(args.doc), rec["entities"], quotes))
    return status


if __name__ == "__main__":
    raise SystemExit(main())
