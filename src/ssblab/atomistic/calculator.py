"""ASE calculators by name: two universal potentials (CHGNet, SevenNet) and ASE's EMT.

CHGNet's pretrained weights ship inside the ``chgnet`` package
(``chgnet/pretrained/0.3.0/``) and SevenNet's ``7net-0`` checkpoint inside the
``sevenn`` wheel (``sevenn/pretrained_potentials/SevenNet_0__11Jul2024/``);
ssblab loads both from there and never downloads anything. torch and the
potentials are imported only when a calculator is asked for, so
``import ssblab`` stays fast. SevenNet is the second opinion on every CHGNet
number (``ssblab.atomistic.consensus``).

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

#: The SevenNet checkpoint ssblab uses (shipped in the sevenn wheel).
SEVENNET_VERSION = "7net-0"

#: Calculator names and a one-line description of each.
MODELS: dict[str, str] = {
    "chgnet": f"CHGNet {CHGNET_VERSION} universal potential (MPtrj, PBE/PBE+U), not DFT",
    "sevennet": f"SevenNet {SEVENNET_VERSION} universal potential (MPtrj, PBE/PBE+U), not DFT",
    "emt": "ASE effective-medium theory (Al, Cu, Ag, Au, Ni, Pd, Pt only); for tests and timing",
}

#: The two universal potentials; every result is computed with both.
UNIVERSAL = ("chgnet", "sevennet")

#: Elements ASE's EMT has parameters for.
EMT_ELEMENTS = frozenset({"Al", "Cu", "Ag", "Au", "Ni", "Pd", "Pt", "H", "C", "N", "O"})


def model_label(model: str) -> str:
    """A label that states the method, e.g. ``"CHGNet 0.3.0 (MLIP, not DFT)"``."""
    check_model(model)
    labels = {
        "chgnet": f"CHGNet {CHGNET_VERSION} (MLIP, not DFT)",
        "sevennet": f"SevenNet {SEVENNET_VERSION} (MLIP, not DFT)",
        "emt": "ASE EMT",
    }
    return labels[model]


def model_version(model: str) -> str:
    """Name and version of the potential and its package, the key of the result cache."""
    check_model(model)
    from importlib.metadata import PackageNotFoundError, version

    package = {"chgnet": "chgnet", "sevennet": "sevenn", "emt": "ase"}[model]
    try:
        pkg = version(package)
    except PackageNotFoundError:
        pkg = "absent"
    weights = {"chgnet": CHGNET_VERSION, "sevennet": SEVENNET_VERSION, "emt": "emt"}[model]
    return f"{model}:{weights}:{package}=={pkg}"


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
def _sevennet_calculator(threads: int):
    """Load the packaged 7net-0 checkpoint once per process (CPU, *threads* torch threads)."""
    require("torch", "atoms")
    require("sevenn", "atoms")
    import torch

    torch.set_num_threads(threads)
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        from sevenn.calculator import SevenNetCalculator

        return SevenNetCalculator(SEVENNET_VERSION, device="cpu")


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
    model : {"chgnet", "sevennet", "emt"}
        The potential.
    threads : int
        torch intra-op threads (keep it at 1–2 on a shared machine).

    Raises
    ------
    OptionalDependencyError
        torch, chgnet, sevenn or ase is not installed (``pip install 'ssblab[atoms]'``).
    """
    check_model(model)
    require("ase", "atoms")
    if threads < 1:
        raise SsblabError(f"threads must be at least 1, got {threads}")
    if model == "emt":
        from ase.calculators.emt import EMT

        return EMT()
    if model == "sevennet":
        return _image_class()(_sevennet_calculator(threads))
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


@cache
def _image_class():
    """An ASE calculator class that forwards to one shared, already loaded calculator."""
    from ase.calculators.calculator import Calculator, all_changes

    class SharedNetwork(Calculator):
        """Own results per object (one per NEB image), one network for all."""

        implemented_properties = ("energy", "free_energy", "forces", "stress")

        def __init__(self, shared: Calculator):
            super().__init__()
            self.shared = shared

        def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
            super().calculate(atoms, properties, system_changes)
            self.shared.calculate(self.atoms, properties, system_changes)
            self.results = dict(self.shared.results)

    return SharedNetwork
