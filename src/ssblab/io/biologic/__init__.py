"""BioLogic EC-Lab / BT-Lab: ``.mpr`` (:mod:`.mpr`) and ``.mpt`` (:mod:`.mpt`), one
conversion to the canonical table (:mod:`.table`); :mod:`.reader` registers both.
"""

from ssblab.io.biologic.reader import read_biologic_eis, read_mpr, read_mpt

__all__ = ["read_biologic_eis", "read_mpr", "read_mpt"]
