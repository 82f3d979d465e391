"""``ssblab plot KIND FILE…``: one test per kind that the image is drawn and the axes carry units.

The inputs are the report's synthetic runs (tests/report/conftest.py) written to
Parquet, so the whole path (CLI → reader → panel → matplotlib) runs.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from PIL import Image
from typer.testing import CliRunner

from ssblab.cli import app
from ssblab.io.export import write

runner = CliRunner()
_SPEC = importlib.util.spec_from_file_location(
    "_plot_synthetic", Path(__file__).resolve().parents[1] / "report" / "conftest.py"
)
synthetic = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(synthetic)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    """Parquet files of each kind of synthetic experiment."""
    folder = tmp_path_factory.mktemp("plot")
    runs = {
        "cycling": synthetic.cycling_run(n_cycles=6),
        "model": synthetic.cycling_run(n_cycles=6, kind="simulated", name="NCM622 (model)"),
        "rate": synthetic.cycling_run(n_cycles=8, currents_mA=[0.2] * 2 + [0.5] * 2 + [1.0] * 4),
        "symmetric": synthetic.symmetric_run(),
        "gitt": synthetic.gitt_run(),
        "cv": synthetic.cv_run(),
    }
    out = {}
    for name, run in runs.items():
        out[name] = folder / f"{name}.parquet"
        write(run, out[name])
    out["eis"] = folder / "eis.parquet"
    synthetic.spectrum().write_parquet(out["eis"])
    return out


CASES = {
    "voltage": (["cycling", "model"], "Capacity [mAh g", "Voltage [V]"),
    "capacity": (["cycling"], "Cycle number [-]", "Discharge capacity [mAh g"),
    "retention": (["cycling"], "Cycle number [-]", "Retention [%]"),
    "dqdv": (["cycling"], "Voltage [V]", "dQ/dV ["),
    "rate": (["rate"], "", "capacity ["),
    "nyquist": (["eis"], "Z' [Ω]", "−Z'' [Ω]"),
    "bode": (["eis"], "Frequency [Hz]", "|Z| [Ω]"),
    "symmetric": (["symmetric"], "Time [h]", "Voltage [mV]"),
    "gitt": (["gitt"], "", "OCV"),
    "cv": (["cv"], "Voltage [V]", "Current ["),
}


def _ink(path: Path) -> float:
    """Share of pixels that are not white (a blank figure has ~0)."""
    grey = np.asarray(Image.open(path).convert("L"), dtype=float)
    return float((grey < 200).mean())


@pytest.mark.parametrize("kind", sorted(CASES))
def test_each_kind_draws_with_units(kind, files, tmp_path):
    names, x_part, y_part = CASES[kind]
    out = tmp_path / f"{kind}.png"
    args = ["plot", kind, *[str(files[n]) for n in names], "-o", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["out"] == str(out) and payload["panels"]
    assert out.stat().st_size > 10_000
    assert 0.01 < _ink(out) < 0.6  # lines and text, not a blank or black canvas

    from ssblab.plotting import plot

    fig = plot(kind, *[files[n] for n in names]).figure
    labels = [(ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes if ax.get_ylabel()]
    assert labels
    xs = " ".join(x for x, _ in labels)
    ys = " ".join(y for _, y in labels)
    assert x_part in xs and y_part.lower() in ys.lower(), labels
    for x, y in labels:  # every labelled axis names its unit in brackets
        assert "[" in y and "]" in y, y
        assert not x or ("[" in x and "]" in x), x


def test_svg_pdf_html_and_styles(files, tmp_path):
    for suffix in (".svg", ".pdf", ".html"):
        out = tmp_path / f"cap{suffix}"
        result = runner.invoke(app, ["plot", "capacity", str(files["cycling"]), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 5_000
    page = (tmp_path / "cap.html").read_text("utf-8")
    assert 'id="ssblab-plotly-gz"' in page and page.count('class="ssblab-fig"') == 1
    assert (tmp_path / "cap.pdf").read_bytes()[:4] == b"%PDF"
    from ssblab.plotting import plot

    paper = plot("capacity", files["cycling"], style="paper").figure
    slide = plot("capacity", files["cycling"], style="slide").figure
    assert slide.get_size_inches()[0] > paper.get_size_inches()[0]


def test_mass_normalises_and_model_is_dashed(files):
    from ssblab.plotting import plot

    result = plot("voltage", files["cycling"], files["model"])
    (panel,) = result.panels
    assert panel.x_label == "Capacity [mAh g⁻¹]"  # 8 mg in the metadata
    dashed = {t.name for t in panel.traces if t.dash}
    assert dashed == {"NCM622 (model)"}
    # first charge 1 mAh over 8 mg = 125 mAh/g
    first = next(t for t in panel.traces if not t.dash)
    assert float(np.nanmax(first.x)) == pytest.approx(125.0, rel=0.01)


def test_capacity_axis_turns_log_when_cells_differ_tenfold(tmp_path):
    from ssblab import schema as s
    from ssblab.plotting import plot
    from ssblab.schema import Run

    small = synthetic.cycling_run(n_cycles=4, name="small")
    big = synthetic.cycling_run(n_cycles=4, name="big")
    scale = [s.CURRENT, s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY]
    big = Run(
        big.table.with_columns([pl.col(c) * 1000 for c in scale]),
        big.meta.with_(active_mass_g=None, area_cm2=None),
    )
    small = Run(small.table, small.meta.with_(active_mass_g=None, area_cm2=None))
    result = plot("capacity", small, big)
    assert result.panels[0].log_y
    voltage = plot("voltage", small, big)
    assert len(voltage.panels) == 2  # one panel per cell rather than one flattened axis


def test_bad_kind_and_bad_output_are_one_line(files, tmp_path):
    result = runner.invoke(app, ["plot", "pie", str(files["cycling"])])
    assert result.exit_code != 0
    from ssblab.errors import SsblabError
    from ssblab.plotting import plot

    with pytest.raises(SsblabError, match="unknown plot kind 'pie'"):
        plot("pie", files["cycling"])
    with pytest.raises(SsblabError, match=r"must end in one of"):
        plot("capacity", files["cycling"], out=tmp_path / "x.jpg")
    with pytest.raises(SsblabError, match="cannot draw a nyquist plot"):
        plot("nyquist", files["cycling"])


def test_real_files_of_two_vendors_overlay(data_dir, tmp_path):
    from ssblab.plotting import plot

    nda = data_dir / "neware" / "TestFile.nda"
    mpr = data_dir / "biologic" / "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
    result = plot("capacity", nda, mpr, out=tmp_path / "two.png")
    names = {t.name for t in result.panels[0].traces}
    assert {"TestFile capacity", "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09 capacity"} <= names
    assert result.panels[0].log_y  # a 3.8 Ah cell next to a ~1 mAh cell


def test_voltage_plot_draws_the_chosen_cycles(files, tmp_path):
    out = tmp_path / "v.png"
    args = ["plot", "voltage", str(files["cycling"]), "--cycles", "1,4", "-o", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    from ssblab.plotting import plot

    (panel,) = plot("voltage", files["cycling"], cycles=[1, 4]).panels
    assert {t.name.split()[1] for t in panel.traces} == {"1", "4"}  # "cycle 1 charge", ...
    bad = runner.invoke(app, ["plot", "voltage", str(files["cycling"]), "--cycles", "one"])
    assert bad.exit_code != 0


def test_voltage_overlay_draws_the_cycles_ssblab_cycles_prints(data_dir):
    # maccor_001.txt: the vendor counter lumps 8 of 9 half-cycles into cycle 1, which drew
    # one 17 624 mAh "charge"; by the pairs rule the widest half-cycle is 4544 mAh
    from ssblab.io import read
    from ssblab.plotting import voltage_overlay
    from ssblab.report.inputs import collect

    path = data_dir / "maccor" / "maccor_001.txt"
    data = collect([read(path), read(path)], labels={0: "a", 1: "b"})
    panel = voltage_overlay(data)
    widest = max(float(np.max(t.x)) for t in panel.traces)
    assert 4000.0 < widest < 4600.0, widest
