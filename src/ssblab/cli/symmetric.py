"""``ssblab symmetric FILE``: overpotential, failure and rate table of a Li‖Li cell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import JsonOpt, print_json, print_table, table_rows

AreaOpt = Annotated[
    float | None,
    typer.Option(
        "--area-cm2",
        help="Electrode area in cm² for current densities and the ASR "
        "(default: from the file's metadata).",
        show_default=False,
    ),
]
CutoffOpt = Annotated[
    float | None,
    typer.Option(
        "--cutoff-mV",
        help="Also count a plateau above this overpotential (mV) as failure.",
        show_default=False,
    ),
]
GrowthOpt = Annotated[
    float,
    typer.Option("--growth", help="Failure when |V|/|I| exceeds this multiple of its early value."),
]


def symmetric_command(
    file: Annotated[Path, typer.Argument(help="Cycler file or ssblab Parquet of a Li‖Li cell.")],
    area_cm2: AreaOpt = None,
    cutoff_mV: CutoffOpt = None,
    growth: GrowthOpt = 5.0,
    json: JsonOpt = False,
) -> None:
    """Per half-cycle overpotential, failure time and mode, and (with an area) ASR and CCD.

    With reference-electrode columns, also the plating vs stripping split.
    """
    from ssblab import schema as s
    from ssblab.analysis import symmetric as sym
    from ssblab.analysis.threeelectrode import (
        electrode_overpotentials,
        plating_stripping_asymmetry,
    )
    from ssblab.errors import AnalysisError
    from ssblab.io import read

    run = read(file)
    criteria = sym.FailureCriteria(cutoff_mV=cutoff_mV, growth_factor=growth)
    hc = sym.half_cycle_overpotentials(run)
    failure = sym.detect_failure(hc, criteria)
    area = area_cm2 if area_cm2 is not None else run.meta.area_cm2
    payload: dict[str, object] = {"file": str(file), **failure.to_dict()}
    if area is not None:
        rate = sym.rate_overpotentials(hc, area)
        payload["rate"] = table_rows(rate)
        try:
            fit = sym.area_specific_resistance(rate)
            payload["asr_ohm_cm2"] = fit.asr_ohm_cm2
        except AnalysisError:
            payload["asr_ohm_cm2"] = None
        payload["critical_current_density_mA_cm2"] = sym.critical_current_density(
            run, area, criteria
        )
    if s.WE_POTENTIAL in run.table.columns and s.CE_POTENTIAL in run.table.columns:
        asym = plating_stripping_asymmetry(electrode_overpotentials(run))
        payload["three_electrode"] = {
            "plating_mV": asym.plating_mV,
            "stripping_mV": asym.stripping_mV,
            "stripping_to_plating": asym.ratio,
        }
    payload["half_cycles"] = table_rows(hc.select("start_h", "current_A", "overpotential_mV"))
    if json:
        print_json(payload)
        return
    summary = {
        k: v for k, v in payload.items() if k not in ("half_cycles", "rate", "three_electrode")
    }
    summary.update(payload.get("three_electrode", {}))
    print_table([summary], title=f"Li‖Li cell: {file.name}")
    if "rate" in payload:
        print_table(payload["rate"], title="Overpotential per current density")
    step = max(1, hc.height // 20)
    print_table(table_rows(hc.gather_every(step)), title=f"Half-cycles (every {step})")


def register(app: typer.Typer) -> None:
    """Add ``ssblab symmetric`` to *app*."""
    app.command("symmetric")(symmetric_command)
