"""tui/config.py: the config file (every key, every error), the remembered state, the theme's precedence, the
citation renderer, and docs/config.toml, which must always load."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import platformdirs
import pytest

from docbao.tui import config as cfg
from docbao.tui.config import Config, ConfigError, State, effective_theme, load, render_citation
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "config.toml"
THEMES = ("textual-dark", "textual-light", "nord")
IDS = ("reader.annotate", "reader.copy_cite", "article_view.read_down", "reader.toggle.PER", "app.theme")


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DOCBAO_CONFIG", raising=False)
    monkeypatch.delenv("DOCBAO_THEME", raising=False)


def write(tmp_path: Path, text: str | bytes, name: str = "config.toml") -> Path:
    p = tmp_path / name
    if isinstance(text, str):
        p.write_text(text, encoding="utf-8")
    else:
        p.write_bytes(text)
    return p


def read(tmp_path: Path, text: str) -> Config:
    return load(write(tmp_path, text), themes=THEMES, binding_ids=IDS)


def real_binding_ids() -> set[str]:
    """Every binding id of docbao's App, screens and widgets (what the app passes to load)."""
    from textual.binding import Binding

    import docbao.tui

    ids = set()
    for info in pkgutil.walk_packages(docbao.tui.__path__, "docbao.tui."):
        if info.name.endswith("__main__"):
            continue
        for _, cls in inspect.getmembers(importlib.import_module(info.name), inspect.isclass):
            ids |= {b.id for b in cls.__dict__.get("BINDINGS", ()) if isinstance(b, Binding) and b.id}
    return ids


def real_themes() -> set[str]:
    from textual.app import App

    return set(App().available_themes)


# -- the file ---------------------------------------------------------------------------------------------
def test_a_missing_file_gives_the_defaults(tmp_path):
    c = load(tmp_path / "none.toml", themes=THEMES, binding_ids=IDS)
    assert c == Config(path=tmp_path / "none.toml")
    assert (c.theme, c.keymap, c.library_paths, c.mark_read, c.export_folder) == ("textual-dark", {}, (), "end", None)
    assert c.citation_format == cfg.DEFAULT_CITATION == "“{quote}” — {speaker}, {title} ({source})"
    assert read(tmp_path, "") == Config(path=tmp_path / "config.toml")


def test_default_path_is_the_user_config_folder_or_docbao_config(monkeypatch, tmp_path):
    expected = Path(platformdirs.user_config_dir("docbao", appauthor=False)) / "config.toml"
    assert cfg.default_path() == expected
    monkeypatch.setenv("DOCBAO_CONFIG", "~/elsewhere.toml")
    assert cfg.default_path() == Path.home() / "elsewhere.toml"
    assert cfg.default_path({"DOCBAO_CONFIG": str(tmp_path / "x.toml")}) == tmp_path / "x.toml"
    monkeypatch.setenv("DOCBAO_CONFIG", str(write(tmp_path, 'theme = "nord"')))
    assert load(themes=THEMES, binding_ids=IDS).theme == "nord"


def test_every_key(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    c = read(tmp_path, """
theme = "textual-light"
[keymap]
"reader.annotate" = "t"
"article_view.read_down" = " j , down "
"reader.copy_cite" = ["y", "ctrl+y"]
reader.toggle.PER = "question_mark"    # unquoted: TOML makes it a nested table; it means the same id
[library]
paths = ["~/news", "more", "/abs/x.txt"]
[reader]
mark_read = "open"
[citation]
format = "{speaker}: {quote} — {title}, {date}, {url} [{source}]"
[export]
folder = "~/out"
""")
    home = tmp_path / "home"
    assert c.theme == "textual-light"
    assert c.keymap == {"reader.annotate": "t", "article_view.read_down": "j,down", "reader.copy_cite": "y,ctrl+y",
                        "reader.toggle.PER": "question_mark"}
    assert c.library_paths == (home / "news", tmp_path / "more", Path("/abs/x.txt"))  # relative: to the file
    assert c.mark_read == "open"
    assert c.citation_format.startswith("{speaker}")
    assert c.export_folder == home / "out"
    assert read(tmp_path, '[export]\nfolder = "exports"').export_folder == tmp_path / "exports"
    for mode in cfg.MARK_READ:
        assert read(tmp_path, f'[reader]\nmark_read = "{mode}"').mark_read == mode


def test_config_is_frozen_and_its_keymap_a_fresh_dict(tmp_path):
    c = read(tmp_path, '[keymap]\n"app.theme" = "f2"')
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.theme = "nord"  # type: ignore[misc]
    c.keymap["app.theme"] = "x"
    assert c.keymap == {"app.theme": "f2"}


ERRORS = [  # (file, the key the message names, a part of the message)
    ("theme = nord", "theme", "not valid TOML: Invalid value (at line 1, column 9)"),
    ('[reader]\nmark_read = sometimes\n', "reader.mark_read", "not valid TOML: Invalid value (at line 2, column 13)"),
    ('[keymap]\n"reader.annotate" = "a\n', "keymap.reader.annotate", "not valid TOML: Illegal character"),
    ('[reader]\nmark_read = "end"\n[reader]\n', None, "not valid TOML: Cannot declare ('reader',) twice"),
    ("[reader\n", None, "not valid TOML"),
    ('them = "nord"', "them", "unknown key (did you mean theme?); keys are theme, keymap, library"),
    ('[reader]\nmark = "end"', "reader.mark", "unknown key (did you mean mark_read?); [reader] keys are mark_read"),
    ('[library]\npath = []', "library.path", "unknown key (did you mean paths?)"),
    ('[citation]\nformats = "{quote}"', "citation.formats", "unknown key"),
    ('[export]\ndir = "x"', "export.dir", "unknown key"),
    ("reader = 3", "reader", "must be a table, written [reader] (got 3)"),
    ('keymap = "a"', "keymap", 'must be a table, written [keymap] (got "a")'),
    ("theme = 3", "theme", "must be a non-empty string (got 3)"),
    ('theme = "nrod"', "theme", 'unknown theme "nrod" (did you mean nord?); choose one of nord, textual-dark, '
                                "textual-light"),
    ('[keymap]\n"reader.anotate" = "a"', "keymap.reader.anotate", "unknown binding id (did you mean reader.annotate?)"),
    ('[keymap]\nnope = "a"', "keymap.nope", "unknown binding id"),
    ('[keymap]\n"reader.annotate" = ""', "keymap.reader.annotate", 'must be a non-empty string (got "")'),
    ('[keymap]\n"reader.annotate" = " , "', "keymap.reader.annotate", '"" in " , " is not a Textual key name'),
    ('[keymap]\n"reader.annotate" = "j down"', "keymap.reader.annotate", '"j down" is not a Textual key name'),
    ('[keymap]\n"reader.annotate" = "Down"', "keymap.reader.annotate", '"Down" is not a Textual key name'),
    ('[keymap]\n"reader.annotate" = "ctrl+"', "keymap.reader.annotate", '"ctrl+" is not'),
    ('[keymap]\n"reader.annotate" = "j,,k"', "keymap.reader.annotate", '"" in "j,,k" is not a Textual key name'),
    ('[keymap]\n"reader.annotate" = 3', "keymap.reader.annotate", "must be a non-empty string (got 3)"),
    ('[keymap]\n"reader.annotate" = []', "keymap.reader.annotate", "needs at least one key"),
    ('[keymap]\n"reader.annotate" = ["a", 3]', "keymap.reader.annotate", "3 in a list is not a Textual key name"),
    ('[keymap]\n"reader.annotate" = "a"\nreader.annotate = "b"', "keymap.reader.annotate", "set twice"),
    ('[library]\npaths = "~/news"', "library.paths", 'must be a list of strings, like ["~/news"] (got "~/news")'),
    ('[library]\npaths = ["a", 3]', "library.paths[1]", "must be a non-empty string (got 3)"),
    ('[library]\npaths = [""]', "library.paths[0]", 'must be a non-empty string (got "")'),
    ('[reader]\nmark_read = "sometimes"', "reader.mark_read", 'must be one of open, end, never (got "sometimes")'),
    ("[reader]\nmark_read = true", "reader.mark_read", "must be one of open, end, never (got true)"),
    ('[citation]\nformat = "{author}: {quote}"', "citation.format",
     "unknown placeholder {author}; use {quote}, {speaker}, {title}, {source}, {date}, {url}"),
    ('[citation]\nformat = "{quote.upper}"', "citation.format", "unknown placeholder {quote.upper} (did you mean"),
    ('[citation]\nformat = "{}"', "citation.format", "unknown placeholder {}"),
    ('[citation]\nformat = "{quote"', "citation.format", "expected '}' before end of string (write {{ and }}"),
    ('[citation]\nformat = "{quote:d}"', "citation.format", "does not render: Unknown format code 'd'"),
    ('[citation]\nformat = "{quote!x}"', "citation.format", "does not render"),
    ('[citation]\nformat = """\n"""', "citation.format", 'must be a non-empty string (got "")'),
    ("[citation]\nformat = 1", "citation.format", "must be a non-empty string (got 1)"),
    ('[export]\nfolder = ""', "export.folder", 'must be a non-empty string (got "")'),
    ("[export]\nfolder = [1]", "export.folder", "must be a non-empty string (got a list)"),
]


@pytest.mark.parametrize(("text", "key", "message"), ERRORS)
def test_every_error_is_one_line_naming_the_file_and_the_key(tmp_path, text, key, message):
    with pytest.raises(ConfigError) as err:
        read(tmp_path, text)
    line = str(err.value)
    assert "\n" not in line and "\r" not in line
    prefix = f"{tmp_path / 'config.toml'}: " + (f"{key}: " if key else "")
    assert line.startswith(prefix), line
    assert message in line, line
    assert (err.value.key, err.value.where) == (key, str(tmp_path / "config.toml"))


def test_the_message_shows_the_home_folder_as_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    path = tmp_path / ".config" / "docbao" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text('[reader]\nmark_read = "sometimes"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load(path, themes=THEMES, binding_ids=IDS)
    assert str(err.value) == ('~/.config/docbao/config.toml: reader.mark_read: must be one of open, end, never '
                              '(got "sometimes")')
    assert cfg.display_path(Path("rel/c.toml")) == "rel/c.toml"  # as given
    assert cfg.display_path(Path("/elsewhere/c.toml")) == "/elsewhere/c.toml"


def test_unreadable_or_undecodable_files_are_one_line_errors(tmp_path):
    with pytest.raises(ConfigError, match=r"^.*config\.toml: not UTF-8 text \(bad byte at offset 9\)$"):
        load(write(tmp_path, b'theme = "\xff"'), themes=THEMES, binding_ids=IDS)
    (tmp_path / "dir.toml").mkdir()
    with pytest.raises(ConfigError, match=r"dir\.toml: cannot read: Is a directory$"):
        load(tmp_path / "dir.toml", themes=THEMES, binding_ids=IDS)
    assert load(write(tmp_path, '\ufefftheme = "nord"'), themes=THEMES, binding_ids=IDS).theme == "nord"  # BOM


def test_a_multiline_value_still_gives_one_line(tmp_path):
    with pytest.raises(ConfigError) as err:
        read(tmp_path, '[reader]\nmark_read = """a\nb"""')
    assert "\n" not in str(err.value) and '(got "a\\nb")' in str(err.value)


async def test_the_keymap_drives_textual_set_keymap(tmp_path):
    from textual.app import App
    from textual.binding import Binding

    class Tiny(App[None]):
        BINDINGS = [Binding("a", "hit", id="reader.annotate")]  # noqa: RUF012
        hits = 0

        def action_hit(self) -> None:
            self.hits += 1

    app = Tiny()
    app.set_keymap(read(tmp_path, '[keymap]\n"reader.annotate" = "j, question_mark"').keymap)
    async with app.run_test() as pilot:
        await pilot.press("a", "j", "question_mark")
        assert app.hits == 2


# -- theme: $DOCBAO_THEME > remembered > config > default ----------------------------------------------------
def test_theme_precedence(tmp_path):
    state = State(tmp_path / "state.json")
    default = read(tmp_path, "")
    configured = read(tmp_path, 'theme = "nord"')
    assert effective_theme(default, state, {}) == "textual-dark"
    assert effective_theme(configured, state, {}) == "nord"
    state.theme = "textual-light"
    assert effective_theme(configured, state, {}) == "textual-light"
    assert effective_theme(configured, state, {"DOCBAO_THEME": "textual-dark"}) == "textual-dark"
    assert effective_theme(configured, state, {"DOCBAO_THEME": " "}) == "textual-light"  # blank: unset
    state.theme = "gone-theme"  # remembered, but no longer a theme: ignored
    assert effective_theme(configured, state, {}) == "nord"
    assert effective_theme(configured, state, {}, themes=["gone-theme"]) == "gone-theme"


def test_theme_from_the_environment_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBAO_THEME", "textual-light")
    assert effective_theme(read(tmp_path, 'theme = "nord"'), State(tmp_path / "s.json", "nord")) == "textual-light"


def test_an_unknown_docbao_theme_is_a_one_line_error(tmp_path):
    with pytest.raises(ConfigError) as err:
        effective_theme(read(tmp_path, ""), State(tmp_path / "s.json"), {"DOCBAO_THEME": "nrod"})
    assert str(err.value) == ('DOCBAO_THEME: unknown theme "nrod" (did you mean nord?); choose one of nord, '
                              "textual-dark, textual-light")


# -- remembered state ---------------------------------------------------------------------------------------
def test_state_round_trip_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCBAO_DATA_DIR", str(tmp_path / "data"))
    state = State.load()
    assert (state.path, state.theme) == (tmp_path / "data" / "state.json", None)
    state.save_theme("textual-light")
    assert state.theme == "textual-light"
    assert State.load().theme == "textual-light"
    assert json.loads(state.path.read_text(encoding="utf-8")) == {"theme": "textual-light"}
    assert [p.name for p in state.path.parent.iterdir()] == ["state.json"]  # no temporary file left


def test_state_keeps_keys_it_does_not_know_and_survives_a_bad_file(tmp_path):
    path = tmp_path / "state.json"
    path.write_text('{"theme": "nord", "future": [1, 2]}', encoding="utf-8")
    state = State.load(path)
    state.save_theme("textual-dark")
    assert json.loads(path.read_text(encoding="utf-8")) == {"future": [1, 2], "theme": "textual-dark"}
    for bad in ("{not json", "[1, 2]", '{"theme": 3}', ""):
        path.write_text(bad, encoding="utf-8")
        assert State.load(path).theme is None


def test_state_write_failure_raises_and_leaves_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    State(path).save_theme("nord")

    def boom(*_a: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cfg.os, "replace", boom)
    with pytest.raises(OSError):
        State(path).save_theme("textual-light")
    assert State.load(path).theme == "nord"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


# -- citations ---------------------------------------------------------------------------------------------
FULL = {"quote": "Q", "speaker": "S", "title": "T", "source": "Src"}


@pytest.mark.parametrize(("missing", "expected"), [
    ((), "“Q” — S, T (Src)"),
    (("speaker",), "“Q” — T (Src)"),
    (("source",), "“Q” — S, T"),
    (("speaker", "source"), "“Q” — T"),
    (("title",), "“Q” — S (Src)"),
    (("speaker", "title"), "“Q” (Src)"),
    (("title", "source"), "“Q” — S"),
    (("quote",), "S, T (Src)"),
    (("quote", "speaker", "title", "source"), ""),
])
def test_the_default_citation_reads_well_with_parts_missing(missing, expected):
    assert render_citation(cfg.DEFAULT_CITATION, **{k: v for k, v in FULL.items() if k not in missing}) == expected
    blank = {k: ("" if k in missing else v) for k, v in FULL.items()}
    assert render_citation(cfg.DEFAULT_CITATION, **blank) == expected
    assert Config().cite(**{k: (None if k in missing else v) for k, v in FULL.items()}) == expected


def test_other_formats_and_values_are_left_alone():
    fmt = "{speaker}: “{quote}” ({title}, {date}) {url}"
    assert render_citation(fmt, speaker="S", quote="q", title="T", date="2024", url="u") == "S: “q” (T, 2024) u"
    assert render_citation(fmt, quote="q", title="T", date="2024") == "“q” (T, 2024)"
    assert render_citation(fmt, speaker="S", quote="q", date="2024") == "S: “q” (2024)"
    assert render_citation(fmt, speaker="S", quote="q", title="T") == "S: “q” (T)"
    # values are never trimmed of their own punctuation or brackets
    got = render_citation(cfg.DEFAULT_CITATION, quote="a (), b ,", title="Mr. X.", speaker=" ")
    assert got == "“a (), b ,” — Mr. X."
    assert render_citation("{{{title}}} {quote!r}", title="T", quote="q") == "{T} 'q'"


def test_every_placeholder_is_accepted(tmp_path):
    fmt = " ".join(f"{{{p}}}" for p in cfg.PLACEHOLDERS)
    assert read(tmp_path, f'[citation]\nformat = "{fmt}"').cite(**{p: p.upper() for p in cfg.PLACEHOLDERS}) \
        == "QUOTE SPEAKER TITLE SOURCE DATE URL"


# -- the module and the documented file ----------------------------------------------------------------------
def test_config_imports_no_textual():
    code = "import sys, docbao.tui.config; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_documented_file_loads_with_the_real_themes_and_bindings():
    themes, ids = real_themes(), real_binding_ids()
    assert {"textual-dark", "textual-light", "reader.annotate", "article_view.read_down"} <= themes | ids
    c = load(DOCS, themes=themes, binding_ids=ids)
    assert dataclasses.replace(c, path=None) == Config()  # it documents the defaults


def test_the_documented_examples_load_too(tmp_path):
    example = re.compile(r"^# ((?:\"[\w.]+\"|[a-z_]+) = .*)$", re.MULTILINE)
    text = DOCS.read_text(encoding="utf-8")
    examples = example.findall(text)
    assert len(examples) >= 8
    for line in examples:  # an example replaces the default it shows
        key = line.split(" = ")[0]
        text = re.sub(rf"^{re.escape(key)} = .*$", "", text, flags=re.MULTILINE)
    c = load(write(tmp_path, example.sub(r"\1", text)), themes=real_themes(), binding_ids=real_binding_ids())
    assert c.keymap["article_view.read_down"] == "j,down" and c.export_folder is not None and c.library_paths
    assert c.citation_format.startswith("{speaker}") and c.keymap["article_view.read_up"] == "k,up"


def test_the_documented_file_names_every_key_and_only_real_binding_ids():
    text = DOCS.read_text(encoding="utf-8")
    keys = {"theme", *cfg.SECTIONS, *(k for ks in cfg.SECTIONS.values() for k in ks)}
    for key in keys:
        assert re.search(rf"^(# )?(\[{key}\]|{key} =)", text, re.MULTILINE), f"docs/config.toml lacks {key}"
    listed = {tok for line in re.findall(r"^#   (\S.*)$", text, re.MULTILINE) for tok in line.split()
              if re.fullmatch(r"[a-z_]+(\.[A-Za-z_]+)+", tok)}
    assert len(listed) > 20
    assert listed <= real_binding_ids(), listed - real_binding_ids()
    assert cfg.DEFAULT_THEME in text and cfg.DEFAULT_CITATION in text
