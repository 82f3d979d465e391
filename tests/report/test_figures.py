"""Publication PNG figures: every axis labelled with its unit, cycles on a colorbar."""

from __future__ import annotations

import re

import pytest

from ssblab.report.build import make_panels
from ssblab.report.figures import draw
from ssblab.report.inputs import collect

UNIT = re.compile(r"\[[^\]]+\]$|\s/\s\S+$")


@pytest.fixture(scope="module")
def figures(cycling, symmetric, eis_table, make_cycling):
    sim = make_cycling(name="NCM622 full cell", kind="simulated")
    rendered = make_panels(collect([cycling, sim, symmetric, eis_table]))
    return {p.key: draw(p) for p in rendered.panels}


def test_every_axis_has_a_label_with_a_unit(figures):
    assert len(figures) >= 10
    for key, fig in figures.items():
        for ax in fig.axes:
            labels = [ax.get_xlabel(), ax.get_ylabel()]
            labels = [lab for lab in labels if lab]
            assert labels, f"{key}: an axes without labels"
            for lab in labels:
                assert UNIT.search(lab), f"{key}: axis label {lab!r} has no unit"


def test_cycle_colorbar_and_twin_axis(figures):
    vc = figures["voltage_capacity_ncm622_full_cell"]
    assert [ax.get_ylabel() for ax in vc.axes] == ["Voltage [V]", "Cycle [-]"]
    ce = figures["capacity_ce"]
    assert {ax.get_ylabel() for ax in ce.axes} == {
        "Discharge capacity [mAh g⁻¹]",
        "Coulombic efficiency [%]",
    }


def test_nyquist_has_equal_aspect(figures):
    ax = figures["eis_nyquist"].axes[0]
    assert ax.get_aspect() == 1.0


def test_a_point_label_at_the_right_edge_stays_inside_the_axes():
    """The LiAlO2 case study's capacity/CE PNG wrote 'charge carried over' for cycle 5
    (the last) to the right of its cross, across the CE axis' tick labels."""
    import numpy as np

    from ssblab.report.figures import POINT_LABEL, draw
    from ssblab.report.model import Panel, Trace

    ce = Trace(np.arange(1.0, 6.0), np.array([94, 95, 91, 91, 117.0]), "CE", mode="markers")
    over = Trace(np.array([5.0]), np.array([117.0]), "carried over", mode="markers",
                 text=("charge carried over",), cross=True)  # fmt: skip
    first = Trace(np.array([1.0]), np.array([94.0]), "first", mode="markers", text=("first",))
    panel = Panel("ce", "CE", "Cycle number [-]", "CE [%]", (ce, over, first))
    fig = draw(panel)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    labels = {t.get_text(): t for t in ax.texts if t.get_gid() == POINT_LABEL}
    right, left = labels["charge carried over"], labels["first"]
    assert right.get_horizontalalignment() == "right"
    assert right.get_window_extent().x1 <= ax.get_window_extent().x1
    assert left.get_horizontalalignment() == "left"  # on the left: to the right, as before
