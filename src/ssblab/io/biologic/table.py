"""EC-Lab columns (as named in an ``.mpt`` header) -> the canonical ssblab table.

Both BioLogic readers decode their file into a frame with EC-Lab's own column
names and units (``time/s``, ``Ewe/V``, ``I/mA``, ``Q charge/discharge/mA.h``,
``half cycle`` ...); this module turns that frame into the canonical table, so
the ``.mpr`` and ``.mpt`` readers cannot drift apart.

Rules (stated once, relied on by the tests):

* **Units**: mA -> A and mA·h -> A·h (divide by 1000); W·h, V and s unchanged.
* **Sign**: EC-Lab's current is positive for an oxidation at the working
  electrode. With the cathode of a full cell as working electrode (the usual
  hookup) that is charging, which is positive in ssblab too, so the sign is kept.
* **Voltage**: one rule per technique, stated in
  :mod:`ssblab.io.biologic.techniques` (``Ewe`` for potential-controlled
  techniques such as CV; otherwise the cell voltage ``Ewe - Ece``, ``Ecell``
  or ``Ewe``). ``Ewe`` and ``Ece`` are kept when both are recorded.
* **Current**: ``I/mA``, else ``<I>/mA``, else the charge increment over the
  time step, ``dq / dt`` (what EC-Lab prints as ``<I>/mA`` in its export).
* **Capacity**: EC-Lab's ``Q charge/discharge/mA.h`` restarts at every half
  cycle (positive while charging, negative while discharging). The cumulative
  counters add, half cycle by half cycle, the running peak of its positive
  (charging) or negative (discharging) part; EC-Lab's per-cycle ``Q charge``
  and ``Q discharge`` are then the rise of the counters across the cycle.
  ``Energy charge/discharge/W.h`` restart at every cycle and are handled alike.
* **Cycles**: ``Vendor Cycle / 1`` is EC-Lab's ``cycle number`` (computed as
  ``half cycle // 2`` when the ``.mpr`` does not store it, as EC-Lab does on
  export); ``Cycle Count / 1`` = vendor - lowest vendor number + 1. Cycling
  techniques count from 0 (so this is vendor + 1, and EC-Lab's cycle 0 may
  hold only a first discharge); impedance loops count from 1 (Cycle = vendor).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.biologic.arrays import canonical_arrays
from ssblab.io.biologic.segments import segmented_peak_total

#: Text for ``RunMeta.cycle_numbering``.
CYCLE_RULE = (
    "EC-Lab cycle number - its lowest value + 1, i.e. vendor + 1 for cycling techniques "
    "(cycle number = half cycle // 2 when the .mpr does not store it)"
)

#: Every EC-Lab column :func:`to_canonical` and :func:`eis_spectrum` may use.
USED_COLUMNS = frozenset(
    {
        "time/s",
        "mode",
        "Ns",
        "I/mA",
        "<I>/mA",
        "dq/mA.h",
        "(Q-Qo)/mA.h",
        "Ewe/V",
        "<Ewe>/V",
        "Ece/V",
        "<Ece>/V",
        "Ecell/V",
        "Ewe-Ece/V",
        "<Ewe-Ece>/V",
        "Q charge/discharge/mA.h",
        "half cycle",
        "cycle number",
        "Energy charge/W.h",
        "Energy discharge/W.h",
        "Temperature/°C",
        "freq/Hz",
        "Re(Z)/Ohm",
        "-Im(Z)/Ohm",
    }
)


#: Output column -> (counter value, segment key) for counters that restart per segment.
Resetting = dict[str, tuple[pl.Expr, pl.Expr]]


def accumulate_resets(frame: pl.DataFrame, counters: Resetting) -> pl.DataFrame:
    """Make non-negative counters that restart in every segment cumulative.

    Parameters
    ----------
    frame : DataFrame
        The EC-Lab-named records.
    counters : dict
        Output column -> (value, segment): *value* restarts from 0 whenever the
        *segment* expression changes from one record to the next.

    Returns
    -------
    DataFrame
        One column per counter. Within a segment the running peak of *value*
        is used (so the result never falls); each segment starts from the sum
        of the final peaks of all earlier segments.
    """
    inputs = frame.select(
        expr.alias(f"{kind}{k}")
        for k, pair in enumerate(counters.values())
        for kind, expr in zip(("value", "segment"), pair, strict=True)
    )
    return pl.DataFrame(
        {
            name: _segmented_total(inputs[f"value{k}"].to_numpy(), inputs[f"segment{k}"].to_numpy())
            for k, name in enumerate(counters)
        }
    )


_segmented_total = segmented_peak_total  # the array core of :func:`accumulate_resets`


def to_canonical(
    frame: pl.DataFrame | Mapping[str, np.ndarray],
    path: object,
    start_unix_s: float | None,
    technique: str = "",
) -> tuple[pl.DataFrame, list[str]]:
    """Convert EC-Lab-named columns into the canonical table.

    Parameters
    ----------
    frame : DataFrame or mapping of arrays
        Columns named as in an EC-Lab ``.mpt`` header (a frame from the
        ``.mpt`` reader, NumPy arrays from the ``.mpr`` records); must contain
        ``time/s``.
    path : object
        The source file, for error messages.
    start_unix_s : float or None
        Acquisition start [s since 1970 UTC]; ``time/s`` counts from it.
    technique : str
        EC-Lab technique code; it decides which potential is ``Voltage / V``.

    Returns
    -------
    table : DataFrame
        The canonical table, conformed (computed on arrays by
        :func:`ssblab.io.biologic.arrays.canonical_arrays`).
    notes : list of str
        The conversions applied, for ``RunMeta.notes``.
    """
    if "time/s" not in (frame.columns if isinstance(frame, pl.DataFrame) else frame):
        raise ReadError(f"{path}: no time/s column in the EC-Lab data")
    return canonical_arrays(frame, path, start_unix_s, technique)


def eis_spectrum(frame: pl.DataFrame, path: object) -> pl.DataFrame:
    """The impedance spectrum of an EC-Lab PEIS/GEIS frame in the EIS table.

    ``Z Imag / Ohm`` is the true imaginary part (EC-Lab stores ``-Im(Z)``).
    Records without a frequency (open-circuit or wait periods between spectra)
    are not spectrum points and are left out. ``Cycle Count / 1`` numbers the
    spectra from 1 in file order (EC-Lab's ``cycle number``).
    """
    needed = ("freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm")
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ReadError(f"{path}: not an impedance file (no {', '.join(missing)} column)")
    exprs = [
        pl.col("freq/Hz").cast(pl.Float64).alias(s.FREQUENCY),
        pl.col("Re(Z)/Ohm").cast(pl.Float64).alias(s.Z_REAL),
        (-pl.col("-Im(Z)/Ohm").cast(pl.Float64)).alias(s.Z_IMAG),
    ]
    if "cycle number" in frame.columns:
        exprs.append(pl.col("cycle number").alias(s.CYCLE))
    out = frame.select(exprs).filter(pl.col(s.FREQUENCY) > 0)
    if s.CYCLE in out.columns:
        out = out.with_columns(pl.col(s.CYCLE).rank("dense").cast(pl.Int64))
    if out.height == 0:
        raise ReadError(f"{path}: impedance file holds no point with a frequency above 0 Hz")
    return out
