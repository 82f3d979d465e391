"""Impedance spectra: ``read_eis`` dispatches by content (:mod:`.dispatch`); plain
two-to-four column text (:mod:`.text`).
"""

from ssblab.io.eis.dispatch import read_eis
from ssblab.io.eis.text import read_eis_text

__all__ = ["read_eis", "read_eis_text"]
