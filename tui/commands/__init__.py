"""Subcommands of the `docbao` command line. Each module has ``register(subparsers, add_db)``.

A subcommand's handler takes the parsed ``argparse.Namespace`` and returns the exit code. The modules are
imported only when one of their commands is run (or help is asked for), so opening the reader stays fast.
"""

# command name → the module that registers it
COMMANDS = {
    "analyze": "tui.commands.analyze",
    "export": "tui.commands.store_cmds",
    "import": "tui.commands.store_cmds",
    "annotate": "tui.commands.store_cmds",
    "tags": "tui.commands.store_cmds",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))
