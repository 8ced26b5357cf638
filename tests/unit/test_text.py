import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from docbao.analysis.text import BinaryFileError, decode_bytes, fold, normalize_text, text_sha256


def test_normalize_strips_bom_and_turns_crlf_and_cr_into_lf():
    assert normalize_text("\ufeffa\r\nb\rc\n") == "a\nb\nc\n"


def test_normalize_composes_nfd_vietnamese():
    nfd = unicodedata.normalize("NFD", "Hà Nội hoà bình")
    assert nfd != "Hà Nội hoà bình"
    assert normalize_text(nfd) == "Hà Nội hoà bình"


def test_decode_utf8_with_bom():
    assert decode_bytes("\ufeffXin chào".encode()) == ("Xin chào", "utf-8")


def test_decode_falls_back_to_cp1258_for_legacy_vietnamese():
    # cp1258 writes tones as combining marks: "Hà Nội" is H a <grave> space N ô <dot below> i
    legacy = b"Ha\xcc N\xf4\xf2i"
    with pytest.raises(UnicodeDecodeError):
        legacy.decode("utf-8")
    text, enc = decode_bytes(legacy)
    assert enc == "cp1258"
    assert normalize_text(text) == "Hà Nội"


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary\x00", bytes(range(0, 32)) * 10])
def test_binary_content_is_refused(data):
    with pytest.raises(BinaryFileError):
        decode_bytes(data)


def test_fold_strips_marks_and_maps_d_bar():
    assert fold("Hà Nội") == "ha noi"
    assert fold("Đà Nẵng") == "da nang"
    assert fold("ĐỒNG") == fold("đồng") == "dong"


def test_sha256_changes_with_text():
    assert text_sha256("a") != text_sha256("b")
    assert len(text_sha256("Hà Nội")) == 64


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
       | st.sampled_from(["Hà Nội", "ĐỒNG đồng", "Tiếng Việt", "x̃ q̣", "ᄀ\u1161", "ﬁ Ω K Å ß İ"]))
def test_fold_takes_the_fast_path_only_where_it_equals_the_exact_fold(text):
    from docbao.analysis.text import _fold_exact

    assert fold(text) == _fold_exact(text)
    assert fold(unicodedata.normalize("NFD", text)) == _fold_exact(unicodedata.normalize("NFD", text))
