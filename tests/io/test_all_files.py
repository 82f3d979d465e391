"""Every real file under ``../shared/data`` is read, or refused in one line naming it.

The walk is computed when the tests are collected, so a file added to the data
folder is tested without editing this module. A file that no registered reader
recognises yet is an expected failure whose reason (the formats registered at
run time) is computed when it runs; it turns into a pass once its reader lands.
Files that hold no time series by design (licences, the README, metadata
sidecars) must be refused with a one-line :class:`~ssblab.errors.SsblabError`
naming the file.
"""

from __future__ import annotations

import importlib
import os
import re
import time
from pathlib import Path

import pytest

from ssblab import schema as s
from ssblab.errors import SsblabError, UnknownFormatError
from ssblab.io import load_readers, read

ROOT = Path(__file__).resolve().parents[2]
EXCLUDED_DIRS = ("licenses",)
EXCLUDED_PREFIX = "reference"
#: files that are not a time series: refusal (one line naming the file) is right
NOT_TIME_SERIES = re.compile(r"((^|_)README\.md$|_metadata\.csv$)", re.IGNORECASE)
#: real files that hold no data record (a technique that wrote none, an empty archive)
EMPTY_BY_DESIGN = {"wait.mpr", "wait.mpt", "empty.ndax"}
#: no single file may take longer than this to read or refuse [s]
TIME_BOUND_S = 60.0


def _find_data() -> Path | None:
    """The data folder, found the way ``tests/conftest.py`` finds it (collection time)."""
    env = os.environ.get("SSBLAB_DATA")
    for candidate in [Path(env)] if env else [ROOT.parent / "shared" / "data"]:
        if candidate.is_dir():
            return candidate.resolve()
    return None


DATA = _find_data()


def _data_files() -> list[Path]:
    if DATA is None:
        return []
    files = []
    for path in sorted(DATA.rglob("*")):
        parts = path.relative_to(DATA).parts
        if not path.is_file() or parts[0] in EXCLUDED_DIRS:
            continue
        if any(p.startswith(EXCLUDED_PREFIX) for p in parts[:-1]):
            continue
        files.append(path)
    return files


def _params() -> list:
    if DATA is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason="real data folder absent"))]
    params = []
    for path in _data_files():
        params.append(pytest.param(path, id=str(path.relative_to(DATA))))
    return params


def _read_as_spectrum(path: Path) -> bool:
    """True when the EIS reader (a separate entry point) reads *path*."""
    try:
        module = importlib.import_module("ssblab.io.eis.dispatch")
        spectrum = module.read_eis(path)
    except (ImportError, AttributeError, SsblabError):
        return False
    return spectrum.height > 0


@pytest.mark.parametrize("path", _params())
def test_file_is_read_or_refused_naming_it(path: Path) -> None:
    start = time.perf_counter()
    try:
        run = read(path)
    except UnknownFormatError as exc:
        _check_refusal(path, exc)
        if NOT_TIME_SERIES.search(path.name) or _read_as_spectrum(path):
            return
        known = ", ".join(sorted(load_readers()))
        pytest.xfail(f"no registered reader recognises {path.name} yet (registered: {known})")
    except SsblabError as exc:
        _check_refusal(path, exc)
        return
    finally:
        assert time.perf_counter() - start < TIME_BOUND_S
    assert not NOT_TIME_SERIES.search(path.name), f"{path.name} is not a time series"
    s.validate(run.table)
    if run.n_rows == 0:  # a header-only file: allowed only when the reader says so
        assert any("0 rows" in note for note in run.meta.notes), run.meta.notes
    assert run.n_rows > 0 or path.name in EMPTY_BY_DESIGN
    assert run.meta.source_format in load_readers()
    assert run.table[s.TIME].is_not_null().all()


def _check_refusal(path: Path, exc: SsblabError) -> None:
    message = str(exc)
    assert path.name in message, message
    assert "\n" not in message, message
