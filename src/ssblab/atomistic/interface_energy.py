"""Energies at an interface: adhesion, reaction in the relaxation, Li binding, Li⁺ path across.

For an interface ``A|B`` built by :func:`ssblab.atomistic.interfaces.build_interface`
(film *A* on substrate *B*, lower half of *B* fixed), with one potential:

- **work of adhesion** W_ad = (E_A + E_B − E_AB) / area, each slab relaxed alone
  in the same cell [J/m²]; positive means the slabs stick. Its negative is the
  interface energy relative to the two free surfaces;
- **reaction in the relaxation**: framework bonds (P–S, Ge–S, Al–O, ...) that
  the relaxation breaks, and anions pulled more than :data:`PULLED_A` from their
  start. Broken bonds mean the potential predicts that the contact reacts
  (Li pulling S out of PS4/GeS4); that is flagged ``interface_reacted``;
- **Li binding at the interface**: one extra Li at the largest void between the
  slabs, E_bind = E(AB+Li) − E_AB − μ_Li with μ_Li per atom of relaxed bcc Li
  [eV], beside the same quantity for an extra Li in each bulk (0 for Li metal by
  definition, the void site of the compound otherwise);
- **Li⁺ path across**: climbing-image NEB (≥ 5 images) from that interface site
  into the largest void of the substrate's first layer (the first coating/SE
  layer); barrier = highest image − initial state, ΔE = final − initial [eV].

Every number is a model prediction of the named potential (MLIP, not DFT).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ssblab.atomistic.interfaces import BuiltInterface, build_interface
from ssblab.atomistic.relax import relax
from ssblab.atomistic.slab_geometry import (
    ANIONS,
    FILM_TAG,
    SUBSTRATE_TAG,
    framework_bonds,
    heights,
    largest_void_between,
)
from ssblab.errors import SimulationError
from ssblab.flags import Flag, as_dicts

if TYPE_CHECKING:
    from ase import Atoms

#: Stage callback: (stage name, optimizer steps done in it).
StageCallback = Callable[[str, int], object]
EV_PER_A2_TO_J_PER_M2 = 16.021766
#: An anion that moves farther than this in the relaxation counts as pulled [Å].
PULLED_A = 1.0
#: Depth of the substrate's first layer searched for the final Li site [Å].
FIRST_LAYER_A = (0.6, 3.0)
#: Layers of each film (pymatgen unit planes): thin metal films keep the cells small.
FILM_LAYERS = {"Li": 4, "Al": 3, "LiAlO2": 1}


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
    broken_bonds: int
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
    #: The relaxed clean interface: numbers, positions [Å], cell [Å], tags.
    relaxed: dict[str, list] | None = None

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
    cancels in W_ad to first order.
    """
    from ssblab.atomistic.structures import conventional_cell

    return build_interface(
        film,
        substrate,
        conventional_cell(film),
        conventional_cell(substrate),
        film_layers=FILM_LAYERS.get(film, 1),
    )


def geometry(atoms: Atoms) -> dict[str, list]:
    """Numbers, positions [Å], cell [Å] and tags of *atoms* as JSON lists."""
    return {
        "numbers": atoms.numbers.tolist(),
        "positions": atoms.positions.round(5).tolist(),
        "cell": atoms.cell.array.tolist(),
        "tags": atoms.get_tags().tolist(),
    }


def part(atoms: Atoms, tag: int) -> Atoms:
    """The atoms of one slab (tag 1 substrate, 2 film), constraints kept."""
    return atoms[atoms.get_tags() == tag]


def anion_shifts(start: Atoms, end: Atoms) -> np.ndarray:
    """Displacement length [Å] of every anion (O, S, Cl, ...) between two states."""
    from ase.geometry import find_mic

    anion = np.isin(start.get_chemical_symbols(), list(ANIONS))
    _, lengths = find_mic(end.positions - start.positions, start.cell, start.pbc)
    return lengths[anion]


def with_li(atoms: Atoms, position: np.ndarray) -> Atoms:
    """A copy of *atoms* with one extra Li at *position* [Å], tagged as the film."""
    from ase import Atom

    out = atoms.copy()
    out.append(Atom("Li", position=position, tag=FILM_TAG))
    return out


def slab_edges(atoms: Atoms) -> tuple[float, float]:
    """(top of the substrate, bottom of the film) along the normal [Å]."""
    z, tags = heights(atoms), atoms.get_tags()
    return float(z[tags == SUBSTRATE_TAG].max()), float(z[tags == FILM_TAG].min())


def bulk_binding(name: str, model: str) -> float | None:
    """E of an extra Li in bulk *name* vs Li metal [eV] (0 for Li; void site otherwise)."""
    if name == "Li":
        return 0.0
    from ssblab.atomistic.screen import BindingJob, run_job
    from ssblab.atomistic.stability import KINETICS_MIN_LENGTH_A

    job = BindingJob(
        name, site="void", model=model, min_length_A=KINETICS_MIN_LENGTH_A.get(name, 8.0)
    )
    return run_job(job).E_int_vs_metal_eV


def _stage(on_step: StageCallback | None, name: str):
    return None if on_step is None else (lambda n: on_step(name, n))


def relax_interface(
    film: str,
    substrate: str,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 250,
    n_images: int = 5,
    band_fmax: float = 0.1,
    neb: bool = True,
    bulk: bool = True,
    on_step: StageCallback | None = None,
) -> InterfaceResult:
    """Adhesion, reaction, Li binding and (with *neb*) the Li⁺ barrier of *film*|*substrate*.

    Parameters
    ----------
    fmax : float
        Force threshold of every relaxation [eV/Å].
    steps : int
        Optimizer steps per relaxation (the band gets the same number).
    band_fmax : float
        Force threshold of the climbing-image band [eV/Å] (looser: CPU time).
    n_images : int
        Intermediate NEB images (at least 5).
    bulk : bool
        Also the extra-Li binding in each bulk (cached bulk jobs).
    """
    from ssblab.atomistic.binding import reference_energy
    from ssblab.atomistic.calculator import model_label
    from ssblab.atomistic.neb import run_neb

    if n_images < 5:
        raise SimulationError(f"the interface path needs at least 5 images, got {n_images}")
    built = interface_for(film, substrate)
    start = built.atoms
    ab = relax(start, model, fmax, steps, on_step=_stage(on_step, "interface"))
    fa = relax(part(start, FILM_TAG), model, fmax, steps, on_step=_stage(on_step, "film slab"))
    sb = relax(part(start, SUBSTRATE_TAG), model, fmax, steps, on_step=_stage(on_step, "substrate"))
    w_ad = (fa.energy_eV + sb.energy_eV - ab.energy_eV) / built.area_A2 * EV_PER_A2_TO_J_PER_M2
    before = len(framework_bonds(start))
    broken = before - len(framework_bonds(ab.atoms))
    shifts = anion_shifts(start, ab.atoms)
    converged = ab.converged and fa.converged and sb.converged
    flags: list[Flag] = []
    if broken > 0 or (shifts > PULLED_A).any():
        flags.append(
            Flag(
                "W_adhesion_J_m2",
                "interface_reacted",
                f"{model_label(model)}: the {built.name} relaxation broke {broken} framework "
                f"bonds and pulled {int((shifts > PULLED_A).sum())} anions > {PULLED_A} Å: the "
                "model predicts that this contact reacts; W_ad includes that reaction energy",
            )
        )

    mu_li = reference_energy("Li", "bulk", model)
    top, bottom = slab_edges(ab.atoms)
    site = largest_void_between(ab.atoms, top - 0.3, max(bottom + 0.3, top + 0.5))
    initial = relax(
        with_li(ab.atoms, site), model, fmax, steps, on_step=_stage(on_step, "Li at interface")
    )
    e_bind = initial.energy_eV - ab.energy_eV - mu_li
    converged &= initial.converged
    barrier = delta = hop = None
    path: tuple[float, ...] = ()
    if neb:
        inside = largest_void_between(ab.atoms, top - FIRST_LAYER_A[1], top - FIRST_LAYER_A[0])
        first = with_li(ab.atoms, inside)
        first.set_tags(initial.atoms.get_tags())
        final = relax(first, model, fmax, steps, on_step=_stage(on_step, "Li in first layer"))
        z_li = heights(final.atoms)[-1]
        if z_li > top:
            flags.append(
                Flag(
                    "barrier_eV",
                    "final_state_left_layer",
                    f"{model_label(model)}: the Li placed in the first {substrate} layer relaxed "
                    f"out of it ({z_li - top:+.2f} Å above the layer top)",
                )
            )
        energies, band_ok = run_neb(
            initial.atoms,
            final.atoms,
            n_images,
            model,
            band_fmax,
            steps,
            on_step=_stage(on_step, "band"),
        )
        barrier = max(energies) - energies[0]
        delta = energies[-1] - energies[0]
        path = tuple(e - energies[0] for e in energies)
        hop = float(np.linalg.norm(final.atoms.positions[-1] - initial.atoms.positions[-1]))
        converged &= final.converged and band_ok
    if not converged:
        flags.append(
            Flag("E_AB_eV", "not_converged", "a relaxation or the band stopped before fmax")
        )
    names = dict.fromkeys((film, substrate))
    e_bulk = {n: bulk_binding(n, model) for n in names} if bulk else {}
    result = InterfaceResult(
        interface=built.name,
        model=model_label(model),
        build=built.summary(),
        E_AB_eV=ab.energy_eV,
        E_film_eV=fa.energy_eV,
        E_substrate_eV=sb.energy_eV,
        W_adhesion_J_m2=float(w_ad),
        broken_bonds=int(broken),
        anions_pulled=int((shifts > PULLED_A).sum()),
        max_anion_shift_A=float(shifts.max()) if shifts.size else 0.0,
        E_bind_interface_eV=float(e_bind),
        E_bind_bulk_eV=e_bulk,
        barrier_eV=barrier,
        delta_E_eV=delta,
        path_eV=path,
        hop_A=hop,
        converged=bool(converged),
        flags=tuple(flags),
        relaxed=geometry(ab.atoms),
    )
    if not np.isfinite(result.E_AB_eV):
        raise SimulationError(f"{built.name}: the interface energy is not finite")
    return result


#: Two potentials whose works of adhesion differ by more than this disagree [J/m²].
MARGIN_ADHESION_J_M2 = 0.3


def cached_interface(film: str, substrate: str, model: str, **options: Any) -> InterfaceResult:
    """:func:`relax_interface` through the on-disk cache (keyed by inputs and potential version)."""
    from ssblab.atomistic import cache

    params = {"film": film, "substrate": substrate, "film_layers": FILM_LAYERS, **options}
    params.pop("on_step", None)
    key = cache.cache_key("interface", params, model)
    hit = cache.load(key)
    if hit is not None:
        return InterfaceResult.from_dict(hit)
    result = relax_interface(film, substrate, model, **options)
    cache.save(key, result.as_dict())
    return result


def consensus_flags(results: dict[str, InterfaceResult]) -> tuple[Flag, ...]:
    """Flags where the potentials disagree on W_ad, Li binding, the barrier or the reaction."""
    from ssblab.atomistic.consensus import MARGIN_BARRIER_EV, MARGIN_BINDING_EV, disagreement

    def values(key: str) -> dict[str, float | None]:
        return {m: getattr(r, key) for m, r in results.items()}

    flags = (
        disagreement("W_adhesion_J_m2", values("W_adhesion_J_m2"), MARGIN_ADHESION_J_M2, "J/m2")
        + disagreement(
            "E_bind_interface_eV", values("E_bind_interface_eV"), MARGIN_BINDING_EV, "eV"
        )
        + disagreement("barrier_eV", values("barrier_eV"), MARGIN_BARRIER_EV, "eV")
    )
    reacted = {m: r.broken_bonds > 0 for m, r in results.items()}
    if len(set(reacted.values())) > 1:
        said = ", ".join(f"{m} {'reacts' if v else 'intact'}" for m, v in reacted.items())
        flags += (Flag("broken_bonds", "potentials_disagree", f"reaction at the contact: {said}"),)
    return flags
