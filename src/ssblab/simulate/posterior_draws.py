"""Posterior draws of the symmetric-cell model: the container, convergence checks, CSV I/O.

Convergence of an emcee run is stated three ways (all on the kept part of the chain):

* the integrated autocorrelation time τ of each parameter (emcee's estimator) and
  the kept length in units of the largest τ (emcee's guidance: ≥ 50 τ);
* the effective sample size, walkers × kept steps / τ, of the worst parameter;
* the split R-hat (Gelman et al., *Bayesian Data Analysis*, 3rd ed., §11.4) over
  the walkers' half-chains. Walkers of an ensemble sampler are not independent
  chains, so R-hat here is a check that the walkers agree, not a proof.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from ssblab.errors import SimulationError

POSTERIOR_FILE = "symmetric_posterior.csv"


@dataclass(frozen=True)
class Posterior:
    """Posterior draws (log10 values, one column per free parameter), with diagnostics."""

    draws: np.ndarray
    acceptance: float
    steps: int
    walkers: int
    #: Largest integrated autocorrelation time over the parameters [steps] (NaN: unknown).
    autocorr_steps: float = float("nan")
    #: Steps kept after the burn-in (NaN: unknown).
    kept_steps: float = float("nan")
    #: Largest split R-hat over the parameters (NaN: unknown).
    rhat_max: float = float("nan")
    #: Smallest effective sample size over the parameters (NaN: unknown).
    ess_min: float = float("nan")

    def params(self, base: Any) -> Any:
        """All draws as one batch of :class:`~ssblab.simulate.symmetric.SymmetricParams`."""
        from ssblab.simulate.posterior import batch_params

        return batch_params(base, self.draws)

    def median(self, base: Any) -> Any:
        """The posterior median of each free parameter (other fields from *base*)."""
        from ssblab.simulate.posterior import point_params

        return point_params(base, np.median(self.draws, axis=0))

    @property
    def kept_tau(self) -> float:
        """Kept chain length in autocorrelation times (emcee asks for ≥ 50)."""
        return self.kept_steps / self.autocorr_steps

    def subsample(self, step: int) -> Posterior:
        """Every *step*-th draw, diagnostics kept."""
        return Posterior(
            self.draws[:: max(1, step)],
            self.acceptance,
            self.steps,
            self.walkers,
            self.autocorr_steps,
            self.kept_steps,
            self.rhat_max,
            self.ess_min,
        )


def split_rhat(chain: np.ndarray) -> np.ndarray:
    """Split R-hat of each parameter of *chain* shaped (steps, chains, parameters)."""
    n = chain.shape[0] // 2
    halves = np.concatenate([chain[:n], chain[n : 2 * n]], axis=1)
    within = halves.var(axis=0, ddof=1).mean(axis=0)
    between = n * halves.mean(axis=0).var(axis=0, ddof=1)
    pooled = (n - 1) / n * within + between / n
    return np.sqrt(pooled / within)


def from_chain(kept: np.ndarray, acceptance: float, steps: int, draws: int = 1000) -> Posterior:
    """*draws* evenly spaced draws of the kept chain (steps, walkers, parameters), with its
    autocorrelation time, split R-hat and ESS. Two runs of one ensemble, the second started
    where the first ended, may be concatenated along the steps first (a longer chain)."""
    import warnings

    from emcee.autocorr import integrated_time

    flat = kept.reshape(-1, kept.shape[-1])
    pick = np.linspace(0, flat.shape[0] - 1, min(draws, flat.shape[0])).astype(int)
    with warnings.catch_warnings(), np.errstate(all="ignore"):  # a few steps: NaN, not noise
        warnings.simplefilter("ignore")
        taus = integrated_time(kept, quiet=True, tol=0)
        tau = float(np.nanmax(taus))
        ess = float(np.nanmin(kept.shape[0] * kept.shape[1] / taus))
        rhat = float(np.nanmax(split_rhat(kept)))
    walkers = kept.shape[1]
    return Posterior(flat[pick], acceptance, steps, walkers, tau, float(kept.shape[0]), rhat, ess)


def write_draws(post: Posterior, names: list[str], path: Any) -> None:
    """Draws as CSV (columns ``log10_<name>``), the sampler and its diagnostics in line 1."""
    note = (
        f"# emcee: {post.walkers} walkers, {post.steps} steps, kept {post.kept_steps:.0f}, "
        f"autocorrelation {post.autocorr_steps:.1f}, rhat {post.rhat_max:.4f}, "
        f"ess {post.ess_min:.0f}, acceptance {post.acceptance:.3f}"
    )
    header = ",".join(f"log10_{n}" for n in names)
    np.savetxt(
        path, post.draws, fmt="%.6g", delimiter=",", header=note + "\n" + header, comments=""
    )


def _number(words: list[str], key: str) -> float:
    return float(words[words.index(key) + 1]) if key in words else float("nan")


def load_draws(names: list[str], path: Any = None) -> Posterior:
    """Draws written by :func:`write_draws` (default: the packaged ``symmetric_posterior.csv``)."""
    source = path or resources.files("ssblab.data").joinpath(POSTERIOR_FILE)
    with open(source, encoding="utf-8") as fh:
        note, header = fh.readline(), fh.readline().strip().split(",")
        if header != [f"log10_{n}" for n in names]:
            raise SimulationError(f"{source}: columns {header} do not match the free parameters")
        draws = np.loadtxt(fh, delimiter=",", ndmin=2)
    words = note.replace(",", "").split()
    return Posterior(
        draws,
        _number(words, "acceptance"),
        int(words[4]),
        int(words[2]),
        _number(words, "autocorrelation"),
        _number(words, "kept"),
        _number(words, "rhat"),
        _number(words, "ess"),
    )


def interval(values: np.ndarray, level: float = 0.9) -> tuple[float, float, float]:
    """Median and central *level* interval of *values* (NaN ignored)."""
    a = (1.0 - level) / 2.0
    lo, med, hi = np.nanquantile(values, [a, 0.5, 1.0 - a])
    return float(med), float(lo), float(hi)


def prediction_row(
    name: str, y: float, med: float, lo: float, hi: float, role: str, col: np.ndarray
) -> dict:
    """One row of the posterior table: seed *y* vs the median and 90 % interval of *col*."""
    return {
        "quantity": name,
        "seed": y,
        "model": med,
        "model_interval_90": [lo, hi],
        "error_percent": 100.0 * (med - y) / y if math.isfinite(med) else None,
        "seed_in_interval": bool(lo <= y <= hi),
        "role": role,
        "failed_fraction": float(np.mean(~np.isfinite(col))),
    }
