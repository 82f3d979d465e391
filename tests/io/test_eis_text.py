"""Plain-text EIS spectra: layouts, sign convention, skipped rows, refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io.eis.text import load_eis_text, read_eis_text


def _write(name: str, text: str) -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def test_impedancepy_example_headerless_csv(data_dir):
    table = read_eis_text(data_dir / "eis" / "impedancepy_exampleData.csv")
    assert table.columns == [s.FREQUENCY, s.Z_REAL, s.Z_IMAG]
    assert table.height == 66
    assert table.row(0) == pytest.approx((0.0031623, 0.0494998977640506, -0.020438698544418925))
    assert table.row(-1) == pytest.approx((1.0e4, 0.015771482660485933, 0.010157474564938236))
    assert all(table.schema[c] == s.EIS_COLUMNS[c] for c in table.columns)


def test_pandas_export_with_index_and_header(data_dir):
    result = load_eis_text(data_dir / "eis" / "2XZARCequal.csv")
    table = result.table
    assert table.height == 81
    assert table.row(0) == pytest.approx((0.01, 109.20290876708647, 0.5880511754718125))
    assert table[s.FREQUENCY][-1] == pytest.approx(1.0e6)
    assert not result.negated_imaginary
    assert "'freq'" in result.notes[0]


def test_tab_separated_real_spectrum(data_dir):
    result = load_eis_text(data_dir / "eis" / "LIB_data.txt")
    assert result.table.height == 107
    assert result.table.row(-1) == pytest.approx((0.00500083202, 0.151735559, -0.0137396762))
    assert result.notes[0].startswith("read as tab-separated")
    assert result.rows_skipped == 0


def test_minus_z_imag_header_is_negated():
    path = _write("neg.csv", "freq/Hz,Re(Z)/Ohm,-Im(Z)/Ohm\n1000,10,0.5\n10,30,12\n0.1,60,3\n")
    result = load_eis_text(path)
    assert result.negated_imaginary
    assert result.table[s.Z_IMAG].to_list() == [-0.5, -12.0, -3.0]
    assert "-Z''" in result.notes[1]


def test_headerless_positive_imaginary_is_detected_as_minus_z():
    rows = "\n".join(f"{f} {10 + f**-0.5} {5 * f**-0.5}" for f in (1e4, 1e3, 1e2, 10, 1, 0.1))
    result = load_eis_text(_write("ws.txt", rows + "\n"))
    assert result.negated_imaginary
    assert result.notes[0].startswith("read as whitespace-separated")
    assert np.all(result.table[s.Z_IMAG].to_numpy() < 0)
    assert result.table[s.Z_IMAG][-1] == pytest.approx(-5 * 0.1**-0.5)


def test_semicolon_with_decimal_commas():
    path = _write("eu.csv", "Frequenz;Zreal;Zimag\n100,5;1,25;-0,5\n1;2,5;-1,5\n")
    table = read_eis_text(path)
    assert table.row(0) == pytest.approx((100.5, 1.25, -0.5))
    assert table.row(1) == pytest.approx((1.0, 2.5, -1.5))


def test_undecodable_rows_are_counted_not_dropped_silently():
    path = _write("bad.csv", "1000,1,-1\n100,2,-2\nn/a,3,-3\n10,3,-3\n1,4,x\n0.1,5,-5\n")
    result = load_eis_text(path)
    assert result.rows_skipped == 2
    assert result.table.height == 4
    assert any("2 line(s)" in n for n in result.notes)


def test_comment_lines_are_ignored():
    path = _write("c.txt", "# exported spectrum\n1000\t1\t-1\n100\t2\t-2\n10\t3\t-1\n")
    assert read_eis_text(path).height == 3


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("one.csv", "1\n2\n3\n", "no consistent delimiter"),
        ("two.csv", "1,2\n3,4\n5,6\n", "2 numeric columns"),
        ("words.csv", "a,b,c\nd,e,f\n", "no numeric impedance rows"),
        ("zero.csv", "0,1,-1\n10,2,-2\n", "frequencies must be finite and positive"),
        ("nan.csv", "1,nan,-1\n10,2,-2\n", "impedance values must be finite"),
    ],
)
def test_unreadable_files_raise_read_error_naming_the_file(name, content, message):
    path = _write(name, content)
    with pytest.raises(ReadError, match=message) as info:
        read_eis_text(path)
    assert name in str(info.value)


def test_binary_and_missing_files_are_refused():
    Path("blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(ReadError, match=r"blob\.bin: binary content"):
        read_eis_text("blob.bin")
    with pytest.raises(ReadError, match="no such file"):
        read_eis_text("missing.csv")


def test_prime_notation_header_with_minus_z_double_prime():
    path = _write("primes.txt", "f / Hz\tZ' / Ohm\t-Z'' / Ohm\n1000\t10\t0.5\n10\t30\t12\n")
    result = load_eis_text(path)
    assert result.negated_imaginary
    assert result.table[s.Z_REAL].to_list() == [10.0, 30.0]
    assert result.table[s.Z_IMAG].to_list() == [-0.5, -12.0]


@pytest.mark.parametrize("junk", [False, True])
def test_a_large_spectrum_reads_in_one_conversion_or_row_by_row(tmp_path, junk):
    """200 000 rows: one NumPy conversion when every row is numbers (``ssblab info`` of a
    20 MB file: 7.2 -> 3.8 s, loaded machine), row by row with a junk field, the same rows."""
    import time

    rng = np.random.default_rng(3)
    n = 200_000
    path = tmp_path / "big.csv"
    np.savetxt(
        path,
        np.column_stack([np.logspace(6, -2, n), rng.random(n), -rng.random(n)]),
        delimiter=",",
        fmt="%.12e",
    )
    expected = np.loadtxt(path, delimiter=",")
    if junk:
        lines = path.read_text().splitlines()
        lines[1000] = "1e3,overload,-1"
        path.write_text("\n".join(lines) + "\n")
        expected = np.delete(expected, 1000, axis=0)
    start = time.perf_counter()
    result = load_eis_text(path)
    assert time.perf_counter() - start < 15.0
    assert result.rows_skipped == int(junk)
    got = result.table.select(s.FREQUENCY, s.Z_REAL, s.Z_IMAG).to_numpy()
    assert np.array_equal(got, expected)
