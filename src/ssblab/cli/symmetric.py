"""``ssblab symmetric FILE``: overpotential, failure and rate table of a Li‖Li cell."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ssblab.cli._common import (
    JsonOpt,
    TableOutOpt,
    print_flags,
    print_json,
    print_table,
    table_rows,
    write_table,
)

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
    float,
    typer.Option(
        "--cutoff-mV",
        help="Divergence bound: a plateau above this overpotential (mV) is failure "
        "(the same bound as the symmetric model's; a rate test to 4 V needs 5000).",
    ),
]
GrowthOpt = Annotated[
    float | None,
    typer.Option(
        "--growth",
        help="Also fail when |V|/|I| exceeds this multiple of its early value (default: off).",
        show_default=False,
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Run even when the data do not look like a Li‖Li cell.")
]
CurrentOpt = Annotated[
    float | None,
    typer.Option(
        "--current-mA",
        help="Constant current (mA) of a two-column EC-Lab time/Ewe export, which has none.",
        show_default=False,
    ),
]


def _read(file: Path, current_mA: float | None):
    """The file as a Run; a two-column time/Ewe export needs *current_mA*; loop indexes."""
    import warnings

    import numpy as np
    import polars as pl

    from ssblab import schema as s
    from ssblab.analysis.soft_shorts import read_loop_indexes, read_time_voltage_export
    from ssblab.errors import AnalysisError
    from ssblab.io import read

    loop = file.with_name(file.stem + "_LOOP.txt")
    starts = read_loop_indexes(loop) if loop.is_file() else None
    if current_mA is None:
        return read(file), starts
    with warnings.catch_warnings():  # a header-only export: the refusal below says it
        warnings.filterwarnings("ignore", "loadtxt: input contained no data", UserWarning)
        t, v = read_time_voltage_export(file)
    if not current_mA:
        raise AnalysisError(f"{file}: --current-mA must be non-zero")
    table = pl.DataFrame(
        {s.TIME: t - t[0], s.VOLTAGE: v, s.CURRENT: np.full(t.size, 1e-3 * current_mA)}
    )
    meta = s.RunMeta(
        source=str(file),
        source_format="eclab_time_ewe_text",
        notes=(f"current {current_mA:g} mA from --current-mA (the export has no current column)",),
    )
    return s.Run(s.conform(table), meta), starts


def symmetric_command(
    file: Annotated[Path, typer.Argument(help="Cycler file or ssblab Parquet of a Li‖Li cell.")],
    area_cm2: AreaOpt = None,
    cutoff_mV: CutoffOpt = 1000.0,
    growth: GrowthOpt = None,
    current_mA: CurrentOpt = None,
    force: ForceOpt = False,
    out: TableOutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Per half-cycle overpotential, failure time and mode, soft shorts, and (with an
    area) ASR and CCD.

    Failure: a short (peak |V| < 2 mV, or |V|/|I| collapsing below 0.3 x its recent
    median, or a noisy plateau) or a plateau above --cutoff-mV; the time is the start
    of the first failed half-cycle (the same rule as `ssblab simulate`). Soft shorts:
    falls of >= 20 mV and >= 15 % below the 60 s median within 2 s under constant
    current that recover by half within 60 s. A file that is not a Li‖Li cell (voltage
    not near 0 V, not changing sign with the current) is refused (--force runs it).
    With reference-electrode columns, also the plating vs stripping split.
    """
    from ssblab import schema as s
    from ssblab.analysis import symmetric as sym
    from ssblab.analysis.soft_shorts import find_soft_shorts
    from ssblab.analysis.threeelectrode import (
        electrode_overpotentials,
        plating_stripping_asymmetry,
    )
    from ssblab.cli.analysis import naming
    from ssblab.errors import AnalysisError
    from ssblab.flags import as_dicts

    with naming(file):  # an analysis error names the file, as reader errors do
        run, starts = _read(file, current_mA)
        flags = list(sym.check_symmetric(run, force=force, name=str(file)))
        criteria = sym.FailureCriteria(cutoff_mV=cutoff_mV, growth_factor=growth)
        hc = sym.half_cycle_overpotentials(run)
        failure = sym.detect_failure(hc, criteria)
        area = area_cm2 if area_cm2 is not None else run.meta.area_cm2
        payload: dict[str, object] = {"file": str(file), **failure.to_dict()}
        table = run.table
        shorts = find_soft_shorts(
            table.get_column(s.TIME).to_numpy(),
            table.get_column(s.VOLTAGE).to_numpy(),
            table.get_column(s.CURRENT).to_numpy(),
            segment_starts=starts,
        )
        payload["soft_shorts"] = shorts.to_dict()
        if area is not None:
            rate = sym.rate_overpotentials(hc, area, failure=failure)
            payload["rate"] = table_rows(rate)
            try:
                fit = sym.area_specific_resistance(rate)
                payload["asr_ohm_cm2"] = fit.asr_ohm_cm2
                flags += sym.check_asr(fit)
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
        if out is not None:
            write_table(hc, out)  # every half-cycle, every column
        payload["half_cycles"] = table_rows(hc.select("start_h", "current_A", "overpotential_mV"))
    payload["flags"] = as_dicts(flags)
    if json:
        print_json(payload)
        return
    print_flags(flags)
    skip = ("half_cycles", "rate", "three_electrode", "soft_shorts", "flags")
    summary = {k: v for k, v in payload.items() if k not in skip}
    summary.update(payload.get("three_electrode", {}))
    summary["soft_shorts"] = shorts.count
    print_table([summary], title=f"Li‖Li cell: {file.name}")
    if "rate" in payload:
        print_table(payload["rate"], title="Overpotential per current density")
    step = max(1, hc.height // 20)
    print_table(table_rows(hc.gather_every(step)), title=f"Half-cycles (every {step})")


def register(app: typer.Typer) -> None:
    """Add ``ssblab symmetric`` to *app*."""
    app.command("symmetric")(symmetric_command)
