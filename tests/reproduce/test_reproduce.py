"""The seed case studies: every reported number present, ssblab's values computed, not copied."""

from __future__ import annotations

import polars as pl
import pytest

import ssblab.bench.data as bench_data
from ssblab.errors import SsblabError
from ssblab.reproduce import run


@pytest.fixture(scope="module")
def lialo2():
    return run("seed-lialo2")


@pytest.fixture(scope="module")
def al_composite():
    return run("seed-al-composite")


def _rows(case):
    return {(c.cell, c.quantity): c for c in case.comparisons}


def test_every_lialo2_number_is_in_the_study(lialo2):
    reported = {c.reported for c in lialo2.comparisons if c.reported is not None}
    seed = bench_data.seed_results().filter(pl.col("study") == "lialo2")
    missing = [
        (r["cell"], r["quantity"], r["value"])
        for r in seed.iter_rows(named=True)
        if r["value"] not in reported
    ]
    assert missing == []


def test_lifetime_ordering_from_one_calibration(lialo2):
    rows = _rows(lialo2)
    q = "lifetime at 0.1 mA/cm2, 0.1 mAh/cm2"
    life = {
        t: rows[(f"sym-li-{t}_lgps", q)].ssblab
        for t in ("lialo2-200nm", "lialo2-300nm", "lialo2-100nm", "bare")
    }
    assert life["lialo2-200nm"] > life["lialo2-300nm"] > life["lialo2-100nm"] > life["bare"] > 0
    q1 = "lifetime at 0.1 mA/cm2, 1.0 mAh/cm2"
    assert rows[("sym-li-lialo2-200nm_lgps", q1)].ssblab > 3 * rows[("sym-li-bare_lgps", q1)].ssblab


def test_composite_numbers(al_composite):
    rows = _rows(al_composite)
    cell = "al-lpsc-composite_ncm622"
    assert rows[(cell, "cathode active loading")].ssblab == pytest.approx(29.95, rel=5e-3)
    assert rows[(cell, "N/P ratio")].reported == 1.05
    assert rows[(cell, "N/P ratio")].ssblab == pytest.approx(0.9385, abs=1e-3)
    assert rows[(cell, "initial coulombic efficiency")].ssblab is None  # says so, never fakes it
    assert "not modelled" in rows[(cell, "initial coulombic efficiency")].method


def test_ssblab_column_is_not_copied_from_the_paper(monkeypatch, al_composite):
    """Changing every reported number leaves ssblab's column unchanged."""
    original = bench_data.seed_results

    def inflated():
        return original().with_columns(pl.col("value") * 1.5)

    monkeypatch.setattr(bench_data, "seed_results", inflated)
    again = run("seed-al-composite")
    before, after = _rows(al_composite), _rows(again)
    for key, row in after.items():
        assert row.ssblab == before[key].ssblab, key
        if before[key].reported is not None and "rank" not in key[1]:
            assert row.reported == pytest.approx(before[key].reported * 1.5)


def test_unknown_study():
    with pytest.raises(SsblabError, match="valid: seed-al-composite, seed-lialo2"):
        run("seed-x")
