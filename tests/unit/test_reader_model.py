"""The reader's model without Textual: the store handle, search, what an action applies to, citations,
annotate / update / delete / correct and the reading state. A real in-memory store; a hand-made analysis."""

from __future__ import annotations

import pytest

from docbao.analysis.spans import Analysis, Quote, Span, Speaker
from docbao.store.annotations import AnnotationStore
from docbao.store.articles import from_text
from docbao.store.storage import StoreError
from docbao.tui.model.kinds import KINDS, view_kinds
from docbao.tui.model.reader import ReaderModel
from docbao.tui.model.search import FoldedText, SearchState
from docbao.tui.model.store import State, StoreHandle

TEXT = ("Ông Nguyễn Văn An nói: “Hà Nội sẽ mở thêm ba tuyến buýt.” Sở Giao thông Hà Nội xác nhận.\n"
        "Người dân ở Hà\nNội vui mừng.")


def _span(label: str, surface: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(surface, start + 1)
    return Span(start, start + len(surface), label, surface)


QUOTE_START = TEXT.index("“") + 1  # a quote's span excludes its marks
QUOTE_END = TEXT.index("”")
ANALYSIS = Analysis(
    entities=(_span("PER", "Nguyễn Văn An"), _span("LOC", "Hà Nội"), _span("ORG", "Sở Giao thông Hà Nội")),
    quotes=(Quote(QUOTE_START, QUOTE_END, TEXT[QUOTE_START:QUOTE_END], "direct",
                  Speaker("Nguyễn Văn An", TEXT.index("Nguyễn"), TEXT.index("Nguyễn") + 13)),),
)


def _model(store, mark_read="end", title="Hà Nội mở thêm tuyến buýt", path="/home/u/tin/buyt.txt", **kw):
    article = from_text(TEXT, title=title, name="buyt.txt", path=path, **kw)
    model = ReaderModel(article, StoreHandle(store), mark_read=mark_read)
    model.set_analysis(ANALYSIS, final=True)
    return model


# -- the store handle -------------------------------------------------------------------------------------
def test_handle_refuses_reads_and_writes_until_open_and_names_what_was_not_saved():
    handle = StoreHandle()
    assert handle.state is State.OPENING
    assert not handle.read(lambda: 1).ok
    out = handle.write("the note", lambda: 1)
    assert not out.ok and out.error.startswith("Could not save the note:")
    assert handle.open(AnnotationStore.in_memory).ok and handle.state is State.READY
    assert handle.read(lambda: 7).value == 7


def test_handle_fails_for_good_on_a_refused_file():
    def refuse():
        raise StoreError("db.json: not a docbao database")

    handle = StoreHandle()
    out = handle.open(refuse)
    assert (out.ok, handle.state, handle.error) == (False, State.FAILED, "db.json: not a docbao database")
    assert handle.open(AnnotationStore.in_memory).ok is False  # FAILED stays FAILED: never written to


def test_handle_read_refusal_turns_failed_but_a_write_refusal_does_not(store):
    handle = StoreHandle(store)

    def bad_write():
        raise OSError(28, "No space left on device")

    out = handle.write("the annotation", bad_write)
    assert not out.ok and "No space left on device" in out.error and handle.ready

    def changed_under_us():
        raise StoreError("db.json changed: written by a newer docbao")

    assert not handle.read(changed_under_us).ok and handle.state is State.FAILED


def test_handle_lets_programming_errors_through(store):
    handle = StoreHandle(store)
    with pytest.raises(KeyError):
        handle.write("the annotation", lambda: {}["missing"])
    with pytest.raises(TypeError):
        handle.read(lambda: None + 1)


# -- search ---------------------------------------------------------------------------------------------
def test_search_ignores_case_and_diacritics_and_spans_line_breaks():
    folded = FoldedText(TEXT)
    hits = folded.find("ha noi")
    assert [TEXT[s:e] for s, e in hits] == ["Hà Nội", "Hà Nội", "Hà\nNội"]
    assert folded.find("HÀ NỘI") == hits
    assert folded.find("   ") == [] and folded.find("xyz") == []


def test_search_maps_offsets_back_when_folding_changes_lengths():
    text = "Straße und Strasse, dann ß."
    hits = FoldedText(text).find("strasse")
    assert [text[s:e] for s, e in hits] == ["Straße", "Strasse"]
    assert FoldedText(text).find("dann") == [(text.index("dann"), text.index("dann") + 4)]


def test_search_steps_from_the_cursor_and_wraps():
    state = SearchState()
    state.run(FoldedText(TEXT), "ha noi")
    starts = [s for s, _ in state.hits]
    assert state.label == "–/3"
    assert state.step(1, cursor=starts[1])[0] == starts[1] and state.label == "2/3"
    state.step(1)
    assert state.label == "3/3"
    assert state.step(1)[0] == starts[0] and state.label == "1/3"  # wraps
    assert state.step(-1)[0] == starts[2]
    state.run(FoldedText(TEXT), "ha noi")
    assert state.step(-1, cursor=starts[1])[0] == starts[0]  # backwards: the last hit before the cursor
    state.run(FoldedText(TEXT), "không có")
    assert state.step(1) is None and state.label == "0/0"


# -- kinds ----------------------------------------------------------------------------------------------
def test_each_kind_has_its_own_toggle_key_and_quote_hides_reported_speech_too():
    assert len({k.key for k in KINDS}) == len(KINDS)
    assert view_kinds(frozenset({"quote"})) == {"quote", "quote-indirect"}
    assert view_kinds(frozenset()) == frozenset()


# -- what an action applies to ---------------------------------------------------------------------------
def test_target_prefers_selection_then_quote_then_entity_then_whole_article(store):
    m = _model(store)
    in_quote_on_entity = TEXT.index("Hà Nội sẽ")
    assert m.target(in_quote_on_entity, (0, 3)) == (0, 3)
    assert m.target(in_quote_on_entity, None) == (QUOTE_START, QUOTE_END)
    org = TEXT.index("Giao")
    assert TEXT[slice(*m.target(org, None))] == "Sở Giao thông Hà Nội"
    assert m.target(TEXT.index("vui"), None) is None
    # a hidden kind is not a target
    assert TEXT[slice(*m.target(in_quote_on_entity, None, hidden=frozenset({"quote"})))] == "Hà Nội"


def test_copy_takes_the_quote_under_the_cursor_and_cites_speaker_title_and_file_name(store):
    m = _model(store)
    target = m.copy_target(TEXT.index("tuyến"), None)
    assert target == (QUOTE_START, QUOTE_END)
    assert m.copy_target(TEXT.index("vui"), None) is None
    expected = "“Hà Nội sẽ mở thêm ba tuyến buýt.” — Nguyễn Văn An, Hà Nội mở thêm tuyến buýt (buyt.txt)"
    assert m.citation(*target) == expected  # the file's name, never its absolute path
    # a selection that took the quotation marks along is not cited as ““…””
    assert m.citation(QUOTE_START - 1, QUOTE_END + 1) == expected


def test_citation_cuts_a_long_headline_at_a_word_and_prefers_the_url(store):
    long_title = "Tin " + " ".join(f"chữ{i}" for i in range(60))
    m = _model(store, title=long_title, source="https://vnexpress.net/buyt.html")
    cited = m.citation(QUOTE_START, QUOTE_END)
    title = cited.split("An, ", 1)[1].rsplit(" (", 1)[0]
    assert len(title) <= 100 and title.endswith("…") and long_title.startswith(title[:-1])
    assert title[:-1].split()[-1] in long_title.split()  # cut between words
    assert cited.endswith("(https://vnexpress.net/buyt.html)")


def test_entity_under_gives_surface_and_label_for_a_correction(store):
    m = _model(store)
    assert m.entity_under(TEXT.index("Văn"), None) == ("Nguyễn Văn An", "PER")
    sel = (TEXT.index("Người"), TEXT.index("Người") + 9)
    assert m.entity_under(0, sel) == ("Người dân", None)
    assert m.entity_under(TEXT.index("vui"), None) is None


# -- changes --------------------------------------------------------------------------------------------
def test_annotate_update_delete_keep_marks_and_notes_in_step(store):
    m = _model(store)
    m.open()
    out = m.annotate((QUOTE_START, QUOTE_END), ["trích dẫn"], "hứa hẹn")
    assert out.ok
    [note] = m.note_items()
    assert (note.start, note.end, note.tags, note.note) == (QUOTE_START, QUOTE_END, ("trích dẫn",), "hứa hẹn")
    assert any(s.kind == "annotation" and s.key == note.annotation_id for s in m.marks)
    assert m.annotation_at(QUOTE_START + 2) == note.annotation_id
    assert m.update(note.annotation_id, ["xác minh"], "").ok
    assert m.note_items()[0].tags == ("xác minh",)
    assert m.delete(note.annotation_id).ok
    assert m.note_items() == [] and not any(s.kind == "annotation" for s in m.marks)
    assert store.all() == []


def test_a_whole_article_note_is_listed_but_not_drawn(store):
    m = _model(store)
    assert m.annotate(None, ["đọc sau"], "").ok
    [note] = m.note_items()
    assert note.start is None and note.status == "article"
    assert not any(s.kind == "annotation" for s in m.marks)


def test_a_refused_annotation_leaves_store_and_model_as_they_were(store):
    m = _model(store)
    out = m.annotate((5, 1), ["x"], "")  # reversed span: the store refuses it
    assert not out.ok and out.error.startswith("Could not save the annotation")
    assert store.all() == [] and m.note_items() == []


def test_correct_adds_a_correction_the_store_returns(store):
    m = _model(store)
    assert m.correct("Sở Giao thông Hà Nội", "ORG", "global").ok
    assert [(c.surface, c.label) for c in store.corrections()] == [("Sở Giao thông Hà Nội", "ORG")]
    assert not m.correct("x", "NOPE", "global").ok


# -- reading state --------------------------------------------------------------------------------------
def test_open_restores_the_saved_position_and_writes_a_position_only_when_it_changes(store, monkeypatch):
    m = _model(store)
    assert m.open() == 0
    assert m.save_position(40).ok
    calls = []
    real = store.set_reading
    monkeypatch.setattr(store, "set_reading", lambda *a, **k: calls.append(k) or real(*a, **k))
    assert m.save_position(40).ok and calls == []
    m2 = _model(store)
    assert m2.open() == 40


def test_a_saved_position_past_the_end_opens_at_the_top(store):
    m = _model(store)
    store.set_reading(m.article.id, position=len(TEXT) + 50)
    assert _model(store).open() == 0


@pytest.mark.parametrize(("policy", "read_on_open", "read_at_end"), [
    ("open", True, True), ("end", False, True), ("never", False, False),
])
def test_mark_read_policy(store, policy, read_on_open, read_at_end):
    m = _model(store, mark_read=policy)
    m.open()
    assert m.read is read_on_open and store.reading(m.article.id).read is read_on_open
    m.reached_end()
    assert m.read is read_at_end and store.reading(m.article.id).read is read_at_end


def test_marking_unread_by_hand_is_not_undone_by_reaching_the_end(store):
    m = _model(store, mark_read="end")
    m.open()
    assert m.reached_end() is True and m.read
    assert m.toggle_read().ok and not m.read
    assert m.reached_end() is False and not store.reading(m.article.id).read


def test_an_unknown_policy_falls_back_to_end(store):
    assert _model(store, mark_read="sometimes").mark_read == "end"


def test_find_returns_the_models_search_state(store):
    m = _model(store)
    state = m.find("HA NOI")
    assert state is m.search and len(state.hits) == 3 and state.current is None
