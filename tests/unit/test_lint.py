"""ruff and mypy are part of the test suite, so a lint or type error fails CI like a test does."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed (it comes with the [test] extra)")
    proc = subprocess.run([ruff, "check", "--no-cache", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-4000:]


def package_tree(where: Path) -> Path:
    """The installed layout (docbao/analysis, docbao/store, docbao/tui) as links to the repository's folders:
    mypy resolves modules through folders, not through the path docbao/__init__.py extends at run time."""
    pkg = where / "docbao"
    pkg.mkdir()
    (pkg / "__init__.py").write_bytes((ROOT / "src" / "docbao" / "__init__.py").read_bytes())
    for name in ("analysis", "store", "tui"):
        (pkg / name).symlink_to(ROOT / name, target_is_directory=True)
    return where


def test_mypy_is_clean_on_the_core_packages(tmp_path):
    mypy = Path(sys.executable).parent / "mypy"
    if not mypy.exists():
        pytest.skip("mypy is not installed (it comes with the [test] extra)")
    tree = package_tree(tmp_path)
    proc = subprocess.run([str(mypy), "--no-incremental", "--config-file", str(ROOT / "pyproject.toml")],
                          capture_output=True, text=True, cwd=tree, env={**os.environ, "MYPYPATH": str(tree)})
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert "Success" in proc.stdout and "source files" in proc.stdout
