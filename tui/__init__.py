"""docbao's user interface: the command line and the Textual app."""

__version__ = "0.1.0"
