"""Subcommands of the `docbao` command line. Each module has ``register(subparsers)``.

A subcommand's handler takes the parsed ``argparse.Namespace`` and returns the exit code.
"""

COMMAND_MODULES = ("tui.commands.analyze", "tui.commands.store_cmds")
