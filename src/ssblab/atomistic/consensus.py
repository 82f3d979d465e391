"""Two potentials on every number, and the plausibility checks that flag a result.

ssblab computes each atomistic result with CHGNet and with SevenNet (both
universal potentials trained on PBE/PBE+U data, different architectures). Where
they disagree by more than a stated margin, or where a number is unphysical,
the result carries a :class:`ssblab.flags.Flag`. Energies in eV.

Margins (chosen as roughly twice the typical MLIP-vs-PBE scatter of such
quantities, so a flag means "the potentials do not agree", not "noise"):

- binding energies: 0.15 eV;
- migration barriers: 0.10 eV;
- reaction energies: 0.05 eV/atom.

A *fully lithiated* phase (every non-Li element an anion at its lowest common
oxidation state: Li2S, LiCl, Li3P, Li2O, LiF, Li3N) cannot take up more Li
below the Li/Li+ potential: an extra Li that binds more strongly than in bcc Li
metal (E_int vs Li metal below −0.3 eV) is a potential artefact and is flagged.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import cache

import numpy as np

from ssblab.flags import Flag

MARGIN_BINDING_EV = 0.15
MARGIN_BARRIER_EV = 0.10
MARGIN_REACTION_EV_ATOM = 0.05
#: A saddle less than this above the higher end point of a band is no saddle [eV].
NO_SADDLE_EV = 0.01
#: Band end points further apart in energy than this join inequivalent sites [eV].
ASYMMETRIC_HOP_EV = 0.05
#: E_int of an extra Li vs Li metal below this, in a fully lithiated phase, is flagged [eV].
LITHIATED_BINDING_LIMIT_EV = -0.3


def disagreement(
    quantity: str, values: Mapping[str, float], margin: float, unit: str
) -> tuple[Flag, ...]:
    """A ``potentials_disagree`` flag when the spread of *values* exceeds *margin*."""
    finite = {k: v for k, v in values.items() if v is not None}
    if len(finite) < 2:
        return ()
    spread = max(finite.values()) - min(finite.values())
    if spread <= margin:
        return ()
    listed = ", ".join(f"{k} {v:.3g}" for k, v in finite.items())
    return (
        Flag(
            quantity,
            "potentials_disagree",
            f"{listed} {unit}: spread {spread:.3g} {unit} exceeds the {margin:g} {unit} margin",
        ),
    )


@cache
def is_fully_lithiated(formula: str) -> bool:
    """True when each non-Li element of *formula* is an anion at its lowest oxidation state."""
    from pymatgen.core import Composition, Element

    comp = Composition(formula)
    if Element("Li") not in comp or len(comp.elements) < 2:
        return False
    guesses = comp.oxi_state_guesses(max_sites=-50)
    if not guesses:
        return False
    for element in comp.elements:
        if element.symbol == "Li":
            continue
        lowest = min(element.common_oxidation_states, default=0)
        if lowest >= 0 or abs(guesses[0][element.symbol] - lowest) > 1e-6:
            return False
    return True


def lithiated_binding(
    host: str, formula: str, e_vs_metal_eV: float, model: str
) -> tuple[Flag, ...]:
    """Flag strong binding of extra Li in a fully lithiated phase (a potential artefact)."""
    if not is_fully_lithiated(formula) or e_vs_metal_eV >= LITHIATED_BINDING_LIMIT_EV:
        return ()
    return (
        Flag(
            "E_int_eV",
            "unphysical_lithiated_binding",
            f"{model}: an extra Li binds to fully lithiated {host} by {e_vs_metal_eV:.2f} eV "
            f"relative to Li metal (limit {LITHIATED_BINDING_LIMIT_EV} eV); {host} cannot be "
            "lithiated further, so this is an artefact of the potential",
            "error",
        ),
    )


#: Why a potential's result has no barrier, by the flag code that says so: a band without
#: a saddle, or no band at all (``barrier_eV`` None).
NO_BARRIER_CODES = {
    "no_saddle": "no saddle (the band only rises or falls)",
    "end_points_merged": "end points merged (no hop, no band)",
    "no_short_hop": "no clear short hop (no band)",
}


def barrier_presence(
    barriers_eV: Mapping[str, float | None], codes: Mapping[str, Collection[str]]
) -> tuple[Flag, ...]:
    """A ``potentials_disagree_on_barrier`` flag when one potential finds a migration
    barrier on a path and another finds none.

    *barriers_eV* maps each potential to its barrier [eV], None where it has no band
    (end points merged, no hop found, not run); *codes* maps it to the flag codes of
    its result. A number counts as a barrier only if its band has a saddle (no
    ``no_saddle`` code): without one it is the end-state energy difference. A merged
    first hop beside a number is a later hop's barrier, which counts.
    :func:`disagreement` compares two numbers and is silent when one is missing; this
    says that the potentials do not agree on whether there is a barrier at all.
    """
    found: dict[str, float] = {}
    none: dict[str, str] = {}
    for model, value in barriers_eV.items():
        own = set(codes.get(model, ()))
        if value is not None and "no_saddle" not in own:
            found[model] = value
            continue
        why = [NO_BARRIER_CODES[c] for c in NO_BARRIER_CODES if c in own]
        none[model] = why[0] if why else "no band (not run)"
    if not found or not none:
        return ()
    listed = "; ".join(
        [f"{m}: barrier {v:.3f} eV" for m, v in found.items()]
        + [f"{m}: {why}" for m, why in none.items()]
    )
    return (
        Flag(
            "barrier_eV",
            "potentials_disagree_on_barrier",
            f"the potentials do not agree on whether this path has a barrier ({listed}); "
            "the barrier is not confirmed by the other potential",
        ),
    )


def path_flags(energies_eV: list[float] | tuple[float, ...]) -> tuple[Flag, ...]:
    """Flags on the shape of a band: no saddle between the end points, or unequal end points.

    *energies_eV* are image energies relative to the initial state, end points
    included. Without a saddle the "barrier" is only the end-point energy
    difference (the band rises or falls monotonically), not a migration barrier.
    """
    first, last = energies_eV[0], energies_eV[-1]
    saddle = max(energies_eV) - max(first, last)
    flags: tuple[Flag, ...] = ()
    if saddle < NO_SADDLE_EV:
        flags += (
            Flag(
                "barrier_eV",
                "no_saddle",
                f"the band has no saddle ({saddle:.3f} eV above the higher end point): the "
                f"reported barrier is the end-state energy difference {last - first:+.3f} eV, "
                "not a migration barrier",
            ),
        )
    lowest = int(np.argmin(energies_eV))
    below = min(first, last) - energies_eV[lowest]
    if 0 < lowest < len(energies_eV) - 1 and below > NO_SADDLE_EV:
        flags += (
            Flag(
                "barrier_eV",
                "intermediate_minimum",
                f"image {lowest} lies {below:.3f} eV below the lower end point: the band "
                "passes a deeper state than its relaxed ends, so diffusion along it climbs "
                f"{max(energies_eV) - energies_eV[lowest]:.3f} eV (highest minus lowest image)",
            ),
        )
    if abs(last - first) > ASYMMETRIC_HOP_EV:
        flags += (
            Flag(
                "barrier_eV",
                "asymmetric_hop",
                f"the end states differ by {last - first:+.3f} eV: the hop joins inequivalent "
                "sites, so long-range diffusion needs the larger of the forward and reverse "
                "barriers along the whole path",
                "info",
            ),
        )
    return flags
