"""Experiment recognition on the real instrument files."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from ssblab import schema as s
from ssblab.analysis import recognize as rz
from ssblab.errors import AnalysisError, UnknownFormatError
from ssblab.flags import NotApplicableError
from ssblab.io import read
from ssblab.schema import Run, RunMeta

CASES = [
    ("maccor/xTESLADIAG_000019_CH70.070", rz.CYCLING, rz.FULL),
    ("arbin/bs542_004_gr_li_50ua_50mv_1v_191020_Channel_11.xlsx", rz.CYCLING, rz.ANODE_HALF),
    ("land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", rz.CYCLING, rz.ANODE_HALF),
    ("biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr", rz.CYCLING, rz.FULL),
    ("neware/test_2.ndax", rz.CYCLING, rz.FULL),
    (
        "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_01_GCPL_C05.mpr",
        rz.CYCLING,
        rz.SYMMETRIC,
    ),
    ("biologic/gcpl.pr_182.1.mpr", rz.CYCLING, rz.THREE_ELECTRODE),
    ("biologic/cv.mpr", rz.CV, ""),
    ("biologic/cv.mpt", rz.CV, ""),
    ("biologic/cp.mpr", rz.CP, rz.THREE_ELECTRODE),
    ("biologic/PEIS-0.mpr", rz.EIS, ""),
    ("biologic/peis.mpt", rz.EIS, ""),
    (
        "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_02_GEIS_C05.mpr",
        rz.EIS,
        "",
    ),
    ("gitt/20210210_FC_01_cc_01.res", rz.CYCLING, rz.FULL),
    ("gitt/20210210_FC_01_cc_02.res", rz.GITT, rz.FULL),
    ("gitt/20210210_FC_01_cc_03.res", rz.GITT, rz.FULL),
    # CC-CV cycling whose CV holds take most of the time is still cycling, not a hold
    ("neware/nw4-120-1-6-53.ndax", rz.CYCLING, rz.FULL),
    ("maccor/maccor_001.txt", rz.CYCLING, rz.FULL),
    # cellpy's silicon-vs-Li biol.mpr: voltage 0.12-1.0 V, never negative, current
    # mostly positive; it was called Li||Li because most records agree in sign
    ("biologic/cellpy_biol.mpr", rz.CYCLING, rz.ANODE_HALF),
]


@pytest.mark.parametrize(("name", "kind", "cell_type"), CASES)
def test_real_files_are_recognised(data_dir, name, kind, cell_type):
    rec = rz.recognize(read(data_dir / name))
    assert (rec.kind, rec.cell_type) == (kind, cell_type), rec.evidence


def test_formation_file_has_no_gitt_and_gitt_file_counts_pulses(data_dir):
    formation = rz.recognize(read(data_dir / "gitt/20210210_FC_01_cc_01.res"))
    assert not formation.has(rz.GITT)
    gitt = rz.recognize(read(data_dir / "gitt/20210210_FC_01_cc_02.res"))
    pulses = [e for e in gitt.evidence if "GITT pulses" in e]
    assert pulses and 150 < int(pulses[0].split()[0]) < 200


def test_rate_test_is_not_gitt(data_dir):
    # test_2.ndax: a rate test with 60 s rests between every half-cycle
    assert not rz.recognize(read(data_dir / "neware/test_2.ndax")).has(rz.GITT)


def test_three_electrode_t_cell(data_dir):
    try:
        run = read(data_dir / "threeelectrode/T-cell_pOCV_data.txt")
    except UnknownFormatError as exc:
        pytest.skip(f"no reader for the T-cell export yet: {exc}")
    assert rz.recognize(run).cell_type == rz.THREE_ELECTRODE


def test_vendor_technique_wins_over_data():
    t = pl.DataFrame({s.TIME: [0.0, 1.0, 2.0], s.VOLTAGE: [3.0, 3.1, 3.2], s.CURRENT: [1e-3] * 3})
    meta = RunMeta(extra={"technique": "Cyclic Voltammetry"})
    rec = rz.recognize(Run(t, meta))
    assert rec.kind == rz.CV and rec.source == "vendor technique"


def test_metadata_cell_type_wins(data_dir):
    run = read(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    rec = rz.recognize(Run(run.table, run.meta.with_(cell_type=rz.CATHODE_HALF)))
    assert (rec.cell_type, rec.cell_type_source) == (rz.CATHODE_HALF, "metadata")


def test_require_refuses_with_one_line_and_force_flags(data_dir):
    run = read(data_dir / "biologic/jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr")
    with pytest.raises(NotApplicableError) as err:
        rz.require(run, [rz.CV], analysis="cv")
    message = str(err.value)
    assert "\n" not in message and "galvanostatic cycling" in message and "--force" in message
    flags = rz.require(run, [rz.CV], analysis="cv", force=True)
    assert [f.code for f in flags] == ["forced"]
    assert rz.require(run, [rz.CYCLING]) == ()
    with pytest.raises(NotApplicableError, match="symmetric"):
        rz.require(run, [rz.CYCLING], cell_types=[rz.SYMMETRIC], analysis="symmetric")


def _triangle_cv() -> pl.DataFrame:
    """3.0-4.0 V at 1 mV/s, two cycles, a redox peak on a small constant baseline."""
    import numpy as np

    up = np.linspace(3.0, 4.0, 1000, endpoint=False)
    v = np.tile(np.concatenate([up, up[::-1]]), 2)
    sign = np.tile(np.concatenate([np.ones(1000), -np.ones(1000)]), 2)
    current = sign * (1e-5 + 2e-4 * np.exp(-(((v - 3.6) / 0.03) ** 2)))
    return pl.DataFrame({s.TIME: np.arange(v.size) * 1.0, s.VOLTAGE: v, s.CURRENT: current})


def test_synthetic_sweep_is_cv_and_linear_galvanostatic_is_cycling():
    from cycling_data import cycling_table

    assert rz.recognize(Run(_triangle_cv())).kind == rz.CV
    # a linear OCV makes the voltage sweep at one rate too: the held current decides
    gcd = cycling_table([1e-3] * 3, [0.9e-3] * 3, 1e-4, 1e-4)
    assert rz.recognize(Run(gcd)).kind == rz.CYCLING


def test_long_li_li_plating_export(data_dir):
    name = "symmetric/jr862_11_08_23_insitu-impedance-LiLi_1MLiTFSI_TEGDME-1mA_03_GCPL_C05.txt"
    try:
        run = read(data_dir / name)
    except UnknownFormatError as exc:
        pytest.skip(f"no reader for the 2-column EC-Lab export yet: {exc}")
    assert rz.recognize(run).cell_type == rz.SYMMETRIC


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("CC Chg, Rest, CC DChg, CV Chg", (rz.CYCLING, rz.OCV)),
        ("CCCV Chg, CP DChg, Pause", (rz.CYCLING, rz.OCV)),
        ("Potentio Electrochemical Impedance Spectroscopy", (rz.EIS,)),
        ("Galvanostatic Cycling with Potential Limitation", (rz.CYCLING,)),
        ("Chronopotentiometry", (rz.CP,)),
        ("LSV", (rz.CV,)),
        ("Modulo Bat", ()),
    ],
)
def test_vendor_technique_names(text, kinds):
    assert rz.vendor_kinds(RunMeta(extra={"step_types": text}))[0] == kinds


def test_empty_run_is_refused_by_every_analysis():
    empty = Run(
        pl.DataFrame(schema={s.TIME: pl.Float64, s.VOLTAGE: pl.Float64, s.CURRENT: pl.Float64})
    )
    rec = rz.recognize(empty)
    assert rec.kinds == () and rec.evidence == ("the table has no rows",)
    for force in (False, True):  # no rows: nothing to force, whatever the analysis
        with pytest.raises(AnalysisError, match=r"^the table has no rows$"):
            rz.require(rec, [rz.GITT], analysis="gitt", force=force)
    empty_file = Run(empty.table, meta=replace(empty.meta, source="wait.mpr"))
    with pytest.raises(AnalysisError, match=r"^wait\.mpr: the table has no rows$"):
        rz.require(empty_file, [rz.CYCLING], analysis="cycles")


def test_t_cell_columns_are_a_three_electrode_cell(data_dir):
    """The T-cell export parsed here by hand (tab-separated, decimal comma), until a reader
    exists: Ewe = cathode vs reference, Ece = anode vs reference, Ewe-Ece = the cell."""
    raw = pl.read_csv(
        data_dir / "threeelectrode/T-cell_pOCV_data.txt",
        separator="\t",
        decimal_comma=True,
        columns=["time/s", "Ewe/V", "Ece/V", "I/mA", "Ewe-Ece/V"],
        schema_overrides=dict.fromkeys(
            ["time/s", "Ewe/V", "Ece/V", "I/mA", "Ewe-Ece/V"], pl.Float64
        ),
    )
    t0 = raw.get_column("time/s")[0]
    table = s.conform(
        pl.DataFrame(
            {
                s.TIME: raw.get_column("time/s") - t0,
                s.VOLTAGE: raw.get_column("Ewe-Ece/V"),
                s.CURRENT: raw.get_column("I/mA") / 1000.0,
                s.WE_POTENTIAL: raw.get_column("Ewe/V"),
                s.CE_POTENTIAL: raw.get_column("Ece/V"),
            }
        )
    )
    rec = rz.recognize(Run(table))
    assert (rec.kind, rec.cell_type) == (rz.CYCLING, rz.THREE_ELECTRODE)


def test_anode_half_cell_is_described_with_an(data_dir):
    # "galvanostatic cycling of a anode half-cell" was printed by every refusal and the report
    rec = rz.recognize(read(data_dir / "land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv"))
    assert "cycling of an anode half-cell" in rec.describe()


def test_negative_voltage_is_not_called_a_full_cell_silently(data_dir):
    # new_nda_file.nda sits at -0.10 V (-0.101 to -0.085 V): "median voltage -0.10 V;
    # a cathode half-cell looks the same" passed it off as a full cell
    table = read(data_dir / "neware/new_nda_file.nda").table
    cell_type, why = rz.cell_type_from_data(table)
    assert cell_type == rz.FULL and "median voltage -0.10 V under current is negative" in why


def _flat_cv(held: bool = False, leak: float = 4e-7) -> Run:
    """3.0-4.0 V at 1 mV/s (1 s records), two cycles: a 10 mF double layer charged
    through tau = RC = 5 s (10 uA once settled) plus a leak of *leak* A/V about 3.5 V
    (+-0.2 uA by default: within 3 % of the median, so the current looks constant)
    and 10 nA of noise. *held*: the current is the exact +-10 uA of an instrument
    holding it."""
    import numpy as np

    up = np.linspace(3.0, 4.0, 1000, endpoint=False)
    v = np.tile(np.concatenate([up, up[::-1]]), 2)
    sweep = np.tile(np.concatenate([np.ones(1000), -np.ones(1000)]), 2)
    if held:
        current = sweep * 1e-5
    else:
        capacitive = np.empty(v.size)
        capacitive[0] = 0.0
        for k in range(1, v.size):  # relaxes to C*nu = 10 uA with tau = 5 s
            target = sweep[k] * 1e-2 * 1e-3
            capacitive[k] = target + (capacitive[k - 1] - target) * np.exp(-1.0 / 5.0)
        noise = np.random.default_rng(0).normal(0.0, 1e-8, v.size)
        current = capacitive + leak * (v - 3.5) + noise
    table = pl.DataFrame({s.TIME: np.arange(v.size) * 1.0, s.VOLTAGE: v, s.CURRENT: current})
    return Run(table, RunMeta(source="flat_cv.csv"))


def _galvanostatic_capacitor(noise: float, drift: float = 0.0, seed: int = 0) -> Run:
    """A 1 F capacitor with 2 Ohm in series charged and discharged at +-1 mA (1 mV/s,
    1000 s each way, two cycles, 1 s records) by a galvanostat whose current carries
    *noise* (relative, Gaussian) and drifts by *drift* (relative) across each step:
    its voltage is as linear as a CV's sweep."""
    import numpy as np

    sweep = np.tile(np.concatenate([np.ones(1000), -np.ones(1000)]), 2)
    ramp = np.tile(np.linspace(0.0, drift, 1000), 4)
    rng = np.random.default_rng(seed)
    current = sweep * 1e-3 * (1.0 + ramp + noise * rng.standard_normal(sweep.size))
    v = 3.0 + np.cumsum(current) * 1.0 / 1.0 + 2.0 * current
    table = pl.DataFrame({s.TIME: np.arange(v.size) * 1.0, s.VOLTAGE: v, s.CURRENT: current})
    return Run(table, RunMeta(source="capacitor_gcpl.csv"))


def test_flat_current_cv_is_voltammetry_for_every_command():
    """The recogniser alone decides "this is a CV": a sweep at one dV/dt whose nearly
    flat current still follows the potential (the leak's +-2 %, 36x its noise) is one
    for `ssblab cv` and for the report alike; the same sweep at a held current is
    galvanostatic."""
    from ssblab.analysis.cv import cv_analysis
    from ssblab.analysis.recognize_sweep import steady_sweep
    from ssblab.report.inputs import LabelledRun, looks_like_cv

    flat = _flat_cv()
    rec = rz.recognize(flat)
    assert (rec.kind, rec.kinds) == (rz.CV, (rz.CV,))
    # the current looks constant, so the sweep rule alone would not say CV
    assert rec.evidence[0].startswith("100 % of the time under current at constant current")
    assert "the current varies beyond its noise in 100 % of the sweep" in rec.evidence[1]
    is_cv, steady, response = steady_sweep(flat.table)
    assert is_cv and steady > 0.99 and response == 1.0
    assert looks_like_cv(LabelledRun("flat", flat))
    result = cv_analysis(flat)  # refused (NotApplicableError) unless recognised as a CV
    assert "forced" not in {f.code for f in result.flags}
    held = _flat_cv(held=True)
    assert rz.recognize(held).kind == rz.CYCLING
    assert not looks_like_cv(LabelledRun("held", held))


@pytest.mark.parametrize(("noise", "drift"), [(0.01, 0.0), (0.001, 0.0), (1e-6, 1e-4), (0.05, 0.0)])
def test_galvanostatic_capacitor_with_a_noisy_current_is_not_a_cv(noise, drift):
    """A capacitor charged at constant current sweeps at one dV/dt like a CV, and its
    current is not held from record to record (1 %, 0.1 % or 5 % noise; or 1e-6 noise
    and a 1e-4 drift per step, as real galvanostats drift far beyond their noise).
    Within each sweep it is constant to within its noise or 1 %: not a CV (the rules of
    65fd787 called all four one), and `ssblab cv` refuses it without --force."""
    from ssblab.analysis.cv import cv_analysis
    from ssblab.analysis.recognize_sweep import STEADY_FRACTION, steady_sweep
    from ssblab.report.inputs import LabelledRun, looks_like_cv

    run = _galvanostatic_capacitor(noise, drift)
    rec = rz.recognize(run)
    assert (rec.kind, rec.kinds) == (rz.CYCLING, (rz.CYCLING,)), rec.evidence
    assert not looks_like_cv(LabelledRun("capacitor", run))
    with pytest.raises(NotApplicableError, match="cv needs cyclic/linear sweep voltammetry"):
        cv_analysis(run)
    is_cv, steady, response = steady_sweep(run.table)
    assert not is_cv
    if noise <= 0.01:  # a steady sweep: the flat-current rule asked the current
        assert steady > STEADY_FRACTION and response == 0.0
        assert (
            "the current stays constant to within its noise or 1 % in 100 % of the sweep"
            in (rec.evidence[1])
        )
    else:  # 5 % is not constant current by CC_TOLERANCE (3 %): the sweep rule asked it
        # 90 % of the records sweep within 30 % of the one rate (73 % within the 20 % of the
        # second, separate rate computed before): one evidence line says why, not two
        assert steady == pytest.approx(0.900, abs=0.01)
        assert "within each sweep it stays constant to within its noise" in rec.evidence[1]
        assert not any("a steady sweep, but" in e for e in rec.evidence)


def test_sloping_plateau_at_a_noisy_constant_current_is_cycling():
    """A cell on a linear OCV at +-0.1 mA with 1 % current noise: cycling, not a CV."""
    import numpy as np
    from cycling_data import cycling_table

    from ssblab.analysis.recognize_sweep import steady_sweep

    table = cycling_table([1e-3] * 3, [0.9e-3] * 3, 1e-4, 1e-4, points=400)
    noise = np.random.default_rng(0).standard_normal(table.height)
    noisy = table.with_columns(pl.col(s.CURRENT) * (1.0 + 0.01 * pl.Series(noise)))
    rec = rz.recognize(Run(noisy))
    assert rec.kind == rz.CYCLING and not rec.has(rz.CV)
    assert steady_sweep(noisy)[1:] == (pytest.approx(0.973, abs=0.005), 0.0)


def test_a_pure_capacitor_cv_is_not_told_from_its_galvanostatic_charge():
    """Without a leak the double layer's CV current is C*dV/dt, constant to within its
    noise once the 5 s RC transient has passed: the same data as a galvanostatic charge
    of that capacitor. The data alone do not call it a CV, and the evidence says why
    (EC-Lab's technique record or --force decide)."""
    rec = rz.recognize(_flat_cv(leak=0.0))
    assert not rec.has(rz.CV)
    assert any("not a CV without the vendor's technique record" in e for e in rec.evidence)


@pytest.mark.parametrize("name", ["biologic/cv.mpr", "biologic/cv.mpt"])
def test_real_cv_is_voltammetry_from_its_data_alone(data_dir, name):
    """EC-Lab's CV without its technique record: the data say CV (peaks far beyond
    the noise: 92 % of the judged sweep records vary)."""
    from ssblab.analysis.recognize_sweep import steady_sweep

    run = read(data_dir / name)
    bare = Run(run.table, RunMeta(source=name))
    assert rz.recognize(bare).kind == rz.CV
    is_cv, steady, response = steady_sweep(run.table)
    assert is_cv and steady > 0.99
    assert response == pytest.approx(0.9195, abs=1e-3)


def test_only_the_real_cv_files_are_voltammetry(data_dir):
    """Over every real time-series file: the recogniser finds a CV in cv.mpr/cv.mpt only,
    and only there does the current respond to a sweep (92 % of the judged sweep
    records; 0 % in each of the other judged files, all galvanostatic)."""
    import math

    from ssblab.analysis.recognize_sweep import sweep_response
    from ssblab.errors import SsblabError

    found, responding, judged, read_ok = set(), set(), 0, 0
    for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
        if "reference" in path.as_posix() or path.suffix in (".json", ".md", ".parquet", ".ftr"):
            continue
        try:
            run = read(path)
        except SsblabError:
            continue
        read_ok += 1
        name = path.relative_to(data_dir).as_posix()
        if rz.recognize(run).has(rz.CV):
            found.add(name)
        if run.table.height and s.FREQUENCY not in run.table.columns:
            response = sweep_response(run.table)
            judged += not math.isnan(response)
            if response > 0.5:
                responding.add(name)
    assert read_ok >= 80
    assert found == responding == {"biologic/cv.mpr", "biologic/cv.mpt"}
    assert judged >= 15


def _decaying_current(v_drift: float) -> Run:
    """A current decaying from 1 mA to 0.1 mA over 1 h, at 4.0 V held, or rising by
    *v_drift* [V] over that hour, ever more slowly (no one dV/dt: not a sweep; 1 s
    records)."""
    import numpy as np

    t = np.arange(3600.0)
    i = 1e-3 * (0.1 + 0.9 * np.exp(-t / 600.0))
    v = 4.0 + v_drift * (1.0 - np.exp(-t / 900.0)) / (1.0 - np.exp(-t[-1] / 900.0))
    table = pl.DataFrame({s.TIME: t, s.VOLTAGE: v, s.CURRENT: i})
    return Run(table, RunMeta(source="decay.csv"))


def test_chronoamperometry_needs_a_held_voltage():
    """A current that is not constant is CA only when the voltage is held: the same decay
    at 4.0 V is CA; with the voltage rising 0.5 V under it (held within 5 mV of its end
    over its last 14 %) it is not (it was CA before the check)."""
    held = rz.recognize(_decaying_current(0.0))
    assert held.kind == rz.CA
    assert any("the voltage is held (within 5 mV" in e and "over 100 %" in e for e in held.evidence)
    drifting = rz.recognize(_decaying_current(0.5))
    assert drifting.kind != rz.CA
    assert any("held over only 14 %" in e for e in drifting.evidence), drifting.evidence


def test_a_cc_cv_charge_is_not_chronoamperometry(data_dir):
    """Arbin aux_one_x_dx.res: 1.2 A to 4.2 V then held (59 % of the records at 1.2 A, just
    under the 60 % a CC step needs): the voltage is held only over its CV part, 42 %."""
    rec = rz.recognize(read(data_dir / "arbin/aux_one_x_dx.res"))
    assert rec.kind == rz.CYCLING and not rec.has(rz.CA)
    assert any("held over only 42 %" in e for e in rec.evidence)
    # EC-Lab MB issue 223: pulses at a held 3.697 V stay CA
    held = rz.recognize(read(data_dir / "biologic/mb.issue_223.mpr"))
    assert held.kind == rz.CA
    assert any("e.g. 3.697 V) over 100 %" in e for e in held.evidence)


def test_the_sweep_rate_is_computed_once():
    """One rate, one tolerance, and the sweep share is written in one evidence line."""
    from ssblab.analysis.recognize_sweep import SWEEP_TOLERANCE, steady_sweep, sweep_of

    run = _galvanostatic_capacitor(0.01)
    rec = rz.recognize(run)
    sweep = sweep_of(run.table)
    assert SWEEP_TOLERANCE == 0.3 and steady_sweep(run.table, sweep)[1] == sweep.share
    assert sum("dV/dt" in e for e in rec.evidence) == 1
