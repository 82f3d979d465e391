"""Commands import only what their code path needs (issue 16: fast start).

Each check runs the command in a fresh interpreter and looks at ``sys.modules``.
The EIS fit calls impedance.py's fitting module without its package ``__init__``
(which imports matplotlib, altair and pandas); the fit must equal the one made
through impedance.py's ``CustomCircuit``, to the last bit.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from ssblab.analysis.eis import fit_circuit, spectrum_arrays
from ssblab.io.eis import read_eis_text

ZARC2 = "R0-p(R1,CPE1)-p(R2,CPE2)"
GUESS = [5, 40, 1e-3, 0.9, 40, 1e-5, 0.9]


def _modules_after(argv: list[str]) -> set[str]:
    code = (
        "import sys; from ssblab.cli import main\n"
        f"try: main({argv!r})\n"
        "except SystemExit: pass\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.splitlines()[-1].split())


def test_eis_fit_imports_no_plotting(data_dir: Path) -> None:
    path = str(data_dir / "eis" / "LIB_data.txt")
    loaded = _modules_after(["eis", "fit", path, "-c", "R0-p(R1,CPE1)", "--json"])
    assert "impedance.models.circuits.fitting" in loaded
    assert not {"matplotlib", "pandas", "altair", "plotly", "rich"} & loaded


def test_fit_equals_custom_circuit(data_dir: Path) -> None:
    from impedance.models.circuits import CustomCircuit  # the reference path

    f, z = spectrum_arrays(read_eis_text(data_dir / "eis" / "2XZARCequal.csv"))
    ours = fit_circuit(f, z, ZARC2, GUESS)
    ref = CustomCircuit(ZARC2, initial_guess=[float(v) for v in GUESS]).fit(f, z)
    assert np.array_equal(ours.values, ref.parameters_)
    assert np.array_equal(ours.stderrs, ref.conf_)
    assert np.array_equal(ours.predict(f), ref.predict(f))
    assert ours.values[1] > 45  # R1 of the synthetic two-ZARC spectrum is 50 Ω
