"""``ssblab simulate calibrate``: the symmetric model against the seed's cells; with
``--samples``, posterior intervals, ordering, optimum and sensitivity; with ``--mcmc``,
a new emcee run (draws written with ``-o``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ssblab.cli._common import print_flags, print_json, print_table, progress


def calibrate_command(json: bool, samples: int, mcmc: int, out: Path | None) -> None:
    """The seed report of the calibrated model; with draws, intervals, ordering, optimum."""
    from ssblab.flags import Flag, as_dicts
    from ssblab.simulate import posterior as po
    from ssblab.simulate.calibrate import calibration_report
    from ssblab.simulate.symmetric import SymmetricCell, load_params

    base = load_params()
    cell = SymmetricCell(params=base)
    payload: dict[str, Any] = {"rows": [r.to_dict() for r in calibration_report(base)]}
    post = None
    if mcmc > 0:
        with progress() as bar:
            walkers = 2 * len(po.FREE) + 2
            bar.add_task(f"emcee: {walkers} walkers x {mcmc} steps", total=None)
            post = po.sample(
                base, cell, walkers, steps=mcmc, burn=mcmc // 12, polish=2000, target_tau=50.0
            )
        if out is not None:
            po.write_draws(post, out)
            payload["output"] = str(out)
    elif samples > 0:
        post = po.load_draws()
    flags = []
    if post is not None:
        step = max(1, post.draws.shape[0] // samples) if samples > 0 else 1
        post = post.subsample(step)
        payload["posterior"] = po.predictions(post, base, cell)
        payload["sensitivity"] = po.sensitivity(post, base, cell)
        missed = [r["quantity"] for r in payload["posterior"]["rows"] if not r["seed_in_interval"]]
        if missed:
            flags.append(
                Flag(
                    "posterior",
                    "seed_outside_interval",
                    "the seed value lies outside the model's 90 % interval for: "
                    + "; ".join(missed),
                )
            )
    payload["flags"] = as_dicts(flags)
    if json:
        print_json(payload)
        return
    print_flags(flags)
    title = "Seed vs model (representative posterior draw): calibrated on 200 nm + bare"
    print_table(payload["rows"], title=title)
    if post is not None:
        rows = payload["posterior"]["rows"]
        print_table(
            rows, title=f"Posterior ({payload['posterior']['draws']} draws), 90 % intervals"
        )
        opt = payload["posterior"]["optimum_thickness_nm"]
        typer.echo(
            f"optimum thickness {opt['median']:.0f} nm "
            f"(90 %: {opt['low']:.0f}-{opt['high']:.0f} nm); "
            "ordering 200 > 300 > 100 nm > bare in "
            f"{100 * payload['posterior']['ordering_200_300_100_bare_fraction']:.0f} % of draws; "
            "200 nm the best of 100/200/300 nm (all above bare) in "
            f"{100 * payload['posterior']['best_200_of_100_200_300_fraction']:.0f} %"
        )
        run = payload["posterior"]["sampler"]
        typer.echo(
            f"emcee: {run['walkers']} walkers x {run['steps']} steps, {run['kept_steps']:.0f} kept "
            f"= {run['kept_over_autocorrelation']:.0f} autocorrelation times "
            f"({run['autocorrelation_steps']:.0f} steps), split R-hat max "
            f"{run['split_rhat_max']:.3f}, ESS min {run['ess_min']:.0f}, "
            f"acceptance {run['acceptance']:.2f}"
        )
        print_table(
            payload["sensitivity"], title="Optimum vs each free parameter (+-1 posterior sd)"
        )
