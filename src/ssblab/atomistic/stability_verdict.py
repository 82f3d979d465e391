"""Verdicts of the interlayer screen: tolerances, one verdict per potential and combined,
and the literature statements printed beside each candidate.

Split out of :mod:`ssblab.atomistic.stability` (which re-exports every name here).
Energies in eV per atom of the mixture.
"""

from __future__ import annotations

#: Reaction energies above this count as "does not react" [eV/atom] (hull round-off).
STABLE_TOLERANCE_EV_ATOM = -0.005
#: Published error of each potential's formation energies against PBE [eV/atom]: the
#: mean absolute error on the 257k-structure WBM test set of Matbench Discovery
#: (Riebesell et al., Nat. Mach. Intell. 7, 836 (2025); model cards
#: models/chgnet/chgnet-0.3.0.yml and models/sevennet/sevennet-0.yml of
#: github.com/janosh/matbench-discovery: CHGNet 0.3.0 0.061, SevenNet-0 0.046 eV/atom).
#: A reaction energy smaller in magnitude than this is not resolved by the potential.
FORMATION_MAE_EV_ATOM = {"chgnet": 0.061, "sevennet": 0.046}


def tolerance(model: str | None = None) -> float:
    """The verdict tolerance of *model* [eV/atom]: its published MAE (the larger one if unknown)."""
    return FORMATION_MAE_EV_ATOM.get(model or "", max(FORMATION_MAE_EV_ATOM.values()))


def verdict(energy_eV_atom: float, model: str | None = None) -> str:
    """``stable``, ``within error`` (a reaction smaller than *model*'s MAE) or ``reacts``."""
    if energy_eV_atom >= STABLE_TOLERANCE_EV_ATOM:
        return "stable"
    return "within error" if energy_eV_atom >= -tolerance(model) else "reacts"


def combined_verdict(energies: dict[str, float]) -> str:
    """One verdict from several potentials' reaction energies [eV/atom] (model -> energy).

    ``stable`` when no potential resolves a reaction (each energy within its own
    tolerance), ``reacts`` when every potential does, ``uncertain`` otherwise.
    """
    reacts = [verdict(e, m) == "reacts" for m, e in energies.items()]
    if not any(reacts):
        return "stable"
    return "reacts" if all(reacts) else "uncertain"


#: DFT/experimental literature beside each candidate, only statements with a source.
LITERATURE: dict[str, str] = {
    "LGPS": (
        "reduced by Li to Li3P, Li2S and a Li-Ge alloy (observed by XPS, Wenzel et al., "
        "Chem. Mater. 28, 2400 (2016)); computed window about 1.7-2.1 V vs Li (Zhu, He, Mo, "
        "ACS AMI 2015), i.e. not stable at 0 V"
    ),
    "Li3PO4": (
        "Li3PO4/Li interface stable in DFT (Lepley, Holzwarth, Du, PRB 88, 104103 (2013)); that "
        "is a relaxed interface model, not a convex-hull reaction energy"
    ),
    "LiAlO2": "no DFT reaction energy retrieved; the seed (Chang et al.) coats Li with it",
    "LiAlO2_gamma": (
        "'a paradigmatic example of an ultraslow lithium ion conductor'; room-temperature "
        "structure confirmed by single-crystal neutron diffraction (Wiedemann et al., "
        "Z. Kristallogr. 231, 189 (2016)); no DFT reaction energy with Li retrieved"
    ),
    "LiNbO3": (
        "used on the cathode side: 'LiNbO3 interposed to the cathode interface effectively "
        "reduces the cathode impedance' (Takada et al., ACS Energy Lett. 3, 98 (2018)); "
        "no DFT reaction energy with Li retrieved"
    ),
    "Li6PS5Cl": (
        "computed thermodynamic reduction potential 1.71 V vs Li, reduced to Li3P, Li2S and LiCl "
        "(SEI seen at Li|argyrodite), as reviewed by Zhou, Minafra, Zeier, Nazar, Acc. Chem. "
        "Res. 54, 2717 (2021); i.e. not stable at 0 V"
    ),
}
