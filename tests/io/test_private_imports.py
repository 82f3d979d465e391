"""No reader module imports another module's private (``_``-prefixed) names.

A private helper used from elsewhere is part of its module's interface without
saying so: rename it and a reader breaks. Private *modules* (``ssblab.io._tabular``)
are packages' own shared code and are imported as modules, which is allowed.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import ssblab.io

IO = Path(ssblab.io.__file__).parent


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
                if a.name.startswith("_") and not _is_module(node.module, a.name)
            }
    return found


def test_io_modules_import_no_private_names():
    seen = {}
    for path in sorted(IO.rglob("*.py")):
        names = _private_imports(path)
        if names:
            seen[path.relative_to(IO).as_posix()] = names
    assert seen == {}


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
