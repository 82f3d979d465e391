"""Arbin CSV/XLSX auxiliary channels kept as BDF-style columns."""

from __future__ import annotations

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.io import read
from ssblab.io.arbin.text import aux_columns, rename_map

AUX2 = "Aux 2 Temperature / degC"


def test_second_temperature_of_a_csv_export_is_aux_2(data_dir):
    path = data_dir / "arbin/p492-13-raw.csv"
    run = read(path)
    raw = pl.read_csv(path, columns=["Cell_Temperature_C", "Temp2"], null_values=["NaN"])
    assert run.table.columns[-2:] == [s.TEMPERATURE, AUX2]
    assert run.table[AUX2].to_list() == raw["Temp2"].to_list()
    assert (run.table[AUX2].min(), run.table[AUX2].max()) == (29.3781, 29.7492)
    assert run.table[s.TEMPERATURE].to_list() == raw["Cell_Temperature_C"].to_list()
    assert "'Temp2' states no unit: taken as degC, the unit of 'Cell_Temperature_C'" in (
        run.meta.notes
    )
    kept = next(n for n in run.meta.notes if "export columns not kept" in n)
    assert kept.startswith("16 ") and "Temp2" not in kept


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Temperature (C)_1", "Temperature (C)_2", "Aux_Voltage_1(V)", "Aux_Voltage_2(mV)"],
            {
                "Temperature (C)_2": (AUX2, 1.0),
                "Aux_Voltage_1(V)": ("Aux 1 Voltage / V", 1.0),
                "Aux_Voltage_2(mV)": ("Aux 2 Voltage / V", 1e-3),
            },
        ),
        (["Temperature", "Aux_Temperature_2(C)"], {"Aux_Temperature_2(C)": (AUX2, 1.0)}),
        # no unit stated anywhere: the second probe is not kept (named in the notes)
        (["Temperature", "Temp2"], {}),
        (["Aux_Voltage_1(K)"], {}),
    ],
)
def test_aux_headers(headers, expected):
    got = rename_map(headers)
    assert {k: v for k, v in got.items() if v[0].startswith("Aux ")} == expected
    assert aux_columns(headers, {k: v for k, v in got.items() if k not in expected})[0] == expected
