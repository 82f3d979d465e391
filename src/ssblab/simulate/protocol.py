"""Symmetric-cell (Li‖Li) protocols: galvanostatic plating/stripping blocks.

A protocol is a tuple of :class:`Block` objects; each block repeats half-cycles of
one current density, alternating sign (the first half-cycle plates the working
electrode, positive current). Protocol strings are a thin layer over the
blocks; blocks are separated by ``;`` and each holds comma-separated items:

    ``0.1 mA/cm2, 0.1 mAh/cm2, 5000 h``         seed long cycling (until 5000 h)
    ``0.1 mA/cm2, 1.0 mAh/cm2, 100 cycles``     100 full cycles of 10 h each
    ``0.25 mA/cm2, 1 h half-cycles, 5 cycles``  fixed-time half-cycles
    ``rate 0.1,0.25,0.5,1.0 mA/cm2, 1 h half-cycles, 5 cycles``  one block per density

Items: ``<j> mA/cm2`` current density; ``<q> mAh/cm2`` capacity per half-cycle or
``<τ> h half-cycles`` its duration; ``<n> cycles`` or ``<T> h`` the block length.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from ssblab.errors import SimulationError

EXAMPLES = (
    "0.1 mA/cm2, 0.1 mAh/cm2, 5000 h",
    "rate 0.1,0.25,0.5,1.0 mA/cm2, 1 h half-cycles, 5 cycles",
)
#: Most half-cycles a protocol may expand to (keeps a typo from eating the memory).
MAX_HALF_CYCLES = 2_000_000


@dataclass(frozen=True)
class Block:
    """Galvanostatic plating/stripping at one current density.

    Attributes
    ----------
    current_density_mA_cm2 : float
        |j| [mA/cm2].
    half_cycle_h : float
        Duration of each half-cycle [h] (capacity / current density).
    n_half_cycles : int
        Number of half-cycles in the block.
    """

    current_density_mA_cm2: float
    half_cycle_h: float
    n_half_cycles: int

    @property
    def areal_capacity_mAh_cm2(self) -> float:
        """Capacity plated (stripped) per half-cycle [mAh/cm2]."""
        return self.current_density_mA_cm2 * self.half_cycle_h


@dataclass(frozen=True)
class HalfCycles:
    """A protocol expanded into arrays, one entry per half-cycle.

    Attributes
    ----------
    current_density_A_cm2 : ndarray
        |j| [A/cm2].
    duration_s : ndarray
        Half-cycle durations [s].
    start_s : ndarray
        Start times [s] (the first is 0).
    sign : ndarray
        +1 when the working electrode is plated, -1 when it is stripped.
    """

    current_density_A_cm2: np.ndarray
    duration_s: np.ndarray
    start_s: np.ndarray
    sign: np.ndarray

    @property
    def capacity_mAh_cm2(self) -> np.ndarray:
        """Capacity per half-cycle [mAh/cm2]."""
        return self.current_density_A_cm2 * 1e3 * self.duration_s / 3600.0


def lifetime_protocol(
    current_density_mA_cm2: float, areal_capacity_mAh_cm2: float, max_time_h: float
) -> tuple[Block, ...]:
    """Long galvanostatic cycling: half-cycles of *areal_capacity* until *max_time_h* [h]."""
    for name, value in (
        ("current density", current_density_mA_cm2),
        ("areal capacity", areal_capacity_mAh_cm2),
        ("max time", max_time_h),
    ):
        if not (math.isfinite(value) and value > 0):
            raise SimulationError(f"protocol {name} must be a positive number, got {value}")
    tau = areal_capacity_mAh_cm2 / current_density_mA_cm2
    return (Block(current_density_mA_cm2, tau, max(1, math.ceil(max_time_h / tau - 1e-9))),)


_ITEM = re.compile(
    r"^(?P<value>[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*"
    r"(?P<unit>mA/cm2|mAh/cm2|h half-cycles?|cycles?|h)$"
)


def _fail(text: str, problem: str) -> SimulationError:
    return SimulationError(
        f"protocol {text!r}: {problem}; examples: " + " | ".join(repr(e) for e in EXAMPLES)
    )


def _parse_block(text: str) -> tuple[Block, ...]:
    items = [i.strip() for i in text.split(",") if i.strip()]
    densities: list[float] = []
    found: dict[str, float] = {}
    if items and items[0].startswith("rate "):
        head = items.pop(0)[5:].strip()
        while not head.endswith("mA/cm2") and items and re.match(r"[0-9.]", items[0]):
            head += "," + items.pop(0)
        if not head.endswith("mA/cm2"):
            raise _fail(text, "'rate' takes a list of current densities in mA/cm2")
        try:
            densities = [float(v) for v in head.removesuffix("mA/cm2").strip().split(",")]
        except ValueError as exc:
            raise _fail(text, "'rate' takes numbers, e.g. rate 0.1,0.25 mA/cm2") from exc
    for item in items:
        m = _ITEM.match(item)
        if m is None:
            raise _fail(text, f"cannot read {item!r}")
        unit = m["unit"].removesuffix("s")
        if unit in found:
            raise _fail(text, f"{unit!r} given twice")
        found[unit] = float(m["value"])
    if "mA/cm2" in found:
        densities.append(found["mA/cm2"])
    if not densities or any(j <= 0 for j in densities):
        raise _fail(text, "give a positive current density in mA/cm2")
    length_keys = [k for k in ("cycle", "h") if k in found]
    if len(length_keys) != 1:
        raise _fail(text, "give the block length as '<n> cycles' or '<T> h'")
    blocks = []
    for j in densities:
        if "mAh/cm2" in found:
            tau = found["mAh/cm2"] / j
        elif "h half-cycle" in found:
            tau = found["h half-cycle"]
        else:
            raise _fail(text, "give the capacity '<q> mAh/cm2' or '<τ> h half-cycles'")
        if tau <= 0:
            raise _fail(text, "half-cycles must last longer than zero")
        by_cycles = "cycle" in found
        n = round(2 * found["cycle"]) if by_cycles else math.ceil(found["h"] / tau - 1e-9)
        blocks.append(Block(j, tau, max(1, n)))
    return tuple(blocks)


def parse_protocol(text: str) -> tuple[Block, ...]:
    """Parse a symmetric-cell protocol string (see the module docstring) into blocks.

    Raises
    ------
    SimulationError
        Naming the part that cannot be read, with examples of valid strings.
    """
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if not parts:
        raise _fail(text, "empty protocol")
    blocks = tuple(b for part in parts for b in _parse_block(part))
    if sum(b.n_half_cycles for b in blocks) > MAX_HALF_CYCLES:
        raise _fail(text, f"more than {MAX_HALF_CYCLES} half-cycles")
    return blocks


def expand(blocks: tuple[Block, ...]) -> HalfCycles:
    """Arrays with one entry per half-cycle of *blocks* (signs alternate throughout)."""
    if not blocks:
        raise SimulationError("a protocol needs at least one block")
    counts = np.array([b.n_half_cycles for b in blocks])
    j = np.repeat([b.current_density_mA_cm2 * 1e-3 for b in blocks], counts)
    tau = np.repeat([b.half_cycle_h * 3600.0 for b in blocks], counts)
    start = np.concatenate(([0.0], np.cumsum(tau)[:-1]))
    sign = np.where(np.arange(j.size) % 2 == 0, 1.0, -1.0)
    return HalfCycles(j, tau, start, sign)
