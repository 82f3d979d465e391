"""Gathering report inputs: labels, Parquet with metadata, spectra, bad input."""

from __future__ import annotations

import pytest

from ssblab.errors import SsblabError
from ssblab.report.inputs import collect, is_symmetric


def test_same_cell_name_gets_unique_labels(make_cycling):
    a, b = make_cycling(n_cycles=2, name="cell A"), make_cycling(n_cycles=2, name="cell A")
    data = collect([a, b])
    assert [r.label for r in data.runs] == ["cell A", "cell A (2)"]


def test_parquet_keeps_the_run_metadata(cycling, tmp_path):
    from ssblab.io.bdf import write_parquet

    path = write_parquet(cycling, tmp_path / "run.parquet")
    (item,) = collect([path]).runs
    assert item.label == "NCM622 full cell"
    assert item.run.meta.active_mass_g == pytest.approx(0.008)
    assert item.run.n_rows == cycling.n_rows


def test_spectrum_parquet_is_a_spectrum(eis_table, tmp_path):
    path = tmp_path / "eis.parquet"
    eis_table.write_parquet(path)
    data = collect([path])
    assert len(data.spectra) == 1 and not data.runs
    assert data.spectra[0].table.height == 71


def test_multi_spectrum_table_is_split_and_capped(eis_table):
    import polars as pl

    from ssblab import schema as s

    many = pl.concat(
        [eis_table.with_columns(pl.lit(k, dtype=pl.Int64).alias(s.CYCLE)) for k in range(1, 11)]
    )
    data = collect([many])
    assert [sp.label for sp in data.spectra] == ["cell #1", "cell #4", "cell #7", "cell #10"]
    assert data.notes == ["cell: 4 of its 10 spectra shown"]


def test_symmetric_detection(cycling, symmetric):
    assert is_symmetric(symmetric) and not is_symmetric(cycling)


def test_unknown_input_type_is_refused():
    with pytest.raises(SsblabError, match="not a run, an EIS table, a design or a file path"):
        collect([42])


def test_corrupt_parquet_is_one_line(tmp_path):
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really parquet")
    with pytest.raises(SsblabError, match=r"bad\.parquet"):
        collect([bad])


def test_one_recipe_gives_its_cathode_mass_to_runs_without_one(make_cycling, examples_dir):
    pytest.importorskip("ssblab.design")
    from ssblab.report.inputs import normalise_with_recipe

    base = make_cycling(n_cycles=2)
    bare = base.meta.with_(active_mass_g=None, area_cm2=None)
    from ssblab.schema import Run

    data = normalise_with_recipe(
        collect([Run(base.table, bare), base, examples_dir / "al-foil_ncm622.toml"])
    )
    recipe_cathode = data.designs[0].data["cathode"]
    first, second = data.runs
    assert first.run.meta.active_mass_g == pytest.approx(recipe_cathode["active_mass_mg"] / 1e3)
    assert first.run.meta.area_cm2 == pytest.approx(data.designs[0].data["area_cm2"])
    assert "from recipe" in first.run.meta.notes[-1]
    assert second.run.meta.active_mass_g == pytest.approx(0.008)  # its own mass is kept


def test_two_recipes_leave_runs_alone(make_cycling, examples_dir):
    pytest.importorskip("ssblab.design")
    from ssblab.report.inputs import normalise_with_recipe
    from ssblab.schema import Run

    base = make_cycling(n_cycles=2)
    bare = Run(base.table, base.meta.with_(active_mass_g=None))
    recipes = [examples_dir / "al-foil_ncm622.toml", examples_dir / "al-lpsc-composite_ncm622.toml"]
    data = normalise_with_recipe(collect([bare, *recipes]))
    assert data.runs[0].run.meta.active_mass_g is None
