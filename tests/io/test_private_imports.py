"""No ssblab module imports another module's private (``_``-prefixed) names.

A private helper used from elsewhere is part of its module's interface without
saying so: rename it and a reader breaks. Private *modules* (``ssblab.io._tabular``)
are packages' own shared code and are imported as modules, which is allowed.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

import ssblab
import ssblab.io

IO = Path(ssblab.io.__file__).parent
ROOT = Path(ssblab.__file__).parent
#: Every package of ssblab (a test checks that none is missing).
PACKAGES = (
    "analysis",
    "atomistic",
    "bench",
    "catalog",
    "cli",
    "data",
    "io",
    "report",
    "reproduce",
    "simulate",
)


def _is_module(package: str, name: str) -> bool:
    try:
        return importlib.util.find_spec(f"{package}.{name}") is not None
    except ModuleNotFoundError:  # *package* is a module, not a package
        return False


def _private_imports(path: Path) -> set[str]:
    """The ``_``-prefixed names (not modules) that *path* imports from ssblab modules."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ssblab"):
            found |= {
                a.name
                for a in node.names
                if a.name.startswith("_")
                and not (a.name.startswith("__") and a.name.endswith("__"))  # __version__
                and not _is_module(node.module, a.name)
            }
    return found


def _seen(paths: list[Path]) -> dict[str, set[str]]:
    """The private names each of *paths* imports, by path relative to the package root."""
    seen = {}
    for path in paths:
        names = _private_imports(path)
        if names:
            seen[path.relative_to(ROOT).as_posix()] = names
    return seen


@pytest.mark.parametrize("package", PACKAGES)
def test_modules_import_no_private_names(package):
    assert (ROOT / package).is_dir()
    assert _seen(sorted((ROOT / package).rglob("*.py"))) == {}


def test_top_level_modules_import_no_private_names():
    assert _seen(sorted(ROOT.glob("*.py"))) == {}


def test_every_package_is_checked():
    assert {p.parent.name for p in ROOT.glob("*/__init__.py")} == set(PACKAGES)


def test_the_check_finds_a_private_import(tmp_path):
    """The check can fail: a private name is caught, a private module and a dunder are not."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ssblab.cli._plain import plain_text, _hidden\n"
        "from ssblab.io import _tabular\n"
        "from ssblab import __version__\n",
        encoding="utf-8",
    )
    assert _private_imports(probe) == {"_hidden"}


def test_the_plain_output_helpers_are_public():
    """_common's tables and JSON use _plain's documented json_safe and format_value."""
    from ssblab.cli import _common, _plain

    assert _common.json_safe is _plain.json_safe
    assert _plain.json_safe({"a": float("nan"), 1: (2.5, float("inf"))}) == {
        "a": None,
        "1": [2.5, None],
    }
    assert _plain.format_value(None, 3) == "—"
    assert _plain.format_value(2 / 3, 3) == "0.667"
    assert _plain.format_value("``x`` and :func:`y`", 3) == "x and y"


def test_the_bounded_inflate_helpers_are_public():
    """neware/inflate.py bounds its zlib call with safety's documented helpers."""
    from ssblab.io import safety
    from ssblab.io.neware import inflate

    assert inflate.decompression_bound is safety.decompression_bound
    assert inflate.bomb_error is safety.bomb_error
    assert safety.decompression_bound(2**28, 10**6) == (
        int(10**6 * safety.limits.value("compression_ratio")) + 2**20,
        "compression_ratio",
    )
    assert safety.decompression_bound(2**20, 10**6) == (2**20, "member_bytes")
    err = safety.bomb_error(Path("a.zip"), "x.nda", 10, (5, "member_bytes"))
    assert str(err) == (
        "a.zip: member 'x.nda' decompresses to more than 5 bytes "
        "(limit member_bytes; found 10+); refusing a possible zip bomb"
    )
