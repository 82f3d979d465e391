"""Neware step types in RunMeta.extra["step_types"], checked against NewareNDA and BTSDA."""

from __future__ import annotations

import polars as pl
import pytest

from ssblab.analysis import recognize as rz
from ssblab.io import read
from ssblab.io.neware.common import step_type_names


@pytest.mark.parametrize(
    ("name", "expected", "rest_records"),
    [
        ("test_2.ndax", "CC Chg,CC DChg,Rest", 9368),
        ("TestFile.nda", "CC DChg,CC Chg,CV Chg,Rest", 1719),
    ],
)
def test_step_types_match_newarenda(data_dir, name, expected, rest_records):
    folder = data_dir / "neware"
    run = read(folder / name)
    assert run.meta.extra["step_types"] == expected
    ref = pl.read_ipc(folder / "reference_newarenda" / (name.rsplit(".", 1)[0] + ".ftr"))
    statuses = ref["Status"].cast(pl.String).str.replace("_", " ")
    assert set(expected.split(",")) == set(statuses.unique().to_list())
    assert int((statuses == "Rest").sum()) == rest_records
    # recognition reads them: a cycling run whose first step is a rest
    rec = rz.recognize(run)
    assert (rec.kind, rec.source) == (rz.CYCLING, "vendor technique")


def test_step_types_of_a_btsda_export(data_dir):
    path = data_dir / "neware" / "neware_uio.btsda-export.csv"
    raw = pl.read_csv(path, columns=["Step Type"], encoding="utf8-lossy")
    assert raw["Step Type"].unique(maintain_order=True).to_list() == ["Rest", "CC DChg", "CC Chg"]
    assert read(path).meta.extra["step_types"] == "CC DChg,CC Chg,Rest"


def test_sim_profile_is_recognised_from_its_current(data_dir):
    """SIM.nda.zip names only SIM (no pattern) and Rest: the data's current decides."""
    run = read(data_dir / "neware" / "SIM.nda.zip")
    assert run.meta.extra["step_types"] == "SIM,Rest"
    assert rz.recognize(run).kind == rz.CYCLING


def test_step_type_names_orders_active_first_and_names_unknown_codes():
    codes = pl.Series([4, 4, 1, 13, 2, 1, 99, None])
    assert step_type_names(codes) == "CC Chg,CC DChg,code 99,Rest,Pause"
    assert step_type_names(pl.Series(["Rest", " CCCV Chg", "", None])) == "CCCV Chg,Rest"
    assert step_type_names(pl.Series([], dtype=pl.Int64)) == ""


def test_step_types_of_a_regular_export(data_dir):
    """The export's step rows (',<index>,<number>,<type>,...') name 40 Rest, 20 CC Chg and
    20 CC DChg steps."""
    import csv
    from collections import Counter

    path = data_dir / "neware" / "nw_regular_export_ife_example.csv"
    with open(path, encoding="latin-1", newline="") as fh:
        rows = list(csv.reader(fh))
    steps = Counter(r[3] for r in rows if len(r) > 3 and r[0] == "" and r[1].strip().isdigit())
    assert steps == {"Rest": 40, "CC Chg": 20, "CC DChg": 20}
    run = read(path)
    assert run.meta.extra["step_types"] == "CC Chg,CC DChg,Rest"
    assert rz.recognize(run).source == "vendor technique"
