"""The learned analyzer's parts: tokens on exact offsets, BIO both ways, the two linear models, the shipped
models (built from the current labels, loaded lazily), and the label files themselves."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest

from docbao.analysis import models
from docbao.analysis.decode import bio_from_spans, propagate, spans_from_bio
from docbao.analysis.features import columns, features, sentence_tokens, shape, tokenize
from docbao.analysis.linear import Logistic, Ranker
from docbao.analysis.spans import Span
from docbao.analysis.train import data
from tests.conftest import ROOT


def test_tokens_slice_the_text_and_split_glued_words_at_a_capital():
    text = "Ảnh: Minh PhươngTheo Guardian, iPhone 12 giá 2.000 USD (TP.HCM)."
    toks = tokenize(text)
    assert all(text[t.start:t.end] == t.text for t in toks)
    words = [t.text for t in toks]
    assert words[3:5] == ["Phương", "Theo"]
    assert "iPhone" not in words and words[7:9] == ["i", "Phone"]
    assert "TPBank" in [t.text for t in tokenize("ngân hàng TPBank")]  # capital after capital: one token


def test_tokens_of_a_window_are_on_the_whole_texts_offsets():
    text = "Câu một ở Hà Nội.\nCâu hai ở Đà Nẵng."
    sents = sentence_tokens(text, 18)
    assert [t.text for t in sents[0]][:3] == ["Câu", "hai", "ở"]
    assert all(text[t.start:t.end] == t.text for s in sents for t in s)


def test_shapes_and_columns():
    assert [shape(w) for w in ("Hà", "hà", "UBND", "A", "2020", "U23", "iPhone", "“")] == \
        ["Aa", "a", "AA", "A", "9", "A9", "Mix", "“"]
    rows = columns(sentence_tokens("Ông Nguyễn Văn An ở Hà Nội nói với Bộ Y tế."))[0]
    by_word = {r[0]: r for r in rows}
    assert by_word["Hà"][2] == "B-LOC" and by_word["Nội"][2] == "I-LOC"  # the place gazetteer
    assert by_word["Ông"][3] == "B-TITLE" and by_word["Nguyễn"][4] == "FAM"
    assert by_word["Bộ"][3] == "B-ORGH" and by_word["nói"][3] == "B-SAY"
    assert rows[0][6] == "SAa"  # a sentence start is told apart from a capital inside a sentence


def test_name_part_column_marks_the_given_name_of_a_person_introduced_in_full():
    text = "Bị can Nguyễn Phạm Quốc Bình bị bắt. Tổng thống Michel Temer nói. Sau đó Bình về Bình Dương."
    rows = [r for sent in columns(sentence_tokens(text)) for r in sent]
    roles = [(r[0], r[8]) for r in rows if r[8] != "O"]
    assert ("Bình", "G") in roles and ("Quốc", "N") in roles and ("Temer", "G") in roles
    assert ("Michel", "N") in roles
    assert all(r[8] == "O" for r in rows if not r[0][:1].isupper())


def test_propagate_adds_the_given_name_alone_and_nothing_else():
    text = "Nguyễn Phạm Quốc Bình bị bắt. Sau đó Bình về Bình Dương, BHYT trả tiền. Bình khai."
    sents = sentence_tokens(text)
    person = Span(0, 21, "PER", "Nguyễn Phạm Quốc Bình")
    place = Span(text.index("Bình Dương"), text.index("Bình Dương") + 10, "LOC", "Bình Dương")
    out = propagate(text, sents, [person, place])
    added = [(s.text, s.start, s.source) for s in out if s.source == "repeat"]
    assert added == [("Bình", text.index("Bình về"), "repeat"), ("Bình", text.rindex("Bình"), "repeat")]
    assert all(text[s.start:s.end] == s.text for s in out)
    # next to another capitalised word it is a longer name the tagger left: not added
    text2 = "Nguyễn Văn Bình đến. Bình Minh vui."
    assert [s.source for s in propagate(text2, sentence_tokens(text2), [Span(0, 15, "PER", text2[:15])])] == \
        ["model"]
    # an all-capitals word is not a name part; no person, nothing added
    text3 = "Ông Lê BHYT nói. BHYT tăng."
    assert propagate(text3, sentence_tokens(text3), [Span(4, 11, "PER", "Lê BHYT")]) == [Span(4, 11, "PER",
                                                                                           "Lê BHYT")]
    assert propagate(text3, sentence_tokens(text3), []) == []


def test_features_are_strings_from_the_rust_featurizer():
    feats = features(sentence_tokens("Hà Nội mùa thu"))
    assert "T[0].lower=hà" in feats[0][0] and any(f.startswith("T[0,1].is_in_dict=") for f in feats[0][0])


def test_bio_round_trip_and_spans_off_token_edges_are_counted():
    text = "Bà Nguyễn Thị H. gặp Bộ trưởng ở TP.HCM"
    toks = tokenize(text)
    gold = [(3, 16, "PER"), (33, 39, "LOC")]
    tags, bad = bio_from_spans(toks, gold)
    assert bad == 0
    spans = spans_from_bio(text, toks, tags)
    assert [(s.start, s.end, s.label, s.text) for s in spans] == [(3, 16, "PER", "Nguyễn Thị H."),
                                                                   (33, 39, "LOC", "TP.HCM")]
    _, bad = bio_from_spans(toks, [(4, 16, "PER")])  # starts inside "Nguyễn"
    assert bad == 1


def test_an_inside_tag_with_no_begin_starts_a_span():
    text = "ở Hà Nội"
    toks = tokenize(text)
    assert [s.text for s in spans_from_bio(text, toks, ["O", "I-LOC", "I-LOC"])] == ["Hà Nội"]


def test_logistic_learns_separable_data_and_saves_the_same_bytes_every_time(tmp_path):
    X = [["cue", "a"], ["cue", "b"], ["a"], ["b", "c"]] * 5
    y = [True, True, False, False] * 5
    m1, m2 = Logistic.fit(X, y, epochs=200), Logistic.fit(X, y, epochs=200)
    assert m1.prob(["cue"]) > 0.8 > 0.2 > m1.prob(["c"])
    assert m1.to_json() == m2.to_json()
    m1.save(tmp_path / "q.json")
    assert Logistic.load(tmp_path / "q.json").prob(["cue", "a"]) == pytest.approx(m1.prob(["cue", "a"]), abs=1e-5)


def test_ranker_learns_that_a_strong_cue_beats_a_weak_one_when_both_are_present():
    # the speaker is the "subj" mention when there is one, else the "last" one
    groups = [[["subj"], ["last"], ["x"]], [["last"], ["x"]], [["subj"], ["last", "x"]]] * 10
    pos = [[True, False, False], [True, False], [True, False]] * 10
    r = Ranker.fit(groups, pos, epochs=200)
    assert r.score(["subj"]) > r.score(["last"]) > r.score(["x"])
    assert r.to_json() == Ranker.fit(groups, pos, epochs=200).to_json()


def test_the_shipped_models_were_built_from_the_current_labels():
    """Edit a label and forget to retrain (python -m docbao.analysis.train): this fails."""
    manifest = models.manifest()
    assert manifest, "analysis/models/manifest.json is missing"
    assert manifest["labels_sha256"] == data.labels_digest(), \
        "labels/unc changed since the models were trained: run python -m docbao.analysis.train"
    import hashlib

    for name, digest in manifest["files"].items():
        assert hashlib.sha256((models.MODELS_DIR / name).read_bytes()).hexdigest() == digest, name
    assert sum((models.MODELS_DIR / n).stat().st_size for n in manifest["files"]) < 8_000_000


def test_importing_the_analysis_loads_no_model():
    code = ("import docbao.analysis.pipeline as p, docbao.analysis.models as m, sys;"
            "print(m._load_tagger.cache_info().currsize, 'underthesea_core' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["0", "False"]


def test_label_files_follow_the_documented_format():
    files = data.label_files()
    assert len(files) >= 400
    splits = {"train": 0, "test": 0}
    topics: dict[str, int] = {}
    with_quotes = 0
    for f in files:
        d = json.loads(f.read_text(encoding="utf-8"))
        splits[d["split"]] += 1
        topics[d["topic"]] = topics.get(d["topic"], 0) + 1
        with_quotes += bool(d["quotes"])
        ents = sorted(d["entities"], key=lambda e: e["start"])
        for a, b in itertools.pairwise(ents):
            assert a["end"] <= b["start"], (f.name, a, b)
        for e in ents:
            assert e["label"] in ("PER", "LOC", "ORG", "MISC") and e["text"] == e["text"].strip(), (f.name, e)
            assert len(e["text"]) == e["end"] - e["start"]
        for q in d["quotes"]:
            assert q["kind"] == "direct" and len(q["text"]) == q["end"] - q["start"]
            assert q["speaker"] is None or q["speaker"] in q["speaker_aliases"]
    assert splits["test"] >= 60 and len(topics) == 10 and min(topics.values()) >= 40
    assert with_quotes >= 150
    assert len(list((ROOT / "labels" / "agreement" / "second").glob("*.json"))) >= 30


def test_label_offsets_slice_the_corpus_texts():
    if not (data.unc_dir() / "manifest.jsonl").exists():
        pytest.skip("the UNC corpus is not beside the repository (../shared/corpus/unc)")
    for d in data.load():  # load() refuses a text whose sha256 differs from the labelled one
        for e in d.entities + d.quotes:
            assert d.text[e["start"]:e["end"]] == e["text"], (d.doc_id, e)


def test_the_collector_waits_through_a_long_tagging_and_always_resumes():
    import gc

    from docbao.analysis import ner

    assert gc.isenabled()
    with ner._collector_paused(ner.LONG - 1):
        assert gc.isenabled()  # an ordinary article: nothing changes
    with ner._collector_paused(ner.LONG):
        assert not gc.isenabled()
        with ner._collector_paused(ner.LONG):  # nested (two threads tagging long texts at once)
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one still runs
    assert gc.isenabled()
    with pytest.raises(RuntimeError), ner._collector_paused(ner.LONG):
        raise RuntimeError("the tagger failed")
    assert gc.isenabled()
