"""Three-electrode split on a synthetic Li‖Li cell with known plating/stripping overpotentials."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.threeelectrode import (
    electrode_overpotentials,
    plating_stripping_asymmetry,
)
from ssblab.errors import AnalysisError


def three_electrode_table(plating_V: float, stripping_V: float, n: int = 40) -> pl.DataFrame:
    """Half-cycles of 1 h at ±0.1 mA; the plated electrode sits at -plating_V vs Li."""
    points = 9
    k = np.repeat(np.arange(n), points)
    t_h = k + np.tile(np.linspace(0.0, 1.0, points, endpoint=False), n)
    sign = np.where(k % 2 == 0, 1.0, -1.0)  # + : working electrode plated
    we = np.where(sign > 0, -plating_V, stripping_V)
    ce = np.where(sign > 0, stripping_V, -plating_V)
    return pl.DataFrame(
        {
            s.TIME: t_h * 3600.0,
            s.VOLTAGE: ce - we,
            s.CURRENT: sign * 1e-4,
            s.WE_POTENTIAL: we,
            s.CE_POTENTIAL: ce,
        }
    )


def test_split_recovers_plating_and_stripping_overpotentials():
    split = electrode_overpotentials(three_electrode_table(0.100, 0.380))
    assert split.height == 40
    assert split.get_column("plating_mV").to_numpy() == pytest.approx(np.full(40, 100.0))
    assert split.get_column("stripping_mV").to_numpy() == pytest.approx(np.full(40, 380.0))
    # the working electrode alternates between plating (100 mV) and stripping (380 mV)
    assert split.get_column("working_mV").to_list()[:2] == pytest.approx([100.0, 380.0])
    asym = plating_stripping_asymmetry(split, first_h=10.0)
    assert asym.ratio == pytest.approx(3.8)
    assert asym.n_half_cycles == 30


def test_symmetric_interface_has_ratio_near_one():
    asym = plating_stripping_asymmetry(
        electrode_overpotentials(three_electrode_table(0.078, 0.080))
    )
    assert asym.plating_mV == pytest.approx(78.0)
    assert asym.ratio == pytest.approx(80.0 / 78.0)


def test_two_electrode_table_is_refused_with_the_missing_columns():
    table = three_electrode_table(0.1, 0.1).drop(s.WE_POTENTIAL)
    with pytest.raises(AnalysisError, match="Working Electrode Potential"):
        electrode_overpotentials(table)


def test_empty_window_is_refused():
    split = electrode_overpotentials(three_electrode_table(0.1, 0.2))
    with pytest.raises(AnalysisError, match="no half-cycle"):
        plating_stripping_asymmetry(split, first_h=1000.0)


# --- full cells with a reference electrode (analysis.electrode_split) ---


def full_cell_table(eta_pos_V: float = 0.010, eta_neg_V: float = 0.020) -> pl.DataFrame:
    """C/20-like charge then discharge of 1 mAh; each electrode sits η above (positive) or
    below (negative) its OCP on charge, and the other way on discharge."""
    x = np.linspace(0.0, 1.0, 401)
    u_pos = 3.6 + 0.6 * x  # cathode OCP rises as it is delithiated
    u_neg = 0.4 * (1.0 - x) + 0.08  # graphite OCP falls as it is lithiated
    pos = np.concatenate([u_pos + eta_pos_V, u_pos[::-1] - eta_pos_V])
    neg = np.concatenate([u_neg - eta_neg_V, u_neg[::-1] + eta_neg_V])
    t = np.concatenate([x, 1.0 + 1e-6 + x]) * 20 * 3600.0
    i = np.concatenate([np.full(x.size, 5e-5), np.full(x.size, -5e-5)])
    return pl.DataFrame(
        {
            s.TIME: t,
            s.VOLTAGE: pos - neg,
            s.CURRENT: i,
            s.WE_POTENTIAL: pos,
            s.CE_POTENTIAL: neg,
        }
    )


def test_full_cell_overpotentials_are_recovered():
    from ssblab.analysis.electrode_split import PAIR_KEYS, electrode_split

    split = electrode_split(full_cell_table())
    assert split.positive == "working"
    (row,) = split.pairs.to_dicts()
    assert list(row) == list(PAIR_KEYS)
    assert row["positive_mV"] == pytest.approx(10.0, abs=0.05)
    assert row["negative_mV"] == pytest.approx(20.0, abs=0.05)
    assert row["cell_mV"] == pytest.approx(30.0, abs=0.05)
    assert row["positive_share"] == pytest.approx(1 / 3, abs=0.005)
    assert row["closure"] == pytest.approx(1.0, abs=1e-6)
    assert row["charge_Ah"] == pytest.approx(1e-3, rel=1e-3)
    assert split.flags == ()
    assert set(split.curves.get_column("direction").unique()) == {"charge", "discharge"}


def test_full_cell_flags_mismatch_and_inverted_electrodes():
    from ssblab.analysis.electrode_split import electrode_split

    shifted = full_cell_table().with_columns(pl.col(s.VOLTAGE) + 0.02)
    assert [f.code for f in electrode_split(shifted).flags] == ["cell_voltage_mismatch"]
    swapped = full_cell_table(eta_neg_V=-0.02)  # negative higher on charge: not physical
    codes = [(f.quantity, f.code) for f in electrode_split(swapped).flags]
    assert codes == [("pair 1 negative_mV", "inverted_hysteresis")]
    with pytest.raises(AnalysisError, match="needs the electrode potentials"):
        electrode_split(full_cell_table().drop(s.WE_POTENTIAL))


def test_real_tcell_per_electrode_overpotentials(data_dir):
    """Tesla 4680 T-cell (Ank et al. 2023), pseudo-OCV charge and discharge at ~92 µA.

    No reader detects this EC-Lab text export by itself (no EC-Lab header, extra columns
    added by its authors); the EC-Lab .mpt reader reads it when named."""
    from ssblab.analysis.electrode_split import electrode_split
    from ssblab.analysis.recognize import recognize
    from ssblab.errors import UnknownFormatError
    from ssblab.io import read

    path = data_dir / "threeelectrode" / "T-cell_pOCV_data.txt"
    try:
        run = read(path)
    except UnknownFormatError:
        run = read(path, format="biologic_mpt")
    assert recognize(run).cell_type == "three_electrode"
    split = electrode_split(run)
    assert split.positive == "working"  # Ewe is the cathode
    (row,) = split.pairs.to_dicts()
    assert row["charge_Ah"] == pytest.approx(3.997e-3, rel=1e-3)
    assert row["discharge_Ah"] == pytest.approx(3.975e-3, rel=1e-3)
    assert row["cell_mV"] == pytest.approx(30.9, abs=0.2)
    assert row["positive_mV"] == pytest.approx(7.5, abs=0.2)
    assert row["negative_mV"] == pytest.approx(23.4, abs=0.2)
    assert row["closure"] == pytest.approx(1.0, abs=1e-3)  # Ewe - Ece is the cell voltage
    assert split.flags == ()
    middle = split.profiles.filter((pl.col("soc") - 0.5).abs() < 1e-9).row(0, named=True)
    assert middle["positive_charge_V"] > middle["positive_discharge_V"]
    assert middle["negative_charge_V"] < middle["negative_discharge_V"]


def test_cli_three_electrode_json_and_curves(data_dir, tmp_path, capsys):
    import json

    from ssblab.cli import main

    path = str(data_dir / "threeelectrode" / "T-cell_pOCV_data.txt")
    curves = tmp_path / "curves.csv"
    main(["three-electrode", path, "--format", "biologic_mpt", "-o", str(curves), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert out["positive"] == "working" and out["flags"] == []
    assert out["pairs"][0]["negative_mV"] == pytest.approx(23.4, abs=0.2)
    table = pl.read_csv(curves)
    assert {"capacity_Ah", "cell_V", "positive_V", "negative_V"} <= set(table.columns)
    assert table.height == 9740  # every record with current


def test_plating_split_refuses_a_full_cell():
    from ssblab.flags import NotApplicableError

    with pytest.raises(NotApplicableError, match=r"sit at 3\.9 V and 0\.28 V: a full cell"):
        electrode_overpotentials(full_cell_table())
    assert electrode_overpotentials(full_cell_table(), force=True).height == 2
