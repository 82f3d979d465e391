"""Gamry .DTA: the real impedance export and small generated DC files."""

from __future__ import annotations

import pytest

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import detect, read
from ssblab.io.gamry.dta import parse_dta

DC_FILE = (
    "EXPLAIN\r\nTAG\tCV\r\nTITLE\tLABEL\tCyclic Voltammetry\tTest &Identifier\r\n"
    "DATE\tLABEL\t4/23/2018\tDate\r\nTIME\tLABEL\t16:43:15\tTime\r\n"
    "CURVE1\tTABLE\r\n"
    "\tPt\tT\tVf\tIm\tOver\r\n\t#\ts\tV vs. Ref.\tA\tbits\r\n"
    "\t0\t0.0\t3.0\t1.0E-003\t...........\r\n\t1\t1.0\t3.1\t1.0E-003\t...........\r\n"
    "CURVE2\tTABLE\r\n"
    "\tPt\tT\tVf\tIm\tOver\r\n\t#\ts\tV vs. Ref.\tA\tbits\r\n"
    "\t0\t2.0\t3.2\t-2.0E-003\t...........\r\n"
)


def test_real_eis_file(data_dir):
    path = data_dir / "eis" / "impedancepy_exampleDataGamry.DTA"
    assert detect(path) == "gamry_dta"
    content = parse_dta(path)
    assert content.settings["PSTAT"] == "REF3000-34128"
    z = content.tables["ZCURVE"]
    assert z.height == 72
    assert z["Freq"][0] == 200015.6 and z["Zimag"][0] == -1367.239
    assert content.tables["OCVCURVE"].height == 387
    run = read(path)  # DC view of an impedance file: Vdc and Idc of each point
    assert run.n_rows == 72
    assert run.table[s.VOLTAGE][0] == pytest.approx(-0.3413299)
    assert run.meta.start_time_utc == "2018-04-23T16:43:15+00:00"


def test_dc_curves_become_cycles(tmp_path):
    path = tmp_path / "cv.DTA"
    path.write_bytes(DC_FILE.encode("cp1252"))
    table = read(path).table
    assert table[s.TIME].to_list() == [0.0, 1.0, 2.0]
    assert table[s.VOLTAGE].to_list() == [3.0, 3.1, 3.2]
    assert table[s.CURRENT].to_list() == [1e-3, 1e-3, -2e-3]
    assert table[s.CYCLE].to_list() == [1, 1, 2]


def test_dta_without_tables_is_refused(tmp_path):
    path = tmp_path / "bare.DTA"
    path.write_text("EXPLAIN\nTAG\tCV\n")
    with pytest.raises(ReadError, match="no CURVE or ZCURVE"):
        read(path)


def test_table_without_header_lines_is_refused(tmp_path):
    path = tmp_path / "cut.DTA"
    path.write_text("EXPLAIN\nCURVE\tTABLE\n")
    with pytest.raises(ReadError, match="lacks its column and unit lines"):
        read(path)


def test_short_rows_are_counted_not_dropped_silently(tmp_path):
    path = tmp_path / "ragged.DTA"
    path.write_bytes(
        b"EXPLAIN\r\nCURVE\tTABLE\r\n\tPt\tT\tVf\tIm\r\n\t#\ts\tV\tA\r\n"
        b"\t0\t0.0\t3.0\t1.0E-003\r\n\t1\t1.0\r\n\t2\t2.0\t3.2\t1.0E-003\textra\r\n"
    )
    run = read(path)
    assert run.table[s.TIME].to_list() == [0.0, 2.0]
    assert run.meta.rows_skipped == 1
    assert any("1 rows without numeric" in note for note in run.meta.notes)
