"""Materials catalog: capacities derived from chemistry, sources present."""

from __future__ import annotations

import pytest

from ssblab.errors import MaterialError
from ssblab.materials import FARADAY_C_MOL, catalog, get_material


@pytest.mark.parametrize(
    ("name", "product", "expected"),
    [
        # hand computation: n * 96485.332 / (3.6 * M)
        ("Al", "LiAl", 1 * 96485.33212 / (3.6 * 26.9815385)),  # 993.3 mAh/g (seed: 993)
        ("Al", "Li9Al4", 2.25 * 96485.33212 / (3.6 * 26.9815385)),  # 2235 mAh/g (seed/issue: 2235)
        ("Li", None, 96485.33212 / (3.6 * 6.941)),  # ~3861 (LiAlO2 seed: 3860)
        ("graphite", None, 96485.33212 / (3.6 * 6 * 12.0107)),  # 372 (LiAlO2 seed: 372)
    ],
)
def test_theoretical_capacity_from_composition(name, product, expected):
    assert get_material(name).theoretical_capacity_mAh_g(product) == pytest.approx(
        expected, rel=2e-4
    )


def test_seed_rounded_values():
    assert round(get_material("Al").theoretical_capacity_mAh_g("LiAl")) == 993
    assert round(get_material("Al").theoretical_capacity_mAh_g("Li9Al4")) == 2235
    assert round(get_material("graphite").theoretical_capacity_mAh_g()) == 372


def test_cathode_theoretical_and_practical():
    ncm = get_material("NCM622")
    assert ncm.theoretical_capacity_mAh_g() == pytest.approx(276.5, abs=0.5)
    assert ncm.practical_capacity_mAh_g(4.38).upper_V_vs_Li == 4.3
    assert ncm.practical_capacity_mAh_g(4.45).upper_V_vs_Li == 4.4
    assert ncm.practical_capacity_mAh_g(4.0) is None


def test_aliases_and_unknown():
    assert get_material("LGPS").name == "Li10GeP2S12"
    assert get_material("lpsc").name == "Li5.4PS4.4Cl1.6"
    with pytest.raises(MaterialError, match="unknown material 'Unobtainium'"):
        get_material("Unobtainium")


def test_every_number_has_a_source():
    for m in catalog().values():
        assert m.density_source.strip(), m.name
        if m.conductivity_mS_cm is not None:
            assert m.conductivity_source, m.name
        for p in m.products.values():
            assert p.source.strip(), m.name
        for p in m.practical:
            assert p.source.strip(), m.name


def test_faraday_constant():
    assert pytest.approx(96485.33212) == FARADAY_C_MOL
