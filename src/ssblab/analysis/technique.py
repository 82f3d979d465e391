"""Experiment kinds and cell types: the stable strings of :mod:`ssblab.analysis.recognize`."""

from __future__ import annotations

from dataclasses import dataclass

CYCLING, CV, CA, CP, GITT, PITT, EIS, OCV = (
    "cycling",
    "cv",
    "ca",
    "cp",
    "gitt",
    "pitt",
    "eis",
    "ocv",
)
#: Every experiment kind, with its human name.
KINDS: dict[str, str] = {
    CYCLING: "galvanostatic cycling",
    CV: "cyclic/linear sweep voltammetry",
    CA: "chronoamperometry (potential hold)",
    CP: "chronopotentiometry (one constant-current step)",
    GITT: "GITT (current pulses with rests)",
    PITT: "PITT (potential steps)",
    EIS: "impedance spectroscopy",
    OCV: "open-circuit rest",
}
FULL, CATHODE_HALF, ANODE_HALF, SYMMETRIC, THREE_ELECTRODE = (
    "full",
    "cathode_half",
    "anode_half",
    "symmetric",
    "three_electrode",
)
#: Cell types of a cycling run, with their human name.
CELL_TYPES: dict[str, str] = {
    FULL: "full cell",
    CATHODE_HALF: "cathode half-cell",
    ANODE_HALF: "anode half-cell",
    SYMMETRIC: "symmetric Li||Li cell",
    THREE_ELECTRODE: "three-electrode cell",
}


@dataclass(frozen=True)
class Segment:
    """A stretch of records of one kind (rows are 0-based, end inclusive; times in s)."""

    kind: str
    first_row: int
    last_row: int
    start_s: float
    end_s: float

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "kind": self.kind,
            "first_row": self.first_row,
            "last_row": self.last_row,
            "start_s": self.start_s,
            "end_s": self.end_s,
        }
