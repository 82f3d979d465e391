"""``read_eis(path)``: one impedance spectrum table from any supported EIS file.

Dispatch is by content: EC-Lab ``.mpr`` / ``.mpt`` (PEIS, GEIS), Gamry
``.DTA`` (``ZCURVE``), ZPlot ``.z``, ZView/Autolab and CH Instruments text
(:mod:`ssblab.io.eis.vendors`), and otherwise plain 2-3 column text/CSV
(:func:`ssblab.io.eis.text.read_eis_text`). :func:`read_spectrum` gives the table
with the reader's notes and the rows it left out (counted, never silently).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.safety import check_file, read_head


@dataclass(frozen=True, eq=False)
class Spectrum:
    """An impedance file as read: the EIS table, the reader's notes, the rows left out.

    *left_out* holds the notes that count the file's rows not in the table (a subset
    of *notes*); *rows_skipped* their number.
    """

    table: pl.DataFrame
    notes: tuple[str, ...] = ()
    rows_skipped: int = 0
    left_out: tuple[str, ...] = ()


def read_eis(path: str | Path) -> pl.DataFrame:
    """Read an impedance spectrum into the EIS table of :mod:`ssblab.schema`.

    Parameters
    ----------
    path : str or Path
        EC-Lab ``.mpr``/``.mpt`` (PEIS/GEIS), Gamry ``.DTA`` or a plain text
        file with frequency [Hz], Re Z [ohm] and Im Z [ohm] columns.

    Returns
    -------
    DataFrame
        ``Frequency / Hz``, ``Z Real / Ohm``, ``Z Imag / Ohm`` (true imaginary
        part, negative for a capacitive arc) and, for files holding several
        spectra, ``Cycle Count / 1`` numbering them from 1.

    Raises
    ------
    ReadError
        One line naming the file and the problem (e.g. not an impedance file).
    """
    return read_spectrum(path).table


def read_spectrum(path: str | Path) -> Spectrum:
    """:func:`read_eis` with the reader's notes and the rows it left out, counted."""
    path = check_file(Path(path))
    head = read_head(path, 512)
    from ssblab.io import gamry
    from ssblab.io.biologic import mpr as biologic_mpr
    from ssblab.io.biologic import mpt as biologic_mpt
    from ssblab.io.eis.vendors import read_vendor_spectrum, vendor_of

    if biologic_mpr.is_mpr(head) or biologic_mpt.is_mpt(head):
        from ssblab.io.biologic.reader import read_biologic_eis

        spectrum = Spectrum(read_biologic_eis(path))
    elif gamry.is_dta(head):
        table, skipped, notes = gamry.read_gamry_eis(path)
        spectrum = Spectrum(table, notes, skipped, notes)
    else:
        if (program := vendor_of(head)) is not None:
            read = read_vendor_spectrum(path, program)
        else:
            from ssblab.io.eis.text import load_eis_text

            read = load_eis_text(path)
        # both readers end their notes with the one counting the lines left out
        lost = read.notes[-1:] if read.rows_skipped else ()
        spectrum = Spectrum(read.table, read.notes, read.rows_skipped, lost)
    _check_frequency_range(path, spectrum.table)
    s.validate_eis(spectrum.table)
    return spectrum


#: Frequencies an impedance analyser can apply [Hz]: 0.1 µHz to 10 GHz (generous bounds).
FREQUENCY_RANGE_HZ = (1e-7, 1e10)


def _check_frequency_range(path: Path, table: pl.DataFrame) -> None:
    """Refuse a spectrum with a frequency no instrument applies (a corrupt number, 1.6e202 Hz)."""
    lo, hi = FREQUENCY_RANGE_HZ
    freq = table.get_column(s.FREQUENCY)
    outside = freq.filter((freq < lo) | (freq > hi))
    if n := outside.len():
        raise ReadError(
            f"{path}: {n} frequenc{'ies' if n > 1 else 'y'} outside {lo:g}-{hi:g} Hz (first "
            f"{outside[0]:.4g} Hz), beyond any impedance analyser: the file is corrupt there"
        )
