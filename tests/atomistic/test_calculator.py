"""Calculators: CHGNet from the packaged weights with the network off, EMT, errors."""

from __future__ import annotations

import socket

import pytest

from ssblab.atomistic.calculator import CHGNET_VERSION, check_elements, get_calculator
from ssblab.atomistic.relax import relax, relaxed_lattice, single_point
from ssblab.atomistic.structures import conventional_cell
from ssblab.errors import SsblabError

pytest.importorskip("chgnet", reason="CHGNet not installed: pip install 'ssblab[atoms]'")


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a network connection fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("ssblab tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_chgnet_loads_offline_and_keeps_stdout_clean(no_network, capsys):
    from ssblab.atomistic import calculator

    calculator._chgnet_model.cache_clear()
    calc = get_calculator("chgnet")
    assert calc.version == CHGNET_VERSION
    assert capsys.readouterr().out == ""


def test_sevennet_loads_offline_from_the_wheel(no_network, capsys):
    pytest.importorskip("sevenn", reason="SevenNet not installed: pip install 'ssblab[atoms]'")
    from ssblab.atomistic import calculator

    calculator._sevennet_calculator.cache_clear()
    energy = single_point(conventional_cell("Li", a_A=3.43), "sevennet") / 2
    # PBE bcc Li is about -1.9 eV/atom (Materials Project mp-135), as for CHGNet.
    assert energy == pytest.approx(-1.9, abs=0.08)
    assert capsys.readouterr().out == ""
    assert calculator.model_version("sevennet").startswith("sevennet:7net-0:sevenn==")


def test_single_point_bcc_li_energy_per_atom(no_network):
    # MPtrj is PBE; the PBE energy of bcc Li (Materials Project mp-135) is about
    # -1.9 eV/atom, so CHGNet should land close to it.
    energy = single_point(conventional_cell("Li", a_A=3.45), "chgnet") / 2
    assert energy == pytest.approx(-1.9, abs=0.08)


def test_bcc_li_lattice_constant_within_2_percent():
    # Experiment: 3.44-3.51 Å from low to room temperature (Berliner et al. 1989).
    a = relaxed_lattice("Li", "chgnet").atoms.cell.cellpar()[0]
    assert a == pytest.approx(3.45, rel=0.02)


def test_fcc_al_lattice_constant_within_2_percent():
    # Experiment: 4.05 Å at room temperature.
    a = relaxed_lattice("Al", "chgnet").atoms.cell.cellpar()[0]
    assert a == pytest.approx(4.05, rel=0.02)


def test_relax_leaves_input_untouched_and_lowers_energy():
    start = conventional_cell("Al")
    start.rattle(0.05, seed=1)
    before = start.positions.copy()
    done = relax(start, model="emt", fmax=0.01)
    assert done.converged
    assert (start.positions == before).all()
    assert done.energy_eV < single_point(start, "emt") - 1e-3
    assert done.atoms.calc is None


def test_unknown_model_lists_choices():
    with pytest.raises(SsblabError, match="chgnet, sevennet, emt"):
        get_calculator("mace")


def test_emt_refuses_lithium():
    with pytest.raises(SsblabError, match="no parameters for Li"):
        check_elements("emt", {"Li", "Al"})


def test_negative_fmax_is_refused():
    with pytest.raises(SsblabError, match="fmax"):
        relax(conventional_cell("Al"), model="emt", fmax=-0.1)
