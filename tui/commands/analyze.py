"""`docbao analyze`: entities and quotes of articles, readable or as JSON lines."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def register(sub: argparse._SubParsersAction, add_db: Callable[[argparse.ArgumentParser], None]) -> None:
    return None
