"""EC-Lab settings (.mps) and the time/potential-only text export of the Li||Li run."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import read
from ssblab.io.biologic.settings import GcplStep, constant_current, gcpl_steps, read_settings

STEM = "jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA"
EXPORT = f"symmetric/{STEM}_03_GCPL_C05.txt"


@pytest.fixture
def techniques(data_dir):
    return {t.number: t for t in read_settings(data_dir / f"symmetric/{STEM}.mps")}


def test_settings_steps(techniques):
    assert [t.code for t in techniques.values()] == ["GCPL", "GEIS", "GCPL", ""]

    # technique 1: a 5 min rest (Ns 0), then 0.400 mA for 10 min (Ns 1)
    assert gcpl_steps(techniques[1]) == [GcplStep(0.0, 0.0, 300.0), GcplStep(4e-4, 600.0, 0.0)]
    # technique 3: Ns 0 takes no time, then 0.400 mA for 1 h, no rest
    assert gcpl_steps(techniques[3]) == [GcplStep(0.0, 0.0, 0.0), GcplStep(4e-4, 3600.0, 0.0)]
    assert constant_current(techniques[3]) == pytest.approx(4e-4)
    with pytest.raises(ReadError, match="has rests"):
        constant_current(techniques[1])
    with pytest.raises(ReadError, match="not GCPL"):
        constant_current(techniques[2])


def test_settings_agree_with_the_mpr_of_technique_1(data_dir, techniques):
    """The .mpr of technique 1 measured what its settings say: 0 A for the first
    300 s, then 0.400 mA (median 0.39972 mA, within 0.2 % after the first record)."""
    t = read(data_dir / f"symmetric/{STEM}_01_GCPL_C05.mpr").table
    rest = t.filter(pl.col(s.TIME) < 299.9)[s.CURRENT]
    on = t.filter(pl.col(s.TIME) > 300.1)[s.CURRENT]
    assert (rest.len(), on.len()) == (30, 72)
    assert rest.abs().max() == 0.0
    assert on.median() == pytest.approx(4e-4, rel=1e-3)
    assert on.min() > 0.998 * 4e-4 and on.max() < 1.0005 * 4e-4


def test_time_potential_export_takes_the_set_current(data_dir):
    run = read(data_dir / EXPORT)
    t = run.table
    assert run.meta.source_format == "biologic_mpt"
    # the counters are the set current integrated within each loop (tests/io/test_mpt_loop_gaps.py)
    assert t.columns == [s.TIME, s.VOLTAGE, s.CURRENT, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY]
    assert t.height == 76807
    assert t[s.CURRENT].unique().to_list() == [pytest.approx(4e-4)]
    # values of the export: time/s 907.6301776 .. 163243.4105954, Ewe/V first and last
    assert t[s.TIME][-1] == pytest.approx(163243.4105954436 - 907.6301776229229, abs=1e-6)
    assert t[s.VOLTAGE][0] == pytest.approx(2.4352197e-2, abs=1e-9)
    assert t[s.VOLTAGE][-1] == pytest.approx(4.5698602e-2, abs=1e-9)
    assert run.meta.extra["technique_code"] == "GCPL"
    note = next(n for n in run.meta.notes if "set current" in n)
    assert f"{STEM}.mps" in note and "+0.400 mA" in note and "not a measurement" in note
    assert "907.6 s" in note
    # the .mps loops GEIS + GCPL 44 more times: 45 runs of t1 = 1 h, and 44 GEIS gaps
    gaps = next(n for n in run.meta.notes if "_LOOP.txt" in n)
    assert "44 intervals" in gaps and "(338.0 s in all)" in gaps
    assert t[s.TIME][-1] - 338.0 == pytest.approx(45 * 3600.0, abs=5.0)


def _copy_head(data_dir, tmp_path, name, lines=20):
    text = (data_dir / EXPORT).read_text().splitlines()[:lines]
    out = tmp_path / name
    out.write_text("\n".join(text) + "\n")
    return out


def test_time_potential_export_without_settings_is_refused(data_dir, tmp_path):
    bare = _copy_head(data_dir, tmp_path, f"{STEM}_03_GCPL_C05.txt")
    with pytest.raises(ReadError, match=r"no settings file .*\.mps beside it") as info:
        read(bare)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("number", "why"), [("01_GCPL", "has rests"), ("02_GCPL", "is 'Galvano Electrochemical")]
)
def test_time_potential_export_with_unfit_settings_is_refused(data_dir, tmp_path, number, why):
    shutil.copy(data_dir / f"symmetric/{STEM}.mps", tmp_path)
    bare = _copy_head(data_dir, tmp_path, f"{STEM}_{number}_C05.txt")
    with pytest.raises(ReadError, match=why):
        read(bare)


def test_text_export_without_preamble_is_detected_by_content(data_dir, tmp_path):
    """The T-cell export (decimal comma, extra columns) read under any name."""
    source = data_dir / "threeelectrode/T-cell_pOCV_data.txt"
    renamed = tmp_path / "cell_export.dat"
    shutil.copy(source, renamed)
    a, b = read(source), read(renamed)
    assert b.meta.source_format == "biologic_mpt" and b.n_rows == 9740
    assert a.table.equals(b.table)
    # the export's first row: time/s 0, Ewe/V 3,3091569, Ece/V 0,20197234
    assert b.table[s.WE_POTENTIAL][0] == pytest.approx(3.3091569, abs=1e-7)
    assert b.table[s.VOLTAGE][0] == pytest.approx(3.3091569 - 0.20197234, abs=1e-7)


@pytest.mark.parametrize(
    "name",
    [
        "README.md",
        "threeelectrode/Tesla_4680_README.md",
        "eis/exampleDataAutolab.txt",
    ],
)
def test_other_text_files_are_not_taken_for_ec_lab_exports(data_dir, name):
    from ssblab.io.registry import detect

    path = data_dir / name
    with open(path, "rb") as fh:
        head = fh.read(4096)
    with pytest.raises(ReadError):
        detect(path, head)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (f"{STEM}_03_GCPL_C05_LOOP.txt", "EC-Lab loop index file"),
        (f"{STEM}.mps", "EC-Lab settings file (.mps)"),
        (f"{STEM}-prerun.mps", "EC-Lab settings file (.mps)"),
    ],
)
def test_ec_lab_companion_files_are_refused_in_one_line(data_dir, name, kind):
    path = data_dir / "symmetric" / name
    with pytest.raises(ReadError) as info:
        read(path)
    assert str(info.value) == f"{path}: {kind}, no records; read the data files beside it"


def test_time_potential_export_under_another_name_is_refused(data_dir, tmp_path):
    bare = _copy_head(data_dir, tmp_path, "plating.txt")
    with pytest.raises(ReadError, match="no current column, and the name is not EC-Lab's"):
        read(bare)
