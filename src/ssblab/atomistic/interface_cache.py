"""Interface results cached on disk, and the two potentials compared.

:func:`cached_interface` runs :func:`ssblab.atomistic.interface_energy.relax_interface`
through :mod:`ssblab.atomistic.cache` (keyed by the inputs and the potential's
version; the contact and the NEB are stored apart so a NEB reuses the relaxed
contact). :func:`consensus_flags` says where CHGNet and SevenNet disagree.
"""

from __future__ import annotations

from ssblab.atomistic.interface_energy import (
    AREA_BY_PAIR,
    FILM_LAYERS,
    FILM_LAYERS_BY_PAIR,
    INTERFACE_STEPS_FACTOR,
    NEB_FREE_RADIUS_A,
    OPTIMIZER,
    THIN_SUBSTRATE,
    VACANCY_FREE_RADIUS_A,
    InterfaceResult,
    StageCallback,
    interface_contact,
    interface_crossing,
)
from ssblab.atomistic.interface_setup import (
    GAP_SHIFTS_A,
    HOP_WORDS,
    LI_LAYER_TOL_A,
    MAX_HOP_A,
    MIN_CLEARANCE_A,
    MIN_INTERSTITIAL_HOP_A,
    PULLED_A,
    bulk_binding,
)
from ssblab.flags import Flag

#: Two potentials whose works of adhesion differ by more than this disagree [J/m²].
MARGIN_ADHESION_J_M2 = 0.3


def interface_keys(
    film: str,
    substrate: str,
    model: str,
    fmax: float = 0.05,
    steps: int = 400,
    n_images: int = 5,
    band_fmax: float = 0.1,
    band_steps: int = 300,
) -> tuple[str, str]:
    """Cache keys of the contact and of the NEB of *film*|*substrate* with *model*."""
    from ssblab.atomistic import cache

    base = {
        "film": film,
        "substrate": substrate,
        "film_layers": FILM_LAYERS,
        **(
            {"film_layers_pair": FILM_LAYERS_BY_PAIR[film, substrate]}
            if (film, substrate) in FILM_LAYERS_BY_PAIR
            else {}
        ),
        **(
            {"max_area_A2": AREA_BY_PAIR[film, substrate]}
            if (film, substrate) in AREA_BY_PAIR
            else {}
        ),
        "fmax": fmax,
        "steps": steps,
        "interface_steps_factor": INTERFACE_STEPS_FACTOR,
        # The contact is always stored without the bulk bindings (their own cached jobs).
        "bulk": False,
        "thin_substrate": THIN_SUBSTRATE,
        "optimizer": OPTIMIZER,
        "gap_shifts_A": GAP_SHIFTS_A,
        "method": "slabs alone, gap scan, film top normal-only; E_bind vs lower host; "
        "reaction from the re-joined start, bonds broken and formed counted apart",
    }
    neb = {
        **base,
        "n_images": n_images,
        "band_fmax": band_fmax,
        "band_steps": band_steps,
        "free_radius_A": NEB_FREE_RADIUS_A,
        "crossing": "vacancy for full Li sublattices (max hop, clearance, radius; a merged "
        "first hop goes on to the second Li layer; straight or IDPP path clear), else void; "
        "no band when the void end relaxes back to the start",
        "vacancy_hop": [MAX_HOP_A, MIN_CLEARANCE_A, LI_LAYER_TOL_A, VACANCY_FREE_RADIUS_A],
        "min_interstitial_hop_A": MIN_INTERSTITIAL_HOP_A,
    }
    return cache.cache_key("interface", base, model), cache.cache_key("interface_neb", neb, model)


def cached_interface(
    film: str,
    substrate: str,
    model: str,
    fmax: float = 0.05,
    steps: int = 400,
    n_images: int = 5,
    band_fmax: float = 0.1,
    band_steps: int = 300,
    neb: bool = True,
    bulk: bool = True,
    on_step: StageCallback | None = None,
) -> InterfaceResult:
    """:func:`relax_interface` through the on-disk cache (keyed by inputs and potential version).

    The contact part and the NEB are cached apart, so a NEB reuses the relaxed
    contact; with *bulk*, the extra-Li binding in each bulk phase is added from
    its own cached job.
    """
    from dataclasses import replace

    from ssblab.atomistic import cache

    key, neb_key = interface_keys(
        film, substrate, model, fmax, steps, n_images, band_fmax, band_steps
    )
    hit = cache.load(key)
    contact = InterfaceResult.from_dict(hit) if hit is not None else None
    if contact is None:
        contact = interface_contact(film, substrate, model, fmax, steps, False, on_step)
        cache.save(key, contact.as_dict())
    result = contact
    if neb:
        hit = cache.load(neb_key)
        if hit is not None:
            result = InterfaceResult.from_dict(hit)
        else:
            result = interface_crossing(
                contact, model, fmax, steps, n_images, band_fmax, band_steps, on_step=on_step
            )
            cache.save(neb_key, result.as_dict())
    if bulk:
        names = dict.fromkeys((film, substrate))
        result = replace(result, E_bind_bulk_eV={n: bulk_binding(n, model) for n in names})
    return result


def consensus_flags(results: dict[str, InterfaceResult]) -> tuple[Flag, ...]:
    """Flags where the potentials disagree on W_ad, Li binding, the barrier or the reaction."""
    from ssblab.atomistic.consensus import (
        MARGIN_BARRIER_EV,
        MARGIN_BINDING_EV,
        barrier_presence,
        disagreement,
    )

    def values(key: str) -> dict[str, float | None]:
        return {m: getattr(r, key) for m, r in results.items()}

    flags = (
        disagreement("W_adhesion_J_m2", values("W_adhesion_J_m2"), MARGIN_ADHESION_J_M2, "J/m2")
        + disagreement(
            "E_bind_interface_eV", values("E_bind_interface_eV"), MARGIN_BINDING_EV, "eV"
        )
        + disagreement("barrier_eV", values("barrier_eV"), MARGIN_BARRIER_EV, "eV")
        + barrier_presence(
            values("barrier_eV"), {m: [f.code for f in r.flags] for m, r in results.items()}
        )
    )
    hops = {
        m: next((w for w in HOP_WORDS if w in r.mechanism), r.mechanism)
        for m, r in results.items()
        if r.barrier_eV is not None and r.mechanism.startswith("vacancy")
    }
    if len(set(hops.values())) > 1:
        said = "; ".join(f"{m}: {h}" for m, h in hops.items())
        flags += (
            Flag(
                "barrier_eV", "potentials_disagree", f"the barriers are of different hops ({said})"
            ),
        )
    broke = {m: r.broken_bonds > 0 or r.bonds_formed > 0 for m, r in results.items()}
    reacted = {m: broke[m] or r.anions_pulled > 0 for m, r in results.items()}
    if len(set(reacted.values())) > 1:
        said = ", ".join(f"{m} {'reacts' if v else 'intact'}" for m, v in reacted.items())
        flags += (Flag("broken_bonds", "potentials_disagree", f"reaction at the contact: {said}"),)
    elif len(set(broke.values())) > 1:
        said = ", ".join(
            f"{m} breaks {r.broken_bonds} bonds, forms {r.bonds_formed} and pulls "
            f"{r.anions_pulled} anions"
            for m, r in results.items()
        )
        flags += (
            Flag(
                "broken_bonds",
                "potentials_disagree",
                f"both react, not alike: {said} (> {PULLED_A} Å)",
            ),
        )
    return flags
