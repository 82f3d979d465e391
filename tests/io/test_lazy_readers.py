"""Detection through the light format table agrees with the full registry.

``ssblab.io.detect`` imports a reader module only when it needs one; the full
registry (every reader imported, sniffed in registration order) is the reference.
Every real file under the data folder must get the same answer both ways.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssblab.errors import SsblabError
from ssblab.io import FORMATS, load_readers, registry
from ssblab.io.safety import read_head


def _outcome(path: Path, formats: tuple[registry.Format, ...]) -> str:
    """The detected format name, or the class of the refusal."""
    try:
        return registry.detect(path, read_head(path, registry.SNIFF_BYTES), formats)
    except SsblabError as exc:
        return type(exc).__name__


def test_table_matches_registry() -> None:
    readers = load_readers()
    assert {f.name for f in FORMATS} <= set(readers)
    # in a fresh process, registering every reader gives the table's (detection) order
    code = "from ssblab.io import load_readers; print(' '.join(load_readers()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [f.name for f in FORMATS]
    for fmt in FORMATS:
        info = readers[fmt.name]
        assert info.fn.__module__ == fmt.module
        if fmt.sniff is not None:  # a light sniff is the reader's own function, not a copy
            assert registry.light_sniff(fmt.sniff) is info.sniff


def test_every_real_file_detects_as_with_all_readers(data_dir: Path) -> None:
    load_readers()
    files = [p for p in sorted(data_dir.rglob("*")) if p.is_file() and "licenses" not in p.parts]
    assert len(files) > 50
    lazy = {p: _outcome(p, FORMATS) for p in files}
    full = {p: _outcome(p, ()) for p in files}
    assert lazy == full
    assert len({v for v in lazy.values()} & {f.name for f in FORMATS}) >= 10


def test_info_imports_only_what_it_needs(data_dir: Path) -> None:
    """``ssblab info`` on a ``.nda``: no reader of a format sniffed after it, no heavy
    library (numpy is the ``.nda`` decoder's own dependency)."""
    code = (
        "import sys; from ssblab.cli import main\n"
        "try: main(['info', sys.argv[1]])\n"
        "except SystemExit: pass\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    path = data_dir / "neware" / "TestFile.nda"
    full_path = {**os.environ, "SSBLAB_NO_FASTPATH": "1"}  # the Typer path (light: test_fast_info)
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=full_path,
    ).stdout
    loaded = set(out.splitlines()[-1].split())
    assert "ssblab.io.neware.reader" in loaded
    heavy = {"scipy", "pydantic", "plotly", "matplotlib", "pandas", "impedance", "torch", "rich"}
    after = [f.module for f in FORMATS[[f.name for f in FORMATS].index("neware_ndax") + 1 :]]
    others = set(after) - {"ssblab.io.neware.reader"}
    assert "ssblab.io.biologic.reader" in others
    assert not (heavy | others) & loaded, sorted((heavy | others) & loaded)


@pytest.mark.parametrize("name", ["arbin_csv", "gamry_dta"])
def test_explicit_format_imports_its_reader(name: str) -> None:
    from ssblab.io import _reader

    assert _reader(name).name == name
