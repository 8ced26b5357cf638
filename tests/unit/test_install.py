"""The wheel: one import package, ``docbao``, that ships the bundled seeds and finds them when installed."""

import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.fail(f"building the wheel failed: {proc.stderr[-2000:]}")
    (whl,) = out.glob("docbao-*.whl")
    return whl


def test_the_wheels_only_top_level_package_is_docbao(wheel):
    """PyPI has unrelated packages named analysis, store and tui: installing docbao must not take them over."""
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))}
    assert top == {"docbao"}
    for sub in ("analysis", "store", "tui"):
        assert f"docbao/{sub}/__init__.py" in names
    assert "docbao/__init__.py" in names


def test_wheel_contains_the_seeds(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    seeds = [n for n in names if n.startswith("docbao/store/_seeds/") and n.endswith(".txt")]
    assert "docbao/store/_seeds/putin-lukashenko-minsk.txt" in seeds
    assert len(seeds) >= 3


def test_installed_copy_lists_the_seeds_from_anywhere(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from docbao.store.paths import seeds_dir; from docbao.store.articles import Library;"
            "d = seeds_dir(); lib = Library.load([d]);"
            "print(d); print(len(lib.articles))")
    out = subprocess.run([sys.executable, "-c", code, str(target)], capture_output=True, text=True,
                         cwd=tmp_path, check=True).stdout.split("\n")
    assert out[0].startswith(str(target)), f"seeds found outside the install: {out[0]}"
    assert int(out[1]) >= 3
