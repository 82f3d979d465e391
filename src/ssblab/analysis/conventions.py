"""CE, ICE, EE and retention: one definition per cell type, stated once.

Sign convention (:mod:`ssblab.schema`): positive current charges the cell. For
each cell type a cycle is the half-cycle that *stores* charge in the working
electrode ("in") followed by the one that *returns* it ("out"):

================  ==========================  ==========================
cell type         in (starts a cycle)         out
================  ==========================  ==========================
full, cathode     charge (cathode delithiated) discharge
half, 3-electrode
anode half-cell   discharge (anode lithiated)  charge (anode delithiated)
symmetric Li‖Li   plating (+ current)          stripping (− current)
================  ==========================  ==========================

* CE of a cycle = Q_out / Q_in (for an anode half-cell: delithiation /
  lithiation = charge / discharge capacity). Not defined for a symmetric cell.
* ICE = the CE of the first complete cycle (partial cycles are left out).
* EE = E_discharge / E_charge: energy the test cell gave back over the energy
  put in (not defined for an anode half-cell, whose round trip says nothing
  about the anode in a full cell, nor for a symmetric cell).
* retention(n) = Q_out(n) / Q_out(reference), the reference being the first
  complete cycle unless one is given.
* Under the ``half_cycles`` cycle rule a row is one half-cycle: CE and EE are
  null, retention is given on the "out" rows only, and a half-cycle is partial
  only when it was cut short (:mod:`ssblab.analysis.cycles`), not for lacking
  its other half.

Call :func:`definitions` for the JSON ``"definitions"`` key and
:func:`definitions_text` for a report or ``--help``.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Cell types whose cycle starts with a charge (positive current).
CHARGE_FIRST = ("full", "cathode_half", "three_electrode", "")


@dataclass(frozen=True)
class Orientation:
    """Which half-cycle is "in" and which is "out" for one cell type.

    ``in_state`` is +1 (charge) or -1 (discharge); ``in_name``/``out_name``
    name the halves in words; ``ce_defined`` is False for a symmetric cell.
    """

    cell_type: str
    in_state: int
    in_name: str
    out_name: str
    ce_defined: bool = True
    ee_defined: bool = True

    @property
    def in_column(self) -> str:
        """Per-cycle capacity column of the "in" half."""
        return "charge_capacity_Ah" if self.in_state > 0 else "discharge_capacity_Ah"

    @property
    def out_column(self) -> str:
        """Per-cycle capacity column of the "out" half."""
        return "discharge_capacity_Ah" if self.in_state > 0 else "charge_capacity_Ah"


def orientation(cell_type: str) -> Orientation:
    """The :class:`Orientation` of *cell_type* (``""``: unknown, taken as a full cell)."""
    if cell_type == "anode_half":
        return Orientation(
            cell_type, -1, "discharge (lithiation)", "charge (delithiation)", ee_defined=False
        )
    if cell_type == "symmetric":
        return Orientation(
            cell_type, 1, "plating (+ current)", "stripping", ce_defined=False, ee_defined=False
        )
    if cell_type in CHARGE_FIRST:
        return Orientation(cell_type or "full", 1, "charge", "discharge")
    from ssblab.errors import AnalysisError

    raise AnalysisError(
        f"unknown cell type {cell_type!r}; choose one of full, cathode_half, anode_half, "
        "symmetric, three_electrode"
    )


def definitions(cell_type: str) -> dict[str, str]:
    """The definitions that apply to *cell_type*, as the JSON ``"definitions"`` object."""
    o = orientation(cell_type)
    if not o.ce_defined:
        na = "not defined for a symmetric Li||Li cell (both electrodes are Li)"
        return {
            "cell_type": o.cell_type,
            "cycle": f"{o.in_name} then {o.out_name}",
            "CE": na,
            "ICE": na,
            "EE": na,
            "retention": na,
        }
    return {
        "cell_type": o.cell_type,
        "cycle": f"{o.in_name} then {o.out_name}",
        "CE": f"Q_{o.out_name.split()[0]} / Q_{o.in_name.split()[0]} of the cycle",
        "ICE": "CE of the first complete cycle (partial cycles left out)",
        "EE": (
            "E_discharge / E_charge of the cycle (energy given back / energy put in)"
            if o.ee_defined
            else "not defined for an anode half-cell (the cell's energy round trip does not "
            "describe the anode in a full cell; see the voltage hysteresis)"
        ),
        "retention": (
            f"Q_{o.out_name.split()[0]}(n) / Q_{o.out_name.split()[0]}(reference); "
            "reference = first complete cycle unless given"
        ),
        "sign": "positive current charges the cell",
    }


def definitions_text(cell_type: str) -> str:
    """:func:`definitions` as one paragraph for a report page."""
    d = definitions(cell_type)
    return "; ".join(f"{k}: {v}" for k, v in d.items())


#: The paragraph ``--help`` shows (all cell types in a few lines).
HELP = (
    "Conventions (+ current = charge): CE = Q_out/Q_in of a cycle; full and cathode "
    "half-cells: Q_discharge/Q_charge; anode half-cells (lithiation = discharge): "
    "Q_charge/Q_discharge; ICE = CE of the first complete cycle; "
    "EE = E_discharge/E_charge (full and cathode half-cells); "
    "retention = Q_out(n)/Q_out(first complete cycle). Partial first/last cycles are "
    "flagged and left out of ICE and retention."
)
