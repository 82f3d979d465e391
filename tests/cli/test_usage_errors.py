"""Usage mistakes and a closed pipe end in one line (or quietly), never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ssblab.cli import main


def _exit(capfd, args: list[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capfd.readouterr().err


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["eis", "fit", "spectrum.csv"],
            "ssblab: error: ssblab eis fit: Missing option '--circuit' / '-c'. "
            "(see 'ssblab eis fit --help')\n",
        ),
        (
            ["cycles", "run.nda", "--no-such-option"],
            "ssblab: error: ssblab cycles: No such option: --no-such-option "
            "(see 'ssblab cycles --help')\n",
        ),
    ],
    ids=["missing-option", "unknown-option"],
)
def test_a_usage_error_is_one_line_naming_the_command(capfd, args, expected):
    # click printed a usage block, a blank line and the error: three lines before
    code, err = _exit(capfd, args)
    assert code == 2 and err == expected, err


@pytest.mark.parametrize("command", ["info", "cycles"])
def test_output_cut_short_by_the_reader_ends_without_a_traceback(data_dir, command):
    # `| true` closes the pipe before ssblab writes: `info` ended in a BrokenPipeError
    path = (
        data_dir
        / "symmetric"
        / "jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_01_GCPL_C05.mpr"
    )
    line = f"{sys.executable} -m ssblab {command} '{path}' | true"
    proc = subprocess.run(line, shell=True, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "BrokenPipeError" not in proc.stderr, proc.stderr
