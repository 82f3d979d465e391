"""read_eis: one spectrum table from EC-Lab, Gamry and plain text files."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.eis.dispatch import read_eis


def test_mpr_and_mpt_give_the_same_spectrum(data_dir):
    for folder in ("eis", "biologic"):
        a = read_eis(data_dir / folder / "peis.mpr")
        b = read_eis(data_dir / folder / "peis.mpt")
        assert a.height == b.height == 32
        for column in (s.FREQUENCY, s.Z_REAL, s.Z_IMAG):
            np.testing.assert_allclose(a[column], b[column], rtol=1e-6)
    geis_a = read_eis(data_dir / "biologic" / "geis.issue_149.mpr")
    geis_b = read_eis(data_dir / "biologic" / "geis.issue_149.mpt")
    np.testing.assert_allclose(geis_a[s.Z_IMAG], geis_b[s.Z_IMAG], rtol=1e-6)
    assert geis_a[s.CYCLE].to_list() == geis_b[s.CYCLE].to_list()


def test_imaginary_part_is_negative_for_the_capacitive_arc(data_dir):
    spectrum = read_eis(data_dir / "eis" / "peis.mpr")
    # peis.mpt first row: -Im(Z) = 7.3047662E-001 ohm at 199998 Hz
    assert spectrum[s.Z_IMAG][0] == pytest.approx(-0.73047662, rel=1e-7)
    arc = read_eis(data_dir / "biologic" / "PEIS-0.mpr")
    low_f = arc.filter(arc[s.FREQUENCY] < 100)
    assert low_f.height > 20
    assert (low_f[s.Z_IMAG] < 0).all()


def test_biologic_text_export(data_dir):
    spectrum = read_eis(data_dir / "eis" / "impedancepy_exampleDataBioLogic.mpt")
    assert spectrum.height == 43
    assert spectrum.row(0) == pytest.approx((1000.3201, 65.470886, -0.38998979, 1))


def test_gamry_spectrum(data_dir):
    spectrum = read_eis(data_dir / "eis" / "impedancepy_exampleDataGamry.DTA")
    assert spectrum.height == 72
    assert spectrum.row(0) == (200015.6, 825.8584, -1367.239)
    assert spectrum.row(-1) == (0.0158898, 17007.49, -6635.557)


def test_plain_text_goes_to_the_text_reader(data_dir):
    spectrum = read_eis(data_dir / "eis" / "impedancepy_exampleData.csv")
    assert spectrum.height == 66
    assert spectrum[s.FREQUENCY][0] == pytest.approx(0.0031623)


def test_missing_file(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        read_eis(tmp_path / "absent.mpr")
