"""ZPlot, ZView/Autolab and CH Instruments impedance exports against impedance.py's readers."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab import schema as s
from ssblab.io.eis import read_eis
from ssblab.io.eis.vendors import read_vendor_spectrum, vendor_of

FILES = [
    ("exampleDataZPlot.z", "zplot", 21),
    ("exampleDataAutolab.txt", "autolab", 41),
    ("exampleDataCHInstruments.txt", "chinstruments", 73),
]


@pytest.mark.parametrize(("name", "instrument", "points"), FILES)
def test_matches_impedance_py(data_dir, name, instrument, points):
    preprocessing = pytest.importorskip("impedance.preprocessing")
    path = data_dir / "eis" / name
    ours = read_eis(path)
    freq, z = preprocessing.readFile(str(path), instrument=instrument)
    assert ours.height == len(freq) == points
    np.testing.assert_array_equal(ours[s.FREQUENCY].to_numpy(), freq)
    np.testing.assert_array_equal(ours[s.Z_REAL].to_numpy(), z.real)
    np.testing.assert_array_equal(ours[s.Z_IMAG].to_numpy(), z.imag)


def test_values_from_the_files(data_dir):
    """First rows as printed in the files (no peer involved)."""
    chi = read_eis(data_dir / "eis" / "exampleDataCHInstruments.txt")
    # "9.961e+4, 9.891e+1, -2.748e+0, ..."
    assert chi.row(0) == pytest.approx((9.961e4, 98.91, -2.748))
    zview = read_eis(data_dir / "eis" / "exampleDataAutolab.txt")
    # "10000,0,0,0,0.013785863964281,0.007191946305823,..."
    assert zview.row(0) == pytest.approx((1e4, 0.013785863964281, 0.007191946305823))


def test_detection_and_bad_rows(data_dir, tmp_path):
    head = (data_dir / "eis" / "exampleDataZPlot.z").read_bytes()[:512]
    assert vendor_of(head) == "zplot"
    assert vendor_of(b"f,re,im\n1,2,3\n") is None
    lines = (data_dir / "eis" / "exampleDataCHInstruments.txt").read_text().splitlines()
    broken = tmp_path / "chi.txt"
    broken.write_text("\n".join([*lines, "1e-1, not-a-number, 3"]) + "\n")
    spectrum = read_vendor_spectrum(broken, "chi")
    assert spectrum.rows_skipped == 1 and spectrum.table.height == 73
    assert any("left out" in n for n in spectrum.notes)
