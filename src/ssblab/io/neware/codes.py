"""Neware step codes, cycle modes and current scaling: plain NumPy, no Polars.

Shared by the decoders (:mod:`.nda`, :mod:`.bts9`), the raw->canonical step
(:mod:`.common`, which re-exports these names) and the light ``ssblab info``
summary (:mod:`.summary`).
"""

from __future__ import annotations

import numpy as np

#: Neware step-type codes, as BTSDA names them.
STEP_TYPES: dict[int, str] = {
    0: "Undefined",
    1: "CC Chg",
    2: "CC DChg",
    3: "CV Chg",
    4: "Rest",
    5: "Cycle",
    6: "End",
    7: "CCCV Chg",
    8: "CP DChg",
    9: "CP Chg",
    10: "CR DChg",
    11: "CR Chg",
    12: "IR",
    13: "Pause",
    16: "Pulse",
    17: "SIM",
    18: "PCCCV Chg",
    19: "CV DChg",
    20: "CCCV DChg",
    21: "Control",
    22: "OCV",
    25: "Ramp",
    26: "CPCV DChg",
    27: "CPCV Chg",
    28: "CRCV DChg",
    29: "CRCV Chg",
}
CHARGE_STEPS: frozenset[int] = frozenset({1, 3, 7, 9, 11, 18, 27, 29})
DISCHARGE_STEPS: frozenset[int] = frozenset({2, 8, 10, 19, 20, 26, 28})


#: BTSDA "CycleMode" (``NdaxConfig.xml``) -> rule used for ``Cycle Count / 1``.
CYCLE_MODES: dict[int, str] = {
    0: "vendor",
    1: "charge-first",
    2: "discharge-first",
}


def range_multiplier(current_range: np.ndarray) -> np.ndarray:
    """Milliamperes per raw count for integer-coded Neware records.

    Parameters
    ----------
    current_range : ndarray of int
        The record's current-range code: positive values are the range in mA,
        negative values the range in uA; 0 means "use the channel default".

    Returns
    -------
    ndarray of float
        Multiplier [mA per count] for current; capacity and energy counters use
        the same multiplier and are then in mA·s and mW·s.

    Notes
    -----
    Neware stores current as an integer with about four to five significant
    digits of its range; the resolution steps by decades of the range. The
    table below reproduces BTSDA's exported currents on every file with a
    reference export (ranges of 10 uA to 200 A).
    """
    r = np.asarray(current_range, dtype=np.int64)
    if r.size > 1 and bool((r == r[0]).all()):  # one range for the whole test
        return np.full(r.size, range_multiplier(r[:1])[0])
    a = np.abs(r)
    positive = np.select([a < 10, a < 100, a < 1000], [1e-4, 1e-3, 1e-2], 1e-1)
    negative = np.select(
        [a < 10, a < 100, a < 1000, a < 1_000_000, a < 10_000_000, a < 100_000_000],
        [1e-5, 1e-4, 1e-3, 1e-2, 1e-8, 1e-7],
        1e-6,
    )
    out = np.where(r < 0, negative, positive)
    return np.where((r == 0) | (r < -2_000_000_000), 1e-1, out)
