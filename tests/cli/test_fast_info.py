"""The light ``ssblab info`` path (issue 16, cold start) gives the Typer path's output.

For every real file the light path accepts, its summary equals ``run_summary``
of the full reader field by field, and the printed text (human and ``--json``)
is the same with the light path off (``SSBLAB_NO_FASTPATH=1``). The light path
imports neither Polars nor Typer; anything it does not cover goes to Typer.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from ssblab.cli import fast_info, main
from ssblab.cli._summary import run_summary
from ssblab.errors import SsblabError
from ssblab.io import detect, read


def _info_json_in_a_fresh_python(path: Path) -> tuple[dict, set[str]]:
    """``ssblab info PATH --json`` run in a new interpreter: the summary it printed and
    the names of every module that interpreter had imported by the end."""
    code = (
        "import sys; from ssblab.cli import main\n"
        "main(sys.argv[1:])\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, "info", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out[: out.rindex("}") + 1]), set(out.splitlines()[-1].split())


def _real_files(data_dir: Path) -> list[Path]:
    return [p for p in sorted(data_dir.rglob("*")) if p.is_file() and "licenses" not in p.parts]


@pytest.fixture(scope="module")
def accepted(data_dir: Path) -> dict[Path, dict]:
    """Light summaries of every real file the light path takes."""
    found = {}
    for path in _real_files(data_dir):
        summary = fast_info.summarize(str(path))
        if summary is not None:
            found[path] = summary
    return found


def _same(full: object, light: object) -> bool:
    if isinstance(full, float) and isinstance(light, float):
        return math.isclose(full, light, rel_tol=1e-9, abs_tol=0.0)
    return type(full) is type(light) and full == light


def _detected(path: Path) -> str:
    try:
        return detect(path)
    except SsblabError:
        return ""


def test_light_summary_equals_the_full_reader_on_every_accepted_file(data_dir, accepted):
    covered = {
        p: f for p in _real_files(data_dir) if (f := _detected(p)) in fast_info.LIGHT_SUMMARIES
    }
    kinds = sorted(covered.values())
    assert kinds.count("neware_nda") >= 6
    assert kinds.count("neware_ndax") >= 12
    assert kinds.count("arbin_res") >= 7
    empty = data_dir / "neware" / "empty.ndax"  # 0 rows: the reader's own case
    assert set(accepted) == set(covered) - {empty}  # every other real file of these formats
    for path, light in accepted.items():
        full = run_summary(read(path))
        assert list(light) == list(full), path
        wrong = {k: (full[k], light[k]) for k in full if not _same(full[k], light[k])}
        assert not wrong, (path, wrong)
    versions = {s["version"] for s in accepted.values()}
    assert {
        "nda 8",
        "nda 22",
        "nda 130",
        "ndc 2",
        "ndc 5",
        "ndc 14",
        "ndc 16",
        "ndc 17",
    } <= versions
    rows = {p.name: s["rows"] for p, s in accepted.items()}
    assert rows["TestFile.nda"] == 6670  # as the README's `ssblab read` line says
    assert rows["20160805_test001_45_cc_01.res"] == 10261  # the README reader table: cellpy
    aux = accepted[data_dir / "arbin" / "aux_one_x_dx.res"]
    assert "Ambient Temperature / degC" in aux["columns"]
    assert any("auxiliary channel" in note for note in aux["notes"])


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_printed_text_is_the_typer_path_s(accepted, extra, capsys, monkeypatch):
    assert accepted
    for path in accepted:
        args = ["info", str(path), *extra]
        assert fast_info.run(args)  # the light path took it
        light = capsys.readouterr().out
        monkeypatch.setenv(fast_info.DISABLE_ENV, "1")
        main(args)
        monkeypatch.delenv(fast_info.DISABLE_ENV)
        typer_out = capsys.readouterr().out
        assert light == typer_out, path
    if extra:
        assert json.loads(light)["format"] in fast_info.LIGHT_SUMMARIES


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("neware/TestFile.nda", 6670),
        ("neware/test_2.ndax", 108563),  # the README's `ssblab info` example
        ("arbin/arbin_example.res", 2150),
    ],
)
def test_light_path_imports_no_polars_or_typer(data_dir: Path, name: str, rows: int) -> None:
    summary, loaded = _info_json_in_a_fresh_python(data_dir / name)
    assert summary["rows"] == rows
    assert f"ssblab.io.{name.split('/')[0]}.summary" in loaded  # the light summary ran
    heavy = {"polars", "typer", "click", "rich", "pydantic", "pandas", "pyarrow"}
    assert not heavy & loaded, sorted(heavy & loaded)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["info", "a.nda"], ("a.nda", False, None, None)),
        (["info", "--json", "a.nda"], ("a.nda", True, None, None)),
        (
            ["info", "a.nda", "-f", "neware_nda", "--tz=Europe/Oslo"],
            ("a.nda", False, "neware_nda", "Europe/Oslo"),
        ),
        (
            ["info", "a.nda", "--format=neware_nda", "--tz", "UTC"],
            ("a.nda", False, "neware_nda", "UTC"),
        ),
        (["info", "a.nda", "--help"], None),
        (["info", "--help"], None),
        (["info", "a.nda", "--jsn"], None),
        (["info", "a.nda", "b.nda"], None),
        (["info", "a.nda", "--tz"], None),
        (["info", "a.nda", "-f=neware_nda"], None),
        (["info", "--", "a.nda"], None),
        (["cycles", "a.nda"], None),
        ([], None),
    ],
)
def test_parse_takes_only_the_plain_info_line(args, expected):
    assert fast_info.parse(args) == expected


def test_what_it_does_not_cover_goes_to_typer(data_dir: Path, tmp_path: Path, capsys) -> None:
    # an unknown option, a corrupt or missing file: not taken, nothing printed
    assert not fast_info.run(["info", str(data_dir / "neware" / "TestFile.nda"), "--jsn"])
    bad = tmp_path / "cut.nda"
    bad.write_bytes((data_dir / "neware" / "TestFile.nda").read_bytes()[:1500])
    assert fast_info.summarize(str(bad)) is None
    assert not fast_info.run(["info", str(bad)])  # the full reader refuses it too
    assert fast_info.summarize(str(tmp_path / "missing.nda")) is None
    assert not fast_info.run(["info", str(tmp_path / "missing.nda")])
    assert capsys.readouterr().out == ""  # nothing printed before falling through
    with pytest.raises(SystemExit) as refused:  # the Typer path words the refusal
        main(["info", str(tmp_path / "missing.nda")])
    assert refused.value.code == 2
    assert "no such file" in capsys.readouterr().err


#: One file per reader family without a light summary: the second tier (full reader,
#: no Typer or Rich) prints what the Typer command prints.
SECOND_TIER = [
    "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
    "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv",
    "biologic/cv.mpr",
    "biologic/wait.mpr",
    "maccor/maccor_two.txt",
    "neware/empty.ndax",
    "eis/impedancepy_exampleData.csv",
]


@pytest.mark.parametrize("name", SECOND_TIER)
def test_second_tier_prints_the_typer_path_s(data_dir, name, capsys, monkeypatch):
    path = data_dir / name
    for extra in ([], ["--json"]):
        args = ["info", str(path), *extra]
        assert fast_info.summarize(str(path)) is None  # no light summary for it
        assert fast_info.run(args)  # the second tier took it
        fast = capsys.readouterr()
        monkeypatch.setenv(fast_info.DISABLE_ENV, "1")
        main(args)
        monkeypatch.delenv(fast_info.DISABLE_ENV)
        typer_out = capsys.readouterr()
        assert (fast.out, fast.err) == (typer_out.out, typer_out.err), path


def test_second_tier_imports_no_typer_or_rich(data_dir: Path) -> None:
    path = data_dir / "land" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
    summary, loaded = _info_json_in_a_fresh_python(path)
    assert summary["format"] == "landt_csv"
    assert "polars" in loaded  # the full reader ran
    assert not {"typer", "click", "rich"} & loaded


def test_explicit_format_and_zone_give_the_same_summary(data_dir: Path) -> None:
    from ssblab.io._tabular import TIMEZONE_ENV

    assert fast_info.TIMEZONE_ENV == TIMEZONE_ENV
    path = str(data_dir / "neware" / "TestFile.nda")
    plain = fast_info.summarize(path)
    assert fast_info.summarize(path, "neware_nda") == plain
    assert fast_info.summarize(path, "neware_ndax") is None  # not an .ndax: the reader says so
    assert fast_info.summarize(path, "biologic_mpr") is None  # no light summary: Typer's


def test_light_neware_summary_hands_a_clock_outside_1970_2100_to_the_full_reader():
    # the registry nulls and counts such times; only the full reader can print that note
    import numpy as np

    from ssblab.io._light import FullReaderNeededError
    from ssblab.io.neware.summary import _first_clock

    good = {"unix_time_s": np.array([1.7e9, np.nan, 1.7e9 + 1.0])}
    assert _first_clock(good, nan_is_null=True) == 1.7e9  # a missing clock keeps the fast path
    year_60000 = {"unix_time_s": np.array([1.7e9, 1.9e12])}
    with pytest.raises(FullReaderNeededError, match="outside 1970-2100"):
        _first_clock(year_60000, nan_is_null=True)
