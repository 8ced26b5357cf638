"""docbao's user interface: the command line and the Textual app."""

from docbao import __version__

__all__ = ["__version__"]
