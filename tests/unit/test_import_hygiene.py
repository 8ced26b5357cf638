"""The analysis core never imports Textual, TinyDB or the UI; the store and the UI's model never import Textual.

Checked in a fresh interpreter (imports are cached per process), importing every module of the package.
"""

import subprocess
import sys

import pytest

CHECK = """
import importlib, pkgutil, sys
pkg = importlib.import_module({pkg!r})
for m in pkgutil.walk_packages(pkg.__path__, {pkg!r} + "."):
    importlib.import_module(m.name)
bad = sorted(n for n in sys.modules if any(n == f or n.startswith(f + ".") for f in {forbidden!r}))
print(",".join(bad))
"""


@pytest.mark.parametrize(("pkg", "forbidden"), [
    ("docbao.analysis", {"textual", "tinydb", "docbao.tui", "docbao.store"}),
    ("docbao.store", {"textual", "docbao.tui"}),
    ("docbao.tui.model", {"textual"}),  # the reader and library models are tested without a pilot
])
def test_package_does_not_import(pkg, forbidden):
    out = subprocess.run([sys.executable, "-c", CHECK.format(pkg=pkg, forbidden=forbidden)],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{pkg} imports {out.stdout.strip()}"
