"""dQ/dV bins wide enough for the records: no comb of spikes from coarse sampling."""

from __future__ import annotations

from ssblab.analysis.dqdv import dqdv
from ssblab.report.dqdv_bins import MAX_EMPTY_BINS, binned_dqdv, empty_bin_fraction


def test_dense_records_keep_the_5_mV_bins(make_cycling):
    run = make_cycling(n_cycles=2, points_per_half=600)  # 1.2 V in 600 records: 2 mV apart
    curves, made = binned_dqdv(dqdv, run, [1, 2])
    assert empty_bin_fraction(curves) <= MAX_EMPTY_BINS
    assert made == "Histogram dQ/dV in 5 mV bins, Gaussian smoothing σ 10 mV."


def test_coarse_records_are_binned_coarser_and_the_note_says_why(make_cycling):
    """40 records over 1.2 V (about 30 mV apart, as the Al composite case study's PyBaMM
    output at 0.25 mA/cm2: 73-89 % of its 5 mV bins were empty)."""
    run = make_cycling(n_cycles=2, points_per_half=40)
    fine = dqdv(run, cycles=[1, 2])
    assert empty_bin_fraction(fine) > 0.7  # the comb the panel used to draw
    curves, made = binned_dqdv(dqdv, run, [1, 2])
    assert empty_bin_fraction(curves) <= MAX_EMPTY_BINS
    assert "mV bins" in made and "too far apart in voltage for 5 mV bins" in made
    assert "Flagged" not in made


def test_records_too_sparse_for_any_bin_are_flagged(make_cycling):
    run = make_cycling(n_cycles=2, points_per_half=6)  # 0.24 V apart: beyond 40 mV bins
    _, made = binned_dqdv(dqdv, run, [1, 2])
    assert "40 mV bins" in made and "Flagged: even so" in made
