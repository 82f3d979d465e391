"""Variants peers read that ssblab once refused: each against the vendor export or the peer.

Ground truth: EC-Lab's own ``.mpt`` beside each ``.mpr``; fastnda's output
(``scrubbed_ndc2.parquet``) for ndc version 2; the Maccor export itself.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.io import read
from ssblab.io.biologic.mpt import parse_mpt

VOLT = 1e-6  # V: the .mpt prints float32 values to 8 digits


def _export(data_dir, stem: str) -> pl.DataFrame:
    return parse_mpt(data_dir / "biologic" / f"{stem}.mpt").frame


def _close(ours, truth, atol: float) -> None:
    np.testing.assert_allclose(np.asarray(ours, float), np.asarray(truth, float), atol=atol)


@pytest.mark.parametrize("suffix", [".mpr", ".mpt"])
def test_header_only_wait_is_zero_rows(data_dir, suffix):
    run = read(data_dir / "biologic" / f"wait{suffix}")
    assert run.n_rows == 0
    assert any("0 rows" in n for n in run.meta.notes)
    # the export names Ewe, I, Ece: the table has the same potentials
    assert {s.VOLTAGE, s.CURRENT, s.WE_POTENTIAL, s.CE_POTENTIAL} <= set(run.table.columns)


def test_bt_lab_ecell_is_the_voltage(data_dir):
    """BT-Lab BCD: the .mpr's ID 6 is Ecell (the export's ``Ecell/V``), not Ewe."""
    export = _export(data_dir, "bcd.issue_241")
    assert "Ecell/V" in export.columns and "Ewe/V" not in export.columns
    for suffix in (".mpr", ".mpt"):
        run = read(data_dir / "biologic" / f"bcd.issue_241{suffix}")
        assert run.n_rows == export.height == 2550
        _close(run.table[s.VOLTAGE], export["Ecell/V"], VOLT)
        assert any("Ecell/V" in n and "BCD" in n for n in run.meta.notes)
    # first record of the export: Ecell 8.1357974E-001 V, I -5.7072818E-001 mA
    assert run.table[s.VOLTAGE][0] == pytest.approx(0.81357974, abs=1e-8)
    assert run.table[s.CURRENT][0] == pytest.approx(-5.7072818e-4, rel=1e-7)


def test_ec_lab_1150_averaged_header(data_dir):
    """``<Ewe/V>`` in the .mpt header is the .mpr's ``<Ewe>/V`` (ID 174)."""
    header = (data_dir / "biologic" / "coc.issue_185.mpt").read_bytes()
    assert b"\t<Ewe/V>\t" in header
    export = _export(data_dir, "coc.issue_185")
    mpr = read(data_dir / "biologic" / "coc.issue_185.mpr").table
    assert mpr.height == export.height == 24
    _close(mpr[s.VOLTAGE], export["<Ewe>/V"], VOLT)
    assert export["<Ewe>/V"][0] == pytest.approx(2.7996334e-3)


def test_peis_with_counter_electrode_columns(data_dir):
    """The .mpt header names two columns its rows do not carry; no column shifts."""
    export = _export(data_dir, "peis.issue_225.with_ece")
    assert export.height == 32
    run = read(data_dir / "biologic" / "peis.issue_225.with_ece.mpt")
    assert any("header names past the rows' last field" in n for n in run.meta.notes)
    mpr = read(data_dir / "biologic" / "peis.issue_225.with_ece.mpr").table
    _close(mpr[s.CE_POTENTIAL], export["<Ece>/V"], VOLT)
    _close(mpr[s.WE_POTENTIAL], export["<Ewe>/V"], VOLT)
    # PEIS controls Ewe: Voltage is Ewe, not Ewe - Ece
    _close(mpr[s.VOLTAGE], export["<Ewe>/V"], VOLT)
    _close(run.table[s.VOLTAGE], mpr[s.VOLTAGE], VOLT)
    # the last field of a row is Rwe-ce/Ohm: 3.3806892E+003 on the first row
    assert export["Rwe-ce/Ohm"][0] == pytest.approx(3380.6892)


def test_column_id_880_is_energy_we(data_dir):
    from ssblab.io.biologic.mpr import parse_mpr

    content = parse_mpr(data_dir / "biologic" / "mb.issue_223.mpr")
    assert 880 in content.column_ids
    export = _export(data_dir, "mb.issue_223")
    _close(content.frame["Energy we/W.h"], export["Energy we/W.h"], 1e-15)
    _close(content.frame["Ewe/V"], export["Ewe/V"], VOLT)


def test_chronopotentiometry_counter_potential(data_dir):
    """ID 441 is ``<Ece>/V`` (the export prints it so; ID 39 is the I Range code)."""
    from ssblab.io.biologic.mpr import parse_mpr

    content = parse_mpr(data_dir / "biologic" / "cp.mpr")
    export = _export(data_dir, "cp")
    assert content.frame["I Range"].to_list() == export["I Range"].cast(pl.Int64).to_list()
    run = read(data_dir / "biologic" / "cp.mpr")
    _close(run.table[s.CE_POTENTIAL], export["<Ece>/V"], VOLT)
    # CP is a cell technique: Voltage = Ewe - Ece, the export's own Ewe-Ece/V
    _close(run.table[s.VOLTAGE], export["Ewe-Ece/V"], 2 * VOLT)


def test_cyclic_voltammetry_potential_is_ewe(data_dir):
    export = _export(data_dir, "cv")
    run = read(data_dir / "biologic" / "cv.mpr")
    assert run.n_rows == 5103
    _close(run.table[s.VOLTAGE], export["Ewe/V"], VOLT)
    _close(run.table[s.CURRENT] * 1e3, export["<I>/mA"], 1e-12)
    assert any("CV: potential-controlled" in n for n in run.meta.notes)


def test_ndc_version_2_matches_fastnda(data_dir):
    folder = data_dir / "neware"
    ref = pl.read_parquet(folder / "scrubbed_ndc2.parquet")
    run = read(folder / "scrubbed_ndc2.ndax")
    t = run.table
    assert run.meta.file_version == "ndc 2"
    assert any("t1 and H2" in n for n in run.meta.notes)  # not decoded, and said so
    assert t.height == ref.height == 28
    _close(t[s.VOLTAGE] * 1e3, ref["Voltage(mV)"], 0.051)
    _close(t[s.CURRENT] * 1e6, ref["Current(uA)"], 0.5)
    _close(t[s.TIME], ref["Total Time"], 1e-9)
    assert t[s.STEP_INDEX].to_list() == ref["Step Index"].cast(pl.Int64).to_list()
    assert t[s.CYCLE].to_list() == ref["Cycle Index"].cast(pl.Int64).to_list()
    assert t[s.STEP_COUNT].to_list() == ref["Step Count"].cast(pl.Int64).to_list()
    # fastnda's V1(mV) aux channel; the wall clock read as UTC
    _close(t["Aux 1 Voltage / V"] * 1e3, ref["V1(mV)"], 0.051)
    unix = ref["Date"].dt.epoch("ms").cast(pl.Float64) / 1e3
    _close(t[s.UNIX_TIME], unix, 1e-3)


def test_empty_ndax_is_zero_rows_with_a_note(data_dir):
    run = read(data_dir / "neware" / "empty.ndax")
    assert run.n_rows == 0
    assert any("0 rows" in n for n in run.meta.notes)
    s.validate(run.table)


def test_maccor_macnet_header_and_decimal_comma(data_dir):
    path = data_dir / "maccor" / "maccor_two.txt"
    run = read(path)
    # 214 records, the last one cut mid-record (9 of 28 fields): 213 whole ones
    assert run.n_rows == 213 and run.meta.rows_skipped == 1
    t = run.table
    assert t[s.VOLTAGE][0] == pytest.approx(0.1377) and t[s.VOLTAGE][-1] == pytest.approx(0.1490)
    # TestTime counts minutes (records 1 min apart on the DPT Time clock)
    assert t[s.TIME][-1] == pytest.approx(212 * 60.0)
    assert (t[s.CURRENT] == 0.0).all()
    assert run.meta.channel == "81" and run.meta.cell_name == "KIT-SIMBA-013-2"
    assert run.meta.start_time_utc.startswith("2021-06-05T11:23:46")
    assert any("TestTime in min" in n for n in run.meta.notes)


def test_active_mass_and_area_from_the_ec_lab_header(data_dir):
    folder = data_dir / "biologic"
    # gcpl.issue_211.mpt: "Mass of active material : 0.790 mg"
    for suffix in (".mpr", ".mpt"):
        run = read(folder / f"gcpl.issue_211{suffix}")
        assert run.meta.active_mass_g == pytest.approx(0.790e-3, rel=1e-12)
        assert run.meta.extra["active_mass"].startswith("0.79")
    # peis.issue_225.with_ece.mpt: 1.390 mg on 113.100 mm2
    run = read(folder / "peis.issue_225.with_ece.mpt")
    assert run.meta.active_mass_g == pytest.approx(1.390e-3)
    assert run.meta.area_cm2 == pytest.approx(1.131)
    # EC-Lab's defaults (0.001 mg, 7000 mg, 0.001 cm2) are not cell data
    for name in ("mb.issue_95.mpt", "bcd.issue_241.mpr", "bcd.issue_241.mpt"):
        run = read(folder / name)
        assert run.meta.active_mass_g is None and run.meta.area_cm2 is None
        assert any("EC-Lab's default" in n for n in run.meta.notes)


def test_three_electrode_text_export_without_preamble(data_dir):
    """T-cell_pOCV_data.txt: EC-Lab columns, decimal comma, no header block, .txt suffix."""
    path = data_dir / "threeelectrode" / "T-cell_pOCV_data.txt"
    run = read(path)
    lines = path.read_text().splitlines()
    assert run.meta.source_format == "biologic_mpt"
    assert run.n_rows == len(lines) - 1 == 9740
    names = lines[0].split("\t")
    rows = [[float(v.replace(",", ".")) for v in ln.split("\t")] for ln in lines[1:]]
    col = {n: np.array([r[k] for r in rows]) for k, n in enumerate(names)}
    # Ewe is the cathode, Ece the anode (both vs reference): Voltage is the full cell,
    # the authors' own Ewe-Ece/V column
    _close(run.table[s.VOLTAGE], col["Ewe-Ece/V"], 2 * VOLT)
    _close(run.table[s.WE_POTENTIAL], col["Ewe/V"], VOLT)
    _close(run.table[s.CE_POTENTIAL], col["Ece/V"], VOLT)
    _close(run.table[s.CURRENT] * 1e3, col["I/mA"], 1e-12)
