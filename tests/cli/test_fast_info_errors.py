"""``ssblab info`` on a bad file reads it once: the second tier hands its failure to the
Typer command, which words it (same stderr, same exit code as with the light path off)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ssblab.cli import _summary, fast_info, main

DTA = "eis/impedancepy_exampleDataGamry.DTA"


def _bad_files(data_dir: Path, tmp_path: Path) -> dict[str, Path]:
    """Bad inputs the second tier meets (no light summary covers them)."""
    garbage = bytes(random.Random(5).randrange(256) for _ in range(3000))
    made = {
        "zero_bytes.mpr": b"",
        "garbage.csv": garbage,
        "notes.txt": b"Pellet pressed at 375 MPa, cycled at C/10.\n" * 20,
        "cut.DTA": (data_dir / DTA).read_bytes()[:300],
        "header_only.csv": b"Test_Time(s),Current(A),Voltage(V)\n",
    }
    files = {}
    for name, data in made.items():
        files[name] = tmp_path / name
        files[name].write_bytes(data)
    files["missing.mpt"] = tmp_path / "missing.mpt"
    return files


def _run(args: list[str], capfd) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capfd.readouterr()
    return info.value.code, out.out, out.err


@pytest.mark.parametrize("extra", [[], ["--json"], ["--format", "arbin_csv"]])
def test_a_bad_file_is_read_once_and_worded_as_by_typer(
    data_dir, tmp_path, capfd, monkeypatch, extra
):
    calls: list[Path] = []
    real = _summary.read_file

    def counted(path, fmt, tz=None):
        calls.append(path)
        return real(path, fmt, tz)

    monkeypatch.setattr(_summary, "read_file", counted)
    for name, path in _bad_files(data_dir, tmp_path).items():
        args = ["info", str(path), *extra]
        calls.clear()
        fast = _run(args, capfd)
        assert len(calls) == 1, (name, calls)  # it was read twice before
        monkeypatch.setenv(fast_info.DISABLE_ENV, "1")
        calls.clear()
        typer_path = _run(args, capfd)
        monkeypatch.delenv(fast_info.DISABLE_ENV)
        assert len(calls) == 1, name
        assert fast == typer_path, name
        code, out, err = fast
        assert code == 2 and out == "" and err.count("\n") == 1, (name, err)
        assert err.startswith(f"ssblab: error: {path}: "), err
    assert not _summary._FAILED  # nothing left behind


def test_a_kept_failure_is_not_raised_for_a_changed_file(data_dir, tmp_path, capfd):
    path = tmp_path / "run.csv"
    path.write_bytes(b"")
    _summary.remember_failure(path, None, None, RuntimeError("stale"))
    path.write_bytes((data_dir / "arbin/arbin_example.csv").read_bytes())  # size changed
    main(["info", str(path), "--json"])  # read anew: no stale error
    assert '"format": "arbin_csv"' in capfd.readouterr().out
    assert not _summary._FAILED
