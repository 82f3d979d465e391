"""Neware: ``.nda``/``.nda.zip`` (:mod:`.nda`), ``.ndax`` (:mod:`.ndax`, :mod:`.ndc`),
BTSDA's CSV export (:mod:`.btsda`) and the BTS "regular" CSV export (:mod:`.regular`);
:mod:`.reader` registers the binary readers.
"""

from ssblab.io.neware.btsda import read_btsda_csv
from ssblab.io.neware.reader import read_nda, read_ndax, sniff_nda, sniff_ndax
from ssblab.io.neware.regular import read_regular_csv

__all__ = ["read_btsda_csv", "read_nda", "read_ndax", "read_regular_csv", "sniff_nda", "sniff_ndax"]
