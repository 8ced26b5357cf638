import json
import shutil

import pytest

from docbao.store.articles import ArticleError, Library, iter_files, load_file
from docbao.store.paths import seeds_dir


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_txt_title_is_first_non_empty_line_and_the_whole_file_is_the_text(tmp_path):
    f = write(tmp_path / "a.txt", "\n\n  Tiêu đề bài báo  \r\nThân bài.\r\n")
    (a,) = load_file(f)
    assert a.title == "Tiêu đề bài báo"
    assert a.text == "\n\n  Tiêu đề bài báo  \nThân bài.\n"  # CRLF → LF, nothing else removed


def test_markdown_title_is_the_first_heading(tmp_path):
    f = write(tmp_path / "b.md", "Lời dẫn\n\n# Hà Nội mưa lớn\n\nNội dung.")
    assert load_file(f)[0].title == "Hà Nội mưa lớn"


def test_html_main_text_and_title_are_extracted(tmp_path):
    html = ("<html><head><title>Mưa lớn | Báo X</title></head><body><nav>Trang chủ Menu</nav><article>"
            "<h1>Hà Nội đón mưa lớn</h1><p>Ông Nguyễn Văn A cho biết: \"Chúng tôi đã chuẩn bị kỹ\".</p>"
            "<p>Theo Bộ Tài nguyên và Môi trường, mưa sẽ kéo dài đến ngày 6/12 ở nhiều tỉnh phía Bắc.</p>"
            "</article><footer>Bản quyền</footer></body></html>")
    (a,) = load_file(write(tmp_path / "c.html", html))
    assert "Chúng tôi đã chuẩn bị kỹ" in a.text
    assert "Bản quyền" not in a.text
    assert a.title.startswith("Hà Nội đón mưa lớn") or a.title.startswith("Mưa lớn")


def test_json_articles_one_or_many(tmp_path):
    f = write(tmp_path / "d.json", json.dumps([{"title": "Một", "text": "Văn bản một."},
                                               {"title": "Hai", "content": "Văn bản hai.", "url": "https://x"}]))
    arts = load_file(f)
    assert [a.title for a in arts] == ["Một", "Hai"]
    assert arts[1].source == "https://x"
    assert arts[0].id != arts[1].id


@pytest.mark.parametrize(("name", "data", "reason"), [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n ", "empty file"),
    ("bin.txt", b"\x89PNG\x00\x00\x01\x02" * 20, "binary"),
    ("bad.json", b"{not json", "not valid JSON"),
    ("nodata.json", b'{"title": "x"}', "no 'text'"),
])
def test_bad_files_give_a_one_line_error_naming_the_file(tmp_path, name, data, reason):
    f = write(tmp_path / name, data)
    with pytest.raises(ArticleError) as err:
        load_file(f)
    assert str(f) in str(err.value) and reason in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_is_reported_and_others_still_load(tmp_path):
    good = write(tmp_path / "good.txt", "Tiêu đề\nNội dung")
    lib = Library.load([tmp_path / "missing.txt", good])
    assert [a.title for a in lib.articles] == ["Tiêu đề"]
    assert len(lib.errors) == 1 and "no such file" in str(lib.errors[0])


def test_ids_survive_moving_the_library_folder_and_editing_the_body(tmp_path):
    write(tmp_path / "lib" / "sub" / "x.txt", "Tiêu đề\nNội dung cũ")
    before = Library.load([tmp_path / "lib"]).articles[0].id
    shutil.move(tmp_path / "lib", tmp_path / "moved")
    after = Library.load([tmp_path / "moved"]).articles[0].id
    write(tmp_path / "moved" / "sub" / "x.txt", "Tiêu đề\nNội dung mới")
    edited = Library.load([tmp_path / "moved" / "sub" / "x.txt"]).articles[0].id
    assert before == after == edited


def test_folders_are_searched_recursively_for_known_suffixes_only(tmp_path):
    write(tmp_path / "a.txt", "A\nx")
    write(tmp_path / "deep" / "er" / "b.md", "# B\ny")
    write(tmp_path / "skip.pdf", b"%PDF")
    write(tmp_path / ".hidden" / "c.txt", "C\nz")
    names = [p.name for p in iter_files([tmp_path])]
    assert names == ["a.txt", "b.md"]


def test_the_bundled_seeds_load(tmp_path):
    lib = Library.load([seeds_dir()])
    assert not lib.errors
    assert len(lib.articles) >= 3
    assert any("Putin" in a.text for a in lib.articles)


def test_ten_megabyte_single_line_and_legacy_encoding(tmp_path):
    big = write(tmp_path / "big.txt", ("Hà Nội " * 1_500_000).encode())
    (a,) = load_file(big)
    assert len(a.text) > 10_000_000 and "\n" not in a.text
    legacy = write(tmp_path / "old.txt", b"Ha\xcc N\xf4\xf2i\nTin c\xfc")
    assert load_file(legacy)[0].title == "Hà Nội"
