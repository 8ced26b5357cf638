"""Widgets of the docbao reader."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docbao.tui.widgets.article_view import ArticleView, ViewSpan

__all__ = ["ArticleView", "ViewSpan"]


def __getattr__(name: str) -> object:
    # imported on first use, so the Textual-free parts of the article view load without Textual
    if name in __all__:
        from docbao.tui.widgets import article_view

        return getattr(article_view, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
