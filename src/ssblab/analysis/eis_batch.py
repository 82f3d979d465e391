"""Fit one circuit to many spectra: resistances over cycle or time.

Spectra come as a list of EIS tables, or as one table holding several spectra
told apart by ``Cycle Count / 1``. Each fit starts from the previous fit's
parameters (warm start), so a slowly drifting cell is followed from spectrum to
spectrum; a spectrum whose fit fails gets a row of nulls with the reason, and the
next one starts again from the user's guess.

The output table has one row per spectrum: its label, cycle and start time (when
the input has them), ``R_b / Ohm`` (the top-level series resistance, i.e. the
high-frequency intercept of the model), ``R_ct / Ohm`` (the sum of resistors
inside parallel branches, i.e. the arcs), their standard errors (``R_b stderr / Ohm``,
``R_ct stderr / Ohm``, from the covariance diagonal), ``RMSE / Ohm``, every fitted
parameter in the units impedance.py gives it, and ``Flags`` (the fit's
plausibility flags, a list of {quantity, code, message, severity}). Without
start values each spectrum gets its own, read off it; a warm start is taken only
from a fit whose parameters are not collapsed, at a bound or beyond the spectrum.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from ssblab import schema as s
from ssblab.analysis.eis import CircuitFit, fit_spectrum
from ssblab.errors import AnalysisError

R_B = "R_b / Ohm"
R_CT = "R_ct / Ohm"
R_B_ERR = "R_b stderr / Ohm"
R_CT_ERR = "R_ct stderr / Ohm"
RMSE = "RMSE / Ohm"
SPECTRUM = "Spectrum"
ERROR = "Error"
FLAGS = "Flags"
#: Flags that make a fit unfit to start the next one from.
_NO_WARM_START = frozenset({"collapsed", "at_bound", "beyond_scale"})
_FLAG_TYPE = pl.List(
    pl.Struct(
        {"quantity": pl.String, "code": pl.String, "message": pl.String, "severity": pl.String}
    )
)


def split_spectra(table: pl.DataFrame) -> list[tuple[str, pl.DataFrame]]:
    """One (label, table) per spectrum of a multi-spectrum EIS table.

    Spectra are grouped by ``Cycle Count / 1`` when the column is present, in
    ascending order; otherwise the table is one spectrum.
    """
    s.validate_eis(table)
    if s.CYCLE not in table.columns:
        return [("1", table)]
    parts = table.partition_by(s.CYCLE, maintain_order=True, as_dict=True)
    return [(str(key[0]), parts[key]) for key in sorted(parts)]


def fit_batch(
    spectra: pl.DataFrame | Sequence[pl.DataFrame],
    circuit: str,
    initial_guess: Sequence[float] | None = None,
    *,
    labels: Sequence[str] | None = None,
    warm_start: bool = True,
    on_fit: Callable[[int], None] | None = None,
    **options: object,
) -> pl.DataFrame:
    """Fit *circuit* to each spectrum and tabulate the resistances.

    Parameters
    ----------
    spectra : DataFrame or sequence of DataFrame
        EIS tables (frequency [Hz], Z real/imag [Ω]); a single table with a
        ``Cycle Count / 1`` column is split by cycle.
    circuit : str
        impedance.py circuit string, e.g. ``"R0-p(R1,CPE1)"``.
    initial_guess : sequence of float, optional
        Start values for the first spectrum [impedance.py units]; default: read
        off each spectrum.
    labels : sequence of str, optional
        One label per spectrum (e.g. file names); default the cycle or position.
    warm_start : bool
        Start each fit from the previous successful fit.
    on_fit : callable, optional
        Called with the index of each finished spectrum (for progress bars).
    **options
        Passed to :func:`ssblab.analysis.eis.fit_spectrum` (``drop_inductive``,
        ``constants``, ``bounds``, ``weight_by_modulus``).

    Returns
    -------
    polars.DataFrame
        One row per spectrum, columns described in the module docstring.
    """
    items = _as_items(spectra, labels)
    start = None if initial_guess is None else list(initial_guess)
    guess = start
    rows: list[dict[str, object]] = []
    names: tuple[str, ...] = ()
    for index, (label, table) in enumerate(items):
        row: dict[str, object] = {SPECTRUM: label, **_position_of(table), FLAGS: []}
        try:
            fit = fit_spectrum(table, circuit, guess, **options)  # type: ignore[arg-type]
        except AnalysisError as exc:
            row[ERROR] = str(exc)
            guess = start
        else:
            names = fit.names
            row.update(_row_of(fit))
            sound = not any(f.code in _NO_WARM_START for f in fit.flags)
            guess = fit.values.tolist() if warm_start and start is not None and sound else start
        rows.append(row)
        if on_fit is not None:
            on_fit(index)
    return _frame(rows, names)


def _as_items(
    spectra: pl.DataFrame | Sequence[pl.DataFrame], labels: Sequence[str] | None
) -> list[tuple[str, pl.DataFrame]]:
    items = (
        split_spectra(spectra)
        if isinstance(spectra, pl.DataFrame)
        else [(str(i + 1), t) for i, t in enumerate(spectra)]
    )
    if not items:
        raise AnalysisError("no spectra to fit")
    if labels is not None:
        if len(labels) != len(items):
            raise AnalysisError(f"{len(labels)} labels for {len(items)} spectra")
        items = [(str(lbl), t) for lbl, (_, t) in zip(labels, items, strict=True)]
    return items


def _position_of(table: pl.DataFrame) -> dict[str, object]:
    """Cycle and start time of a spectrum, when its table carries them."""
    out: dict[str, object] = {}
    for column in (s.CYCLE, s.TIME, s.UNIX_TIME):
        if column in table.columns and table.height:
            out[column] = table[column][0]
    return out


def _row_of(fit: CircuitFit) -> dict[str, object]:
    return {
        R_B: fit.r_b_ohm,
        R_CT: fit.r_ct_ohm,
        R_B_ERR: fit.r_b_stderr_ohm,
        R_CT_ERR: fit.r_ct_stderr_ohm,
        RMSE: fit.rmse_ohm,
        **fit.parameters,
        **{f"{n} stderr": e for n, e in fit.stderr.items()},
        FLAGS: [f.as_dict() for f in fit.flags],
    }


def _frame(rows: list[dict[str, object]], names: tuple[str, ...]) -> pl.DataFrame:
    """Rows to a table with a fixed column order; missing values are null."""
    leading = [SPECTRUM, s.CYCLE, s.TIME, s.UNIX_TIME]
    present = [c for c in leading if any(c in r for r in rows)]
    errors = [f"{n} stderr" for n in names]
    columns = [*present, R_B, R_CT, R_B_ERR, R_CT_ERR, RMSE, *names, *errors, FLAGS, ERROR]
    data = {c: [r.get(c) for r in rows] for c in columns}
    schema: dict[str, pl.DataType | type[pl.DataType]] = {
        c: pl.Float64
        for c in (R_B, R_CT, R_B_ERR, R_CT_ERR, RMSE, *names, *errors, s.TIME, s.UNIX_TIME)
    }
    schema |= {SPECTRUM: pl.String, ERROR: pl.String, s.CYCLE: pl.Int64, FLAGS: _FLAG_TYPE}
    frame = pl.DataFrame(data, schema={c: schema[c] for c in columns})
    return frame.with_columns(pl.col(c).fill_nan(None) for c in (R_B, R_CT)).select(
        [c for c in columns if c != ERROR or frame[ERROR].null_count() < frame.height]
    )
