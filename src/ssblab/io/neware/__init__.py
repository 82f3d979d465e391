"""Neware: ``.nda``/``.nda.zip`` (:mod:`.nda`), ``.ndax`` (:mod:`.ndax`, :mod:`.ndc`)
and BTSDA's CSV export (:mod:`.btsda`); :mod:`.reader` registers the binary readers.
"""

from ssblab.io.neware.btsda import read_btsda_csv
from ssblab.io.neware.reader import read_nda, read_ndax, sniff_nda, sniff_ndax

__all__ = ["read_btsda_csv", "read_nda", "read_ndax", "sniff_nda", "sniff_ndax"]
