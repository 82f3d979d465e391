"""The seed case studies: every reported number present, ssblab's values computed, not copied."""

from __future__ import annotations

import re

import polars as pl
import pytest

import ssblab.bench.data as bench_data
from ssblab.errors import SsblabError
from ssblab.reproduce import run
from ssblab.reproduce.common import ROLES, Comparison


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
    # at the representative posterior draw the seed's ordering holds and the 300 nm cell
    # shorts through its channel-cracked film: 2840 / 2051 / 1037 / 469 h (predicted 300 and
    # 100 nm +28 / -26 %); over the posterior it holds in a third of the draws (README)
    assert life["lialo2-200nm"] > life["lialo2-300nm"] > life["lialo2-100nm"] > life["bare"] > 0
    assert life["lialo2-100nm"] == pytest.approx(1400.0, rel=0.3)
    assert life["lialo2-300nm"] == pytest.approx(1600.0, rel=0.3)
    (note,) = [n for n in lialo2.notes if "channel-cracked film" in n]
    assert "posterior draws (predicted)" in note
    q1 = "lifetime at 0.1 mA/cm2, 1.0 mAh/cm2"
    assert rows[("sym-li-lialo2-200nm_lgps", q1)].ssblab > 3 * rows[("sym-li-bare_lgps", q1)].ssblab


def test_composite_numbers(al_composite):
    rows = _rows(al_composite)
    cell = "al-lpsc-composite_ncm622"
    assert rows[(cell, "cathode active loading")].ssblab == pytest.approx(29.95, rel=5e-3)
    assert rows[(cell, "N/P ratio")].reported == 1.05
    assert rows[(cell, "N/P ratio")].ssblab == pytest.approx(0.9385, abs=1e-3)
    ice = rows[(cell, "initial coulombic efficiency")]
    assert ice.role == "calibrated"  # the interphase rate is set on this very number
    assert ice.ssblab == pytest.approx(84.7, abs=1.5)


def test_composite_long_cycling_at_the_seed_current(al_composite):
    rows = _rows(al_composite)
    cell = "al-lpsc-composite_ncm622"
    run = rows[(cell, "cycles at 7 mA/cm2")]
    assert run.reported == 1000 and run.ssblab == 1000 and run.role == "input"
    kept = rows[(cell, "capacity retention after 1000 cycles at 7 mA/cm2")]
    # predicted by the ICE-calibrated SEI growing on (41.5 % measured; no seed number)
    assert kept.role == "predicted" and kept.reported is None
    assert 30 < kept.ssblab < 60
    # the skipping is checked in the row against PyBaMM stepping 100 cycles itself
    assert "PyBaMM stepping every cycle" in run.method


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


def test_composite_full_cell_is_anode_limited_below_np_1(al_composite):
    rows = _rows(al_composite)
    cell = "al-lpsc-composite_ncm622"
    crossover = rows[(cell, "N/P (design) where the cell turns cathode-limited")]
    assert crossover.role == "predicted"
    assert 0.8 < crossover.ssblab < 1.15  # the Al mass sweep turns over near N/P = 1
    # the sweep reaches past N/P 1.2, where the charge is flat (cathode-limited)
    assert "14 mg (N/P 1.31)" in crossover.method
    # the Li-Al negative has the capacity of its Al: the areal capacity is below the
    # LiAl 5.06 mAh/cm2 and within 15 % of the seed's 5.3
    capacity = rows[(cell, "areal capacity")]
    assert capacity.ssblab < 5.06
    assert abs(capacity.rel_diff_percent) < 15


def test_lialo2_full_cells_calibrated_then_predicted(lialo2):
    rows = _rows(lialo2)
    coated, bare = "li-lialo2-200nm_lgps_lco", "li-bare_lgps_lco"
    for rate in (0.1, 0.2):
        assert rows[(coated, f"discharge capacity at {rate:g} C")].role == "calibrated"
    # predicted (Butler-Volmer Li interface): 0.5 C -7.7 %, 1 C -14.7 %, both within the
    # issue's 15 % (1 C only just); over the 1-30 mg/cm2 loading prior 1 C is 66.6
    # [65.7, 70.3] mAh/g (median -14.6 %): 78 lies outside, said in the row
    errors = {
        r: rows[(coated, f"discharge capacity at {r:g} C")].rel_diff_percent for r in (0.5, 1)
    }
    assert all(rows[(coated, f"discharge capacity at {r:g} C")].role == "predicted" for r in errors)
    assert abs(errors[0.5]) < 15
    assert errors[1] == pytest.approx(-14.7, abs=0.3)
    one_c = rows[(coated, "discharge capacity at 1 C")].method
    assert "[65.7, 70.3] mAh/g, median error -14.6 %, the paper's 78 outside" in one_c
    assert "94 outside" in rows[(coated, "discharge capacity at 0.5 C")].method
    assert "loading prior" not in rows[(coated, "discharge capacity at 0.1 C")].method
    for rate in (0.1, 0.2, 0.5, 1):
        assert rows[(bare, f"discharge capacity at {rate:g} C")].role == "predicted"
    # the paper's direction: the bare cell keeps less energy and less capacity
    ee = "energy efficiency, cycle 50 at 0.1 C"
    assert rows[(coated, ee)].ssblab > rows[(bare, ee)].ssblab
    assert abs(rows[(coated, ee)].ssblab - 96.6) < 3  # 3 points: EE is the mean of 50 cycles' IR
    ret = "capacity retention after 800 cycles at 1 C"
    assert rows[(coated, ret)].role == "calibrated"
    assert rows[(bare, ret)].ssblab < rows[(coated, ret)].ssblab - 10
    gap = rows[(coated, "energy efficiency, coated minus bare, cycle 50 at 0.1 C")]
    assert gap.ssblab > 0 and "direction reproduced" in gap.method and "tolerance" in gap.method
    # tolerance from the measured 19 % model-vs-EIS disagreement of the coated interphase at
    # cycle 50 (1326 vs 1077 Ohm): gap |6.0| within 13.1; the assumed 10 % gave 5.6 (outside)
    # (1324 Ohm, 12.9 / 5.5 at 89fe065; moved in session 5, cause not yet traced; 13.1 in
    # the session-6 CI, 13.3 on the session-7 machine at the same commit: the PyBaMM runs'
    # last digits differ between machines, so the tolerance is compared as a number)
    assert "|error| 6.0 vs tolerance" in gap.method and "points (within)" in gap.method
    assert gap.tolerance == pytest.approx(13.2, abs=0.3)
    r_model = float(re.search(r"model (\d+) Ohm dc", gap.method).group(1))
    assert "+-19%" in gap.method and r_model == pytest.approx(1327.0, abs=3.0)
    assert re.search(r"assumed \+-10% instead: 5\.[5-7], outside", gap.method)
    assert "coated |+1.2| vs 0.6 (outside)" in gap.method
    assert all(c.role in ROLES for c in lialo2.comparisons)


def test_every_row_has_a_role(lialo2, al_composite):
    for case in (lialo2, al_composite):
        assert all(c.role in ROLES for c in case.comparisons)
    rows = _rows(al_composite)
    cell = "al-lpsc-composite_ncm622"
    for quantity in (
        "cathode active loading",
        "N/P ratio",
        "N/P rank among Table S1 anodes (1 = lowest)",
    ):
        assert rows[(cell, quantity)].role == "design"
    with pytest.raises(SsblabError, match="role '' is not one of"):
        Comparison("x", "cell", 1.0, 1.0, "-", "no role given")


def test_bulk_resistance_row_says_it_is_another_quantity(lialo2):
    """The design R_b is the LGPS pellet's bulk (10.08 Ohm); the seed's EIS R_b (604 coated,
    1399 bare, same pellet) is not that quantity: the row says so and is flagged a miss."""
    rows = _rows(lialo2)
    for cell, reported, other in (
        ("li-lialo2-200nm_lgps_lco", 604, 1399),
        ("li-bare_lgps_lco", 1399, 604),
    ):
        row = rows[(cell, "R_b (electrolyte bulk)")]
        assert row.role == "design" and row.ssblab == pytest.approx(10.08, abs=0.01)
        assert "is not that quantity" in row.method and f"{other:g} Ohm" in row.method
        (flag,) = [f for f in row.all_flags if f.code == "miss"]
        assert flag.message.startswith(
            f"{100 * (row.ssblab / reported - 1):+.1f} % from the reported {reported:g} Ohm"
        )
        assert any(n.startswith(f"{cell}: warning: R_b (electrolyte bulk):") for n in lialo2.notes)


def test_misses_are_flagged_within_tolerance_are_not(lialo2):
    rows = _rows(lialo2)
    coated, bare = "li-lialo2-200nm_lgps_lco", "li-bare_lgps_lco"
    codes = {k: [f.code for f in r.all_flags] for k, r in rows.items()}
    assert codes[(bare, "R_ct after 50 cycles (one Li interface)")] == ["miss"]  # -62.5 %
    assert codes[(coated, "discharge capacity at 1 C")] == []  # -14.7 %, inside 15 %
    # the EE gap (+45.9 % of 13 points) is judged on its own tolerance, 13.1 points: within
    assert codes[(coated, "energy efficiency, coated minus bare, cycle 50 at 0.1 C")] == []


def test_solver_errors_are_counted_in_the_notes(lialo2):
    (note,) = [n for n in lialo2.notes if "SUNDIALS IDA" in n]
    assert note.startswith(
        "full cells: SUNDIALS IDA wrote 21 error lines to stderr, 7 failed solves"
    )


def test_a_value_carried_through_arithmetic_is_no_difference():
    same = Comparison("q", "c", 30.0, 30.0 * (1 - 6e-13), "mg/cm2", "m", "s", "input")
    assert same.difference == 0.0 and same.rel_diff_percent == 0.0  # was -6e-11 %
    off = Comparison("q", "c", 30.0, 29.95, "mg/cm2", "m", "s", "design")
    assert off.difference == pytest.approx(-0.05) and off.rel_diff_percent == pytest.approx(-1 / 6)


def test_the_case_study_page_names_its_runs_and_its_columns(tmp_path):
    from ssblab.reproduce import write

    case = run("seed-al-composite")
    write(case, tmp_path)
    text = (tmp_path / "index.html").read_text("utf-8")
    assert "<th>relative difference [%]</th>" in text and "<th>rel_diff_percent</th>" not in text
    names = [name for name, _ in case.runs]
    assert names and all(name in text for name in names)
    assert "NCM622 (2)" not in text  # the runs carry their own names, not a counter
