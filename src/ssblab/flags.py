"""Plausibility flags: how a derived number says it may not be right.

Every analysis result that ssblab prints carries a tuple of :class:`Flag`. A flag
names the quantity it is about, a stable machine code, and one human sentence.
The CLI prints flags to stderr (human output) or under ``"flags"`` (``--json``);
the report prints them beside the number.

An analysis that cannot run on the data at all does not flag: it refuses with an
:class:`~ssblab.errors.AnalysisError` (:class:`NotApplicableError`) of one line,
which ``--force`` turns into a flag (code ``forced``) instead.

Codes are short snake_case words, fixed once chosen (tests and users match on
them). The physical ranges used by the common checks live here, once.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

from ssblab.errors import AnalysisError

Severity = Literal["info", "warning", "error"]

#: Coulombic efficiency outside this range is implausible for a working cell [-].
CE_RANGE: tuple[float, float] = (0.5, 1.05)
#: Capacity retention above this is implausible (a cycle-rule or counter error) [%].
RETENTION_MAX_PCT: float = 105.0
#: Li metal's theoretical capacity F / (3.6 M_Li) = 96485.332 / (3.6 x 6.941) [mAh/g], the
#: highest of any electrode material: a specific capacity above it means a wrong mass.
SPECIFIC_CAPACITY_MAX_MAH_G: float = 3861.3
#: A fitted parameter within this fraction of its scale from zero is "collapsed".
COLLAPSED_FRACTION: float = 1e-6


class NotApplicableError(AnalysisError):
    """The data are not the experiment the analysis needs (``--force`` overrides)."""


@dataclass(frozen=True)
class Flag:
    """One plausibility remark on one derived number.

    Attributes
    ----------
    quantity : str
        The result field it is about (``"ce"``, ``"R1"``, ``"lambda"``, ``"cycle 3"``).
    code : str
        Stable machine code (``"ce_out_of_range"``, ``"at_bound"``, ``"no_uncertainty"``).
    message : str
        One sentence for a person, with the value and the range it left.
    severity : "info", "warning" or "error"
    """

    quantity: str
    code: str
    message: str
    severity: Severity = "warning"

    def as_dict(self) -> dict[str, str]:
        """JSON-ready form with stable keys."""
        return asdict(self)

    def __str__(self) -> str:
        return f"{self.severity}: {self.quantity}: {self.message} [{self.code}]"


def as_dicts(flags: Iterable[Flag]) -> list[dict[str, str]]:
    """The ``"flags"`` list of a JSON result."""
    return [f.as_dict() for f in flags]


def check_ce(quantity: str, ce: float | None) -> tuple[Flag, ...]:
    """Flag a coulombic efficiency outside :data:`CE_RANGE` (None/NaN passes)."""
    if ce is None or not math.isfinite(ce):
        return ()
    lo, hi = CE_RANGE
    if lo <= ce <= hi:
        return ()
    return (
        Flag(
            quantity,
            "ce_out_of_range",
            f"coulombic efficiency {ce:.4g} is outside the plausible {lo}-{hi}",
        ),
    )


def check_retention(quantity: str, retention_pct: float | None) -> tuple[Flag, ...]:
    """Flag a capacity retention above :data:`RETENTION_MAX_PCT` [%]."""
    if retention_pct is None or not math.isfinite(retention_pct):
        return ()
    if retention_pct <= RETENTION_MAX_PCT:
        return ()
    return (
        Flag(
            quantity,
            "retention_above_100",
            f"retention {retention_pct:.4g} % exceeds {RETENTION_MAX_PCT:g} %: "
            "the reference cycle is likely partial, the cycles lumped, or the rate lowered "
            "after it (a rate test)",
        ),
    )


def refuse_or_flag(problem: str, *, force: bool, quantity: str = "analysis") -> tuple[Flag, ...]:
    """Refuse with *problem* (one line), or with ``force`` return it as a ``forced`` flag."""
    if not force:
        raise NotApplicableError(f"{problem} (use --force to run it anyway)")
    return (Flag(quantity, "forced", f"run with --force although {problem}", "error"),)


def check_specific_capacity(
    quantity: str, mAh_g: float | None, mass_mg: float | None, where: str = ""
) -> tuple[Flag, ...]:
    """Flag a specific capacity above :data:`SPECIFIC_CAPACITY_MAX_MAH_G` (None/NaN passes)."""
    if mAh_g is None or not math.isfinite(mAh_g) or mAh_g <= SPECIFIC_CAPACITY_MAX_MAH_G:
        return ()
    mass = "" if mass_mg is None else f" of {mass_mg:.4g} mg"
    return (
        Flag(
            quantity,
            "specific_capacity_implausible",
            f"{mAh_g:.4g} mAh/g{where} exceeds Li metal's {SPECIFIC_CAPACITY_MAX_MAH_G:g} mAh/g, "
            f"the most any electrode holds: the active mass{mass} is likely wrong (mg vs g?)",
        ),
    )
