"""Rupture of the interlayer where it spans a stripping void: the thin-film failure.

A thickness-*decreasing* failure mechanism of the Li|LiAlO2|LGPS electrode
(NumPy, arrays broadcasting as (cells, half-cycles), like
:mod:`ssblab.simulate.interphase`; its thickness-increasing partner is
:mod:`ssblab.simulate.film_cracking`). The chain, for a film of thickness *h*:

1. **Void size, from the model's void physics.** Stripping faster than Li creep
   refills the interface leaves voids (Kasemchainan et al., Nat. Mater. 18 (2019)
   1105); the model's void measure *V* (:func:`ssblab.simulate.interphase.void_increment`,
   contact fraction ``1 / (1 + V)``) sets the voided share of the interface,
   ``φ = V / (1 + V)``. The voids sit one per patch of the lateral length λ over
   which the stripping is uneven, the length that also strains the film
   (:mod:`ssblab.simulate.film_cracking`: ``λ = δ_ref / ε_m``, δ_ref = 0.484 µm of
   Li per 0.1 mAh/cm²). A void of area ``φ λ²`` has the radius
   ``a = λ sqrt(φ / π)``, so it grows with every stripping as *V* does.
2. **Load.** The film over the void is a clamped circular plate of radius *a*
   loaded by the stack pressure *p* that presses the pellet onto it. Small
   deflection (Timoshenko & Woinowsky-Krieger, *Theory of Plates and Shells*,
   2nd ed., 1959, §62, clamped edge): ``σ_plate = (3/4) p (a/h)²`` at the rim.
   Large deflection, the film as a membrane (Hencky's problem, ibid. §96):
   ``σ_membrane = 0.423 (E p² a² / h²)^(1/3)``. The film's stress is the smaller
   of the two (bending carries small spans, stretching large ones).
3. **Rupture.** The film over the voids ruptures in the first half-cycle whose
   stress reaches the film's fracture strength σ_f, and stays ruptured. Both
   asymptotes give a critical radius proportional to *h*, so the critical voided
   share scales as ``h²``: a 100 nm film ruptures at a quarter of the voided
   share that ruptures a 200 nm film.
4. **Consequence.** The ruptured film no longer covers the voided share: the Li
   there meets LGPS when plating refills the void, so the exposed fraction gains
   ``(1 - u) φ`` and the existing interphase, void and penetration paths
   (:func:`ssblab.simulate.symmetric.trajectory`) take over, the seed's 100 nm
   cell that "cycled for 1400 h with a large polarization voltage and then failed
   quickly".

Stated limits: the void depth is not modelled (the film is taken to deflect
freely into the void, :func:`membrane_deflection_um` says how deep it must be);
all voids of an electrode have one radius (mean field); once ruptured, the
uncovered share follows the voids computed before the rupture (one pass: the
onset is exact, the growth after it a lower bound).
"""

from __future__ import annotations

import numpy as np

from ssblab.simulate.film_cracking import li_thickness_change_um

#: Rim stress of a clamped circular plate under uniform pressure, σ = C p (a/h)²
#: (Timoshenko & Woinowsky-Krieger 1959, §62).
PLATE_COEFFICIENT = 0.75
#: Centre stress of a clamped circular membrane, σ = C (E p² a² / h²)^(1/3)
#: (Hencky's solution, ν = 0.3; Timoshenko & Woinowsky-Krieger 1959, §96).
MEMBRANE_COEFFICIENT = 0.423
#: Centre deflection of that membrane, w0 = C a (p a / (E h))^(1/3) (ibid. §96).
DEFLECTION_COEFFICIENT = 0.662


def void_share(void_measure: np.ndarray) -> np.ndarray:
    """Voided share of the interface, ``V / (1 + V)`` (1)."""
    v = np.maximum(np.asarray(void_measure, dtype=float), 0.0)
    return v / (1.0 + v)


def void_spacing_um(
    membrane_strain: np.ndarray, reference_capacity_mAh_cm2: float, li_molar_volume_cm3_mol: float
) -> np.ndarray:
    """Lateral length of uneven stripping, ``λ = δ_ref / ε_m`` [µm]."""
    delta = li_thickness_change_um(reference_capacity_mAh_cm2, li_molar_volume_cm3_mol)
    return delta / np.asarray(membrane_strain, dtype=float)


def void_radius_um(void_measure: np.ndarray, spacing_um: np.ndarray) -> np.ndarray:
    """Radius of one void per λ² patch, ``a = λ sqrt(φ / π)`` [µm]."""
    return np.asarray(spacing_um) * np.sqrt(void_share(void_measure) / np.pi)


def span_stress_Pa(
    pressure_Pa: np.ndarray, radius_um: np.ndarray, thickness_nm: np.ndarray, modulus_Pa: np.ndarray
) -> np.ndarray:
    """Peak stress of the film spanning a void: min of the clamped-plate and membrane
    solutions [Pa] (radius in µm, thickness in nm)."""
    ratio = np.asarray(radius_um) * 1e3 / np.maximum(np.asarray(thickness_nm, dtype=float), 1e-9)
    p = np.asarray(pressure_Pa, dtype=float)
    plate = PLATE_COEFFICIENT * p * ratio**2
    membrane = MEMBRANE_COEFFICIENT * np.cbrt(np.asarray(modulus_Pa) * p**2 * ratio**2)
    return np.minimum(plate, membrane)


def membrane_deflection_um(
    pressure_Pa: float, radius_um: float, thickness_nm: float, modulus_Pa: float
) -> float:
    """Centre deflection of the film spanning the void as a membrane,
    ``w0 = 0.662 a (p a / (E h))^(1/3)`` (Timoshenko & Woinowsky-Krieger 1959, §96) [µm]:
    the void must be at least this deep for the film to hang free."""
    load = pressure_Pa * radius_um / (modulus_Pa * thickness_nm * 1e-3)
    return float(DEFLECTION_COEFFICIENT * radius_um * np.cbrt(load))


def critical_radius_um(
    strength_Pa: float, pressure_Pa: float, thickness_nm: float, modulus_Pa: float
) -> float:
    """Void radius at which the span stress reaches *strength_Pa* [µm]."""
    h_um = thickness_nm * 1e-3
    plate = h_um * np.sqrt(strength_Pa / (PLATE_COEFFICIENT * pressure_Pa))
    membrane = (
        h_um * (strength_Pa / MEMBRANE_COEFFICIENT) ** 1.5 / (np.sqrt(modulus_Pa) * pressure_Pa)
    )
    return float(max(plate, membrane))


def ruptured_share(
    thickness_nm: np.ndarray, void_measure: np.ndarray, b: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Whether the film over the voids has ruptured by the end of each half-cycle (bool,
    it stays ruptured), and the voided share it no longer covers (``φ`` once ruptured, 0
    before), from the stripping electrode's void measure *void_measure* and the model
    parameters *b* (name -> value or (cells, 1) column); bare Li (d = 0) never ruptures."""
    spacing = void_spacing_um(
        b["membrane_strain"], b["reference_capacity_mAh_cm2"], b["li_molar_volume_cm3_mol"]
    )
    radius = void_radius_um(void_measure, spacing)
    stress = span_stress_Pa(b["stack_pressure_Pa"], radius, thickness_nm, b["film_modulus_Pa"])
    broken = np.maximum.accumulate(stress >= b["film_strength_Pa"], axis=-1)
    broken = broken & (np.asarray(thickness_nm) > 0)
    return broken, np.where(broken, void_share(void_measure), 0.0)
