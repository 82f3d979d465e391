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
