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
    t = ("Bà Lan nói: «Hôm nay trời đẹp quá, chúng tôi sẽ ra biển từ sáng sớm». Rồi bà nói thêm: "
         "\"Ngày mai cả nhà tôi lại đi chơi ở Hạ Long\".")
    qs = only(t, ents(t, ("Lan", "PER"), ("Hạ Long", "LOC")))
    assert [q.text for q in qs] == ["Hôm nay trời đẹp quá, chúng tôi sẽ ra biển từ sáng sớm",
                                    "Ngày mai cả nhà tôi lại đi chơi ở Hạ Long"]
    assert all(q.kind == "direct" and q.speaker.text == "Lan" for q in qs)


def test_short_quote_without_speech_context_is_a_term():
    t = "Dự án “Thành phố thông minh” được khởi công ở Đà Nẵng."
    (q,) = only(t)
    assert (q.kind, q.text, q.speaker) == ("term", "Thành phố thông minh", None)


def test_quote_spanning_sentences_stays_one_quote():
    t = "Ông An nói: “Tôi đi. Anh về. Mai gặp lại”. Rồi ông đi."
    (q,) = only(t, ents(t, ("An", "PER")), kind="direct")
    assert q.text == "Tôi đi. Anh về. Mai gặp lại"


def test_colon_speech_without_marks_is_direct_and_found_once():
    # CONVENTIONS: speech after a speech verb and a colon, without marks, is direct (final stop outside)
    t = "Ông Trần Văn Bình cho biết: Hàng nghìn hộ dân đã được di dời an toàn trước khi bão đổ bộ."
    (q,) = only(t, ents(t, ("Trần Văn Bình", "PER")))
    assert q.kind == "direct"
    assert q.text == "Hàng nghìn hộ dân đã được di dời an toàn trước khi bão đổ bộ"
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


def test_an_unclosed_quote_runs_to_its_paragraphs_end_and_not_into_the_next_quote():
    t = "Ông An nói: “Tôi đi ngay bây giờ\nBà Bình nói: “Tôi ở lại đây với các cháu”."
    qs = only(t, ents(t, ("An", "PER"), ("Bình", "PER")), kind="direct")
    assert [(q.text, q.speaker.text) for q in qs] == [("Tôi đi ngay bây giờ", "An"),
                                                      ("Tôi ở lại đây với các cháu", "Bình")]


def test_a_quote_that_closes_paragraphs_later_is_one_quote():
    t = ("Ông An nói: “Chúng tôi đã làm hết sức mình.\nNăm sau chúng tôi sẽ làm tốt hơn nữa, "
         "đó là lời hứa của cả đội”, ông nhấn mạnh.\nTrận sau diễn ra ở Hà Nội.")
    (q,) = only(t, ents(t, ("An", "PER"), ("Hà Nội", "LOC")), kind="direct")
    assert q.text.startswith("Chúng tôi đã làm") and q.text.endswith("lời hứa của cả đội")
    assert q.speaker.text == "An"


def test_pronoun_speaker_resolves_to_the_last_person_named():
    t = "Anh Nguyễn Văn Tư làm nghề chài lưới. “Cá chết nhiều lắm”, ông nói."
    (q,) = only(t, ents(t, ("Nguyễn Văn Tư", "PER")), kind="direct")
    assert q.speaker.text == "Nguyễn Văn Tư"


def test_someone_described_by_an_organisation_is_not_the_organisation():
    t = "Đại diện Vietravel cho biết: “Giá tour dịp lễ tăng nhẹ”."
    (q,) = only(t, ents(t, ("Vietravel", "ORG")), kind="direct")
    assert q.speaker.text == "Đại diện Vietravel"
    t = "Vietravel cho biết: “Giá tour dịp lễ tăng nhẹ”."
    (q,) = only(t, ents(t, ("Vietravel", "ORG")), kind="direct")
    assert q.speaker.text == "Vietravel"
    t = "Một quan chức Nhà Trắng cho biết: “Chúng tôi sẽ xem xét”."
    (q,) = only(t, ents(t, ("Nhà Trắng", "ORG")), kind="direct")
    assert q.speaker.text == "Một quan chức Nhà Trắng"
    # a person inside the phrase is the speaker
    t = "Giám đốc Vietravel Nguyễn Văn An cho biết: “Giá tour dịp lễ tăng nhẹ”."
    (q,) = only(t, ents(t, ("Vietravel", "ORG"), ("Nguyễn Văn An", "PER")), kind="direct")
    assert q.speaker.text == "Nguyễn Văn An"
