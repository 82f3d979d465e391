"""BioLogic .mpr against EC-Lab's own .mpt export of the same run (the ground truth)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import vendor_cycles as cycles
from ssblab.io import detect, read
from ssblab.io.biologic.mpt import parse_mpt
from ssblab.io.biologic.reader import read_mpr, read_mpt
from ssblab.io.biologic.table import CYCLE_RULE, accumulate_resets

#: Stems with both an .mpr and EC-Lab's .mpt export in shared/data/biologic.
PAIRS = [
    "gcpl.issue_149",
    "gcpl.issue_211",
    "gcpl.pr_182.1",
    "gcpl.pr_182.2",
    "geis.issue_149",
    "mb.issue_95",
    "peis",
]
#: Pairs whose export carries EC-Lab's per-cycle Q charge / Q discharge / Efficiency.
CYCLING = ["gcpl.issue_149", "gcpl.issue_211", "gcpl.pr_182.1", "gcpl.pr_182.2", "mb.issue_95"]

REL = 1e-6


def _close(ours, truth, atol: float = 0.0) -> None:
    np.testing.assert_allclose(
        np.asarray(ours, float), np.asarray(truth, float), rtol=REL, atol=atol
    )


def _pair(data_dir, stem):
    folder = data_dir / "biologic"
    return read_mpr(folder / f"{stem}.mpr"), parse_mpt(folder / f"{stem}.mpt").frame


@pytest.mark.parametrize("stem", PAIRS)
def test_mpr_series_match_ec_lab_export(data_dir, stem):
    run, export = _pair(data_dir, stem)
    table = run.table
    assert table.height == export.height
    _close(table[s.TIME], export["time/s"] - export["time/s"][0], atol=1e-9)
    we = "Ewe/V" if "Ewe/V" in export.columns else "<Ewe>/V"
    potential = s.WE_POTENTIAL if s.WE_POTENTIAL in table.columns else s.VOLTAGE
    _close(table[potential], export[we])  # printed as float32: 8 digits
    current = "I/mA" if "I/mA" in export.columns else "<I>/mA"
    _close(table[s.CURRENT] * 1e3, export[current], atol=1e-12)
    assert table[s.VENDOR_CYCLE].to_list() == export["cycle number"].cast(pl.Int64).to_list()
    assert table[s.CYCLE].min() == 1
    assert (table[s.CYCLE] == table[s.VENDOR_CYCLE] - table[s.VENDOR_CYCLE].min() + 1).all()
    if stem.startswith(("gcpl", "mb")):  # cycling techniques count from 0
        assert (table[s.CYCLE] == table[s.VENDOR_CYCLE] + 1).all()
    assert run.meta.cycle_numbering == CYCLE_RULE


@pytest.mark.parametrize("stem", CYCLING)
def test_per_cycle_capacity_and_efficiency_match_export(data_dir, stem):
    run, export = _pair(data_dir, stem)
    ours = cycles(run)
    truth = (
        export.group_by("cycle number", maintain_order=True)
        .agg(
            pl.col("Q charge/mA.h").max(),
            pl.col("Q discharge/mA.h").max(),
            pl.col("Efficiency/%").max(),
        )
        .sort("cycle number")
    )
    assert ours["cycle"].to_list() == (truth["cycle number"] + 1).cast(pl.Int64).to_list()
    _close(ours["charge_capacity_Ah"] * 1e3, truth["Q charge/mA.h"], atol=1e-15)
    _close(ours["discharge_capacity_Ah"] * 1e3, truth["Q discharge/mA.h"], atol=1e-15)
    done = truth["Efficiency/%"] > 0  # EC-Lab prints 0 for a cycle without charge+discharge
    assert done.sum() >= 1
    _close(ours["coulombic_efficiency"].filter(done) * 100, truth["Efficiency/%"].filter(done))


def test_known_cycle_values_pr_182_1(data_dir):
    """Hand-checked against gcpl.pr_182.1.mpt: cycle 0 is a lone first discharge."""
    run, _ = _pair(data_dir, "gcpl.pr_182.1")
    first = cycles(run).row(0, named=True)
    second = cycles(run).row(1, named=True)
    assert first["charge_capacity_Ah"] == 0.0
    assert first["discharge_capacity_Ah"] == pytest.approx(3.25196e-3, rel=1e-5)
    assert second["coulombic_efficiency"] == pytest.approx(0.86099854, rel=1e-6)


@pytest.mark.parametrize("stem", PAIRS)
def test_mpt_reader_agrees_with_mpr_reader(data_dir, stem):
    folder = data_dir / "biologic"
    a = read_mpr(folder / f"{stem}.mpr").table
    b = read_mpt(folder / f"{stem}.mpt").table
    assert a.height == b.height
    for column in (s.TIME, s.VOLTAGE, s.CURRENT, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY):
        if column in a.columns:
            _close(a[column], b[column], atol=1e-6 if column == s.VOLTAGE else 1e-9)
    assert a[s.CYCLE].to_list() == b[s.CYCLE].to_list()


def test_counters_are_cumulative_and_units_si(data_dir):
    table = read(data_dir / "biologic" / "gcpl.issue_211.mpr").table
    for column in (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY):
        assert (table[column].diff().drop_nulls() >= 0).all(), column
    # 0.068 mA constant-current cycling, in amperes
    assert table[s.CURRENT].abs().max() == pytest.approx(6.8e-5, rel=0.01)
    assert table[s.TIME][0] == 0.0


def test_start_time_from_log_module(data_dir):
    run = read(data_dir / "biologic" / "gcpl.issue_211.mpr")
    # the .mpt header says: Acquisition started on : 05/28/2025 14:23:16.145
    assert run.meta.start_time_utc.startswith("2025-05-28T14:23:16.145")
    first = run.table[s.UNIX_TIME][0]
    assert first == pytest.approx(1748442196.145 + 88246.517264, abs=1e-3)
    mpt = read(data_dir / "biologic" / "gcpl.issue_211.mpt")
    assert mpt.meta.start_time_utc == run.meta.start_time_utc


def test_three_electrode_columns(data_dir):
    table = read(data_dir / "biologic" / "gcpl.pr_182.2.mpr").table
    diff = table[s.WE_POTENTIAL] - table[s.CE_POTENTIAL] - table[s.VOLTAGE]
    assert diff.abs().max() < 1e-12
    # the export's own " Ecell/V" column is Ewe - Ece
    export = parse_mpt(data_dir / "biologic" / "gcpl.pr_182.2.mpt").frame
    _close(table[s.VOLTAGE], export["Ecell/V"], atol=1e-6)


def test_detection_by_content(data_dir, tmp_path):
    source = data_dir / "biologic" / "mb.issue_95.mpr"
    renamed = tmp_path / "no_suffix.bin"
    renamed.write_bytes(source.read_bytes())
    assert detect(renamed) == "biologic_mpr"
    text = tmp_path / "export.txt"
    text.write_bytes((data_dir / "biologic" / "mb.issue_95.mpt").read_bytes())
    assert detect(text) == "biologic_mpt"


def test_data_module_version_3_and_2(data_dir):
    big = read(data_dir / "biologic" / "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    assert big.meta.file_version == "data module v3"
    assert big.n_rows == 46102
    old = read(data_dir / "biologic" / "cellpy_biol.mpr")
    assert old.meta.file_version == "data module v2"
    assert old.n_rows == 23561
    assert old.table[s.VOLTAGE].is_finite().all()


def test_mpt_header_settings_and_locale(data_dir):
    run = read(data_dir / "biologic" / "gcpl.issue_211.mpt")
    assert run.meta.instrument == "BioLogic VMP3 (SN 0858)"
    assert run.meta.channel == "8 (SN 21637)"
    assert run.meta.extra["active_mass"] == "0.790 mg"
    assert run.meta.extra["technique"] == "Galvanostatic Cycling with Potential Limitation"
    # gcpl.issue_149.mpt was exported with decimal commas: first time 3,015299923827115E+001
    comma = parse_mpt(data_dir / "biologic" / "gcpl.issue_149.mpt").frame
    assert comma["time/s"][0] == 30.15299923827115


def test_accumulate_resets_rules():
    frame = pl.DataFrame(
        {"v": [0.0, 1.0, 2.0, 0.5, 1.0, 3.0, 2.0, None], "seg": [0, 0, 0, 1, 1, 2, 2, 2]}
    )
    out = accumulate_resets(frame, {"total": (pl.col("v"), pl.col("seg"))})
    # segment peaks 2, 1, 3; the dip to 2.0 in the last segment holds the running peak
    assert out["total"].to_list() == [0.0, 1.0, 2.0, 2.5, 3.0, 6.0, 6.0, 6.0]
    negative = accumulate_resets(frame, {"total": (-pl.col("v"), pl.col("seg"))})
    assert negative["total"].to_list() == [0.0] * 8


def test_instrument_timezone_converts_the_start(data_dir, monkeypatch):
    monkeypatch.setenv("SSBLAB_INSTRUMENT_TZ", "Europe/Paris")  # CEST = UTC+2 in May
    for name in ("gcpl.issue_211.mpr", "gcpl.issue_211.mpt"):
        run = read(data_dir / "biologic" / name)
        assert run.meta.timezone == "Europe/Paris"
        assert run.meta.start_time_utc.startswith("2025-05-28T12:23:16.145")


def _pair_stems(data_dir) -> list:
    return sorted(
        p.parent / p.stem
        for folder in ("biologic", "eis")
        for p in (data_dir / folder).glob("*.mpr")
        if (p.parent / f"{p.stem}.mpt").exists()
    )


def test_every_mpr_mpt_pair_gives_the_same_table(data_dir):
    """Same columns, same Voltage (1e-6 V) for every .mpr/.mpt pair in shared/data.

    Energies the .mpr does not store are computed as EC-Lab's export computes
    them; they agree with the export to 2e-4 of the largest value (bcd.issue_241,
    where the export's counter starts a cycle one record apart), exactly elsewhere.
    """
    stems = _pair_stems(data_dir)
    assert len(stems) >= 15
    for stem in stems:
        a = read_mpr(stem.parent / f"{stem.name}.mpr")
        b = read_mpt(stem.parent / f"{stem.name}.mpt")
        assert a.table.columns == b.table.columns, stem.name
        assert a.n_rows == b.n_rows, stem.name
        # the same potential became Voltage (a 3-line .mpt header names no technique)
        rule = [n.split(", EC-Lab")[0] for n in a.meta.notes if n.startswith("Voltage / V")]
        other = [n.split(", EC-Lab")[0] for n in b.meta.notes if n.startswith("Voltage / V")]
        assert rule and rule == other, stem
        for column in a.table.columns:
            x, y = a.table[column].cast(pl.Float64), b.table[column].cast(pl.Float64)
            if column in (s.VOLTAGE, s.WE_POTENTIAL, s.CE_POTENTIAL):
                _close(x, y, atol=1e-6)
            elif column in (s.CHARGE_ENERGY, s.DISCHARGE_ENERGY):
                _close(x, y, atol=2e-4 * max(float(y.abs().max() or 0.0), 1e-12))
            else:
                _close(x, y, atol=1e-9)
