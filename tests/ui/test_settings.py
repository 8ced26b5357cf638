"""Settings as the app applies them: a remapped key, the theme remembered, the citation's format, title
and source, a bad config or DOCBAO_THEME at launch."""

from __future__ import annotations

from docbao.store.articles import from_text
from docbao.store.citation import cite, cite_source, cite_title
from docbao.tui.launch import build_app
from tests.ui.conftest import QUOTE_TEXT, open_reader, settle


async def test_a_keymap_remaps_a_reader_key_and_help_shows_it(make_app) -> None:
    app = make_app(keymap={"reader.annotate": "t", "article_view.read_down": "ctrl+n"})
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        await pilot.press("ctrl+n")
        assert reader.view.offset_to_xy(reader.view.cursor)[1] == 1
        await pilot.press("t")
        await settle(pilot)
        from docbao.tui.screens.dialogs import AnnotateDialog

        assert isinstance(app.screen, AnnotateDialog)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        text = str(app.screen.query_one("#help-text").render())
        assert "t  " in text or "\n  t " in text


async def test_ctrl_t_switches_the_theme_and_remembers_it(make_app) -> None:
    remembered: list[str] = []
    app = make_app(remember_theme=remembered.append)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == "textual-light" and remembered == ["textual-light"]


def test_citation_title_is_the_headline_cut_at_a_word_and_the_source_never_a_local_path() -> None:
    long = "Tổng thống Nga Vladimir Putin phát biểu tại cuộc họp của Hội đồng Nhà nước Tối cao Liên bang Nga và " \
           "Belarus ngày 6/12 về tình hình an ninh khu vực châu Âu"
    title = cite_title(long)
    assert len(title) <= 100 and title.endswith("…") and long.startswith(title[:-1])
    assert long[len(title) - 1] == " "  # cut at a word
    local = from_text("Tựa ngắn\nThân bài.", name="bai.txt", path="/home/someone/news/bai.txt")
    assert cite_source(local) == "bai.txt"
    web = from_text("Tựa\nThân.", name="x.txt", source="https://example.vn/x")
    assert cite_source(web) == "https://example.vn/x"
    assert cite("lời", None, local) == "“lời” — Tựa ngắn (bai.txt)"
    assert cite("lời", "ông A", web, "{speaker}: {quote} [{source}]") == "ông A: lời [https://example.vn/x]"


async def test_copy_with_citation_uses_the_configured_format(make_app, native) -> None:
    app = make_app(citation_format="{quote} ({speaker}; {source})")
    async with app.run_test(size=(120, 30)) as pilot:
        reader = await open_reader(pilot)
        reader.go_to(reader.article.text.index(QUOTE_TEXT))
        await pilot.press("C")
        await settle(pilot)
        assert native.copied[-1] == f"{QUOTE_TEXT} (Tổng thống Nga; https://example.vn/putin-minsk)"


def test_a_bad_config_or_theme_is_one_line_and_exit_2(tmp_path, monkeypatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text('[reader]\nmark_read = "sometimes"\n', encoding="utf-8")
    monkeypatch.setenv("DOCBAO_CONFIG", str(cfg))
    app, errors, code = build_app([])
    assert app is None and code == 2
    assert len(errors) == 1 and "reader.mark_read" in errors[0] and "config.toml" in errors[0]
    cfg.write_text('[keymap]\n"reader.nonexistent" = "z"\n', encoding="utf-8")
    app, errors, code = build_app([])
    assert app is None and code == 2 and "reader.nonexistent" in errors[0]
    cfg.unlink()
    monkeypatch.setenv("DOCBAO_THEME", "bogus")
    app, errors, code = build_app([])
    assert app is None and code == 2 and errors[0].startswith("DOCBAO_THEME")
    monkeypatch.setenv("DOCBAO_THEME", "nord")
    app, errors, code = build_app([])
    assert app is not None and app.theme == "nord" and code == 0
