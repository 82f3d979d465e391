"""``ssblab eis``: equivalent-circuit fits and DRT of impedance spectra.

Commands (``--json`` keys are stable):

* ``eis fit FILE --circuit C [--initial v1,v2,...]`` →
  ``{"circuit", "parameters", "stderr", "units", "rmse_ohm", "relative_residual",
  "initial", "R_b_ohm", "R_ct_ohm", "R_b_stderr_ohm", "R_ct_stderr_ohm", "hf_intercept",
  "flags"}``; ``hf_intercept`` = ``{"Z_real_ohm", "frequency_hz", "minus_Z_imag_ohm",
  "reached"}``, the measured high-frequency end that R_b and R_inf are held to
* ``eis drt FILE`` →
  ``{"R_inf_ohm", "inductance_H", "peaks": [{"tau_s", "R_ohm"}], "lambda", "criterion",
  "rmse_ohm", "relative_rmse", "flags", "hf_intercept"}``
* ``eis batch FILES... --circuit C --initial ...`` → a list, one object per
  spectrum: ``{"spectrum", "cycle", "R_b_ohm", "R_ct_ohm", "R_b_stderr_ohm",
  "R_ct_stderr_ohm", "rmse_ohm", "parameters", "stderr", "flags", "error"}``
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ssblab.cli._common import (
    JsonOpt,
    TableOutOpt,
    name_values,
    print_flags,
    print_json,
    print_table,
    progress,
    write_table,
)
from ssblab.cli.analysis import naming
from ssblab.errors import AnalysisError

if TYPE_CHECKING:
    import polars as pl

eis_app = typer.Typer(
    help="Impedance spectra: equivalent-circuit fits and distribution of relaxation times.",
    no_args_is_help=True,
)

FileArg = Annotated[
    Path, typer.Argument(help="Spectrum file (EC-Lab/Gamry export or f, Z', Z'' text).")
]
CircuitOpt = Annotated[
    str,
    typer.Option("--circuit", "-c", help="Circuit in impedance.py syntax, e.g. 'R0-p(R1,CPE1)'."),
]
InitialOpt = Annotated[
    str | None,
    typer.Option(
        "--initial",
        "-i",
        help="Comma-separated start values, one per free parameter (SI); default: read "
        "off the spectrum (intercept, arc diameters and apex frequencies), resistances "
        "bounded by 1000 × max|Z|.",
    ),
]
ConstantOpt = Annotated[
    list[str] | None,
    typer.Option("--constant", help="Hold a parameter fixed: NAME=VALUE (repeatable)."),
]
DropInductiveOpt = Annotated[
    bool, typer.Option("--drop-inductive", help="Leave out points with Z'' > 0 before fitting.")
]
CutTailOpt = Annotated[
    bool,
    typer.Option(
        "--cut-tail",
        help="Fit only above a low-frequency diffusion tail the circuit has no Warburg for "
        "(the points left out are counted in a flag).",
    ),
]
FminOpt = Annotated[
    float | None, typer.Option("--fmin", help="Leave out frequencies below this [Hz].")
]
FmaxOpt = Annotated[
    float | None, typer.Option("--fmax", help="Leave out frequencies above this [Hz].")
]
CycleOpt = Annotated[
    int | None,
    typer.Option("--cycle", help="Which spectrum of a multi-spectrum file (Cycle Count)."),
]


def register(app: typer.Typer) -> None:
    """Add the ``eis`` sub-app to the root app."""
    app.add_typer(eis_app, name="eis")


@eis_app.command("fit")
def fit_command(
    file: FileArg,
    circuit: CircuitOpt,
    initial: InitialOpt = None,
    constant: ConstantOpt = None,
    drop_inductive: DropInductiveOpt = False,
    weight_by_modulus: Annotated[
        bool, typer.Option("--weight-modulus", help="Weight residuals by 1/|Z|.")
    ] = False,
    fmin: FminOpt = None,
    fmax: FmaxOpt = None,
    cut_tail: CutTailOpt = False,
    cycle: CycleOpt = None,
    out: TableOutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Fit an equivalent circuit to one spectrum: values, standard errors, flags.

    Flags (stderr, JSON "flags"): a parameter collapsed below 1e-6 of its scale or at
    a bound, a resistance beyond 100 × max|Z|, no or a larger-than-value standard
    error, a poor fit (‖Z_fit − Z‖/‖Z‖ > 5 %), a series R that the measured
    high-frequency intercept does not support (not reached, above or below it).
    """
    from ssblab.analysis.eis import fit_spectrum, frequency_window

    with naming(file):  # a spectrum too short to fit: the line names the file
        table = frequency_window(_one_spectrum(file, cycle), fmin, fmax)
        fit = fit_spectrum(
            table,
            circuit,
            None if initial is None else _numbers(initial),
            drop_inductive=drop_inductive,
            constants=_constants(constant),
            weight_by_modulus=weight_by_modulus,
            cut_tail=cut_tail,
        )
    payload = {
        **fit.to_dict(),
        "units": dict(zip(fit.names, fit.units, strict=True)),
        "R_b_ohm": fit.r_b_ohm,
        "R_ct_ohm": fit.r_ct_ohm,
        "R_b_stderr_ohm": fit.r_b_stderr_ohm,
        "R_ct_stderr_ohm": fit.r_ct_stderr_ohm,
        "hf_intercept": _intercept(fit.frequency_hz, fit.z_measured_ohm),
    }
    rows = [
        {"parameter": n, "value": v, "stderr": e, "unit": u}
        for n, v, e, u in zip(fit.names, fit.values, fit.stderrs, fit.units, strict=True)
    ]
    if out is not None:
        write_table(rows, out)
    if json:
        print_json(payload)
        return
    title = (
        f"{fit.circuit} fit of {file.name} (RMSE {fit.rmse_ohm:.4g} Ω, "
        f"{fit.relative_residual:.2%} of |Z|)"
    )
    print_table(rows, title=title)
    print_flags(fit.flags)


@eis_app.command("drt")
def drt_command(
    file: FileArg,
    lam: Annotated[
        float | None,
        typer.Option("--lambda", help="Regularisation parameter; chosen by GCV when omitted."),
    ] = None,
    no_inductance: Annotated[
        bool, typer.Option("--no-inductance", help="Do not fit a series inductance.")
    ] = False,
    min_peak_fraction: Annotated[
        float,
        typer.Option(help="Merge peaks smaller than this fraction of the polarisation."),
    ] = 0.1,
    fmin: FminOpt = None,
    fmax: FmaxOpt = None,
    cycle: CycleOpt = None,
    json: JsonOpt = False,
) -> None:
    """Distribution of relaxation times: R_inf and the peaks (τ, R) of one spectrum.

    A diffusion or blocking tail at the lowest frequencies is not a relaxation
    and fits poorly; cut it off with --fmin. Flags: λ at an end of the GCV grid
    (1e-12 to 1e2), RMSE over 2 % of |Z|, an R_inf that the measured high-frequency
    intercept does not support (not reached, above or below it), as in ``eis fit``.
    """
    from ssblab.analysis.drt import drt_of_table
    from ssblab.analysis.eis import frequency_window

    with naming(file):
        result = drt_of_table(
            frequency_window(_one_spectrum(file, cycle), fmin, fmax),
            lam=lam,
            inductance=not no_inductance,
            min_peak_fraction=min_peak_fraction,
        )
    if json:
        intercept = _intercept(result.frequency_hz, result.z_measured_ohm)
        print_json({**result.to_dict(), "hf_intercept": intercept})
        return
    rows = [{"tau / s": p.tau_s, "R / Ohm": p.r_ohm} for p in result.peaks]
    title = (
        f"DRT of {file.name}: R_inf {result.r_inf_ohm:.4g} Ω, "
        f"λ {result.lambda_:.2g} ({result.criterion}), RMSE {result.rmse_ohm:.4g} Ω "
        f"({result.relative_rmse:.2%} of |Z|)"
    )
    print_table(rows, title=title)
    print_flags(result.flags)


@eis_app.command("batch")
def batch_command(
    files: Annotated[list[Path], typer.Argument(help="Spectrum files, fitted in this order.")],
    circuit: CircuitOpt,
    initial: InitialOpt = None,
    constant: ConstantOpt = None,
    drop_inductive: DropInductiveOpt = False,
    cold: Annotated[
        bool, typer.Option("--cold", help="Start every fit from --initial (no warm start).")
    ] = False,
    cut_tail: CutTailOpt = False,
    out: TableOutOpt = None,
    json: JsonOpt = False,
) -> None:
    """Fit one circuit to many spectra (files, and cycles within a file): R_b, R_ct per row,
    with standard errors and the fit's flags (JSON "flags"; codes listed on stderr)."""
    from ssblab.analysis.eis_batch import fit_batch, split_spectra

    labels: list[str] = []
    tables: list[pl.DataFrame] = []
    for file in files:
        parts = split_spectra(load_spectra(file))
        for key, table in parts:
            labels.append(file.name if len(parts) == 1 else f"{file.name}#{key}")
            tables.append(table)
    with progress() as bar:
        task = bar.add_task("fitting", total=len(tables))
        result = fit_batch(
            tables,
            circuit,
            None if initial is None else _numbers(initial),
            labels=labels,
            warm_start=not cold,
            on_fit=lambda _: bar.advance(task),
            drop_inductive=drop_inductive,
            constants=_constants(constant),
            cut_tail=cut_tail,
        )
    rows = _batch_rows(result)
    flat = [
        {
            **{k: v for k, v in r.items() if k not in ("parameters", "stderr", "flags")},
            "flags": ", ".join(sorted({f"{f['quantity']} {f['code']}" for f in r["flags"]})),
        }
        for r in rows
    ]
    if out is not None:
        write_table(flat, out)
    if json:
        print_json(rows)
        return
    print_table(flat, title=f"{circuit} over {len(rows)} spectra")
    for r in rows:
        for f in r["flags"]:
            typer.echo(
                f"{f['severity']}: {r['spectrum']}: {f['quantity']}: {f['message']}", err=True
            )


def load_spectra(path: Path) -> pl.DataFrame:
    """The EIS table of *path* (``ssblab.io.eis.read_spectrum``); each note counting rows
    of the file left out goes to stderr as ``note: <file>: ...``."""
    from ssblab.io.eis import read_spectrum

    spectrum = read_spectrum(path)
    for note in spectrum.left_out:
        typer.echo(f"note: {path}: {note}", err=True)
    return spectrum.table


def _one_spectrum(path: Path, cycle: int | None) -> pl.DataFrame:
    """The spectrum of *cycle* (default the first) from a file."""
    from ssblab.analysis.eis_batch import split_spectra

    parts = dict(split_spectra(load_spectra(path)))
    if cycle is None:
        return next(iter(parts.values()))
    if str(cycle) not in parts:
        raise AnalysisError(f"{path}: no spectrum with cycle {cycle}; cycles: {', '.join(parts)}")
    return parts[str(cycle)]


def _intercept(f: object, z: object) -> dict[str, object]:
    """The measured high-frequency intercept, JSON keys: Z' there [Ω], its frequency [Hz],
    −Z'' there [Ω], whether the data reach the real axis (else R_inf lies in 0..Z')."""
    from ssblab.analysis.eis_intercept import hf_intercept

    icpt = hf_intercept(f, z)  # type: ignore[arg-type]
    return {
        "Z_real_ohm": icpt.r_ohm,
        "frequency_hz": icpt.f_hz,
        "minus_Z_imag_ohm": icpt.minus_z_imag_ohm,
        "reached": icpt.reached,
    }


def _numbers(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise AnalysisError(f"--initial {text!r}: expected comma-separated numbers") from None


def _constants(items: list[str] | None) -> dict[str, float]:
    """``--constant NAME=VALUE`` options as held circuit parameters."""
    return name_values(
        items or [],
        lambda item: AnalysisError(f"--constant {item!r}: expected NAME=VALUE, e.g. R0=0.01"),
    )


def _batch_rows(table: pl.DataFrame) -> list[dict[str, object]]:
    """Batch table rows with the CLI's stable keys."""
    from ssblab import schema as s
    from ssblab.analysis.eis_batch import (
        ERROR,
        FLAGS,
        R_B,
        R_B_ERR,
        R_CT,
        R_CT_ERR,
        RMSE,
        SPECTRUM,
    )
    from ssblab.cli._common import table_rows

    fixed = {SPECTRUM, s.CYCLE, s.TIME, s.UNIX_TIME, R_B, R_CT, R_B_ERR, R_CT_ERR, RMSE, ERROR}
    fixed |= {FLAGS}
    names = [c for c in table.columns if c not in fixed and not c.endswith(" stderr")]
    return [
        {
            "spectrum": row[SPECTRUM],
            "cycle": row.get(s.CYCLE),
            "R_b_ohm": row[R_B],
            "R_ct_ohm": row[R_CT],
            "R_b_stderr_ohm": row[R_B_ERR],
            "R_ct_stderr_ohm": row[R_CT_ERR],
            "rmse_ohm": row[RMSE],
            "parameters": {n: row[n] for n in names},
            "stderr": {n: row.get(f"{n} stderr") for n in names},
            "flags": row[FLAGS] or [],
            "error": row.get(ERROR),
        }
        for row in table_rows(table)
    ]
