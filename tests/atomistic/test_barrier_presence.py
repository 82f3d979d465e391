"""The two potentials disagree on whether a path has a barrier at all (synthetic inputs).

The cases are the interface crossings of sessions 6-7 (README): Li|gamma-LiAlO2, CHGNet's
first-layer band downhill throughout (no_saddle, 0.000 eV) and SevenNet's hop 0.109 eV
with an interior saddle; Al|Li6PS5Cl, SevenNet's first-layer Li relaxed back to its site
(end_points_merged, no band).
"""

from __future__ import annotations

import pytest

from ssblab.atomistic.consensus import (
    MARGIN_BARRIER_EV,
    barrier_presence,
    disagreement,
)

CODE = "potentials_disagree_on_barrier"


def test_a_band_without_a_saddle_beside_a_barrier_is_flagged():
    barriers = {"CHGNet": 0.0, "SevenNet": 0.109}
    (flag,) = barrier_presence(barriers, {"CHGNet": ["no_saddle"], "SevenNet": []})
    assert flag.code == CODE and flag.quantity == "barrier_eV"
    assert "SevenNet: barrier 0.109 eV" in flag.message
    assert "CHGNet: no saddle" in flag.message


def test_no_band_beside_a_barrier_is_flagged_where_the_spread_check_is_silent():
    barriers = {"CHGNet": 0.42, "SevenNet": None}
    assert disagreement("barrier_eV", barriers, MARGIN_BARRIER_EV, "eV") == ()  # one number
    (flag,) = barrier_presence(barriers, {"SevenNet": ("end_points_merged",)})
    assert flag.code == CODE
    assert "CHGNet: barrier 0.420 eV" in flag.message
    assert "SevenNet: end points merged" in flag.message


@pytest.mark.parametrize(
    ("codes", "why"),
    [((), "no band (not run)"), (("no_short_hop",), "no clear short hop (no band)")],
)
def test_the_reason_for_no_barrier_is_named(codes, why):
    (flag,) = barrier_presence({"CHGNet": 0.3, "SevenNet": None}, {"SevenNet": codes})
    assert f"SevenNet: {why}" in flag.message


@pytest.mark.parametrize(
    ("barriers", "codes"),
    [
        ({"CHGNet": 0.43, "SevenNet": 0.56}, {}),  # both have one: disagreement() judges
        ({"CHGNet": None, "SevenNet": None}, {}),  # neither has one: they agree
        ({"CHGNet": 0.0, "SevenNet": None}, {"CHGNet": ["no_saddle"]}),  # neither, two ways
        ({"CHGNet": 0.3}, {}),  # one potential only: nothing to compare
        # a merged first hop and a second-layer barrier: that is a barrier
        ({"CHGNet": 0.04, "SevenNet": 0.12}, {"CHGNet": ["end_points_merged"]}),
    ],
)
def test_agreement_on_having_a_barrier_is_not_flagged(barriers, codes):
    assert barrier_presence(barriers, codes) == ()
