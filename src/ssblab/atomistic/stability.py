"""Interlayer screening: reaction energies from a potential's own energies, ranked.

For a candidate interlayer X and a partner P (Li metal, or the electrolytes
LGPS and Li6PS5Cl) the reaction energy is the most negative mixing energy of X and P on the
convex hull built from the potential's relaxed energies of every phase ssblab
has a sourced structure for (pymatgen ``PhaseDiagram`` and
``InterfacialReactivity``, eV per atom of the mixture). 0 means X and P do not
react; a negative value means they do and ``products`` says into what.

Caveats, stated with every number:

- the hull holds only the phases of ``HULL_PHASES``; a missing phase can only
  lower the hull, so a reaction found here is real for the potential but a
  "stable" pair may still react into a phase that is missing;
- elements without a crystal here (O, S, P, N, F, Cl) enter the hull as an
  isolated atom in a box, an upper bound of their energy; a reaction whose
  products contain such an element is flagged ``placeholder_product``;
- LiAlO2 is screened as both polymorphs, α (R-3m) and γ (P4₁2₁2, ``LiAlO2_gamma``,
  from the neutron refinement of Wiedemann et al. 2016); the
  sputtered film is amorphous. Each candidate reacts with its own energy: other
  polymorphs of its formula are left out of its hull, and the energy between
  them is given as a ``polymorph`` note;
- the Li-Nb-O hull has LiNbO3, Li2O and bcc Nb only (no NbO, NbO2, LiNbO2,
  Li3NbO4), and there is no Nb sulfide, phosphide or germanide: a missing phase
  can only make a reaction more negative, so "LiNbO3 stable with LGPS" says only
  that none of the phases here forms;
- a potential resolves a reaction only beyond its own published formation-energy
  MAE (0.061 eV/atom CHGNet, 0.046 SevenNet): smaller ones are "within error".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from ssblab.atomistic.calculator import UNIVERSAL, model_label
from ssblab.atomistic.consensus import MARGIN_REACTION_EV_ATOM, disagreement
from ssblab.atomistic.stability_verdict import (  # noqa: F401  (re-exported)
    FORMATION_MAE_EV_ATOM,
    LITERATURE,
    STABLE_TOLERANCE_EV_ATOM,
    combined_verdict,
    tolerance,
    verdict,
)
from ssblab.errors import SsblabError
from ssblab.flags import Flag, as_dicts

#: Phases (structures.toml names) whose relaxed energies build the hull.
HULL_PHASES = (
    "Li", "Al", "Ge", "LiAl", "Li2S", "Li3P", "LiCl", "Li2O", "LiF", "Li3N",
    "LiAlO2", "LiAlO2_gamma", "Li3PO4", "LGPS", "Li6PS5Cl", "Al2O3", "Nb", "LiNbO3",
)  # fmt: skip
#: Interlayer candidates of the issue; those without a sourced structure are listed as skipped.
CANDIDATES = ("LiAlO2", "LiAlO2_gamma", "Li3PO4", "LiNbO3", "Al2O3", "LiF", "Li3N", "Li2S")
#: Partners: Li metal and the two electrolytes of the seeds (LGPS; Li6PS5Cl as the
#: ordered proxy of Li5.4PS4.4Cl1.6).
PARTNERS = ("Li", "LGPS", "Li6PS5Cl")


@dataclass(frozen=True)
class Reaction:
    """Most negative reaction energy of *candidate* with *partner* for one potential."""

    candidate: str
    partner: str
    model: str
    energy_eV_atom: float
    ratio: float
    products: str
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class ScreenRow:
    """One candidate: reactions with each partner for each potential, and its flags."""

    candidate: str
    reactions: dict[str, dict[str, Reaction]]  # partner -> model -> Reaction
    literature: str
    flags: tuple[Flag, ...] = field(default=())
    barrier_eV: dict[str, float] = field(default_factory=dict)
    binding_vs_metal_eV: dict[str, float] = field(default_factory=dict)

    def worst(self, partner: str) -> float:
        """The more negative of the potentials' reaction energies with *partner* [eV/atom]."""
        return min(r.energy_eV_atom for r in self.reactions[partner].values())

    def verdict(self, partner: str) -> str:
        """:func:`combined_verdict` of the potentials' reaction energies with *partner*."""
        return combined_verdict({m: r.energy_eV_atom for m, r in self.reactions[partner].items()})

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidate": self.candidate,
            "reactions": {
                p: {
                    m: {
                        "energy_eV_atom": r.energy_eV_atom,
                        "ratio": r.ratio,
                        "products": r.products,
                        "model": model_label(m),
                        "verdict": verdict(r.energy_eV_atom, m),
                        "tolerance_eV_atom": tolerance(m),
                    }
                    for m, r in by_model.items()
                }
                for p, by_model in self.reactions.items()
            },
            "verdicts": {p: self.verdict(p) for p in self.reactions},
            "verdict_vs_Li": self.verdict("Li"),
            "protective_vs_Li": self.verdict("Li") == "stable",
            "Li_barrier_eV": self.barrier_eV or None,
            "Li_binding_vs_metal_eV": self.binding_vs_metal_eV or None,
            "literature": self.literature,
            "flags": as_dicts(self.flags),
        }


@cache
def _phase_energy(name: str, model: str) -> tuple[str, float]:
    """(formula of the relaxed cell, its energy [eV]) for a structures.toml phase."""
    from ssblab.atomistic.binding import relaxed_cell

    done = relaxed_cell(name, model)
    return done.atoms.get_chemical_formula(), done.energy_eV


@cache
def _atom_energy(symbol: str, model: str) -> float:
    from ssblab.atomistic.binding import reference_energy

    return reference_energy(symbol, "atom", model)


def _reduced(name: str) -> str:
    from pymatgen.core import Composition

    from ssblab.atomistic.structures import get_structure

    return Composition(get_structure(name).formula).reduced_formula


def phase_diagram(elements: Sequence[str], model: str, own: Sequence[str] = ()):
    """pymatgen ``PhaseDiagram`` of every hull phase within *elements*, and the placeholders.

    For each structure named in *own*, the other polymorphs of its formula are
    left out, so that the phase enters with its own energy (a reaction of
    α-LiAlO2 is not one of γ-LiAlO2).
    """
    from pymatgen.analysis.phase_diagram import PDEntry, PhaseDiagram
    from pymatgen.core import Composition

    from ssblab.atomistic.structures import get_structure

    space = set(elements)
    mine = {_reduced(n): n for n in own}
    entries, placeholders = [], set()
    for name in HULL_PHASES:
        if mine.get(_reduced(name), name) != name:
            continue
        if set(Composition(get_structure(name).formula).as_dict()) <= space:
            formula, energy = _phase_energy(name, model)
            # pymatgen parses entry names as formulas (products of InterfacialReactivity).
            comp = Composition(formula)
            entries.append(PDEntry(comp, energy, name=comp.reduced_formula))
    present = {str(e.composition.elements[0]) for e in entries if e.composition.is_element}
    for symbol in sorted(space - present):
        entries.append(PDEntry(Composition(symbol), _atom_energy(symbol, model), name=symbol))
        placeholders.add(symbol)
    return PhaseDiagram(entries), frozenset(placeholders)


def reaction(candidate: str, partner: str, model: str) -> Reaction:
    """The most negative reaction of *candidate* with *partner* (structures.toml names)."""
    from pymatgen.analysis.interface_reactions import InterfacialReactivity
    from pymatgen.core import Composition

    from ssblab.atomistic.structures import get_structure

    if candidate == partner:
        return Reaction(candidate, partner, model, 0.0, 0.0, "same phase")
    c1 = Composition(get_structure(candidate).formula)
    c2 = Composition(get_structure(partner).formula)
    elements = sorted({str(e) for e in (c1 + c2).elements})
    pd, placeholders = phase_diagram(elements, model, own=(candidate, partner))
    from pymatgen.analysis.reaction_calculator import ReactionError

    flags: tuple[Flag, ...] = polymorph_flags(candidate, model)
    try:
        # The candidate's and partner's own energies, not their hull energies.
        ir = InterfacialReactivity(c1, c2, pd, norm=True, use_hull_energy=False)
        _, ratio, energy, rxn, _ = min(ir.get_kinks(), key=lambda k: k[2])
        energy = float(min(energy, 0.0))
        products = str(rxn) if energy < 0 else "no reaction"
        used = {str(e) for p in getattr(rxn, "products", []) for e in p.elements if p.is_element}
    except ReactionError:
        ratio, energy, products, used = _grid_reaction(c1, c2, pd, candidate, partner)
        flags += (
            Flag(
                f"reaction {candidate}|{partner}",
                "grid_reaction",
                "pymatgen could not balance a kink reaction; the minimum is taken on a "
                "grid of 41 mixing ratios from the hull decomposition instead",
                "info",
            ),
        )
    if energy < 0 and used & placeholders:
        flags += (
            Flag(
                f"reaction {candidate}|{partner}",
                "placeholder_product",
                f"{model_label(model)}: the products contain {', '.join(sorted(used))}, "
                "entered as an isolated atom (an upper bound): the energy is not reliable",
            ),
        )
    return Reaction(candidate, partner, model, energy, float(ratio), products, flags)


def polymorph_energy(name: str, model: str) -> dict[str, float]:
    """Energy of hull phase *name* above each other polymorph of its formula [eV/atom]."""
    formula, energy = _phase_energy(name, model)
    from pymatgen.core import Composition

    per_atom = energy / Composition(formula).num_atoms
    out = {}
    for other in HULL_PHASES:
        if other != name and _reduced(other) == _reduced(name):
            f2, e2 = _phase_energy(other, model)
            out[other] = float(per_atom - e2 / Composition(f2).num_atoms)
    return out


def polymorph_flags(name: str, model: str) -> tuple[Flag, ...]:
    """An ``info`` note giving *name*'s energy against its polymorphs, when it has any."""
    if name not in HULL_PHASES:
        return ()
    diffs = polymorph_energy(name, model)
    if not diffs:
        return ()
    text = ", ".join(f"{d:+.3f} eV/atom vs {other}" for other, d in diffs.items())
    return (
        Flag(
            f"polymorph {name}",
            "polymorph",
            f"{model}: {name} lies {text}; each reacts here with its own energy",
            "info",
        ),
    )


def _grid_reaction(c1, c2, pd, candidate: str, partner: str):
    """(ratio, energy eV/atom, products, elemental products) minimising on a ratio grid.

    The mixture x·c1 + (1−x)·c2 (atom fractions of the normalised compositions)
    decomposes on the hull; its energy is compared with the same mixture of the
    two phases' own energies per atom.
    """

    def own(comp):
        entries = [
            e for e in pd.all_entries if e.composition.reduced_formula == comp.reduced_formula
        ]
        return min(e.energy_per_atom for e in entries)

    n1, n2 = c1.fractional_composition, c2.fractional_composition
    e1, e2 = own(c1), own(c2)
    best = (0.0, 0.0, "no reaction", set())
    for x in np.linspace(0.0, 1.0, 41)[1:-1]:
        mix = n1 * x + n2 * (1 - x)
        decomposition = pd.get_decomposition(mix)
        e_hull = sum(amount * e.energy_per_atom for e, amount in decomposition.items())
        energy = e_hull - (x * e1 + (1 - x) * e2)
        if energy < best[1] - 1e-9:  # round-off on the hull is not a reaction
            names = " + ".join(
                f"{amount:.2f} {e.composition.reduced_formula}"
                for e, amount in decomposition.items()
            )
            elements = {
                str(e.composition.elements[0]) for e in decomposition if e.composition.is_element
            }
            best = (float(x), float(energy), f"{candidate}+{partner} -> {names}", elements)
    return best


def screen_candidates(
    candidates: Sequence[str] = CANDIDATES,
    partners: Sequence[str] = PARTNERS,
    models: Sequence[str] = UNIVERSAL,
    on_done=None,
    kinetics: bool = False,
) -> tuple[list[ScreenRow], list[str]]:
    """Ranked rows (most protective against Li first) and the candidates skipped, with reasons.

    Ranking: by :meth:`ScreenRow.verdict` against Li (stable, uncertain, reacts:
    each potential judged against its own published MAE, :data:`FORMATION_MAE_EV_ATOM`),
    then by the worse (more negative) of the potentials' reaction energies with Li,
    then with the last partner. The electrolyte itself (LGPS) may be passed as a candidate.
    With *kinetics*, each row also gets its Li migration barrier (mechanism by
    chemistry) and the binding of an extra Li in its largest void, relative to
    Li metal, from both potentials (cached; minutes per candidate).
    """
    from ssblab.atomistic.structures import structures

    table = structures()
    unknown = [c for c in candidates if c not in table]
    skipped = [f"{c}: no sourced crystal structure in structures.toml" for c in unknown]
    rows, done = [], 0
    for cand in [c for c in candidates if c in table]:
        by_partner: dict[str, dict[str, Reaction]] = {}
        flags: list[Flag] = []
        for partner in partners:
            by_partner[partner] = {}
            for model in models:
                rxn = reaction(cand, partner, model)
                by_partner[partner][model] = rxn
                flags += rxn.flags
                done += 1
                if on_done is not None:
                    on_done(done)
            values = {m: r.energy_eV_atom for m, r in by_partner[partner].items()}
            flags += disagreement(
                f"reaction {cand}|{partner}", values, MARGIN_REACTION_EV_ATOM, "eV/atom"
            )
        literature = LITERATURE.get(cand, "none retrieved")
        rows.append(ScreenRow(cand, by_partner, literature, tuple(dict.fromkeys(flags))))
    if not rows:
        raise SsblabError("no candidate has a sourced structure; nothing to screen")
    if kinetics:
        rows = [with_kinetics(r, models) for r in rows]
    rank = {"stable": 0, "uncertain": 1, "reacts": 2}
    rows.sort(key=lambda r: (rank[r.verdict("Li")], -r.worst("Li"), -r.worst(partners[-1])))
    return rows, skipped


#: Supercell size for the kinetics of each candidate [Å] (the seed tables' values where shared).
KINETICS_MIN_LENGTH_A = {"LiAlO2": 5.5, "LiAlO2_gamma": 8.0, "Li3PO4": 6.0, "LGPS": 8.0}


def with_kinetics(row: ScreenRow, models: Sequence[str]) -> ScreenRow:
    """*row* with its Li barrier and extra-Li binding (vs Li metal) from each potential."""
    from dataclasses import replace

    from ssblab.atomistic.screen import BindingJob, MigrationJob, screen_both

    length = KINETICS_MIN_LENGTH_A.get(row.candidate, 8.0)
    neb, bind = screen_both(
        [
            MigrationJob(row.candidate, "auto", min_length_A=length),
            BindingJob(row.candidate, site="void", min_length_A=length),
        ],
        models,
    )
    barrier = {m: r.barrier_eV for m, r in neb.results.items()}
    binding = {m: r.E_int_vs_metal_eV for m, r in bind.results.items()}
    return replace(
        row,
        barrier_eV=barrier,
        binding_vs_metal_eV=binding,
        flags=tuple(dict.fromkeys(row.flags + neb.flags + bind.flags)),
    )
