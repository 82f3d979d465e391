"""Canonical column labels without Polars: the names :mod:`ssblab.schema` re-exports.

Kept apart from the schema (which needs Polars for its dtypes) so that a light
code path, ``ssblab info`` on a ``.nda`` or a format sniff, can name columns
without importing Polars (~0.3 s of a cold start). :mod:`ssblab.schema` is the
place to read the conventions; its ``COLUMNS`` follows :data:`BDF_MACHINE`'s order.
"""

from __future__ import annotations

# --- time-series quantities (BDF labels) ------------------------------------
TIME = "Test Time / s"
VOLTAGE = "Voltage / V"
CURRENT = "Current / A"
UNIX_TIME = "Unix Time / s"
CYCLE = "Cycle Count / 1"
STEP_COUNT = "Step Count / 1"
STEP_INDEX = "Step Index / 1"
CHARGE_CAPACITY = "Charging Capacity / Ah"
DISCHARGE_CAPACITY = "Discharging Capacity / Ah"
CHARGE_ENERGY = "Charging Energy / Wh"
DISCHARGE_ENERGY = "Discharging Energy / Wh"
TEMPERATURE = "Ambient Temperature / degC"
# --- ssblab extensions (not in BDF) -----------------------------------------
VENDOR_CYCLE = "Vendor Cycle / 1"
WE_POTENTIAL = "Working Electrode Potential / V"
CE_POTENTIAL = "Counter Electrode Potential / V"

REQUIRED: tuple[str, ...] = (TIME, VOLTAGE, CURRENT)

#: Canonical column -> BDF machine name (None: an ssblab extension), in canonical order.
BDF_MACHINE: dict[str, str | None] = {
    TIME: "test_time_second",
    VOLTAGE: "voltage_volt",
    CURRENT: "current_ampere",
    UNIX_TIME: "unix_time_second",
    CYCLE: "cycle_count",
    STEP_COUNT: "step_count",
    STEP_INDEX: "step_index",
    CHARGE_CAPACITY: "charging_capacity_ah",
    DISCHARGE_CAPACITY: "discharging_capacity_ah",
    CHARGE_ENERGY: "charging_energy_wh",
    DISCHARGE_ENERGY: "discharging_energy_wh",
    TEMPERATURE: "ambient_temperature_celsius",
    VENDOR_CYCLE: None,
    WE_POTENTIAL: None,
    CE_POTENTIAL: None,
}
#: BDF machine name -> label, for reading BDF files written either way.
BDF_MACHINE_TO_LABEL: dict[str, str] = {m: c for c, m in BDF_MACHINE.items() if m}

# --- EIS spectra -------------------------------------------------------------
FREQUENCY = "Frequency / Hz"
Z_REAL = "Z Real / Ohm"
Z_IMAG = "Z Imag / Ohm"


def canonical_order(columns: list[str]) -> list[str]:
    """*columns* as :func:`ssblab.schema.conform` orders them: canonical ones first, in
    :data:`BDF_MACHINE` order, then the others as given."""
    present = set(columns)
    return [c for c in BDF_MACHINE if c in present] + [c for c in columns if c not in BDF_MACHINE]
