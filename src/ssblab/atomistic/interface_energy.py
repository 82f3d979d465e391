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
#: A host that relaxes this much lower after the Li is taken out again is flagged [eV].
HOST_DRIFT_EV = 0.05
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
    #: The relaxed interface with the extra Li at the interface site (last atom).
    relaxed_li: dict[str, list] | None = None

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
        "fixed": [int(i) for c in atoms.constraints for i in c.get_indices()],
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


def from_geometry(data: dict[str, list]) -> Atoms:
    """ASE atoms from :func:`geometry` output, the same atoms fixed."""
    from ase import Atoms
    from ase.constraints import FixAtoms

    atoms = Atoms(data["numbers"], positions=data["positions"], cell=data["cell"], pbc=True)
    atoms.set_tags(data["tags"])
    atoms.set_constraint(FixAtoms(indices=data["fixed"]))
    return atoms


def interface_contact(
    film: str,
    substrate: str,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 250,
    bulk: bool = True,
    on_step: StageCallback | None = None,
) -> InterfaceResult:
    """W_ad, the contact reaction and Li binding at the interface of *film*|*substrate*.

    Parameters
    ----------
    fmax : float
        Force threshold of every relaxation [eV/Å].
    steps : int
        Optimizer steps per relaxation.
    bulk : bool
        Also the extra-Li binding in each bulk (cached bulk jobs).
    """
    from ssblab.atomistic.binding import reference_energy
    from ssblab.atomistic.calculator import model_label

    built = interface_for(film, substrate)
    start = built.atoms
    ab = relax(start, model, fmax, steps, on_step=_stage(on_step, "interface"))
    fa = relax(part(start, FILM_TAG), model, fmax, steps, on_step=_stage(on_step, "film slab"))
    sb = relax(part(start, SUBSTRATE_TAG), model, fmax, steps, on_step=_stage(on_step, "substrate"))
    w_ad = (fa.energy_eV + sb.energy_eV - ab.energy_eV) / built.area_A2 * EV_PER_A2_TO_J_PER_M2
    if not np.isfinite(w_ad):
        raise SimulationError(f"{built.name}: the work of adhesion is not finite")
    broken = len(framework_bonds(start)) - len(framework_bonds(ab.atoms))
    shifts = anion_shifts(start, ab.atoms)
    pulled = int((shifts > PULLED_A).sum())
    flags: list[Flag] = []
    if broken > 0 or pulled:
        flags.append(
            Flag(
                "W_adhesion_J_m2",
                "interface_reacted",
                f"{model_label(model)}: the {built.name} relaxation broke {broken} framework "
                f"bonds and pulled {pulled} anions > {PULLED_A} Å: the model predicts that "
                "this contact reacts; W_ad includes that reaction energy",
            )
        )
    top, bottom = slab_edges(ab.atoms)
    site = largest_void_between(ab.atoms, top - 0.3, max(bottom + 0.3, top + 0.5))
    initial = relax(
        with_li(ab.atoms, site), model, fmax, steps, on_step=_stage(on_step, "Li at interface")
    )
    # The host once more from the Li-loaded geometry without the Li: a contact that is
    # still reacting keeps relaxing, and only the lower of the two host energies makes
    # E_bind a binding energy rather than the energy of that further reaction.
    again = relax(initial.atoms[:-1], model, fmax, steps, on_step=_stage(on_step, "host again"))
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
    converged = ab.converged and fa.converged and sb.converged and initial.converged
    if not converged:
        flags.append(Flag("E_AB_eV", "not_converged", f"a relaxation stopped at {steps} steps"))
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
    )


def interface_crossing(
    contact: InterfaceResult,
    model: str = "chgnet",
    fmax: float = 0.05,
    steps: int = 250,
    n_images: int = 5,
    band_fmax: float = 0.1,
    on_step: StageCallback | None = None,
) -> InterfaceResult:
    """*contact* with the CI-NEB barrier of its interface Li into the first substrate layer.

    The initial state is the relaxed Li at the interface site of *contact*; the
    final state puts it at the largest void of the substrate's first layer
    (:data:`FIRST_LAYER_A` below the layer top) and relaxes it.

    Parameters
    ----------
    n_images : int
        Intermediate NEB images (at least 5).
    band_fmax : float
        Force threshold of the climbing-image band [eV/Å] (looser than *fmax*: CPU time).
    """
    from dataclasses import replace

    from ssblab.atomistic.calculator import model_label
    from ssblab.atomistic.neb import run_neb

    if n_images < 5:
        raise SimulationError(f"the interface path needs at least 5 images, got {n_images}")
    if contact.relaxed is None or contact.relaxed_li is None:
        raise SimulationError(f"{contact.interface}: the contact result has no relaxed geometry")
    ab = from_geometry(contact.relaxed)
    initial = from_geometry(contact.relaxed_li)
    top, _ = slab_edges(ab)
    inside = largest_void_between(ab, top - FIRST_LAYER_A[1], top - FIRST_LAYER_A[0])
    first = with_li(ab, inside)
    final = relax(first, model, fmax, steps, on_step=_stage(on_step, "Li in first layer"))
    flags = list(contact.flags)
    z_li = heights(final.atoms)[-1]
    if z_li > top:
        flags.append(
            Flag(
                "barrier_eV",
                "final_state_left_layer",
                f"{model_label(model)}: the Li placed in the first substrate layer relaxed "
                f"out of it ({z_li - top:+.2f} Å above the layer top)",
            )
        )
    energies, band_ok = run_neb(
        initial, final.atoms, n_images, model, band_fmax, steps, on_step=_stage(on_step, "band")
    )
    if not (final.converged and band_ok):
        flags.append(
            Flag("barrier_eV", "not_converged", f"the final state or the band stopped at {steps}")
        )
    return replace(
        contact,
        barrier_eV=float(max(energies) - energies[0]),
        delta_E_eV=float(energies[-1] - energies[0]),
        path_eV=tuple(float(e - energies[0]) for e in energies),
        hop_A=float(np.linalg.norm(final.atoms.positions[-1] - initial.positions[-1])),
        converged=contact.converged and final.converged and band_ok,
        flags=tuple(flags),
    )


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
    """:func:`interface_contact`, then (with *neb*) :func:`interface_crossing`."""
    contact = interface_contact(film, substrate, model, fmax, steps, bulk, on_step)
    if not neb:
        return contact
    return interface_crossing(contact, model, fmax, steps, n_images, band_fmax, on_step)
