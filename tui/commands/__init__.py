"""Subcommands of the `docbao` command line. Each module has ``register(subparsers, add_db)``.

A subcommand's handler takes the parsed ``argparse.Namespace`` and returns the exit code. The modules are
imported only when one of their commands is run (or help is asked for), so opening the reader stays fast.
"""

# command name → the module that registers it
COMMANDS = {
    "analyze": "docbao.tui.commands.analyze",
    "export": "docbao.tui.commands.store_cmds",
    "import": "docbao.tui.commands.store_cmds",
    "annotate": "docbao.tui.commands.store_cmds",
    "tags": "docbao.tui.commands.store_cmds",
    "quotes": "docbao.tui.commands.library_cmds",
    "entities": "docbao.tui.commands.library_cmds",
    "add": "docbao.tui.commands.web_cmds",
    "feeds": "docbao.tui.commands.web_cmds",
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))
