"""Axis ticks and bar labels of the page's figures, as the session-7 screenshots showed them."""

from __future__ import annotations

import numpy as np

from ssblab.report.model import Panel, Trace, cycle_tick_step, decades
from ssblab.report.plotly_panels import figure_dict, wrap_width


def _cycles(x: list[float], log_y: bool = False, y: list[float] | None = None) -> Panel:
    ys = np.asarray(y if y is not None else [3.6] * len(x), dtype=float)
    trace = Trace(np.asarray(x, dtype=float), ys, "cell", mode="lines+markers")
    return Panel("c", "Capacity", "Cycle number [-]", "Capacity [mAh]", (trace,), log_y=log_y)


def test_two_cycles_get_whole_number_ticks_not_1_2_1_4():
    """The Al composite case study (2 cycles) showed ticks 1, 1.2, ... 2 on its cycle axis."""
    axis = figure_dict(_cycles([1, 2]))["layout"]["xaxis"]
    assert axis["dtick"] == 1 and axis["tickformat"] == "d"
    many = figure_dict(_cycles(list(range(1, 801))))["layout"]["xaxis"]
    assert "dtick" not in many and many["tickformat"] == "d"  # 800 cycles: Plotly's step
    assert cycle_tick_step(_cycles([1, 2.5])) is None  # not whole numbers: left alone


def test_a_log_axis_over_decades_is_labelled_at_decades_only():
    """The real-file capacity axis (0.2 mAh to 5.8 Ah) read 10k, 5, 2, 1000, 2, 5, ..."""
    wide = _cycles([1, 2, 3], log_y=True, y=[0.2, 6.3, 5807.0])
    assert decades(wide.traces, "y") == np.log10(5807.0 / 0.2)
    assert figure_dict(wide)["layout"]["yaxis"]["dtick"] == 1
    narrow = _cycles([1, 2, 3], log_y=True, y=[0.015, 0.03, 0.055])  # a Bode |Z|
    assert "dtick" not in figure_dict(narrow)["layout"]["yaxis"]


def test_six_long_cell_names_wrap_narrow_enough_not_to_overlap():
    """The LiAlO2 lifetime bars (6 cells) wrapped at 18 characters ran into each other."""
    names = [f"Li@LiAlO2 {n}nm | LGPS | Li@LiAlO2 {n}nm" for n in (100, 200, 300, 400, 500, 600)]
    bars = Trace(np.asarray(names), np.arange(6.0), "lifetime", mode="bar")
    panel = Panel("l", "Lifetime", "Cell", "Lifetime [h]", (bars,))
    width = wrap_width(panel)
    assert width == 9
    labels = figure_dict(panel)["data"][0]["x"]
    assert all(len(line) <= width for label in labels for line in label.split("<br>"))
    assert figure_dict(panel)["layout"]["xaxis"]["title"]["standoff"] == 10  # below them all
    two = Panel(
        "l", "Lifetime", "Cell", "Lifetime [h]", (Trace(bars.x[:2], bars.y[:2], "l", mode="bar"),)
    )
    assert wrap_width(two) == 18  # a slot wide enough for the usual width


def test_a_failure_at_the_end_of_the_run_is_drawn_inside_the_frame():
    """A model Li|Li run stops at its failure (469 h): the dotted failure line sat on the
    right edge of the plot frame, where Plotly's autorange ended."""
    from ssblab.report.model import Event

    t = np.linspace(0.0, 469.0, 50)
    trace = Trace(t, np.sin(t), "Li | LGPS | Li (bare)")
    ends = Panel("s", "V", "Time [h]", "Voltage [mV]", (trace,), events=(Event(469.0, "short"),))
    assert figure_dict(ends)["layout"]["xaxis"]["range"] == [0.0, 469.0 + 0.02 * 469.0]
    inside = Panel("s", "V", "Time [h]", "Voltage [mV]", (trace,), events=(Event(200.0, "x"),))
    assert "range" not in figure_dict(inside)["layout"]["xaxis"]
