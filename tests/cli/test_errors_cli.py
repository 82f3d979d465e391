"""Bad input through the command line: ``ssblab: error: <file>: …``, one line, exit code 2.

Each test crafts a bad file in ``tmp_path`` from a real one in ``../shared/data``
(truncated, wrong magic, zero bytes, garbage, another encoding or delimiter, a
bomb, a path escape, values beyond the float range …) and runs ``ssblab info``
and ``ssblab read`` on it in-process. Issue 17's classes of reader failure each
get a case here at the level a user meets them; the read()-level checks are in
tests/io/test_bad_input.py. Output is captured at the file-descriptor level
(``capfd``), so text a library writes straight to fd 2 (a Rust panic) counts too.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import time
import zipfile
from pathlib import Path

import pytest

from ssblab.cli import main

MPR = "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
NDAX = "neware/test_2.ndax"
NDA = "neware/TestFile.nda"
RES = "arbin/arbin_example.res"
RES_GZ = "arbin/mits7-0.res.gz"
XLSX = "arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx"
PARQUET = "neware/scrubbed_ndc2.parquet"
LANDT = "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"
MACCOR = "maccor/maccor_001.txt"
DTA = "eis/impedancepy_exampleDataGamry.DTA"
UNKNOWN = "no reader recognises this file"
TIME_BOUND_S = 10.0


def _exit(capfd, args: list[str]) -> tuple[int, str]:
    """Run ``ssblab *args*`` in-process: its exit code and stderr."""
    start = time.perf_counter()
    with pytest.raises(SystemExit) as info:
        main(args)
    assert time.perf_counter() - start < TIME_BOUND_S, args
    return info.value.code, capfd.readouterr().err


def refused(capfd, path: Path, *args: str, command: str = "info") -> str:
    """The one stderr line of ``ssblab <command> <path>``, checked; returned without prefix."""
    extra = ["-o", str(path.parent / "out.parquet")] if command == "read" else []
    code, err = _exit(capfd, [command, str(path), *extra, *args])
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    prefix = f"ssblab: error: {path}: "
    assert lines[0].startswith(prefix), lines[0]
    assert "Traceback" not in err
    return lines[0][len(prefix) :]


def both(capfd, path: Path, *args: str) -> str:
    """:func:`refused` for ``info`` and ``read``: the same message from both."""
    message = refused(capfd, path, *args)
    assert refused(capfd, path, *args, command="read") == message
    return message


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _flip(data: bytes, n: int) -> bytes:
    """*data* with its first *n* bytes inverted (a wrong magic number)."""
    return bytes(b ^ 0xFF for b in data[:n]) + data[n:]


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def test_missing_file(capfd, tmp_path):
    for command in ("info", "read", "cycles", "metrics", "dqdv"):
        extra = ["-o", "x.csv"] if command in ("read", "dqdv") else []
        code, err = _exit(capfd, [command, str(tmp_path / "gone.mpr"), *extra])
        assert code == 2 and err == f"ssblab: error: {tmp_path / 'gone.mpr'}: no such file\n"


def test_a_directory(capfd, tmp_path):
    folder = tmp_path / "run.ndax"
    folder.mkdir()
    assert "not a regular file" in both(capfd, folder)


@pytest.mark.parametrize("suffix", [".mpr", ".ndax", ".nda", ".res", ".xlsx", ".parquet", ".csv"])
def test_zero_bytes(capfd, tmp_path, suffix):
    assert "empty" in both(capfd, _write(tmp_path, f"cell{suffix}", b""))


@pytest.mark.parametrize("suffix", [".ndax", ".mpr", ".nda", ".res", ".xlsx", ".parquet"])
def test_lab_notes_with_a_binary_suffix(capfd, tmp_path, suffix):
    notes = b"Pellet pressed at 375 MPa, cycled at C/10.\n" * 30
    assert UNKNOWN in both(capfd, _write(tmp_path, f"notes{suffix}", notes))


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".mpt", ".DTA"])
def test_binary_garbage_with_a_text_suffix(capfd, tmp_path, suffix):
    rng = random.Random(17)
    garbage = bytes(rng.randrange(256) for _ in range(4000))
    assert UNKNOWN in both(capfd, _write(tmp_path, f"run{suffix}", garbage))


@pytest.mark.parametrize(
    ("real", "n"), [(MPR, 16), (NDAX, 4), (NDA, 16), (RES, 32), (XLSX, 4), (PARQUET, 4)]
)
def test_wrong_magic_number(capfd, tmp_path, data_dir, real, n):
    data = (data_dir / real).read_bytes()
    path = _write(tmp_path, Path(real).name, _flip(data, n))
    assert UNKNOWN in both(capfd, path)


def test_parquet_with_a_broken_footer(capfd, tmp_path, data_dir):
    data = (data_dir / PARQUET).read_bytes()
    path = _write(tmp_path, "run.parquet", data[:-4] + b"XXXX")
    assert "not a readable Parquet file" in both(capfd, path)


@pytest.mark.parametrize(
    ("real", "keep", "words"),
    [
        (NDAX, 0.5, UNKNOWN),  # the zip's central directory is gone
        (NDA, 200, "no NEWARE header"),
        (RES, 0.5, "holds no records"),
        (XLSX, 0.5, UNKNOWN),
        (PARQUET, 0.5, "not a readable Parquet file"),
        (RES_GZ, 0.5, "corrupt gzip data"),  # EOFError inside gzip
        (DTA, 300, "no CURVE or ZCURVE table"),
    ],
)
def test_truncated(capfd, tmp_path, data_dir, real, keep, words):
    data = (data_dir / real).read_bytes()
    cut = int(len(data) * keep) if keep < 1 else int(keep)
    path = _write(tmp_path, Path(real).name, data[:cut])
    assert words in both(capfd, path)


@pytest.mark.parametrize(
    ("real", "encoding"), [(LANDT, "utf-16"), (MACCOR, "utf-16"), (DTA, "utf-32")]
)
def test_another_text_encoding(capfd, tmp_path, data_dir, real, encoding):
    text = (data_dir / real).read_bytes().decode("latin-1")
    path = _write(tmp_path, Path(real).name, text.encode(encoding))
    assert UNKNOWN in both(capfd, path)


@pytest.mark.parametrize(
    ("real", "old", "new"), [(LANDT, b",", b"|"), (LANDT, b",", b" "), (MACCOR, b"\t", b"|")]
)
def test_wrong_delimiter(capfd, tmp_path, data_dir, real, old, new):
    data = (data_dir / real).read_bytes().replace(old, new)
    assert UNKNOWN in both(capfd, _write(tmp_path, Path(real).name, data))


def test_nul_bytes_in_a_text_export(capfd, tmp_path, data_dir):
    lines = (data_dir / LANDT).read_bytes().splitlines(True)
    data = b"".join(lines[:40]) + b"\0" * 64 + b"".join(lines[40:])
    assert UNKNOWN in both(capfd, _write(tmp_path, "landt.csv", data))


@pytest.mark.parametrize(("real", "n_lines"), [(MACCOR, 1), (MACCOR, 3), (LANDT, 1)])
def test_header_without_data(capfd, tmp_path, data_dir, real, n_lines):
    # info tried these as impedance spectra and raised ValueError from max() (fixed)
    lines = (data_dir / real).read_bytes().splitlines(True)
    path = _write(tmp_path, Path(real).name, b"".join(lines[:n_lines]))
    assert UNKNOWN in both(capfd, path)


@pytest.mark.parametrize(
    ("column", "first"), [(4, "Test Time / s"), (7, "Voltage / V")], ids=["time", "voltage"]
)
def test_values_beyond_the_float_range(capfd, tmp_path, data_dir, column, first):
    # 1e999 parses as inf: info printed "time_span_h inf" and read wrote it (fixed)
    lines = (data_dir / LANDT).read_bytes().decode().splitlines(True)
    fields = lines[60].split(",")
    fields[column] = "1e999"
    lines[60] = ",".join(fields)
    message = both(capfd, _write(tmp_path, "landt.csv", "".join(lines).encode()))
    assert message.startswith(f"1 value of {first} beyond the float range (±inf)"), message


@pytest.mark.parametrize("name", ["bomb.ndax", "bomb.nda.zip"])
def test_zip_bomb_is_refused_by_its_ratio(capfd, tmp_path, name):
    path = _write(tmp_path, name, _zip({"data.ndc": b"\0" * (64 * 1024**2)}))
    assert "limit compression_ratio" in both(capfd, path)


def test_gzip_bomb_is_refused_by_its_ratio(capfd, tmp_path, data_dir):
    # a real .res header, then 64 MiB of zeros: detected as Arbin .res, stopped at the limit
    head = (data_dir / RES).read_bytes()[:4096]
    path = _write(tmp_path, "bomb.res.gz", gzip.compress(head + b"\0" * (64 * 1024**2), 1))
    assert "limit compression_ratio" in both(capfd, path)


def test_archive_member_escaping_its_folder(capfd, tmp_path):
    path = _write(tmp_path, "escape.ndax", _zip({"../../evil.ndc": b"x" * 100, "Step.xml": b""}))
    assert UNKNOWN in both(capfd, path)
    assert not (tmp_path.parent / "evil.ndc").exists()


@pytest.mark.parametrize("name", ["other.ndax", "other.xlsx"])
def test_zip_of_something_else(capfd, tmp_path, name):
    path = _write(tmp_path, name, _zip({"readme.txt": b"hello"}))
    assert UNKNOWN in both(capfd, path)


@pytest.mark.parametrize(
    ("real", "fmt"),
    [
        (MPR, "neware_nda"),
        (NDAX, "biologic_mpr"),
        (LANDT, "maccor_text"),
        (MACCOR, "arbin_csv"),
        (XLSX, "neware_ndax"),
        (PARQUET, "bdf_parquet"),
    ],
)
def test_a_forced_reader_of_another_vendor(capfd, data_dir, real, fmt):
    path = data_dir / real
    message = refused(capfd, path, "--format", fmt)
    assert message and refused(capfd, path, "--format", fmt, command="read") == message


def test_a_huge_line_is_left_out_and_noted_not_refused(capfd, tmp_path, data_dir):
    # a 20 MB line of digits in the middle of a LANDT export: one record left out, noted
    lines = (data_dir / LANDT).read_bytes().splitlines(True)
    whole = _write(tmp_path, "whole.csv", b"".join(lines))
    data = b"".join(lines[:40]) + b"9" * (20 * 1024**2) + b"\n" + b"".join(lines[40:])
    path = _write(tmp_path, "landt.csv", data)
    main(["info", str(whole), "--json"])
    before = json.loads(capfd.readouterr().out)
    main(["info", str(path), "--json"])
    after = json.loads(capfd.readouterr().out)
    assert after["rows"] == before["rows"] and after["rows_skipped"] == before["rows_skipped"] + 1
    assert any("first at line 41" in note for note in after["notes"]), after["notes"]


def test_unknown_output_type_names_the_output(capfd, data_dir):
    code, err = _exit(capfd, ["read", str(data_dir / LANDT), "-o", "table.xyz"])
    assert code == 2
    assert err.startswith("ssblab: error: table.xyz: cannot write this file type")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "force",
    [pytest.param(["--force"], id="force"), pytest.param([], id="plain")],
)
@pytest.mark.parametrize(
    "command",
    [["cycles"], ["metrics"], ["rate"], ["gitt"], ["cv"], ["dqdv", "-o", "curves.csv"]],
    ids=lambda c: c[0],
)
def test_analysis_of_a_file_without_records_names_the_file(capfd, data_dir, command, force):
    # wait.mpr: an EC-Lab technique that wrote no data rows ("the table has no rows" named
    # no file before)
    path = data_dir / "biologic/wait.mpr"
    code, err = _exit(capfd, [command[0], str(path), *force, *command[1:]])
    assert code == 2 and err == f"ssblab: error: {path}: the table has no rows\n", err


#: Real files that hold no data record (the header-only EC-Lab WAIT, an empty .ndax).
NO_RECORDS = ["biologic/wait.mpr", "biologic/wait.mpt", "neware/empty.ndax"]


@pytest.mark.parametrize("extra", [[], ["--force"], ["--json"]], ids=["plain", "force", "json"])
@pytest.mark.parametrize("name", NO_RECORDS)
def test_symmetric_on_a_file_without_records_says_so(capfd, data_dir, name, extra):
    # without --force it said "the data are open-circuit rest": a verdict on no data
    path = data_dir / name
    code, err = _exit(capfd, ["symmetric", str(path), *extra])
    assert code == 2 and err == f"ssblab: error: {path}: the table has no rows\n", err


def test_symmetric_on_a_header_only_time_voltage_export_is_one_line(capfd, data_dir, tmp_path):
    # the real two-column EC-Lab export cut after its header; numpy's warning made 2 lines
    real = (
        data_dir
        / "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_03_GCPL_C05.txt"
    )
    path = _write(tmp_path, "gcpl.txt", real.read_bytes().split(b"\n", 1)[0] + b"\n")
    code, err = _exit(capfd, ["symmetric", str(path), "--current-mA", "0.4"])
    assert code == 2 and err == f"ssblab: error: {path}: no time/voltage records\n", err


def test_a_bad_option_value_names_the_file_it_was_for(capfd, data_dir):
    path = data_dir / MPR
    code, err = _exit(capfd, ["cycles", str(path), "--rule", "nope"])
    assert code == 2 and err.startswith(f"ssblab: error: {path}: unknown cycle rule 'nope'")


@pytest.mark.parametrize("command", [["eis", "drt"], ["eis", "fit", "-c", "R0-p(R1,CPE1)"]])
def test_a_spectrum_with_an_impossible_frequency(capfd, tmp_path, data_dir, command):
    # one exponent bit-flipped to 1.6e202 Hz: the DRT's τ grid spanned 200 decades and
    # ran for minutes (found by a mutation run); now the reader refuses the number
    text = (data_dir / "eis/impedancepy_exampleDataBioLogic.mpt").read_bytes()
    assert text.count(b"1.6025639E+002\t") == 1
    path = _write(tmp_path, "peis.mpt", text.replace(b"1.6025639E+002\t", b"1.6025639E+202\t"))
    code, err = _exit(capfd, [*command[:2], str(path), *command[2:]])
    assert code == 2
    assert err == (
        f"ssblab: error: {path}: 1 frequency outside 1e-07-1e+10 Hz (first 1.603e+202 Hz), "
        "beyond any impedance analyser: the file is corrupt there\n"
    )


def test_catalog_build_records_each_bad_file_with_its_one_line_reason(capfd, tmp_path, data_dir):
    archive = tmp_path / "archive"
    archive.mkdir()
    landt = (data_dir / LANDT).read_bytes()
    lines = landt.decode().splitlines(True)
    fields = lines[60].split(",")
    fields[7] = "1e999"
    bad = {
        "empty.mpr": b"",
        "cut.parquet": (data_dir / PARQUET).read_bytes()[:1000],
        "inf.csv": "".join([*lines[:60], ",".join(fields), *lines[61:]]).encode(),
        "utf16.txt": (data_dir / MACCOR).read_bytes().decode("latin-1").encode("utf-16"),
        "bomb.ndax": _zip({"data.ndc": b"\0" * (64 * 1024**2)}),
        "escape.ndax": _zip({"../../evil.ndc": b"x" * 100}),
    }
    for name, data in bad.items():
        _write(archive, name, data)
    _write(archive, "good.csv", landt)
    out = tmp_path / "catalog"
    main(["catalog", "build", str(archive), "-o", str(out), "--json"])
    summary = json.loads(capfd.readouterr().out)
    assert summary["files"] == 7 and summary["read"] == 1
    assert summary["refused"] + summary["unknown"] == 6
    main(["catalog", "query", "select path, status, reason from files", "-o", str(out), "--json"])
    rows = {Path(r["path"]).name: r for r in json.loads(capfd.readouterr().out)}
    assert rows["good.csv"]["status"] == "read"
    for name in bad:
        reason = rows[name]["reason"]
        assert rows[name]["status"] in ("refused", "unknown"), rows[name]
        assert reason.startswith(f"{rows[name]['path']}: ") and "\n" not in reason, reason
    assert "beyond the float range" in rows["inf.csv"]["reason"]
    assert "limit compression_ratio" in rows["bomb.ndax"]["reason"]


@pytest.fixture
def landt_bdf(tmp_path, data_dir) -> Path:
    """The LANDT run written by ``ssblab read`` as BDF CSV with its metadata sidecar."""
    out = tmp_path / "landt.bdf.csv"
    main(["read", str(data_dir / LANDT), "-o", str(out)])
    return out


def test_a_sidecar_that_is_not_json(capfd, landt_bdf):
    side = landt_bdf.with_name(landt_bdf.name + ".metadata.json")
    side.write_text(side.read_text()[:200])
    code, err = _exit(capfd, ["info", str(landt_bdf)])
    assert code == 2 and err.count("\n") == 1  # the sidecar is the bad file: it is named
    assert err.startswith(f"ssblab: error: {side}: metadata sidecar is not valid JSON ("), err


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("active_mass_g", "heavy", "must be a number or null"),  # metrics raised TypeError
        ("rows_skipped", "many", "must be a whole number"),  # info printed "many"
        ("notes", 5, "must be a list"),
        ("extra", [1, 2], "must be an object"),
        ("start_time_utc", {"a": 1}, "must be text"),
    ],
)
def test_metadata_fields_of_the_wrong_type(capfd, landt_bdf, field, value, words):
    side = landt_bdf.with_name(landt_bdf.name + ".metadata.json")
    raw = json.loads(side.read_text())
    raw["ssblab"][field] = value
    side.write_text(json.dumps(raw))
    expected = f"table metadata field {field!r} {words}, got {json.dumps(value)}"
    for command in ("info", "metrics"):
        assert refused(capfd, landt_bdf, command=command) == expected


def test_parquet_metadata_of_the_wrong_type(capfd, tmp_path, data_dir):
    import pyarrow.parquet as pq

    good = tmp_path / "good.parquet"
    main(["read", str(data_dir / LANDT), "-o", str(good)])
    capfd.readouterr()
    table = pq.read_table(good)
    meta = json.loads(pl_metadata(good)["ssblab"])
    meta["active_mass_g"] = "heavy"
    bad = tmp_path / "bad.parquet"
    schema_meta = {**(table.schema.metadata or {}), b"ssblab": json.dumps(meta).encode()}
    pq.write_table(table.replace_schema_metadata(schema_meta), bad)
    assert refused(capfd, bad, command="metrics") == (
        "table metadata field 'active_mass_g' must be a number or null, got \"heavy\""
    )


def pl_metadata(path: Path) -> dict[str, str]:
    import polars as pl

    return pl.read_parquet_metadata(path)


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ("this is = not toml", "cannot be read as TOML: Expected '=' after a key"),
        ('active_mass_mg = "heavy"', "active_mass_mg must be a positive number, got 'heavy'"),
        ("active_mass_mg = 1e999", "active_mass_mg must be a finite number, got inf"),  # was used
        ("cell_type = 5", "cell_type must be text, got 5"),
        ("[cell]\nmass = 1", "unknown key 'cell'; known: active_mass_mg"),
    ],
)
def test_a_bad_cell_sidecar_names_the_sidecar(capfd, tmp_path, data_dir, toml, words):
    path = _write(tmp_path, "landt.csv", (data_dir / LANDT).read_bytes())
    side = _write(tmp_path, "landt.csv.cell.toml", toml.encode())
    for command in ("cycles", "metrics", "rate"):
        code, err = _exit(capfd, [command, str(path)])
        assert code == 2 and err.count("\n") == 1, err
        assert err.startswith(f"ssblab: error: {side}: {words}"), err


def test_a_bad_procedure_step_names_the_file(capfd, tmp_path, data_dir):
    # the sidecar's procedure is parsed when cycles names the segments (no file named before)
    path = _write(tmp_path, "landt.csv", (data_dir / LANDT).read_bytes())
    _write(tmp_path, "landt.csv.cell.toml", b'procedure = ["banana"]')
    code, err = _exit(capfd, ["cycles", str(path)])
    assert code == 2
    assert err == (
        f"ssblab: error: {path}: procedure step 'banana' is not a Charge/Discharge/Rest/Hold "
        "PyBaMM string\n"
    )


def test_a_file_name_with_a_line_break_stays_one_line(capfd, tmp_path):
    path = _write(tmp_path, "run\nnotes.csv", b"\xff\xfe garbage " * 50)
    code, err = _exit(capfd, ["info", str(path)])
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"ssblab: error: {tmp_path}/run\\nnotes.csv: {UNKNOWN}"), err


@pytest.mark.parametrize("special", ["fifo", "device", "loop"])
def test_special_files(capfd, tmp_path, special):
    import os

    path = tmp_path / f"{special}.mpr"
    if special == "fifo":
        os.mkfifo(path)
    elif special == "device":
        path.symlink_to("/dev/zero")  # would stream zeros for ever
    else:
        path.symlink_to(path)
    words = "no such file" if special == "loop" else "not a regular file"
    assert refused(capfd, path) == words


def _fuzz_mutation(kind: str, data: bytes, seed: int) -> bytes:
    """One seeded mutation of the fuzz harness (tests/fuzz/mutate.py)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
    from mutate import MUTATIONS

    return MUTATIONS[kind](data, random.Random(seed))


def test_a_corrupt_compressed_member_of_an_ndax(capfd, tmp_path, data_dir):
    # zlib.error / Bad CRC-32 inside data.ndc: the zlib class of issue 17, from a real file
    import struct

    source = data_dir / "neware/interp-test.ndax"
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("data.ndc")
    content = bytearray(source.read_bytes())
    name_len, extra_len = struct.unpack_from("<HH", content, info.header_offset + 26)
    content[info.header_offset + 30 + name_len + extra_len + info.compress_size // 2] ^= 0xFF
    message = both(capfd, _write(tmp_path, "corrupt.ndax", bytes(content)))
    assert "corrupt" in message or "CRC" in message, message


@pytest.mark.parametrize("seed", [69, 141])
def test_a_bit_flipped_workbook(capfd, tmp_path, data_dir, seed):
    data = _fuzz_mutation("bit_flips", (data_dir / XLSX).read_bytes(), seed)
    assert "Bad CRC-32" in both(capfd, _write(tmp_path, "cell.xlsx", data))


@pytest.mark.parametrize(("kind", "seed"), [("delete", 1767), ("bit_flips", 1277)])
def test_a_corrupt_ssblab_parquet_is_one_line_at_the_terminal(
    capfd, tmp_path, data_dir, kind, seed
):
    # delete/1767 makes polars panic: Rust printed the panic (27 lines with RUST_BACKTRACE)
    # to fd 2 before ssblab's line; bit_flips/1277 broke the metadata JSON
    good = tmp_path / "good.parquet"
    main(["read", str(data_dir / NDA), "-o", str(good)])
    path = _write(tmp_path, "run.parquet", _fuzz_mutation(kind, good.read_bytes(), seed))
    capfd.readouterr()
    for command in (["info", str(path)], ["read", str(path), "-o", str(tmp_path / "o.csv")]):
        with pytest.raises(SystemExit) as info:
            main(command)
        err = capfd.readouterr().err
        assert info.value.code == 2 and err.count("\n") == 1, err
        assert err.startswith(f"ssblab: error: {path}: "), err


def test_a_bit_flipped_nda_header(capfd, tmp_path, data_dir):
    content = bytearray((data_dir / NDA).read_bytes())
    content[0] ^= 0x01  # "NEWARE" -> "OEWARE"
    assert UNKNOWN in both(capfd, _write(tmp_path, "flipped.nda", bytes(content)))


@pytest.mark.parametrize(
    ("command", "words"),
    [
        (["eis", "fit", "-c", "R0-p(R1,CPE1)"], "3 points are too few to fit 4 parameters"),
        (["eis", "drt"], "DRT needs at least 5 frequencies, got 3"),
    ],
)
def test_a_spectrum_too_short_to_analyse_names_the_file(capfd, tmp_path, data_dir, command, words):
    # the EC-Lab PEIS export cut after three points; the messages named no file before
    lines = (data_dir / "eis/peis.mpt").read_bytes().splitlines(True)
    n_header = next(i for i, line in enumerate(lines) if line.startswith(b"freq/Hz")) + 1
    path = _write(tmp_path, "peis.mpt", b"".join(lines[: n_header + 3]))
    code, err = _exit(capfd, [*command[:2], str(path), *command[2:]])
    assert code == 2 and err == f"ssblab: error: {path}: {words}\n", err
