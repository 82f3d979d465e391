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


def test_workbook_aux_columns(data_dir, tmp_path):
    """The real Channel_11_1 sheet with two thermocouples and one aux voltage appended,
    as Arbin Data Watcher names them: kept as Ambient, Aux 2 Temperature, Aux 1 Voltage."""
    from openpyxl import Workbook, load_workbook

    source = data_dir / "arbin" / "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"
    book = load_workbook(source, read_only=True, data_only=True)
    out = Workbook()
    out.remove(out.active)
    extra = ["Temperature (C)_1", "Temperature (C)_2", "Aux_Voltage_1(mV)"]
    for title in ("Global_Info", "Channel_11_1"):
        sheet = out.create_sheet(title)
        for i, row in enumerate(book[title].iter_rows(values_only=True)):
            add = [] if title == "Global_Info" else extra if i == 0 else [25.0, 25.5 + i, 1.5 * i]
            sheet.append(list(row) + add)
    book.close()
    path = tmp_path / "aux.xlsx"
    out.save(path)
    run = read(path)
    t = run.table
    assert run.n_rows == read(source).n_rows == 4526
    assert t[s.TEMPERATURE].unique().to_list() == [25.0]
    assert t[AUX2][0] == 26.5 and t[AUX2][-1] == 25.5 + 4526
    assert t["Aux 1 Voltage / V"][10] == pytest.approx(1.5 * 11 * 1e-3)
    assert not any("Temperature (C)" in n or "Aux_Voltage" in n for n in run.meta.notes)
