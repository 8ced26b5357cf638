"""docbao's settings: the user's ``config.toml`` (read, never written) and what docbao remembers (``state.json``).

No Textual here: the caller passes in the theme names and binding ids it knows, so a typo in the file is an
error that names it (:class:`ConfigError`, one line: ``FILE: KEY: what is wrong``) instead of a key that
silently does nothing. ``docs/config.toml`` documents every key with its default.

- config file: ``$DOCBAO_CONFIG`` > the user config folder / ``config.toml``; a missing file is the defaults.
- state: ``store.paths.data_dir() / state.json``, written atomically; today the theme chosen with ctrl+t.
- theme: ``$DOCBAO_THEME`` > remembered (ctrl+t) > ``theme`` in the file > ``textual-dark``.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import string
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import platformdirs

from docbao.files import write_atomic
from docbao.store.citation import DEFAULT_FORMAT as DEFAULT_CITATION
from docbao.store.citation import PLACEHOLDERS
from docbao.store.citation import render as render_citation

__all__ = [
    "DEFAULT_CITATION", "DEFAULT_THEME", "MARK_READ", "PLACEHOLDERS", "Config", "ConfigError", "State",
    "default_path", "display_path", "effective_theme", "load", "render_citation",
]

APP = "docbao"
CONFIG_ENV = "DOCBAO_CONFIG"
THEME_ENV = "DOCBAO_THEME"
DEFAULT_THEME = "textual-dark"
MarkRead = Literal["open", "end", "never"]
MARK_READ: tuple[MarkRead, ...] = ("open", "end", "never")
# the keys a file may hold: the top level, and each section's own keys ([keymap]'s are binding ids)
SECTIONS: dict[str, tuple[str, ...]] = {
    "library": ("paths",), "reader": ("mark_read",), "citation": ("format",), "export": ("folder",),
}
TOP_LEVEL = ("theme", "keymap", *SECTIONS)
# a Textual key name, with modifiers: "a", "N", "?", "ctrl+t", "shift+space", "pageup", "question_mark", "f1"
_KEY = re.compile(r"(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[^\s,]|[a-z][a-z0-9_]*)")


class ConfigError(ValueError):
    """A problem in the config file (or in ``$DOCBAO_THEME``). ``str()`` is one line: ``where: key: message``."""

    def __init__(self, where: str, key: str | None, message: str) -> None:
        self.where, self.key, self.message = where, key, message
        super().__init__(re.sub(r"\s*[\r\n]+\s*", " ", f"{where}: {key + ': ' if key else ''}{message}"))


@dataclass(frozen=True)
class Config:
    """The settings. ``Config()`` is the defaults; :func:`load` reads a file."""

    path: Path | None = None  # the file they were read from (None: not read from a file)
    theme: str = DEFAULT_THEME
    bindings: tuple[tuple[str, str], ...] = ()  # (binding id, "key,key"), in the file's order
    library_paths: tuple[Path, ...] = ()  # opened by `docbao` with no PATH; empty: the bundled samples
    mark_read: MarkRead = "end"
    citation_format: str = DEFAULT_CITATION
    export_folder: Path | None = None  # None: the data folder
    themes: frozenset[str] = field(default=frozenset(), repr=False, compare=False)  # the names checked against

    @property
    def keymap(self) -> dict[str, str]:
        """Binding id → comma-separated keys, for Textual's ``App.set_keymap``."""
        return dict(self.bindings)

    def cite(self, **values: object) -> str:
        """The citation in this config's format (see :func:`render_citation`)."""
        return render_citation(self.citation_format, **values)


def default_path(env: Mapping[str, str] | None = None) -> Path:
    """``$DOCBAO_CONFIG`` (``~`` expanded), else ``config.toml`` in the user config folder."""
    given = (os.environ if env is None else env).get(CONFIG_ENV, "")
    if given:
        return Path(given).expanduser()
    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def display_path(path: Path) -> str:
    """The path as given, with ``~`` for the home folder."""
    try:
        rel = path.relative_to(Path.home()) if path.is_absolute() else None
    except (ValueError, RuntimeError):
        rel = None
    return str(path) if rel is None else str(Path("~", rel))


def load(path: str | os.PathLike[str] | None = None, *, themes: Collection[str],
         binding_ids: Collection[str] | Callable[[], Collection[str]]) -> Config:
    """Read the config file (default: :func:`default_path`); a missing file gives the defaults.

    ``themes`` are the theme names the app has, ``binding_ids`` the ids of its bindings (or a function
    giving them, called only when the file has a keymap: finding them imports every screen). Raises
    :class:`ConfigError` for anything wrong: unreadable, bad TOML, unknown key, wrong type or value.
    """
    p = default_path() if path is None else Path(path).expanduser()
    where, known = display_path(p), frozenset(themes)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        return Config(path=p, themes=known)
    except OSError as exc:
        raise ConfigError(where, None, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(where, None, f"not UTF-8 text (bad byte at offset {exc.start})") from None
    import tomllib  # only when there is a config file to read

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, _toml_key(text, str(exc)), f"not valid TOML: {exc}") from None
    if callable(binding_ids):
        binding_ids = binding_ids() if "keymap" in data else ()
    return _Reader(p, where).config(data, known, frozenset(binding_ids))


def _toml_key(text: str, message: str) -> str | None:
    """The key on the line a TOML error points at ("reader.mark_read"), when that line has one."""
    at = re.search(r"at line (\d+)", message)
    lines = text.splitlines()[:int(at.group(1))] if at else []
    key = re.match(r"\s*([\w.\"' -]+?)\s*=", lines[-1]) if lines else None
    if key is None:
        return None
    table = next((m.group(1) for line in reversed(lines) if (m := re.match(r"\s*\[+\s*([^\]]+?)\s*\]", line))), "")
    return ".".join(p for p in (table, key.group(1)) if p).replace('"', "")


def _got(value: object) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return str(value)


def _hint(name: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


class _Reader:
    """Checks a parsed file key by key; every error names the file and the key."""

    def __init__(self, path: Path, where: str) -> None:
        self.path, self.where = path, where

    def error(self, key: str | None, message: str) -> ConfigError:
        return ConfigError(self.where, key, message)

    def table(self, value: object, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"must be a table, written [{key}] (got {_got(value)})")
        return value

    def only(self, table: Mapping[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for name in table:
            if name not in allowed:
                where = f"[{prefix[:-1]}] " if prefix else ""
                raise self.error(prefix + name, f"unknown key{_hint(name, allowed)}; {where}keys are "
                                                f"{', '.join(allowed)}")

    def string(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, f"must be a non-empty string (got {_got(value)})")
        return value

    def folder(self, value: object, key: str) -> Path:
        p = Path(self.string(value, key)).expanduser()
        return p if p.is_absolute() else self.path.parent / p  # relative to the config file's folder

    def config(self, data: dict[str, Any], themes: frozenset[str], ids: frozenset[str]) -> Config:
        self.only(data, TOP_LEVEL, "")
        sec = {name: self.table(data.get(name, {}), name) for name in SECTIONS}
        for name, keys in SECTIONS.items():
            self.only(sec[name], keys, name + ".")
        theme = self.string(data.get("theme", DEFAULT_THEME), "theme")
        if theme not in themes:
            raise self.error("theme", f"unknown theme {_got(theme)}{_hint(theme, themes)}; "
                                      f"choose one of {', '.join(sorted(themes))}")
        paths = sec["library"].get("paths", [])
        if not isinstance(paths, list):
            raise self.error("library.paths", f'must be a list of strings, like ["~/news"] (got {_got(paths)})')
        mark = sec["reader"].get("mark_read", "end")
        if mark not in MARK_READ:
            raise self.error("reader.mark_read", f"must be one of {', '.join(MARK_READ)} (got {_got(mark)})")
        fmt = self.string(sec["citation"].get("format", DEFAULT_CITATION), "citation.format")
        problem = citation_problem(fmt)
        if problem:
            raise self.error("citation.format", problem)
        folder = sec["export"].get("folder")
        return Config(
            path=self.path, theme=theme, bindings=self.keymap(data.get("keymap", {}), ids),
            library_paths=tuple(self.folder(p, f"library.paths[{i}]") for i, p in enumerate(paths)),
            mark_read=cast(MarkRead, mark), citation_format=fmt,
            export_folder=None if folder is None else self.folder(folder, "export.folder"), themes=themes)

    def keymap(self, value: object, ids: frozenset[str]) -> tuple[tuple[str, str], ...]:
        flat: dict[str, object] = {}

        def walk(table: dict[str, Any], prefix: str) -> None:  # `reader.annotate = ` unquoted is a nested table
            for name, v in table.items():
                if isinstance(v, dict):
                    walk(v, f"{prefix}{name}.")
                elif prefix + name in flat:
                    raise self.error(f"keymap.{prefix}{name}", "set twice")
                else:
                    flat[prefix + name] = v

        walk(self.table(value, "keymap"), "")
        out = []
        for bid, keys in flat.items():
            key = f"keymap.{bid}"
            if bid not in ids:
                raise self.error(key, f"unknown binding id{_hint(bid, ids)}")
            parts = keys if isinstance(keys, list) else self.string(keys, key).split(",")
            names = [k.strip() if isinstance(k, str) else k for k in parts]
            for k in names:
                if not isinstance(k, str) or not _KEY.fullmatch(k):
                    whole = f" in {_got(keys)}" if len(names) > 1 else ""
                    raise self.error(key, f"{_got(k)}{whole} is not a Textual key name; write keys like "
                                          '"a", "ctrl+t" or "pageup", comma-separated')
            if not names:
                raise self.error(key, "needs at least one key")
            out.append((bid, ",".join(cast(list[str], names))))
        return tuple(out)


# -- citations ---------------------------------------------------------------------------------------------


def citation_problem(fmt: str) -> str | None:
    """Why ``fmt`` is not a usable citation format (None: it is)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(fmt) if name is not None]
    except ValueError as exc:  # a lone { or }
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
    for name in names:
        if name not in PLACEHOLDERS:
            return f"unknown placeholder {{{name}}}{_hint(name, PLACEHOLDERS)}; use {allowed}"
    try:
        render_citation(fmt, **{p: p for p in PLACEHOLDERS})
    except (ValueError, TypeError) as exc:
        return f"does not render: {exc}"
    return None


# -- remembered state --------------------------------------------------------------------------------------
def _state_path() -> Path:
    from docbao.store.paths import data_dir

    return data_dir() / "state.json"


@dataclass
class State:
    """What docbao remembers between runs (not the user's file): the theme chosen with ctrl+t."""

    path: Path
    theme: str | None = None
    other: dict[str, Any] = field(default_factory=dict, repr=False)  # keys of newer versions, kept as they are

    @classmethod
    def load(cls, path: Path | None = None) -> State:
        """The remembered state; a missing or unreadable file remembers nothing (it never stops a start)."""
        p = _state_path() if path is None else path
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(p)
        if not isinstance(data, dict):
            return cls(p)
        theme = data.pop("theme", None)
        return cls(p, theme if isinstance(theme, str) and theme else None, data)

    def save_theme(self, name: str) -> None:
        """Remember ``name`` (written at once, atomically). Raises OSError when the file cannot be written."""
        self.theme = name
        write_atomic(self.path, json.dumps({**self.other, "theme": name}, ensure_ascii=False, indent=2) + "\n")


def effective_theme(config: Config, state: State, env: Mapping[str, str] | None = None, *,
                    themes: Collection[str] | None = None) -> str:
    """$DOCBAO_THEME > remembered (ctrl+t) > the config file > the default. ``themes`` defaults to the names
    the config was checked against (none for a ``Config()`` built by hand: then no name is refused); a
    remembered theme no longer among them is ignored. Raises ConfigError for an unknown $DOCBAO_THEME."""
    known = config.themes if themes is None else frozenset(themes)
    forced = (os.environ if env is None else env).get(THEME_ENV, "").strip()
    if forced:
        if known and forced not in known:
            raise ConfigError(THEME_ENV, None, f"unknown theme {_got(forced)}{_hint(forced, known)}; "
                                               f"choose one of {', '.join(sorted(known))}")
        return forced
    if state.theme and (not known or state.theme in known):
        return state.theme
    return config.theme
