"""ASE calculators by name: the CHGNet universal potential, or ASE's EMT for cheap checks.

CHGNet's pretrained weights ship inside the ``chgnet`` package
(``chgnet/pretrained/0.3.0/``); ssblab loads them from there and never
downloads anything. torch and chgnet are imported only when a CHGNet
calculator is asked for, so ``import ssblab`` stays fast.

Energies are in eV, forces in eV/Å, stresses in eV/Å³ (ASE's units).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from functools import cache
from typing import TYPE_CHECKING

from ssblab.errors import OptionalDependencyError, SsblabError, require

if TYPE_CHECKING:
    from ase.calculators.calculator import Calculator

#: The CHGNet weights ssblab uses (shipped with the chgnet package).
CHGNET_VERSION = "0.3.0"

#: Calculator names and a one-line description of each.
MODELS: dict[str, str] = {
    "chgnet": f"CHGNet {CHGNET_VERSION} universal potential (MPtrj, PBE/PBE+U), not DFT",
    "emt": "ASE effective-medium theory (Al, Cu, Ag, Au, Ni, Pd, Pt only); for tests and timing",
}

#: Elements ASE's EMT has parameters for.
EMT_ELEMENTS = frozenset({"Al", "Cu", "Ag", "Au", "Ni", "Pd", "Pt", "H", "C", "N", "O"})


def model_label(model: str) -> str:
    """A label that states the method, e.g. ``"CHGNet 0.3.0 (MLIP, not DFT)"``."""
    check_model(model)
    return f"CHGNet {CHGNET_VERSION} (MLIP, not DFT)" if model == "chgnet" else "ASE EMT"


def check_model(model: str) -> None:
    """Raise with the valid names when *model* is not a known calculator."""
    if model not in MODELS:
        raise SsblabError(f"unknown model {model!r}; choose one of: {', '.join(MODELS)}")


def check_elements(model: str, symbols: set[str]) -> None:
    """Raise when *model* has no parameters for one of the chemical *symbols*."""
    missing = sorted(symbols - EMT_ELEMENTS) if model == "emt" else []
    if missing:
        raise SsblabError(
            f"model 'emt' has no parameters for {', '.join(missing)}; use --model chgnet"
        )


@cache
def _chgnet_model(threads: int):
    """Load the packaged CHGNet weights once per process (CPU, *threads* torch threads)."""
    require("torch", "atoms")
    require("chgnet", "atoms")
    import torch
    from chgnet.model.model import CHGNet

    torch.set_num_threads(threads)
    # CHGNet prints its device to stdout; keep stdout clean for --json.
    with contextlib.redirect_stdout(io.StringIO()):
        return CHGNet.load(model_name=CHGNET_VERSION, use_device="cpu", verbose=False)


def get_calculator(model: str = "chgnet", threads: int = 1) -> Calculator:
    """A fresh ASE calculator for *model* (``"chgnet"`` or ``"emt"``).

    Each call returns a new calculator object (NEB needs one per image); the
    CHGNet network itself is loaded once and shared.

    Parameters
    ----------
    model : {"chgnet", "emt"}
        The potential.
    threads : int
        torch intra-op threads for CHGNet (keep it at 1–2 on a shared machine).

    Raises
    ------
    OptionalDependencyError
        torch, chgnet or ase is not installed (``pip install 'ssblab[atoms]'``).
    """
    check_model(model)
    require("ase", "atoms")
    if threads < 1:
        raise SsblabError(f"threads must be at least 1, got {threads}")
    if model == "emt":
        from ase.calculators.emt import EMT

        return EMT()
    try:
        network = _chgnet_model(threads)
        from chgnet.model.dynamics import CHGNetCalculator
    except ImportError as exc:
        raise OptionalDependencyError(
            f"CHGNet could not be imported ({exc}); install it with: pip install 'ssblab[atoms]'"
        ) from None
    # chgnet converts a grad-tracking tensor to a float on every call and warns each time.
    warnings.filterwarnings("ignore", message="Converting a tensor with requires_grad")
    with contextlib.redirect_stdout(io.StringIO()):
        return CHGNetCalculator(model=network, use_device="cpu", on_isolated_atoms="ignore")
