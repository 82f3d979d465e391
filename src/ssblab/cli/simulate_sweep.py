"""``ssblab simulate sweep RECIPE``: the symmetric model's lifetime over coating
thickness (and current density, capacity per half-cycle), the optimum thickness and,
with ``--samples``, its spread over posterior draws."""

from __future__ import annotations

from pathlib import Path

from ssblab.cli._common import print_json, print_table, progress


def sweep_command(
    recipe_path: Path,
    grid: dict[str, str | None],
    samples: int,
    settings: list[str],
    out: Path | None,
    json: bool,
) -> None:
    """``ssblab simulate sweep``: lifetime vs thickness (and current, capacity), the optimum."""
    from ssblab.cli.simulate_run import protocol_defaults, symmetric_cell
    from ssblab.simulate.sweep import optimum, optimum_uncertainty, parse_range, plot_sweep, sweep

    recipe, cell = symmetric_cell(recipe_path, settings)
    j, q, t = protocol_defaults(recipe)
    d = parse_range(grid["thickness"] or "0:500:201")
    js = parse_range(grid["current_density"]) if grid["current_density"] else [j]
    qs = parse_range(grid["areal_capacity"]) if grid["areal_capacity"] else [q]
    result = sweep(cell, d, js, qs, t)
    optima = []
    for (jj, qq), part in result.group_by(
        "current_density_mA_cm2", "areal_capacity_mAh_cm2", maintain_order=True
    ):
        best = optimum(part, t)
        optima.append(
            {
                "current_density_mA_cm2": jj,
                "areal_capacity_mAh_cm2": qq,
                "optimum_thickness_nm": best.thickness_nm,
                "optimum_lifetime_h": best.lifetime_h,
                "optimum_band_nm": [best.low_nm, best.high_nm],
            }
        )
    spread = None
    if samples > 0:
        with progress() as bar:
            task = bar.add_task("parameter draws", total=samples)
            draws = optimum_uncertainty(
                cell,
                d,
                samples=samples,
                max_time_h=t,
                current_density_mA_cm2=float(js[0]),
                areal_capacity_mAh_cm2=float(qs[0]),
                on_draw=lambda: bar.advance(task),
            )
        spread = float(draws.std(ddof=1)) if draws.size > 1 else 0.0
    payload = {
        "recipe": str(recipe_path),
        **{k: v for k, v in optima[0].items() if k.startswith("optimum")},
        "optimum_spread_nm": spread,
        "optima": optima,
        "points": result.to_dicts(),
    }
    if out is not None:
        fig = plot_sweep(result, optimum(result.head(d.size), t), title=str(recipe.name))
        fig.savefig(out, dpi=150)
        payload["output"] = str(out)
    if json:
        print_json(payload)
        return
    print_table(optima, title=f"Optimum coating thickness (spread over draws: {spread})")
    step = max(1, len(payload["points"]) // 30)
    print_table(payload["points"][::step], title="Lifetime vs thickness")
