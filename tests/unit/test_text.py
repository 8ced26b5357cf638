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
       | st.sampled_from(["Hà Nội", "ĐỒNG đồng", "Tiếng Việt", "x̃ q̣", "ᄀ\u1161", "ﬁ Ω K Å ß İ",
                          # a Vedic tone mark and an Oriya vowel pair: marks and compositions outside Latin
                          "a\u1cd0", "\u0b47\u0b3e"]))
def test_fold_takes_the_fast_path_only_where_it_equals_the_exact_fold(text):
    from docbao.analysis.text import _fold_exact

    assert fold(text) == _fold_exact(text)
    assert fold(unicodedata.normalize("NFD", text)) == _fold_exact(unicodedata.normalize("NFD", text))


# -- F7: decoding that neither mangles nor refuses a file for a few bad bytes ------------------------------
VIETNAMESE = "Tin tức: Hà Nội mưa lớn, người dân đi làm muộn; ông Nguyễn Văn Ánh cho biết."
_TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Vietnamese as cp1258 writes it: base letters precomposed where it can, tones as combining marks."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out.append(base.encode("cp1258") + "".join(c for c in parts if c in _TONES).encode("cp1258"))
    return b"".join(out)


def test_f7_utf8_cut_in_the_middle_of_a_character_is_utf8_with_one_replacement():
    data = VIETNAMESE.encode("utf-8")
    cut = data[: data.index("ộ".encode()) + 2]  # two of the three bytes of "ộ"
    with pytest.warns(UnicodeWarning, match="2 bytes that are not UTF-8 replaced"):
        text, enc = decode_bytes(cut)
    assert enc == "utf-8" and text == "Tin tức: Hà N\ufffd"


def test_f7_a_single_stray_byte_does_not_get_the_file_refused():
    data = VIETNAMESE.encode("utf-8").replace(b" ", b" \x81", 1)
    with pytest.warns(UnicodeWarning, match="1 byte that is not UTF-8"):
        text, enc = decode_bytes(data)
    assert enc == "utf-8" and text == VIETNAMESE.replace(" ", " \ufffd", 1)
    with pytest.warns(UnicodeWarning):
        assert decode_bytes(b"plain ascii \x9d text") == ("plain ascii \ufffd text", "utf-8")


def test_f7_latin1_is_not_taken_for_cp1258():
    assert decode_bytes(b"S\xe3o Paulo") == ("São Paulo", "cp1252")
    assert decode_bytes(b"caf\xe9 cr\xe8me, per\xf2") == ("café crème, però", "cp1252")


def test_f7_vietnamese_in_cp1258_is_still_read_as_cp1258():
    text, enc = decode_bytes(cp1258(VIETNAMESE))
    assert enc == "cp1258" and normalize_text(text) == VIETNAMESE


@given(st.binary(max_size=200))
def test_f7_fuzz_decode_raises_only_binary_file_error(data):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnicodeWarning)
        try:
            text, enc = decode_bytes(data)
        except BinaryFileError:
            return
    assert enc in ("utf-8", "cp1258", "cp1252")
    text.encode("utf-8")


def test_read_text_file_reads_only_regular_files(tmp_path):
    import os

    from docbao.analysis.text import read_text_file

    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo.txt")
        with pytest.raises(OSError, match="not a regular file"):
            read_text_file(tmp_path / "fifo.txt")
    (tmp_path / "a.txt").write_bytes("Hà Nội".encode())
    assert read_text_file(tmp_path / "a.txt") == ("Hà Nội", "utf-8")
