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
