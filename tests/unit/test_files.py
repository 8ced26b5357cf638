"""write_atomic: a file is replaced whole or left as it was, and no temporary file is left behind."""

from __future__ import annotations

import os

import pytest

from docbao.files import write_atomic


def test_writes_text_as_utf8_and_bytes_as_given(tmp_path):
    p = write_atomic(tmp_path / "sub" / "a.txt", "Hà Nội\n")
    assert p.read_bytes() == "Hà Nội\n".encode()
    write_atomic(p, b"\x00\xff", durable=False)
    assert p.read_bytes() == b"\x00\xff"
    assert sorted(x.name for x in p.parent.iterdir()) == ["a.txt"]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    p = tmp_path / "a.json"
    p.write_text("old", encoding="utf-8")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="No space"):
        write_atomic(p, "new")
    assert p.read_text(encoding="utf-8") == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["a.json"]


def test_text_that_cannot_be_encoded_changes_nothing(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("old", encoding="utf-8")
    with pytest.raises(UnicodeError):
        write_atomic(p, "bad \udc80")
    assert p.read_text(encoding="utf-8") == "old" and len(list(tmp_path.iterdir())) == 1
