"""The literature benchmark: every Table S1 value checked against the seed text itself."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from ssblab.bench.data import BenchError, add_rows, anodes, seed_results
from ssblab.bench.query import query
from ssblab.cli import app

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _seed_text(prefix: str) -> str:
    files = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not files:
        pytest.skip(f"seed papers not found in {SEEDS}")
    return files[0].read_text("utf-8")


def _name(raw: str) -> str:
    return re.sub(r"[\s_{}]", "", raw.translate(SUB))


def _number(raw: str) -> float:
    return float(re.match(r"\s*([0-9.]+)", raw).group(1))


def _table_s1() -> list[list[str]]:
    text = _seed_text("000")
    start = text.index("Anode\tN/P ratio")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if not line.strip():
            break
        rows.append(line.split("\t"))
    return rows


def test_all_15_rows_match_the_seed_text():
    seed = _table_s1()
    assert len(seed) == 15
    ours = anodes(include_user=False)
    assert ours.height == 15
    for raw, row in zip(seed, ours.iter_rows(named=True), strict=True):
        anode, np_text, areal, cycles, current, cathode, ice, ref = raw
        assert _name(row["anode"]) == _name(anode)
        assert row["np_ratio_text"] == np_text.strip()
        assert row["np_ratio"] == pytest.approx(_number(np_text))
        assert row["areal_capacity_mAh_cm2"] == pytest.approx(_number(areal))
        assert row["cycles"] == int(cycles)
        assert row["current_density_mA_cm2"] == pytest.approx(_number(current))
        assert row["cathode_loading_mg_cm2"] == pytest.approx(_number(cathode))
        assert cathode.strip().endswith(row["cathode"])
        assert row["ice_percent"] == pytest.approx(_number(ice))
        assert row["reference"] == ref.strip()
        assert row["source"] and row["location"].startswith("Supplementary Table 1")


def test_lialo2_reported_numbers_appear_in_the_seed_text():
    text = _seed_text("003")
    results = seed_results().filter(pl.col("study") == "lialo2")
    expected = {
        3000,
        1400,
        1600,
        1000,
        300,
        200,
        78,
        80,
        100,
        380,
        191,
        2134,
        1050,
        4000,
        125,
        110,
        94,
        124,
        92,
        70,
        40,
        96,
        118,
        96.6,
        83.6,
        95,
        604,
        473,
        1399,
        4997,
    }
    assert {float(v) for v in results["value"]} >= {float(v) for v in expected}
    for value in results["value"]:
        token = f"{value:g}"
        assert re.search(rf"(?<![0-9.]){re.escape(token)}(?![0-9])", text), token


def test_derived_columns_are_computed():
    row = anodes(include_user=False).filter(pl.col("anode") == "Al powder").row(0, named=True)
    assert row["c_rate"] == pytest.approx(7 / 5.3)
    assert row["cumulative_areal_capacity_mAh_cm2"] == pytest.approx(5.3 * 1000)


def test_query_where_and_sql():
    low = query("np_ratio < 1.2", include_user=False)
    assert set(low["anode"]) == {"Al powder", "Li0.8Al", "μSi", "Li-Si-HC"}
    agg = query(sql="SELECT count(*) AS n FROM anodes WHERE cathode = 'S'", include_user=False)
    assert agg["n"][0] == 2
    with pytest.raises(BenchError, match="invalid benchmark query"):
        query("no_such_column > 1")
    with pytest.raises(BenchError):
        query(sql="SELECT * FROM read_csv('/etc/passwd')")


def test_add_rows_validates_all_or_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SSBLAB_HOME", str(tmp_path / "home"))
    good = tmp_path / "good.csv"
    good.write_text(
        "anode,np_ratio,areal_capacity_mAh_cm2,cycles,source\nMy Al,1.2,4.5,300,my notebook\n"
    )
    assert add_rows(good) == 1
    assert "My Al" in set(anodes()["anode"])
    bad = tmp_path / "bad.csv"
    bad.write_text("anode,np_ratio,source\nX,-1,me\n,2,me\n")
    with pytest.raises(BenchError, match=r"2 bad row\(s\), nothing written: line 2: np_ratio"):
        add_rows(bad)
    assert anodes().height == 16


def test_cli_list_json_keys():
    result = CliRunner().invoke(app, ["bench", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    keys = {
        "anode",
        "np_ratio",
        "np_ratio_text",
        "areal_capacity_mAh_cm2",
        "cycles",
        "current_density_mA_cm2",
        "cathode",
        "cathode_loading_mg_cm2",
        "ice_percent",
        "source",
    }
    assert len(rows) >= 15 and keys <= set(rows[0])


def test_cli_plot_marks_a_recipe(tmp_path, examples_dir):
    out = tmp_path / "plots"
    recipe = examples_dir / "al-lpsc-composite_ncm622.toml"
    result = CliRunner().invoke(
        app, ["bench", "plot", "-o", str(out), "--recipe", str(recipe), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["files"]) == 3 and all(Path(f).stat().st_size > 10_000 for f in data["files"])
    assert data["mark"]["np_ratio"] == pytest.approx(0.9385, abs=1e-3)
