"""Copy the quote or the selection, with and without a citation, by every route; never crash."""

from __future__ import annotations

import base64

from docbao.store.citation import citation
from docbao.tui.clipboard import Clipboard, osc52
from tests.ui.conftest import TEXT, FakeNative, open_reader, settle

QUOTE = "Phương Tây đang leo thang căng thẳng"
TITLE = "Putin gặp Lukashenko ở Minsk"
SOURCE = "https://example.vn/putin-minsk"


async def test_copy_the_quote_under_the_cursor(make_app, native, data_dir) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index(QUOTE) + 3)
        await pilot.press("c")
        assert app.clipboard == QUOTE
        assert native.copied == [QUOTE]
        assert app.last_copy.confirmed
        assert not (data_dir / "clipboard.txt").exists()
        note = app._notifications
        assert any("Phương Tây" in n.message and "fake clipboard" in n.message for n in note)


async def test_copy_with_citation(make_app, native) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index(QUOTE))
        await pilot.press("C")
        expected = f"“{QUOTE}” — Tổng thống Nga, {TITLE} ({SOURCE})"
        assert app.clipboard == expected
        assert native.copied == [expected]


async def test_copy_the_selection(make_app, native) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        start = TEXT.index("hiệp ước an ninh")
        reader.view.select_range(start, start + len("hiệp ước an ninh"))
        await pilot.press("c")
        assert app.clipboard == "hiệp ước an ninh"
        await pilot.press("C")
        assert app.clipboard == f"“hiệp ước an ninh” — {TITLE} ({SOURCE})"  # no speaker: not in a quote


async def test_native_clipboard_that_raises_falls_back_to_a_file(make_app, data_dir) -> None:
    failing = FakeNative(fail=True)
    app = make_app(native=failing)
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index(QUOTE))
        await pilot.press("c")
        await settle(pilot)
        assert app.clipboard == QUOTE  # OSC 52 was still sent
        result = app.last_copy
        assert not result.confirmed
        assert (data_dir / "clipboard.txt").read_text(encoding="utf-8") == QUOTE + "\n"
        msg = next(n.message for n in app._notifications if "Phương Tây" in n.message)
        assert "clipboard.txt" in msg and "unavailable" in msg
        assert reader.is_attached  # no crash


async def test_nothing_to_copy(make_app, native) -> None:
    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(TEXT.index("gặp"))
        await pilot.press("c")
        assert native.copied == []
        assert any("Nothing to copy" in n.message for n in app._notifications)


def test_clipboard_routes_in_tmux(tmp_path) -> None:
    written: list[str] = []
    recorded: list[str] = []
    cb = Clipboard(native=FakeNative(fail=True), fallback_dir=tmp_path, environ={"TMUX": "/tmp/tmux-0/default,1,0"})
    result = cb.copy("xin chào", write=written.append, set_app_clipboard=recorded.append)
    assert recorded == ["xin chào"]
    payload = base64.b64encode("xin chào".encode()).decode()
    assert written == [f"\x1bPtmux;\x1b\x1b]52;c;{payload}\a\x1b\\"]
    assert result.routes == ["OSC 52 via tmux"]
    assert result.file == tmp_path / "clipboard.txt"
    assert osc52("a") == "\x1b]52;c;YQ==\a"


def test_clipboard_survives_a_closed_terminal_and_unwritable_dir(tmp_path) -> None:
    def broken(_: str) -> None:
        raise OSError("terminal gone")

    blocker = tmp_path / "file"
    blocker.write_text("x")
    cb = Clipboard(native=FakeNative(fail=True), fallback_dir=blocker / "sub", environ={})
    result = cb.copy("x", write=broken)
    assert not result.confirmed and result.file is None
    assert any("OSC 52 failed" in e for e in result.errors)
    assert any("could not write" in e for e in result.errors)


def test_real_pyperclip_failure_is_caught(tmp_path, monkeypatch) -> None:
    import pyperclip

    def boom(_: str) -> None:
        raise pyperclip.PyperclipException("no copy/paste mechanism")

    monkeypatch.setattr(pyperclip, "copy", boom)
    result = Clipboard(fallback_dir=tmp_path, environ={}).copy("abc")
    assert not result.confirmed and result.file is not None


def test_citation_format() -> None:
    assert citation(" lời ", "ông A", "Tựa", "https://x") == "“lời” — ông A, Tựa (https://x)"
    assert citation("lời", None, "Tựa", "") == "“lời” — Tựa"
