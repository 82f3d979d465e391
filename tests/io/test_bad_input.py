"""Bad input of any format: one-line SsblabError naming the file, quickly.

Files are untrusted; whatever their suffix claims, ``ssblab.io.read`` must
refuse garbage, bombs and path tricks with one line that names the file, and
never hang, crash with a traceback or write outside its folder.
"""

from __future__ import annotations

import gzip
import os
import time
import zipfile
from pathlib import Path

import polars as pl
import pytest

from ssblab.errors import ReadError, SsblabError
from ssblab.io import read
from ssblab.io.safety import read_gzip, read_zip_member, zip_names

TIME_BOUND_S = 5.0
BOMB_BYTES = 64 * 1024**2  # 64 MiB of zeros: ~64 KiB deflated, ratio ~1000


def refused(path: Path, **kwargs) -> str:
    """Read *path*, expect an SsblabError; return its message after the common checks."""
    start = time.perf_counter()
    with pytest.raises(SsblabError) as info:
        read(path, **kwargs)
    elapsed = time.perf_counter() - start
    message = str(info.value)
    assert path.name in message, message
    assert "\n" not in message, message
    assert elapsed < TIME_BOUND_S, f"{path.name} took {elapsed:.1f} s"
    return message


def test_nonexistent_path(tmp_path):
    assert "no such file" in refused(tmp_path / "missing.ndax")


def test_directory(tmp_path):
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    assert "not a regular file" in refused(folder)


@pytest.mark.parametrize("name", ["empty.csv", "empty.ndax", "empty.mpr", "empty.parquet"])
def test_empty_file(tmp_path, name):
    path = tmp_path / name
    path.touch()
    assert "empty" in refused(path)


@pytest.mark.parametrize("suffix", [".ndax", ".mpr", ".res", ".nda", ".parquet", ".xlsx"])
def test_text_file_with_a_binary_suffix(tmp_path, suffix):
    path = tmp_path / f"notes{suffix}"
    path.write_text("These are my lab notes, not instrument data.\n" * 20)
    refused(path)


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".ndax", ".mpr", ".res", ".bdf.csv", ""])
def test_binary_garbage(tmp_path, suffix):
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(os.urandom(64 * 1024))
    refused(path)


def test_csv_with_a_known_header_but_garbage_body(tmp_path):
    path = tmp_path / "junk.bdf.csv"
    path.write_bytes(b"test_time_second,voltage_volt,current_ampere\n" + os.urandom(4096))
    try:
        run = read(path)
    except SsblabError as exc:
        assert path.name in str(exc)
    else:  # read: every undecodable line is counted, none silently dropped
        lines = path.read_bytes().count(b"\n")
        assert run.n_rows + run.meta.rows_skipped >= 1
        assert run.n_rows <= lines


def _zip_bomb(path: Path) -> Path:
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf,
        zf.open("data.ndc", "w") as member,
    ):
        chunk = bytes(1024**2)
        for _ in range(BOMB_BYTES // len(chunk)):
            member.write(chunk)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    return _zip_bomb(tmp_path_factory.mktemp("bomb") / "bomb.ndax")


def test_zip_bomb_member_is_refused_by_the_safe_reader(bomb):
    start = time.perf_counter()
    with pytest.raises(ReadError, match="zip bomb"):
        read_zip_member(bomb, "data.ndc")
    assert time.perf_counter() - start < TIME_BOUND_S


@pytest.mark.parametrize("name", ["bomb.ndax", "bomb.nda.zip", "bomb.zip"])
def test_zip_bomb_through_read(bomb, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(bomb.read_bytes())
    refused(path)


def test_gzip_bomb(tmp_path):
    path = tmp_path / "bomb.res.gz"
    with gzip.open(path, "wb", compresslevel=1) as fh:
        chunk = bytes(1024**2)
        for _ in range(BOMB_BYTES // len(chunk)):
            fh.write(chunk)
    with pytest.raises(ReadError, match="zip bomb"):
        read_gzip(path)
    refused(path)


def test_zip_member_climbing_out(tmp_path):
    path = tmp_path / "escape.ndax"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../outside.txt", "gotcha")
        zf.writestr("/etc/absolute.txt", "gotcha")
    with pytest.raises(ReadError, match="unsafe path"):
        zip_names(path)
    refused(path)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_utf16_text_is_refused(tmp_path):
    path = tmp_path / "utf16.csv"
    header = "test_time_second,voltage_volt,current_ampere\n0,3.5,0\n1,3.6,0.1\n"
    path.write_bytes(header.encode("utf-16"))
    refused(path)


def test_windows_1252_bytes_in_a_utf8_file_are_read(tmp_path):
    path = tmp_path / "latin.bdf.csv"
    body = (
        "test_time_second,voltage_volt,current_ampere,comment\n0,3.5,0,caf\xe9\n1,3.6,0.1,\xb5A\n"
    )
    path.write_bytes(body.encode("cp1252"))
    run = read(path)
    assert run.n_rows == 2
    assert run.meta.rows_skipped == 0


def test_truncated_parquet(tmp_path):
    good = tmp_path / "good.parquet"
    pl.DataFrame(
        {"Test Time / s": [0.0, 1.0], "Voltage / V": [3.5, 3.6], "Current / A": [0.0, 0.1]}
    ).write_parquet(good)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    refused(cut)


def test_unknown_format_name_lists_valid_ones(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(SsblabError, match=r"valid formats: .*landt_csv"):
        read(path, format="no_such_reader")


# --- read()'s error boundary (issue 17): nothing but a one-line ssblab error gets out ----------


def _corrupt_parquet(tmp_path: Path, data_dir: Path, seed: int, kind: str) -> Path:
    """ssblab's Parquet of TestFile.nda with one seeded mutation of the fuzz harness."""
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
    from mutate import MUTATIONS

    from ssblab.io.export import write

    good = write(read(data_dir / "neware" / "TestFile.nda"), tmp_path / "good.parquet")
    bad = tmp_path / f"corrupt-{kind}-{seed}.parquet"
    bad.write_bytes(MUTATIONS[kind](good.read_bytes(), random.Random(seed)))
    return bad


@pytest.mark.parametrize(
    ("kind", "seed"),
    [("delete", 1767), ("bit_flips", 977), ("bit_flips", 1277), ("bit_flips", 65)],
)
def test_corrupt_parquet_found_by_the_fuzzer_is_one_line(tmp_path, data_dir, kind, seed):
    # delete/1767 made polars panic (PanicException, a BaseException) on polars 2.1;
    # bit_flips/1277 broke the metadata JSON and the message did not name the file
    message = refused(_corrupt_parquet(tmp_path, data_dir, seed, kind))
    assert "Traceback" not in message


def test_a_reader_panic_becomes_a_read_error_naming_what_and_where(tmp_path):
    from polars.exceptions import PanicException

    from ssblab.io import registry

    def panicking(path: Path):
        raise PanicException("assertion failed: range.end as u64 <= self.size")

    info = registry.ReaderInfo("panicky", panicking, (".x",), None, "")
    (tmp_path / "cell.x").write_bytes(b"x" * 100)
    with pytest.raises(ReadError) as err:
        registry.call_reader(info, tmp_path / "cell.x")
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'cell.x'}: cannot be read as panicky: ")
    assert "internal panic" in message and "test_bad_input.py:" in message


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (OverflowError("Python int too large to convert to C long"), "out of range"),
        (ValueError("year 60000 is out of range"), "cannot be parsed"),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "byte 0"),
        (__import__("json").JSONDecodeError("Expecting value", "{x", 1), "JSON"),
        (__import__("struct").error("unpack requires a buffer of 16 bytes"), "truncated"),
        (__import__("zlib").error("Error -3 while decompressing"), "corrupt"),
        (KeyError("Voltage"), "missing"),
        (IndexError("index out of range"), "shorter than its header"),
        (EOFError(), "truncated"),
        (ZeroDivisionError("float division by zero"), "divisor is zero"),
        (MemoryError(), "more memory"),
        (RecursionError("maximum recursion depth exceeded"), "nested too deeply"),
        (zipfile.BadZipFile("Bad CRC-32"), "not a valid zip"),
        (pl.exceptions.ComputeError("could not parse `3,39` as dtype f64"), "cannot be parsed"),
        (pl.exceptions.ShapeError("lengths differ"), "different lengths"),
        (pl.exceptions.ColumnNotFoundError("Voltage"), "column is missing"),
        (pl.exceptions.InvalidOperationError("conversion failed"), "wrong type"),
    ],
)
def test_third_party_errors_become_plain_words(tmp_path, exc, words):
    from ssblab.io import registry

    def failing(path: Path):
        raise exc

    info = registry.ReaderInfo("vendor_x", failing, (".x",), None, "")
    (tmp_path / "run.x").write_bytes(b"x" * 100)
    with pytest.raises(ReadError) as err:
        registry.call_reader(info, tmp_path / "run.x")
    message = str(err.value)
    assert "run.x: cannot be read as vendor_x" in message and words in message, message
    assert type(exc).__name__ in message and "\n" not in message


@pytest.mark.parametrize(
    ("name", "kept", "missing"),
    [("TestFile.nda", 3497, 3173), ("2-1-6_61[07005012].nda", 7784, 7783)],
)
def test_a_neware_nda_cut_in_half_counts_and_notes_the_missing_records(
    tmp_path, data_dir, name, kept, missing
):
    # issue 17: read as 3 497 of 6 670 rows with rows_skipped = 0 and no note
    whole = (data_dir / "neware" / name).read_bytes()
    cut = tmp_path / name
    cut.write_bytes(whole[: len(whole) // 2])
    run = read(cut)
    assert (run.n_rows, run.meta.rows_skipped) == (kept, missing)
    assert any("cut short" in note and str(missing) in note for note in run.meta.notes)
    assert run.n_rows + run.meta.rows_skipped == read(data_dir / "neware" / name).n_rows


def test_a_reader_past_its_time_limit_is_refused_naming_the_limit(tmp_path, monkeypatch):
    from ssblab.io import registry

    def slow(path: Path):
        while True:  # a pathological workbook: pure-Python parsing that never ends
            sum(range(1000))

    monkeypatch.setenv("SSBLAB_LIMIT_XLSX_PARSE_S", "0.5")
    (tmp_path / "book.xlsx").write_bytes(b"x" * 100)
    info = registry.ReaderInfo("vendor_xlsx", slow, (".xlsx",), None, "")
    start = time.perf_counter()
    with pytest.raises(ReadError, match=r"exceeds limit xlsx_parse_s = 0.5") as err:
        registry.call_reader(info, tmp_path / "book.xlsx")
    assert time.perf_counter() - start < 2.0
    assert "book.xlsx" in str(err.value) and "SSBLAB_LIMIT_XLSX_PARSE_S" in str(err.value)


def test_readme_states_every_limit():
    from ssblab.limits import table_markdown

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert table_markdown() in readme


@pytest.mark.parametrize("seed", [69, 141])
def test_bit_flipped_workbook_found_by_the_fuzzer_is_refused_before_parsing(
    tmp_path, data_dir, seed
):
    # the fuzzer's two hangs (> 5 s on a loaded machine): the whole sheet was parsed
    # before zipfile checked the CRC; now the CRCs are checked first
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
    from mutate import MUTATIONS

    src = data_dir / "arbin" / "bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"
    bad = tmp_path / src.name
    bad.write_bytes(MUTATIONS["bit_flips"](src.read_bytes(), random.Random(seed)))
    assert "Bad CRC-32" in refused(bad)


def test_landt_stray_comma_and_decimal_commas_are_left_out_and_counted(tmp_path, data_dir):
    # issue 17: one stray comma read 1.10 V for 3.39 V, decimal commas 20.0 V, reported OK
    src = data_dir / "land" / "SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
    lines = src.read_bytes().split(b"\n")
    middle = len(lines) // 2
    lines[middle] = lines[middle].replace(b",", b",,", 1)
    lines[middle + 5] = lines[middle + 5].replace(b".", b",")
    bad = tmp_path / src.name
    bad.write_bytes(b"\n".join(lines))
    whole, run = read(src), read(bad)
    assert (run.n_rows, run.meta.rows_skipped) == (whole.n_rows - 2, 2)
    assert any(f"first at line {middle + 1}" in note for note in run.meta.notes)
    assert run.table["Voltage / V"].max() == whole.table["Voltage / V"].max()
