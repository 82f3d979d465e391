"""Posterior draws of the symmetric model: convergence diagnostics and the CSV round trip."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.errors import SimulationError
from ssblab.simulate import posterior as po
from ssblab.simulate.posterior_draws import Posterior, split_rhat


def test_split_rhat_is_one_for_agreeing_chains_and_large_for_stuck_ones():
    rng = np.random.default_rng(3)
    mixed = rng.standard_normal((2000, 8, 2))
    assert split_rhat(mixed) == pytest.approx([1.0, 1.0], abs=0.01)
    stuck = mixed + np.arange(8)[None, :, None]  # each chain around its own mean
    assert np.all(split_rhat(stuck) > 2.0)
    drifting = mixed + np.linspace(0.0, 3.0, 2000)[:, None, None]  # first half != second
    assert np.all(split_rhat(drifting) > 1.2)


def test_draws_round_trip_with_their_diagnostics(tmp_path):
    draws = np.random.default_rng(1).uniform(-1, 1, (50, len(po.FREE)))
    post = Posterior(draws, 0.25, 9000, 36, 120.5, 7500.0, 1.0123, 2243.0)
    path = tmp_path / "draws.csv"
    po.write_draws(post, path)
    back = po.load_draws(path)
    assert back.draws == pytest.approx(draws, rel=1e-5)
    assert (back.steps, back.walkers) == (9000, 36)
    assert back.acceptance == pytest.approx(0.25)
    assert back.autocorr_steps == pytest.approx(120.5)
    assert back.kept_tau == pytest.approx(7500.0 / 120.5)
    assert (back.rhat_max, back.ess_min) == (pytest.approx(1.0123), 2243.0)
    path.write_text("# emcee\nlog10_a,log10_b\n1,2\n")
    with pytest.raises(SimulationError, match="do not match the free parameters"):
        po.load_draws(path)


def test_shipped_chain_states_its_convergence():
    post = po.load_draws()
    assert post.draws.shape == (1000, len(po.FREE))
    # measured on the shipped chain (README): not emcee's 50 tau, so R-hat and ESS are stated
    assert post.kept_steps >= 20000 and post.kept_tau > 20.0
    assert post.rhat_max < 1.15
    assert post.ess_min > 800.0
    assert 0.02 < post.acceptance < 0.5


def test_run_chain_writes_draws_and_a_thinned_checkpoint(tmp_path):
    from ssblab.simulate.posterior_ship import run_chain

    out = tmp_path / "draws.csv"
    post = run_chain(out, minutes=0.001, walkers=40)  # one block of 250 steps
    chain = np.load(f"{out}.chain.npy")
    assert chain.dtype == np.float32 and chain.shape == (250 // 20, 40, len(po.FREE))
    back = po.load_draws(out)
    assert back.steps == post.steps == 250 and back.walkers == 40
    lo, hi = np.log10([v[:2] for v in po.FREE.values()]).T
    assert np.all((back.draws >= lo) & (back.draws <= hi))
