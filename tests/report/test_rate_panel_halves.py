"""The report's rate panel on an anode half-cell: blocks on the charge (delithiation)."""

from __future__ import annotations

import pytest


def test_anode_half_cell_rate_panel_shows_the_delithiation(data_dir):
    pytest.importorskip("ssblab.io.arbin")
    from ssblab.io import read
    from ssblab.report.inputs import LabelledRun
    from ssblab.report.panels_echem import rate_bars

    path = data_dir / "arbin" / "20160805_test001_45_cc_01.res"
    if not path.is_file():
        pytest.skip(f"{path} is not in the data folder")
    panel = rate_bars([LabelledRun("anode", read(path))])
    assert panel.x_label.startswith("Block: charge current")
    assert panel.y_label.startswith("Mean charge capacity")
    (bars,) = panel.traces
    # 3 + 14 cycles at 0.154 / 0.306 mA: 1.685 / 1.550 mAh of delithiation (the lithiation
    # read 1.636 / 1.487 mAh); in mAh/g where the file carries the mass
    first, second = bars.y[:2]
    assert second / first == pytest.approx(1.550 / 1.685, rel=2e-3)
