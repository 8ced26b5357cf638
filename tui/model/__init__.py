"""Textual-free state of the reader and the library, and the vocabulary they share (see DESIGN.md)."""
