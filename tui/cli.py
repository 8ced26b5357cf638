"""`docbao`: open the reader on a library, or run one of the subcommands.

    docbao [PATH ...]            open the reader (bundled sample articles when no PATH)
    docbao analyze PATH ...      print entities and quotes (--json for one JSON object per file)
    docbao export / import / annotate / tags   manage annotations (see `docbao COMMAND --help`)
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

from docbao.tui import __version__
from docbao.tui.commands import COMMAND_MODULES, COMMANDS

EPILOG = """\
examples:
  docbao                          read the bundled sample articles
  docbao ~/news                   read every .txt .md .html .json article under ~/news
  docbao analyze --json a.txt     entities and quotes of a.txt as JSON (one line per article)
  docbao export --format md -o notes.md    your highlights and notes as Markdown

files: the database of annotations is DOCBAO_DB or --db (default: your user data folder);
analyses are cached in DOCBAO_CACHE_DIR (default: your user cache folder) and can be deleted freely.
"""


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="PATH", default=None,
                   help="annotation database file (default: $DOCBAO_DB or the user data folder)")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser: the reader and its paths."""
    import argparse  # not before the first paint of a plain `docbao`

    top = argparse.ArgumentParser(
        prog="docbao",
        description="Read news articles in the terminal with people, places, organisations and quotes "
                    "highlighted; tag and annotate passages; copy quotes with their citation; export.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("paths", nargs="*", metavar="PATH",
                     help="article files or folders (.txt .md .html .htm .json); "
                          "default: the bundled samples")
    _add_db(top)
    top.add_argument("--version", action="version", version=f"docbao {__version__}")
    return top


def build_command_parser() -> argparse.ArgumentParser:
    """The parser of the subcommands (imports their modules)."""
    import argparse

    cmds = argparse.ArgumentParser(prog="docbao", formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = cmds.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, _add_db)
    from docbao.tui.commands.common import one_line_errors

    for p in dict.fromkeys(sub.choices.values()):
        one_line_errors(p)
    return cmds


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in COMMANDS:
        import argparse

        cmds = build_command_parser()
        args, extra = cmds.parse_known_args(args_list)
        if extra:  # named by the subcommand they were given to, in one line
            sub = next(a for a in cmds._actions if isinstance(a, argparse._SubParsersAction))
            sub.choices[args_list[0]].error(f"unrecognized arguments: {' '.join(extra)}")
        try:
            return int(args.handler(args) or 0)
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            # `docbao analyze … | head`: the reader went away; not an error worth a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    if not args_list:  # plain `docbao`, the usual start: nothing to parse, straight to the first paint
        from docbao.tui.launch import launch

        return launch([])
    import argparse

    top = build_parser()
    if any(a in ("-h", "--help") for a in args_list):
        try:
            top.print_help()
            print("\ncommands (each with its own --help):")
            cmds = build_command_parser()
            for action in cmds._actions:
                if isinstance(action, argparse._SubParsersAction):
                    for choice in action._choices_actions:
                        print(f"  docbao {choice.dest:<9} {choice.help}")
            sys.stdout.flush()
        except BrokenPipeError:  # `docbao --help | head`
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    from docbao.tui.commands.common import one_line_errors

    one_line_errors(top)
    args = top.parse_args(args_list)
    from docbao.tui.launch import launch  # imports Textual: only when the reader is opened

    return launch(args.paths, db=args.db)
