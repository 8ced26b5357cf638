"""Quote finding on small texts, one behaviour each (entities given by hand, so the tagger is not involved)."""

from docbao.analysis.entities import find_all
from docbao.analysis.quotes import find_quotes
from docbao.analysis.spans import Span


def ents(text, *pairs):
    out = []
    for surface, label in pairs:
        for s, e in find_all(text, surface):
            out.append(Span(s, e, label, text[s:e]))
    return sorted(out, key=lambda sp: sp.start)


def only(text, entities=(), kind=None):
    qs = find_quotes(text, list(entities))
    return [q for q in qs if kind is None or q.kind == kind]


def test_curly_quote_after_colon_is_direct_with_subject_as_speaker():
    t = "Bộ trưởng Nguyễn Văn An cho biết: “Chúng tôi sẽ làm ngay”."
    (q,) = only(t, ents(t, ("Nguyễn Văn An", "PER")))
    assert (q.kind, q.text, q.speaker.text) == ("direct", "Chúng tôi sẽ làm ngay", "Nguyễn Văn An")
    assert t[q.start:q.end] == q.text


def test_name_right_after_the_quote_wins():
    t = "Tổng thống Nga cho biết: \"Phương Tây leo thang\", ông Putin nói thêm."
    (q,) = only(t, ents(t, ("Putin", "PER")))
    assert q.speaker.text == "Putin"


def test_angle_quotes_and_straight_quotes_pair():
    t = "Bà Lan nói rằng «trời đẹp quá» và \"mai đi chơi\"."
    qs = only(t, ents(t, ("Lan", "PER")))
    assert [q.text for q in qs] == ["trời đẹp quá", "mai đi chơi"]
    assert all(q.kind == "direct" and q.speaker.text == "Lan" for q in qs)


def test_short_quote_without_speech_context_is_a_term():
    t = "Dự án “Thành phố thông minh” được khởi công ở Đà Nẵng."
    (q,) = only(t)
    assert (q.kind, q.text, q.speaker) == ("term", "Thành phố thông minh", None)


def test_quote_spanning_sentences_stays_one_quote():
    t = "Ông An nói: “Tôi đi. Anh về. Mai gặp lại”. Rồi ông đi."
    (q,) = only(t, ents(t, ("An", "PER")), kind="direct")
    assert q.text == "Tôi đi. Anh về. Mai gặp lại"


def test_colon_speech_without_marks_is_indirect():
    t = "Ông Trần Văn Bình cho biết: hàng nghìn hộ dân đã được di dời an toàn."
    (q,) = only(t, ents(t, ("Trần Văn Bình", "PER")))
    assert q.kind == "indirect"
    assert q.text == "hàng nghìn hộ dân đã được di dời an toàn"
    assert q.speaker.text == "Trần Văn Bình"


def test_rang_after_a_speech_verb_with_an_object_takes_the_subject_of_the_verb():
    t = "Anh Minh, bạn của ông Hùng, nói với báo chí rằng công trình sẽ xong vào cuối năm."
    (q,) = only(t, ents(t, ("Minh", "PER"), ("Hùng", "PER")))
    assert q.kind == "indirect" and q.speaker.text == "Minh"
    assert q.text == "công trình sẽ xong vào cuối năm"


def test_theo_someone_is_indirect_but_theo_a_document_is_not():
    t = "Theo ông Lê Văn Tám, giá xăng sẽ giảm mạnh trong tháng tới. Theo biên bản cuộc họp, mọi việc ổn."
    qs = only(t, ents(t, ("Lê Văn Tám", "PER")))
    assert [(q.text, q.speaker.text) for q in qs] == [("giá xăng sẽ giảm mạnh trong tháng tới", "Lê Văn Tám")]


def test_speech_verb_followed_by_a_preposition_is_not_speech():
    t = "Ông Putin phát biểu tại Minsk về nhiều vấn đề quan trọng của khu vực."
    assert only(t, ents(t, ("Putin", "PER"))) == []


def test_unclosed_quote_is_ignored_and_never_crosses_paragraphs():
    t = "Ông An nói: “Tôi đi\nBà Bình nói: “Tôi ở lại”."
    qs = only(t, ents(t, ("An", "PER"), ("Bình", "PER")), kind="direct")
    assert [q.text for q in qs] == ["Tôi ở lại"]
    assert qs[0].speaker.text == "Bình"


def test_pronoun_speaker_resolves_to_the_last_person_named():
    t = "Anh Nguyễn Văn Tư làm nghề chài lưới. “Cá chết nhiều lắm”, ông nói."
    (q,) = only(t, ents(t, ("Nguyễn Văn Tư", "PER")), kind="direct")
    assert q.speaker.text == "Nguyễn Văn Tư"
