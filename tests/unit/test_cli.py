import subprocess
import sys

from docbao.tui.cli import main
from docbao.tui.commands import COMMANDS


def test_help_lists_every_command_with_what_it_does(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"docbao {name}" in out
    assert "examples:" in out and "DOCBAO_DB" in out


def test_the_command_map_matches_what_the_modules_register():
    import argparse

    from docbao.tui.cli import build_command_parser

    (sub,) = [a for a in build_command_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert set(sub.choices) == set(COMMANDS)


def test_opening_the_reader_does_not_import_the_store_commands():
    code = ("import sys; import docbao.tui.cli as c; c.build_parser();"
            "print(sorted(m for m in sys.modules"
            "             if m.startswith(('tinydb', 'docbao.tui.commands.', 'docbao.store.export'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_unknown_option_is_a_usage_error(capsys):
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["--no-such-option"])
    assert exc.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_help_piped_into_head_ends_quietly():
    code = "from docbao.tui.cli import main; raise SystemExit(main(['--help']))"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # as `| head -1` does
    err = proc.stderr.read().decode()
    assert proc.wait(30) == 0 and "Traceback" not in err


def test_plain_docbao_opens_the_reader_without_parsing_arguments(monkeypatch):
    import docbao.tui.launch as launch

    opened: list[tuple[list[str], object]] = []
    monkeypatch.setattr(launch, "launch", lambda paths, db=None: opened.append((paths, db)) or 0)
    assert main([]) == 0 and opened == [([], None)]
    assert main(["--db", "x.json", "seeds"]) == 0 and opened[-1] == (["seeds"], "x.json")
