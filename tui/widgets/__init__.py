"""Widgets of the docbao reader."""

from docbao.tui.widgets.article_view import ArticleView, ViewSpan

__all__ = ["ArticleView", "ViewSpan"]
