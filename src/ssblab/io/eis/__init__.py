"""Impedance spectra: ``read_eis`` dispatches by content (:mod:`.dispatch`); plain
two-to-four column text (:mod:`.text`). ``read_spectrum`` adds the notes and the
rows left out.
"""

from ssblab.io.eis.dispatch import Spectrum, read_eis, read_spectrum
from ssblab.io.eis.text import read_eis_text

__all__ = ["Spectrum", "read_eis", "read_eis_text", "read_spectrum"]
