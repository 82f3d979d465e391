"""Rate tables on the half-cycle that CE and retention take as Q_out, on real files.

An anode half-cell (Li | electrode, + current = charge) gives its capacity back on the
charge (delithiation): its blocks are found on the charge currents and hold the mean
charge capacity, in columns named ``charge_*``. The rate table also reuses the run's
memoised cycle table (it built a new run and recomputed it on every call).
"""

from __future__ import annotations

import pytest

from ssblab.analysis import cycles
from ssblab.analysis.cycles import cycle_table
from ssblab.analysis.memo import clear_all
from ssblab.analysis.rate import block_keys, rate_table
from ssblab.io import read

#: Arbin .res, anode vs Li (0.37 V under current, lithiation first): cycles 1-3 at
#: 0.15 mA, 4-17 at 0.31 mA, cycle 18 a partial lithiation.
ARBIN = "arbin/20160805_test001_45_cc_01.res"
#: EC-Lab GCPL, anode vs Li: lithiation at 0.122, 0.120, 0.183 mA in cycles 2-4, the
#: delithiation at 0.184 mA in all three; cycles 1 and 5 partial.
GCPL = "biologic/gcpl.pr_182.2.mpr"


@pytest.fixture(autouse=True)
def _cold():
    clear_all()


def test_anode_half_cell_blocks_are_on_the_charge(data_dir):
    result = rate_table(read(data_dir / ARBIN))
    blocks = result.blocks
    assert (result.half, result.out_half) == ("charge", "charge (delithiation)")
    assert blocks.columns == list(block_keys("charge"))
    assert not [c for c in blocks.columns if "discharge" in c or c == "current_A"]
    assert blocks.get_column("cycles").to_list() == [3, 14]
    assert blocks.get_column("first_cycle").to_list() == [1, 4]
    current_mA = [1000 * i for i in blocks.get_column("charge_current_A").to_list()]
    assert current_mA == pytest.approx([0.15363, 0.30553], abs=1e-5)
    # mean delithiation of cycles 1-3 (1.6254, 1.6996, 1.7315 mAh) and of cycles 4-17;
    # the lithiation means (1.636, 1.487 mAh) are what the table showed before
    q_mAh = [1000 * q for q in blocks.get_column("charge_capacity_Ah").to_list()]
    assert q_mAh == pytest.approx([1.68549, 1.55031], abs=1e-5)
    per_cycle = cycle_table(read(data_dir / ARBIN)).table.get_column("charge_capacity_Ah")
    assert q_mAh[0] == pytest.approx(1000 * per_cycle[:3].mean(), rel=1e-12)
    assert q_mAh[1] == pytest.approx(1000 * per_cycle[3:17].mean(), rel=1e-12)
    specific = blocks.get_column("specific_charge_capacity_mAh_g").to_list()  # 0.853 mg
    assert specific == pytest.approx([1976.33, 1817.83], abs=0.01)
    assert result.recovery is None  # never back at 0.15 mA
    assert "partial cycles [18] are left out of ICE and retention" in result.notes


def test_anode_half_cell_blocks_follow_the_charge_current(data_dir):
    """The lithiation current changes at cycle 4 (0.12 -> 0.18 mA), the delithiation's does
    not: one block of 3 cycles at 0.184 mA (the discharge currents made two)."""
    result = rate_table(read(data_dir / GCPL))
    blocks = result.blocks
    assert blocks.height == 1
    row = blocks.row(0, named=True)
    assert (row["first_cycle"], row["last_cycle"], row["cycles"]) == (2, 4, 3)
    assert 1000 * row["charge_current_A"] == pytest.approx(0.18393, abs=1e-5)
    mean_mAh = (1.444982 + 1.395377 + 1.407143) / 3  # cycle table, cycles 2-4
    assert 1000 * row["charge_capacity_Ah"] == pytest.approx(mean_mAh, abs=1e-5)
    assert row["specific_charge_capacity_mAh_g"] == pytest.approx(261.707, abs=1e-3)  # 5.41 mg


def test_recovery_of_an_anode_half_cell_is_keyed_by_its_half():
    """Synthetic Li | graphite: lithiation always 1.0 mAh at 0.1 mA, delithiation 0.95 mAh at
    0.1 mA (2 cycles), 0.80 at 0.5 mA (2), 0.93 back at 0.1 mA (2): three charge blocks."""
    from cycling_data import cycling_table

    from ssblab.schema import Run, RunMeta

    q_out = [0.95e-3] * 2 + [0.80e-3] * 2 + [0.93e-3] * 2
    i_out = [1e-4] * 2 + [5e-4] * 2 + [1e-4] * 2
    table = cycling_table(q_out, [1e-3] * 6, i_out, 1e-4, first="discharge", points=20)
    result = rate_table(Run(table, RunMeta(cell_type="anode_half", active_mass_g=0.005)))
    assert result.half == "charge"
    assert result.blocks.get_column("cycles").to_list() == [2, 2, 2]
    q = result.blocks.get_column("specific_charge_capacity_mAh_g").to_list()
    assert q == pytest.approx([190.0, 160.0, 186.0], rel=1e-9)  # mAh per 5 mg
    rec = result.recovery
    assert rec is not None and (rec.block, rec.half) == (2, "charge")
    assert rec.ratio == pytest.approx(0.93 / 0.95, rel=1e-9)
    assert rec.to_dict() == pytest.approx(
        {"block": 2, "charge_capacity_Ah": 0.93e-3, "specific_charge_capacity_mAh_g": 186.0,
         "ratio": 0.93 / 0.95}, rel=1e-9
    )  # fmt: skip


def test_rate_table_reuses_the_runs_cycle_table(data_dir, monkeypatch):
    computed = []
    summary = cycles._summary
    monkeypatch.setattr(cycles, "_summary", lambda t: computed.append(1) or summary(t))
    run = read(data_dir / "neware/test_2.ndax")
    table = cycle_table(run)
    assert len(computed) == 1
    first = rate_table(run)
    assert len(computed) == 1  # the memoised table: was one more per call
    assert rate_table(run, rule="vendor") is first  # the rate table itself, once per run
    assert first.blocks.get_column("cycles").sum() == table.complete.height
    rate_table(run.table)  # a bare table: nothing kept, computed
    assert len(computed) == 2


def test_a_report_page_with_a_rate_test_computes_each_cycle_table_once(data_dir, monkeypatch):
    """test_2.ndax (13 rate blocks: the rate panel, the retention panel's and the summary's
    rate-test notes) and jdb11 (one current) on one page: 2 cycle tables, was 2 x 3."""
    from ssblab.report.build import make_panels
    from ssblab.report.inputs import collect
    from ssblab.report.summary import summary_rows

    computed = []
    summary = cycles._summary
    monkeypatch.setattr(cycles, "_summary", lambda t: computed.append(1) or summary(t))
    jdb11 = data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr"
    data = collect([data_dir / "neware/test_2.ndax", jdb11])
    rendered = make_panels(data)
    rows = summary_rows(data)
    assert "rate" in [p.key for p in rendered.panels]
    assert "rate_test: 13 " in rows[0]["flags"]  # 13 blocks
    assert len(computed) == 2


def test_a_run_of_one_half_cycle_is_refused_saying_why(data_dir):
    from ssblab.analysis.rate import rate_table
    from ssblab.errors import AnalysisError
    from ssblab.io import read

    path = data_dir / "biologic" / "cellpy_biol.mpr"
    if not path.is_file():
        pytest.skip(f"{path} is not in the data folder")
    # one delithiation only (4.977 mAh): a partial cycle, so no block can be formed
    with pytest.raises(AnalysisError, match=r"no cycle with a charge \(delithiation\).*1 partial"):
        rate_table(read(path))
