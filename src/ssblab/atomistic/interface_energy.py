"""Energies at an interface: adhesion, reaction in the relaxation, Li binding, Li⁺ path across.

For an interface ``A|B`` built by :func:`ssblab.atomistic.interfaces.build_interface`
(film *A* on substrate *B*, lower half of *B* fixed), with one potential:

- **relaxation protocol** (every stage to ``fmax``, FIRE then BFGS,
  :func:`ssblab.atomistic.relax.relax`): each slab alone first; the relaxed
  slabs joined again at the film height of lowest energy from a rigid scan
  (:data:`GAP_SHIFTS_A`); then the interface, with the outermost film layer
  free along the normal only (no lateral glide of the soft metal film, the
  mode that kept earlier relaxations from converging);
- **work of adhesion** W_ad = (E_A + E_B − E_AB) / area, each slab relaxed alone
  in the same cell [J/m²]; positive means the slabs stick;
- **reaction in the relaxation**: framework bonds (P–S, Ge–S, Al–O, ...) that
  the relaxation breaks, and anions pulled more than :data:`PULLED_A`, both from
  the re-joined start (relaxed slabs at the scanned gap, so a rigid shift is not
  a reaction); flagged ``interface_reacted``;
- **Li binding at the interface**: one extra Li at the largest void between the
  slabs, E_bind = E(AB+Li) − E_AB − μ_Li with μ_Li per atom of relaxed bcc Li
  [eV], beside the same quantity for an extra Li in each bulk;
- **Li⁺ path across**: climbing-image NEB (≥ 5 images, IDPP start) of a
  Li-metal atom into a Li vacancy of the first Li layer of a full-Li-sublattice
  substrate (LiAlO2), or of the interface Li into the largest void of the first
  layer (sulfides); only atoms near the hop relax (CPU time). Barrier = highest
  image − initial state, ΔE = final − initial [eV], and the band-shape flags of
  :func:`ssblab.atomistic.consensus.path_flags`.

Every number is a model prediction of the named potential (MLIP, not DFT).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ssblab.atomistic.interface_setup import (  # noqa: F401 (re-exported names)
    HOP_STAGES,
    MIN_INTERSTITIAL_HOP_A,
    OPTIMIZER,
    PULLED_A,
    VACANCY_CROSSING,
    VACANCY_FREE_RADIUS_A,
    StageCallback,
    Stages,
    best_gap,
    bulk_binding,
    contact_reaction,
    joined,
    moved_li,
    part,
    path_clearance,
    pin_film_top,
    slab_edges,
    vacancy_crossing,
    with_li,
)
from ssblab.atomistic.interfaces import MAX_AREA_A2, BuiltInterface, build_interface, thinned
from ssblab.atomistic.slab_geometry import (
    FILM_TAG,
    SUBSTRATE_TAG,
    from_geometry,
    geometry,
    heights,
    largest_void_between,
)
from ssblab.errors import SimulationError
from ssblab.flags import Flag, as_dicts

EV_PER_A2_TO_J_PER_M2 = 16.021766
#: Depth of the substrate's first layer searched for the final Li site [Å].
FIRST_LAYER_A = (0.6, 3.0)
#: A host that relaxes this much lower after the Li is taken out again is flagged [eV].
HOST_DRIFT_EV = 0.05
#: Layers of each film (pymatgen unit planes): thin metal films keep the cells small.
FILM_LAYERS = {"Li": 4, "Al": 3, "LiAlO2": 1}
#: Per pair: Li(100) on gamma-LiAlO2 has 2 atomic layers per plane, 2 planes = 4 layers, 32 Li.
FILM_LAYERS_BY_PAIR = {("Li", "LiAlO2_gamma"): 2}
#: Larger in-plane search than :data:`ssblab.atomistic.interfaces.MAX_AREA_A2` for pairs
#: whose lattices match only there [Å²]: alpha-LiAlO2(104)|LGPS(001) first at 151 Å² (2x1 LGPS).
AREA_BY_PAIR = {("LiAlO2", "LGPS"): 160.0}
#: Lowest substrate atomic layers removed (whole formula units): alpha-LiAlO2 keeps 8 of 12.
THIN_SUBSTRATE = {"LiAlO2": 4}
#: The joined interface (a reacting contact takes hundreds of steps) gets this many times *steps*.
INTERFACE_STEPS_FACTOR = 2
#: Atoms within this distance of the moving Li (either end point) relax in the band [Å].
NEB_FREE_RADIUS_A = 5.0
#: Stages of a contact and of a crossing, in order (progress bars, step counts).
CONTACT_STAGES = (
    "substrate",
    "film slab",
    "gap scan",
    "interface",
    "Li at interface",
    "host again",
)
CROSSING_STAGES = (*(s for pair in HOP_STAGES for s in pair), "band")


@dataclass(frozen=True)
class InterfaceResult:
    """One interface relaxed with one potential (energies eV, areas Å², W_ad J/m²)."""

    interface: str
    model: str
    build: dict[str, Any]
    E_AB_eV: float
    E_film_eV: float
    E_substrate_eV: float
    W_adhesion_J_m2: float
    #: Framework bonds (non-Li cation-anion, within one slab) broken / formed in the contact.
    broken_bonds: int
    bonds_formed: int
    anions_pulled: int
    max_anion_shift_A: float
    E_bind_interface_eV: float | None
    E_bind_bulk_eV: dict[str, float | None]
    barrier_eV: float | None
    delta_E_eV: float | None
    path_eV: tuple[float, ...]
    hop_A: float | None
    converged: bool
    label: str = "predicted"
    flags: tuple[Flag, ...] = ()
    #: The relaxed clean interface: numbers, positions [Å], cell [Å], tags, constraints.
    relaxed: dict[str, list] | None = None
    #: The relaxed interface with the extra Li at the interface site (last atom).
    relaxed_li: dict[str, list] | None = None
    #: Optimizer steps and whether fmax was reached, per stage.
    steps: dict[str, int] = field(default_factory=dict)
    stage_converged: dict[str, bool] = field(default_factory=dict)
    gap_shift_A: float | None = None
    #: How the Li crosses (vacancy or interstitial) and why; the band's straight-path clearance.
    mechanism: str = ""
    path_clearance_A: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict with stable JSON keys."""
        out = asdict(self)
        out["path_eV"] = list(self.path_eV)
        out["flags"] = as_dicts(self.flags)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InterfaceResult:
        """The inverse of :meth:`as_dict` (the result cache)."""
        fields = {k: v for k, v in data.items() if k not in ("flags", "path_eV")}
        return cls(
            **fields,
            path_eV=tuple(data["path_eV"]),
            flags=tuple(Flag(**f) for f in data.get("flags", ())),
        )


def interface_for(film: str, substrate: str) -> BuiltInterface:
    """The interface of *film* on *substrate* at the tabulated (experimental) lattices.

    Both potentials relax the same starting interface. Their own lattices
    differ from experiment by 1-3 % (CHGNet LGPS a 8.78 vs 8.69 Å, Li 3.41 vs
    3.51 Å), which moves the ZSL matches past the strain bound; the film and
    substrate slabs of W_ad share the interface's cell, so the strain energy
    cancels in W_ad to first order. Substrates listed in :data:`THIN_SUBSTRATE`
    lose their lowest atomic layers (whole formula units) to save CPU time.
    """
    from ssblab.atomistic.structures import conventional_cell

    built = build_interface(
        film,
        substrate,
        conventional_cell(film),
        conventional_cell(substrate),
        film_layers=FILM_LAYERS_BY_PAIR.get((film, substrate), FILM_LAYERS.get(film, 1)),
        max_area_A2=AREA_BY_PAIR.get((film, substrate), MAX_AREA_A2),
    )
    return thinned(built, THIN_SUBSTRATE.get(substrate, 0), conventional_cell(substrate))


def interface_contact(
    film: str,
    substrate: str,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 400,
    bulk: bool = True,
    on_step: StageCallback | None = None,
) -> InterfaceResult:
    """W_ad, the contact reaction and Li binding at the interface of *film*|*substrate*.

    Parameters
    ----------
    fmax : float
        Force threshold of every relaxation [eV/Å].
    steps : int
        Optimizer step cap per relaxation (:data:`INTERFACE_STEPS_FACTOR` times it for
        the joined interface).
    bulk : bool
        Also the extra-Li binding in each bulk (cached bulk jobs).
    """
    from ssblab.atomistic.binding import reference_energy
    from ssblab.atomistic.calculator import model_label

    run = Stages(model, fmax, steps, on_step)
    built = interface_for(film, substrate)
    start = built.atoms
    sb = run.relax("substrate", part(start, SUBSTRATE_TAG))
    fa = run.relax("film slab", part(start, FILM_TAG))
    run.tick("gap scan")
    slabs = joined(start, sb.atoms, fa.atoms)
    shift = best_gap(slabs, model)
    ab = run.relax(
        "interface",
        pin_film_top(joined(start, sb.atoms, fa.atoms, shift)),
        cap=steps * INTERFACE_STEPS_FACTOR,
    )
    w_ad = (fa.energy_eV + sb.energy_eV - ab.energy_eV) / built.area_A2 * EV_PER_A2_TO_J_PER_M2
    if not np.isfinite(w_ad):
        raise SimulationError(f"{built.name}: the work of adhesion is not finite")
    # Measured from the re-joined start: the rigid gap shift is not a reaction.
    broken, formed, shifts = contact_reaction(joined(start, sb.atoms, fa.atoms, shift), ab.atoms)
    pulled = int((shifts > PULLED_A).sum())
    flags: list[Flag] = []
    if broken > 0 or formed > 0 or pulled:
        flags.append(
            Flag(
                "W_adhesion_J_m2",
                "interface_reacted",
                f"{model_label(model)}: the {built.name} relaxation broke {broken} and formed "
                f"{formed} framework bonds and pulled {pulled} anions > {PULLED_A} Å: the "
                "model predicts that this contact reacts; W_ad includes that reaction energy",
            )
        )
    top, bottom = slab_edges(ab.atoms)
    site = largest_void_between(ab.atoms, top - 0.3, max(bottom + 0.3, top + 0.5))
    initial = run.relax("Li at interface", with_li(ab.atoms, site))
    # The host once more from the Li-loaded geometry without the Li: a contact that is
    # still reacting keeps relaxing, and only the lower of the two host energies makes
    # E_bind a binding energy rather than the energy of that further reaction.
    again = run.relax("host again", initial.atoms[:-1])
    e_host = min(ab.energy_eV, again.energy_eV)
    e_bind = initial.energy_eV - e_host - reference_energy("Li", "bulk", model)
    if ab.energy_eV - again.energy_eV > HOST_DRIFT_EV:
        flags.append(
            Flag(
                "E_bind_interface_eV",
                "host_kept_relaxing",
                f"{model_label(model)}: the {built.name} host without the Li relaxed "
                f"{ab.energy_eV - again.energy_eV:.2f} eV lower than the first relaxation; "
                "E_bind uses the lower host energy",
            )
        )
    converged = all(run.converged.values())
    if not converged:
        late = ", ".join(k for k, v in run.converged.items() if not v)
        flags.append(Flag("E_AB_eV", "not_converged", f"stopped at the {steps}-step cap: {late}"))
    names = dict.fromkeys((film, substrate))
    return InterfaceResult(
        interface=built.name,
        model=model_label(model),
        build=built.summary(),
        E_AB_eV=ab.energy_eV,
        E_film_eV=fa.energy_eV,
        E_substrate_eV=sb.energy_eV,
        W_adhesion_J_m2=float(w_ad),
        broken_bonds=int(broken),
        bonds_formed=int(formed),
        anions_pulled=pulled,
        max_anion_shift_A=float(shifts.max()) if shifts.size else 0.0,
        E_bind_interface_eV=float(e_bind),
        E_bind_bulk_eV={n: bulk_binding(n, model) for n in names} if bulk else {},
        barrier_eV=None,
        delta_E_eV=None,
        path_eV=(),
        hop_A=None,
        converged=bool(converged),
        flags=tuple(flags),
        relaxed=geometry(ab.atoms),
        relaxed_li=geometry(initial.atoms),
        steps=dict(run.steps),
        stage_converged=dict(run.converged),
        gap_shift_A=shift,
    )


def interface_crossing(
    contact: InterfaceResult,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 400,
    n_images: int = 5,
    band_fmax: float = 0.1,
    band_steps: int = 300,
    on_step: StageCallback | None = None,
) -> InterfaceResult:
    """*contact* with the CI-NEB barrier of a Li crossing into the substrate's first layer.

    Substrates of :data:`~ssblab.atomistic.interface_setup.VACANCY_CROSSING` under a
    Li film: a Li-metal atom fills a Li vacancy of the first substrate Li layer
    (:func:`~ssblab.atomistic.interface_setup.choose_vacancy_hop`; no band when no
    hop ≤ 3.5 Å clears other atoms by 1.5 Å, flagged ``no_short_hop``); both end
    points relaxed with atoms beyond :data:`VACANCY_FREE_RADIUS_A` held. Otherwise
    (``interstitial``): the contact's interface Li into the largest void of the
    first layer (:data:`FIRST_LAYER_A`), no band if it relaxes back within
    :data:`MIN_INTERSTITIAL_HOP_A` (``end_points_merged``). Band: IDPP start,
    *n_images* ≥ 5 images, FIRE to *band_fmax* [eV/Å] within *band_steps*.
    """
    from dataclasses import replace

    from ssblab.atomistic.calculator import model_label
    from ssblab.atomistic.consensus import path_flags
    from ssblab.atomistic.neb import run_neb

    if n_images < 5:
        raise SimulationError(f"the interface path needs at least 5 images, got {n_images}")
    if contact.relaxed is None or contact.relaxed_li is None:
        raise SimulationError(f"{contact.interface}: the contact result has no relaxed geometry")
    run = Stages(model, fmax, steps, on_step)
    flags = list(contact.flags)
    film, substrate = contact.interface.split("|")
    if film == "Li" and substrate in VACANCY_CROSSING:
        found, notes = vacancy_crossing(from_geometry(contact.relaxed), run, model_label(model))
        flags.extend(Flag("barrier_eV", code, message) for code, message in notes)
        if found is None:
            mechanism = f"vacancy ({VACANCY_CROSSING[substrate]}): no band"
            return replace(contact, flags=tuple(flags), mechanism=mechanism, steps=run.all(contact))
        start, final, mover, clearance, mechanism = found
        mechanism += f" ({VACANCY_CROSSING[substrate]})"
        origin, begin = start.atoms.positions[mover], start.atoms
    else:
        mechanism = "interstitial: the interface Li into the largest void of the first layer"
        initial = from_geometry(contact.relaxed_li)
        top, _ = slab_edges(initial[:-1])
        inside = largest_void_between(initial[:-1], top - FIRST_LAYER_A[1], top - FIRST_LAYER_A[0])
        begin, first = moved_li(initial, inside, NEB_FREE_RADIUS_A)
        final = run.relax("Li in first layer", first)
        mover, origin = len(initial) - 1, initial.positions[-1]
        clearance = path_clearance(begin, origin, final.atoms.positions[-1], skip=(mover,))
        if heights(final.atoms)[-1] > top:
            flags.append(
                Flag(
                    "barrier_eV",
                    "final_state_left_layer",
                    f"{model_label(model)}: the Li placed in the first substrate layer relaxed "
                    f"out of it ({heights(final.atoms)[-1] - top:+.2f} Å above the layer top)",
                )
            )
    hop_A = float(np.linalg.norm(final.atoms.positions[mover] - origin))
    if hop_A < MIN_INTERSTITIAL_HOP_A:  # the interface Li sat in the first-layer void already
        why = f"{model_label(model)}: the first-layer Li relaxed back to {hop_A:.2f} Å of its start"
        flags.append(Flag("barrier_eV", "end_points_merged", f"{why}: no hop, no band"))
        mechanism += ": no band"
        done = {**contact.stage_converged, **run.converged}
        return replace(
            contact, flags=tuple(flags), mechanism=mechanism, steps=run.all(contact),
            stage_converged=done, converged=contact.converged and all(run.converged.values()),
        )  # fmt: skip
    run.tick("band")
    energies, band_ok = run_neb(
        begin, final.atoms, n_images, model, band_fmax, band_steps, run.band_step
    )
    run.converged["band"] = band_ok
    ends_ok = all(run.converged.values())
    if not ends_ok:
        late = ", ".join(k for k, v in run.converged.items() if not v)
        flags.append(Flag("barrier_eV", "not_converged", f"stopped at its step cap: {late}"))
    relative = tuple(float(e - energies[0]) for e in energies)
    flags.extend(path_flags(relative))
    return replace(
        contact,
        barrier_eV=float(max(relative)),
        delta_E_eV=float(relative[-1]),
        path_eV=relative,
        hop_A=hop_A,
        converged=contact.converged and ends_ok,
        flags=tuple(flags),
        steps={**contact.steps, **run.steps},
        stage_converged={**contact.stage_converged, **run.converged},
        mechanism=mechanism,
        path_clearance_A=float(clearance),
    )


def relax_interface(
    film: str,
    substrate: str,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 400,
    n_images: int = 5,
    band_fmax: float = 0.1,
    neb: bool = True,
    bulk: bool = True,
    on_step: StageCallback | None = None,
) -> InterfaceResult:
    """:func:`interface_contact`, then (with *neb*) :func:`interface_crossing`."""
    contact = interface_contact(film, substrate, model, fmax, steps, bulk, on_step)
    if not neb:
        return contact
    return interface_crossing(contact, model, fmax, steps, n_images, band_fmax, on_step=on_step)
