"""Arbin: MITS ``.res`` databases (:mod:`.res`), CSV/XLSX exports (:mod:`.text`) and the
Jet Access reader (:mod:`.jet`); :mod:`.reader` registers them.
"""

from ssblab.io.arbin.reader import read_arbin_csv, read_arbin_res, read_arbin_xlsx

__all__ = ["read_arbin_csv", "read_arbin_res", "read_arbin_xlsx"]
