"""Cell metadata resolution: header, cells.toml, sidecar, recipe, options (mg throughout)."""

from __future__ import annotations

import shutil

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.cellmeta import CellMetaError, cell_meta, resolve, sources_of
from ssblab.schema import Run, RunMeta


def _run(path, **meta):
    t = pl.DataFrame({s.TIME: [0.0, 1.0], s.VOLTAGE: [3.0, 3.1], s.CURRENT: [1e-3, 1e-3]})
    return Run(t, RunMeta(source=str(path), **meta))


def test_header_only(tmp_path):
    cm = cell_meta(_run(tmp_path / "a.csv", active_mass_g=0.00079, area_cm2=1.0))
    assert cm.active_mass_mg == pytest.approx(0.79)
    assert cm.loading_mg_cm2 == pytest.approx(0.79)
    assert cm.sources["active_mass_mg"] == "file header"


def test_precedence_folder_sidecar_recipe_option(tmp_path, examples_dir):
    data = tmp_path / "cell_07.mpr"
    (tmp_path / "cells.toml").write_text(
        '["cell_*"]\nactive_mass_mg = 5.0\narea_cm2 = 2.0\ncell_type = "anode_half"\n'
        '["cell_07*"]\nactive_mass_mg = 6.0\n'
    )
    run = _run(data, active_mass_g=0.004)
    cm = cell_meta(run, data)
    assert (cm.active_mass_mg, cm.area_cm2, cm.cell_type) == (6.0, 2.0, "anode_half")
    assert cm.sources["active_mass_mg"] == "cells.toml [cell_07*]"
    (tmp_path / "cell_07.mpr.cell.toml").write_text(
        'loading_mg_cm2 = 4.0\nchemistry = "Si|LPSC|Li"\nprocedure = ["Rest for 1 hour"]\n'
    )
    cm = cell_meta(run, data)
    assert cm.active_mass_mg == 6.0 and cm.loading_mg_cm2 == 4.0  # given, not recomputed
    assert cm.procedure == ("Rest for 1 hour",)
    cm = cell_meta(run, data, recipe=examples_dir / "al-foil_ncm622.toml")
    assert cm.active_mass_mg == pytest.approx(23.52) and cm.cell_type == "full"
    cm = cell_meta(run, data, recipe=examples_dir / "al-foil_ncm622.toml", mass_mg=7.5)
    assert cm.active_mass_mg == 7.5 and cm.sources["active_mass_mg"] == "option"
    resolved = resolve(run, data, mass_mg=7.5)
    assert resolved.meta.active_mass_g == pytest.approx(0.0075)
    assert resolved.meta.cell_type == "anode_half"
    assert any("cells.toml" in n for n in resolved.meta.notes)
    assert sources_of(resolved)["active_mass_mg"] == "option"
    assert sources_of(resolved)["cell_type"] == "cells.toml [cell_*]"


def test_mass_from_loading(tmp_path):
    data = tmp_path / "x.csv"
    (tmp_path / "x.csv.cell.toml").write_text("loading_mg_cm2 = 10.0\narea_cm2 = 0.5\n")
    assert cell_meta(_run(data), data).active_mass_mg == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("mass = 3\n", "unknown key 'mass'"),
        ("active_mass_mg = -1\n", "positive number"),
        ('cell_type = "half"\n', "cell_type 'half'"),
        ("active_mass_mg = [\n", "cannot be read as TOML"),
    ],
)
def test_bad_sidecar_is_one_line(tmp_path, text, match):
    data = tmp_path / "x.csv"
    (tmp_path / "x.csv.cell.toml").write_text(text)
    with pytest.raises(CellMetaError, match=match) as err:
        cell_meta(_run(data), data)
    assert "\n" not in str(err.value) and "x.csv.cell.toml" in str(err.value)


def test_symmetric_recipe_gives_no_mass(tmp_path, examples_dir):
    cm = cell_meta(_run(tmp_path / "y.csv"), recipe=examples_dir / "sym-li-bare_lgps.toml")
    assert cm.cell_type == "symmetric" and cm.active_mass_mg is None
    assert cm.area_cm2 == pytest.approx(0.7854, rel=1e-4)


def test_real_file_with_sidecar_changes_conventions(data_dir, tmp_path):
    from ssblab.analysis.metrics import metrics
    from ssblab.io import read

    src = data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
    data = tmp_path / src.name
    shutil.copyfile(src, data)  # a temporary copy, so a sidecar can sit beside it
    (tmp_path / (src.name + ".cell.toml")).write_text(
        'active_mass_mg = 10.0\ncell_type = "cathode_half"\n'
    )
    run = resolve(read(data), data)
    m = metrics(run)
    assert m.cell_type == "cathode_half"
    spec = m.table.get_column("specific_discharge_capacity_mAh_g")[1]
    assert spec == pytest.approx(1000 * 0.852855e-3 / 0.010, rel=1e-4)
