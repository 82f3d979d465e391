"""Issue 17: real files mutated in tmp (cut at 50 %, one stray separator, a decimal comma,
a garbage value) lose rows only counted and noted, and the kept rows equal the clean read."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.io import read
from ssblab.io.export import write

CASES = {
    "btsda": ("neware/neware_uio.btsda-export.csv", b","),
    "maccor": ("maccor/maccor_001.txt", b"\t"),
}


@pytest.fixture(params=[*sorted(CASES), "bdf_csv"])
def real(request, data_dir, tmp_path) -> tuple[Path, bytes]:
    """(path of a real file copied into tmp, its separator); BDF CSV is written by ssblab
    from the real BTSDA export (no vendor writes BDF CSV)."""
    if request.param == "bdf_csv":
        target = write(read(data_dir / CASES["btsda"][0]), tmp_path / "uio.bdf.csv")
        return target, b","
    name, sep = CASES[request.param]
    target = tmp_path / Path(name).name
    target.write_bytes((data_dir / name).read_bytes())
    return target, sep


def _voltages(path: Path) -> pl.DataFrame:
    return read(path).table.select(s.TIME, s.VOLTAGE)


def _skipped(path: Path) -> int:
    return read(path).meta.rows_skipped


def _line_bounds(data: bytes, fraction: float) -> tuple[int, int]:
    """(start, end) byte offsets of the data line around *fraction* of the file."""
    start = data.index(b"\n", int(len(data) * fraction)) + 1
    return start, data.index(b"\n", start)


def test_cut_at_half_drops_the_cut_line_and_says_where(real):
    path, _ = real
    clean, before = _voltages(path), _skipped(path)
    data = path.read_bytes()
    start, end = _line_bounds(data, 0.5)
    path.write_bytes(data[: start + (end - start) // 2])  # mid-line
    run = read(path)
    assert run.meta.rows_skipped == before + 1
    note = next(n for n in run.meta.notes if "ends mid-line" in n)
    assert f"byte {start + (end - start) // 2}" in note
    kept = run.table.select(s.TIME, s.VOLTAGE)
    assert kept.equals(clean.head(kept.height))


def test_stray_separator_is_counted_with_its_line(real):
    path, sep = real
    clean, before = _voltages(path), _skipped(path)
    data = path.read_bytes()
    start, _end = _line_bounds(data, 0.3)
    line_no = data[:start].count(b"\n") + 1
    path.write_bytes(data[:start] + sep + data[start:])
    run = read(path)
    # (a BDF CSV with its sidecar reads the stored meta when clean, so its own skip shows now)
    assert run.meta.rows_skipped >= before + 1
    ragged = [n for n in run.meta.notes if f"first at line {line_no}," in n]
    assert ragged and ragged[0].startswith("1 data lines"), run.meta.notes
    kept = run.table.select(s.TIME, s.VOLTAGE)
    assert kept.height == clean.height - 1
    assert kept.join(clean, on=s.TIME, how="anti").height == 0  # no shifted value kept


def test_decimal_comma_in_a_comma_file_is_not_read_as_a_number(data_dir, tmp_path):
    path = tmp_path / "uio.btsda-export.csv"
    data = (data_dir / CASES["btsda"][0]).read_bytes()
    start, end = _line_bounds(data, 0.4)
    line = data[start:end].replace(b".", b",", 1)
    path.write_bytes(data[:start] + line + data[end:])
    run = read(path)
    assert run.meta.rows_skipped == 1
    assert any("decimal commas" in n for n in run.meta.notes)


def test_garbage_value_is_counted_not_silently_null(real):
    path, sep = real
    clean, _before = _voltages(path), _skipped(path)
    data = path.read_bytes()
    start, end = _line_bounds(data, 0.6)
    fields = data[start:end].split(sep)
    volts = 8 if sep == b"\t" else next(i for i, f in enumerate(fields) if b"." in f)
    fields[volts] = b"x3.1z"
    path.write_bytes(data[:start] + sep.join(fields) + data[end:])
    run = read(path)
    assert any("not numbers" in n and "'x3.1z'" in n for n in run.meta.notes), run.meta.notes
    kept = run.table.select(s.TIME, s.VOLTAGE)
    assert kept.join(clean, on=[s.TIME, s.VOLTAGE], how="anti").height == 0


@pytest.mark.parametrize(
    "name",
    [
        "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv",
        "novonix/test_Nova_Form-CH01-01_short.csv",
        "arbin/FastCharge_000025_CH8.csv",
        "biologic/mb.issue_95.mpt",
        "neware/nw_regular_export_ife_example.csv",
    ],
)
def test_other_text_readers_drop_a_line_cut_at_half(name, data_dir, tmp_path):
    src = data_dir / name
    clean = read(src)
    data = src.read_bytes()
    start, end = _line_bounds(data, 0.5)
    cut_at = start + (end - start) // 2
    path = tmp_path / src.name
    path.write_bytes(data[:cut_at])
    run = read(path)
    assert run.meta.rows_skipped == clean.meta.rows_skipped + 1
    assert any(f"ends mid-line at byte {cut_at}" in n for n in run.meta.notes), run.meta.notes
    kept, whole = (r.table.select(s.TIME, s.VOLTAGE) for r in (run, clean))
    assert kept.equals(whole.head(kept.height))


def test_neware_regular_stray_comma_in_a_record_row_is_left_out(data_dir, tmp_path):
    src = data_dir / "neware/nw_regular_export_ife_example.csv"
    data = src.read_bytes()
    start = data.index(b"\n,,", len(data) // 2) + 1  # a record row
    line_no = data[:start].count(b"\n") + 1
    path = tmp_path / src.name
    path.write_bytes(data[: start + 2] + b"," + data[start + 2 :])
    clean, run = read(src), read(path)
    assert run.meta.rows_skipped == clean.meta.rows_skipped + 1
    assert any(f"first at line {line_no}," in n for n in run.meta.notes), run.meta.notes
    kept, whole = (r.table.select(s.TIME, s.VOLTAGE) for r in (run, clean))
    assert kept.height == whole.height - 1
    assert kept.join(whole, on=[s.TIME, s.VOLTAGE], how="anti").height == 0
