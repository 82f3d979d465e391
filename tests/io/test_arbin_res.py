"""Arbin ``.res`` reader on the real files, checked against independent decoders.

Independent references: ``access-parser`` (a pure-Python Access reader, row by
row, sharing no code with ours) for the raw table, and cellpy's decoded table
(``reference_cellpy/loader_arbin_res``) for the same file.
"""

from __future__ import annotations

import gzip

import numpy as np
import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis.cycles import cycles
from ssblab.errors import ReadError
from ssblab.io import detect, read
from ssblab.io.arbin.jet import JetFile

RES = "arbin/20160805_test001_45_cc_01.res"


@pytest.fixture(scope="module")
def res_run(data_dir):
    return read(data_dir / RES)


@pytest.fixture(scope="module")
def access_parser_table(data_dir) -> pl.DataFrame:
    """``Channel_Normal_Table`` decoded by access-parser, sorted by Data_Point."""
    access_parser = pytest.importorskip("access_parser")
    db = access_parser.AccessParser(str(data_dir / RES))
    return pl.DataFrame(db.parse_table("Channel_Normal_Table")).sort("Data_Point")


def test_res_is_detected_by_content(data_dir):
    assert detect(data_dir / RES) == "arbin_res"
    assert detect(data_dir / "arbin/mits7-0.res.gz") == "arbin_res"


def test_res_rows_and_values_match_access_parser(res_run, access_parser_table):
    ref = access_parser_table
    assert res_run.n_rows == ref.height == 10261
    t = res_run.table
    np.testing.assert_array_equal(t[s.VOLTAGE].to_numpy(), ref["Voltage"].to_numpy())
    np.testing.assert_array_equal(t[s.CURRENT].to_numpy(), ref["Current"].to_numpy())
    offset = ref["Test_Time"][0]
    np.testing.assert_allclose(t[s.TIME].to_numpy(), ref["Test_Time"].to_numpy() - offset)
    assert t[s.CYCLE].to_list() == ref["Cycle_Index"].to_list()
    assert t[s.STEP_INDEX].to_list() == ref["Step_Index"].to_list()
    assert res_run.meta.extra["test_time_offset_s"] == repr(offset)


def test_res_per_cycle_capacity_equals_the_files_own_counters(res_run, access_parser_table):
    """MITS Pro resets Charge/Discharge_Capacity each cycle: a cycle's capacity is its max."""
    ref = (
        access_parser_table.group_by("Cycle_Index")
        .agg(pl.col("Charge_Capacity").max(), pl.col("Discharge_Capacity").max())
        .sort("Cycle_Index")
    )
    got = cycles(res_run)
    assert got.height == 18
    np.testing.assert_allclose(got["charge_capacity_Ah"], ref["Charge_Capacity"], rtol=1e-12)
    np.testing.assert_allclose(got["discharge_capacity_Ah"], ref["Discharge_Capacity"], rtol=1e-12)
    # first cycle of this Si half-cell: 1.625 mAh charge (delithiation), 1.755 mAh discharge
    assert got["charge_capacity_Ah"][0] == pytest.approx(1.6253e-3, rel=1e-3)
    assert got["discharge_capacity_Ah"][0] == pytest.approx(1.7550e-3, rel=1e-3)


def test_res_counters_are_cumulative_and_sign_is_charge_positive(res_run):
    t = res_run.table
    for col in (s.CHARGE_CAPACITY, s.DISCHARGE_CAPACITY, s.CHARGE_ENERGY, s.DISCHARGE_ENERGY):
        assert (t[col].diff().drop_nulls() >= 0).all(), col
    # a counter rises while the current is positive (charge) or negative (discharge);
    # the first record of a new step may already carry the next step's current
    i, i_before = pl.col(s.CURRENT), pl.col(s.CURRENT).shift(1)
    rising = t.filter(pl.col(s.CHARGE_CAPACITY).diff() > 0)
    falling = t.filter(pl.col(s.DISCHARGE_CAPACITY).diff() > 0)
    assert rising.height > 4000 and falling.height > 4000
    assert t.filter((pl.col(s.CHARGE_CAPACITY).diff() > 0) & (i <= 0) & (i_before <= 0)).is_empty()
    assert t.filter(
        (pl.col(s.DISCHARGE_CAPACITY).diff() > 0) & (i >= 0) & (i_before >= 0)
    ).is_empty()


def test_res_agrees_with_cellpy_reference(res_run, data_dir):
    """cellpy keeps Arbin's raw values: voltage, current, cycle equal; time differs by offset.

    cellpy's ``date_time`` is the OLE date as a naive wall-clock datetime; ours is
    the same clock read as UTC, so the two agree to the microsecond.
    """
    ref = pl.read_parquet(data_dir / "arbin/reference_cellpy/loader_arbin_res/raw.parquet")
    ref = ref.sort("data_point")
    t = res_run.table
    assert ref.height == t.height
    np.testing.assert_array_equal(t[s.VOLTAGE].to_numpy(), ref["voltage"].to_numpy())
    np.testing.assert_array_equal(t[s.CURRENT].to_numpy(), ref["current"].to_numpy())
    assert t[s.CYCLE].to_list() == ref["cycle_index"].to_list()
    ref_unix = ref["date_time"].dt.epoch("us").to_numpy() / 1e6
    np.testing.assert_allclose(t[s.UNIX_TIME].to_numpy(), ref_unix, atol=1e-3)
    # cellpy's per-cycle counters are Arbin's reset-per-cycle ones; ours are cumulative
    last = t.group_by(s.CYCLE).agg(pl.col(s.CHARGE_CAPACITY).max()).sort(s.CYCLE)
    ref_sum = ref.group_by("cycle_index").agg(pl.col("charge_capacity").max()).sort("cycle_index")
    np.testing.assert_allclose(
        last[s.CHARGE_CAPACITY].to_numpy(), np.cumsum(ref_sum["charge_capacity"].to_numpy())
    )


def test_res_metadata(res_run):
    meta = res_run.meta
    assert meta.source_format == "arbin_res"
    assert meta.cell_name == "20160805_sic006_45_cc_01-01-003"
    assert meta.channel == "3"
    assert meta.active_mass_g == pytest.approx(8.528e-4, rel=1e-3)
    assert meta.start_time_utc.startswith("2016-08-05T16:16:23")
    assert meta.timezone == "UTC" and any("UTC" in n for n in meta.notes)
    assert meta.rows_skipped == 0


def test_mits7_gz_reads_every_declared_row(data_dir):
    """MITS 7 schema (extra TC_Counter/ACR columns); its table declares 8 rows, as cellpy found."""
    run = read(data_dir / "arbin/mits7-0.res.gz")
    db = JetFile(gzip.decompress((data_dir / "arbin/mits7-0.res.gz").read_bytes()), "mits7")
    declared = db.table("Channel_Normal_Table").n_rows
    assert run.n_rows == declared == 8
    assert run.meta.cell_name == "kigr_pouch1-01-001"
    assert run.meta.instrument == "Arbin PV7.0 Build: 180508USB"
    assert run.table[s.TIME].to_list()[:3] == pytest.approx([0.0, 20.0008, 40.001])
    assert run.table[s.VOLTAGE][0] == pytest.approx(0.13026524, rel=1e-6)


def test_gitt_files_read_in_sequence(data_dir):
    runs = [read(data_dir / f"gitt/20210210_FC_01_cc_0{i}.res") for i in (1, 2, 3)]
    assert [r.n_rows for r in runs] == [7218, 26989, 26286]
    starts = [r.table[s.UNIX_TIME][0] for r in runs]
    ends = [r.table[s.UNIX_TIME][-1] for r in runs]
    assert starts[0] < ends[0] <= starts[1] < ends[1] <= starts[2]


def test_arbin_example_res(data_dir):
    run = read(data_dir / "arbin/arbin_example.res")
    assert run.n_rows == 2150
    per_cycle = cycles(run)
    assert per_cycle["cycle"].to_list()[:3] == [1, 2, 3]
    assert per_cycle["coulombic_efficiency"][1] == pytest.approx(0.99497, rel=1e-4)


# --- bad input -------------------------------------------------------------
def test_truncated_res_is_refused(data_dir, tmp_path):
    bad = tmp_path / "cut.res"
    bad.write_bytes((data_dir / RES).read_bytes()[:1_000_000])
    with pytest.raises(ReadError, match=r"cut\.res.*truncated"):
        read(bad)


def test_res_cut_at_a_page_boundary_is_refused(data_dir, tmp_path):
    bad = tmp_path / "short.res"
    bad.write_bytes((data_dir / RES).read_bytes()[: 20 * 4096])
    with pytest.raises(ReadError, match=r"short\.res"):
        read(bad)


def test_empty_res_is_refused(tmp_path):
    empty = tmp_path / "empty.res"
    empty.write_bytes(b"")
    with pytest.raises(ReadError, match=r"empty\.res.*empty"):
        read(empty)


def test_garbage_renamed_res_is_refused(tmp_path):
    junk = tmp_path / "junk.res"
    junk.write_bytes(np.random.default_rng(1).bytes(50_000))
    with pytest.raises(ReadError, match=r"junk\.res"):
        read(junk)
    with pytest.raises(ReadError, match=r"junk\.res: not a Microsoft Access"):
        read(junk, format="arbin_res")


def test_gzip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.res.gz"
    header = b"\x00\x01\x00\x00Standard Jet DB\x00" + b"\x01" * 12
    bomb.write_bytes(gzip.compress(header + bytes(60_000_000), compresslevel=9))
    with pytest.raises(ReadError, match=r"bomb\.res\.gz.*bomb"):
        read(bomb)


def test_lost_data_page_is_counted_not_dropped_silently(data_dir, tmp_path):
    content = bytearray((data_dir / RES).read_bytes())
    page = 100  # a data page of Channel_Normal_Table (pages 32-288 in this file)
    n_on_page = int.from_bytes(content[page * 4096 + 12 : page * 4096 + 14], "little")
    content[page * 4096 : (page + 1) * 4096] = bytes(4096)
    damaged = tmp_path / "damaged.res"
    damaged.write_bytes(bytes(content))
    run = read(damaged)
    assert n_on_page > 0
    assert run.n_rows == 10261 - n_on_page
    assert run.meta.rows_skipped == n_on_page
    assert f"{n_on_page} records declared by Channel_Normal_Table but absent" in " ".join(
        run.meta.notes
    )


def test_corrupted_bytes_give_a_run_or_a_read_error(data_dir, tmp_path):
    """Seeded fuzzing of the structure pages: never another exception type."""
    from ssblab.io.arbin.res import read_res

    source = (data_dir / "arbin/arbin_example.res").read_bytes()
    rng = np.random.default_rng(7)
    outcomes = {"run": 0, "refused": 0}
    for i in range(60):
        content = bytearray(source)
        for _ in range(int(rng.integers(1, 60))):
            page = int(rng.integers(0, 60))
            content[page * 4096 + int(rng.integers(0, 4096))] = int(rng.integers(0, 256))
        path = tmp_path / f"fuzz{i}.res"
        path.write_bytes(bytes(content))
        try:
            read_res(path)
            outcomes["run"] += 1
        except ReadError as exc:
            assert str(exc).startswith(str(path))
            outcomes["refused"] += 1
    assert outcomes["run"] + outcomes["refused"] == 60
    assert outcomes["refused"] > 0


def test_cycles_and_sign_agree_with_channel_statistic_table(res_run, data_dir):
    """Arbin's own per-cycle statistics: the last Data_Point of each finished cycle and
    the time spent charging / discharging. Ours: the last record of each cycle, and
    the summed time steps whose current is > 0 / < 0 (same to 1e-5)."""
    db = JetFile((data_dir / RES).read_bytes(), RES)
    stats = pl.DataFrame(db.fixed_columns(db.table("Channel_Statistic_Table"))[0])
    stats = stats.sort("Data_Point")
    t = res_run.table.with_row_index("point", offset=1)
    step = pl.col(s.TIME).diff().fill_null(0.0)
    ours = (
        t.group_by(s.CYCLE)
        .agg(
            pl.col("point").max(),
            step.filter(pl.col(s.CURRENT) > 0).sum().alias("charge_s"),
            step.filter(pl.col(s.CURRENT) < 0).sum().alias("discharge_s"),
        )
        .sort(s.CYCLE)
        .head(stats.height)  # the last cycle is unfinished: no statistics row yet
    )
    assert stats.height == 17
    assert ours["point"].to_list() == stats["Data_Point"].to_list()
    np.testing.assert_allclose(ours["charge_s"], stats["Charge_Time"], rtol=1e-5)
    np.testing.assert_allclose(ours["discharge_s"], stats["Discharge_Time"], rtol=1e-5)


def test_truncated_gzip_is_refused(data_dir, tmp_path):
    cut = tmp_path / "cut.res.gz"
    cut.write_bytes((data_dir / "arbin/mits7-0.res.gz").read_bytes()[:8000])
    with pytest.raises(ReadError, match=r"cut\.res\.gz: corrupt gzip data"):
        read(cut)


def test_aux_temperature_channel_matches_mdb_export(data_dir):
    """aux_one_x_dx.res: one thermocouple (unit C) with Arbin's dX/dt, aligned by Data_Point."""
    import shutil
    import subprocess

    path = data_dir / "arbin" / "aux_one_x_dx.res"
    run = read(path)
    t = run.table
    assert t.height == 7235
    aux_rate = "Aux 1 Temperature dX/dt / degC/s"
    assert {s.TEMPERATURE, aux_rate} <= set(t.columns)
    # first rows as mdb-export prints Auxiliary_Table: X 24.406582, dX_dt 0.1116178
    assert t[s.TEMPERATURE][0] == pytest.approx(24.406582, abs=1e-6)
    assert t[aux_rate][0] == pytest.approx(0.1116178, rel=1e-6)
    assert any("auxiliary channel 1 (unit C)" in n for n in run.meta.notes)
    if shutil.which("mdb-export") is None:
        pytest.skip("mdbtools not installed: the full comparison needs mdb-export")
    text = subprocess.run(
        ["mdb-export", str(path), "Auxiliary_Table"], capture_output=True, text=True, check=True
    ).stdout
    ref = pl.read_csv(text.encode()).sort("Data_Point")
    np.testing.assert_allclose(t[s.TEMPERATURE].to_numpy(), ref["X"].to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(t[aux_rate].to_numpy(), ref["dX_dt"].to_numpy(), rtol=1e-6)
