"""Persistence and files for docbao: articles, annotations, export. Imports tinydb, never textual."""
