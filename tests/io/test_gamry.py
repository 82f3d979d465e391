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


REAL = ("eis", "impedancepy_exampleDataGamry.DTA")
ZCURVE_LINE = 446  # the "ZCURVE<TAB>TABLE" line; its rows start 3 lines later


def _real_lines(data_dir) -> list[bytes]:
    return data_dir.joinpath(*REAL).read_bytes().split(b"\n")


def test_real_file_has_no_ragged_rows(data_dir):
    run = read(data_dir.joinpath(*REAL))
    assert run.meta.rows_skipped == 0
    assert not any("table" in note for note in run.meta.notes)  # no row note, no count note


def test_real_file_with_extra_trailing_fields_keeps_the_named_values(data_dir, tmp_path):
    lines = _real_lines(data_dir)
    row = ZCURVE_LINE + 3 + 4  # ZCURVE point 4 (0-based Pt), file line 453
    assert lines[row - 1].startswith(b"\t4\t")
    lines[row - 1] += b"\t7.7\tjunk"
    assert lines[22 + 9].startswith(b"\t9\t")  # OCVCURVE's Pt 9, file line 32
    lines[22 + 9] += b"\t1"
    path = tmp_path / "ragged.DTA"
    path.write_bytes(b"\n".join(lines))
    clean, run = read(data_dir.joinpath(*REAL)), read(path)
    assert run.n_rows == 72 and run.meta.rows_skipped == 0
    assert run.table.equals(clean.table)  # truncated, not shifted or dropped
    notes = [n for n in run.meta.notes if "beyond" in n]
    assert notes == [
        "1 rows of table OCVCURVE have fields beyond its 7 named columns (first at line 32): "
        "their named values are kept, the 1 extra fields ignored",
        "1 rows of table ZCURVE have fields beyond its 11 named columns (first at line 453): "
        "their named values are kept, the 2 extra fields ignored",
    ]
    z = parse_dta(path).tables["ZCURVE"]
    assert z.height == 72 and z.equals(parse_dta(data_dir.joinpath(*REAL)).tables["ZCURVE"])


def test_real_file_stray_tab_row_is_left_out_and_counted(data_dir, tmp_path):
    lines = _real_lines(data_dir)
    row = ZCURVE_LINE + 3 + 10
    fields = lines[row - 1].split(b"\t")
    lines[row - 1] = b"\t".join([*fields[:4], b"", *fields[4:]])  # shifts Zreal onwards
    path = tmp_path / "stray.DTA"
    path.write_bytes(b"\n".join(lines))
    run = read(path)
    assert run.n_rows == 71 and run.meta.rows_skipped == 1
    assert any(
        "1 rows of table ZCURVE have an extra field and an empty one" in n
        and "first at line 459" in n
        for n in run.meta.notes
    )
    clean = read(data_dir.joinpath(*REAL)).table
    assert (
        run.table[s.VOLTAGE].to_list()
        == clean[s.VOLTAGE].to_list()[:10] + (clean[s.VOLTAGE].to_list()[11:])
    )


def test_real_file_cut_mid_row_is_noted(data_dir, tmp_path):
    raw = data_dir.joinpath(*REAL).read_bytes().rstrip(b"\r\n")
    path = tmp_path / "cut.DTA"
    path.write_bytes(raw[:-5])  # the last ZCURVE row loses the end of its last value
    run = read(path)
    assert run.n_rows == 71 and run.meta.rows_skipped == 1
    assert any("ends mid-line in table ZCURVE (line 520" in n for n in run.meta.notes)
    complete = tmp_path / "complete.DTA"
    complete.write_bytes(raw)  # a whole last row without a line end is kept
    assert read(complete).n_rows == 72 and read(complete).meta.rows_skipped == 0


def test_one_crafted_ragged_row(tmp_path):
    path = tmp_path / "one.DTA"
    path.write_bytes(
        DC_FILE.replace(
            "\t1.0E-003\t...........\r\n\t1\t", "\t1.0E-003\t....\t9\r\n\t1\t", 1
        ).encode()
    )
    run = read(path)
    assert run.table[s.VOLTAGE].to_list() == [3.0, 3.1, 3.2]
    assert run.meta.rows_skipped == 0
    assert any(
        "1 rows of table CURVE1 have fields beyond its 5 named columns (first at line 9)" in n
        for n in run.meta.notes
    )


def test_declared_row_count_is_checked(tmp_path):
    path = tmp_path / "count.DTA"
    path.write_bytes(DC_FILE.replace("CURVE2\tTABLE", "CURVE2\tTABLE\t3").encode())
    run = read(path)
    assert "table CURVE2 declares 3 rows but holds 1" in run.meta.notes


def test_real_spectrum_rows_left_out_are_counted_in_the_spectrum(data_dir, tmp_path, capfd):
    """read_eis dropped ZCURVE rows without numbers (and ragged ones) with no word; the
    spectrum now counts them, and ``eis fit`` says so on stderr."""
    from ssblab.cli import main
    from ssblab.io.eis import read_eis, read_spectrum

    clean = read_spectrum(data_dir.joinpath(*REAL))
    assert (clean.rows_skipped, clean.left_out, clean.notes) == (0, (), ())
    lines = _real_lines(data_dir)
    for point in (4, 20):  # Zreal of ZCURVE points 4 and 20 overwritten by an overload mark
        fields = lines[ZCURVE_LINE + 3 + point - 1].split(b"\t")
        fields[4] = b"*****"
        lines[ZCURVE_LINE + 3 + point - 1] = b"\t".join(fields)
    row = ZCURVE_LINE + 3 + 10  # and point 10 shifted by a stray tab
    fields = lines[row - 1].split(b"\t")
    lines[row - 1] = b"\t".join([*fields[:4], b"", *fields[4:]])
    path = tmp_path / "overload.DTA"
    path.write_bytes(b"\n".join(lines))
    spectrum = read_spectrum(path)
    assert spectrum.table.height == 69 and spectrum.rows_skipped == 3
    assert spectrum.table.equals(read_eis(path))
    kept = [f for i, f in enumerate(clean.table[s.FREQUENCY].to_list()) if i not in (4, 10, 20)]
    assert spectrum.table[s.FREQUENCY].to_list() == kept
    assert spectrum.left_out == spectrum.notes
    assert spectrum.notes[-1] == "2 ZCURVE rows without a numeric Freq, Zreal or Zimag left out"
    assert "1 rows of table ZCURVE have an extra field and an empty one" in spectrum.notes[0]
    capfd.readouterr()
    main(["eis", "fit", str(path), "-c", "R0-p(R1,CPE1)", "--json"])
    err = capfd.readouterr().err.splitlines()
    assert err[-1] == f"note: {path}: 2 ZCURVE rows without a numeric Freq, Zreal or Zimag left out"
    assert len([line for line in err if line.startswith(f"note: {path}: ")]) == 2


def test_tables_the_dc_view_does_not_read_are_named(data_dir, tmp_path):
    run = read(data_dir.joinpath(*REAL))
    assert "not read (the DC view takes ZCURVE): OCVCURVE (387 records)" in run.meta.notes
    path = tmp_path / "cv.DTA"
    path.write_text(DC_FILE)
    assert not [n for n in read(path).meta.notes if n.startswith("not read")]  # CURVE1, 2 read
