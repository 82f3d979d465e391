"""A Gamry impedance ``.DTA`` (header TAG EISPOT/EISGALV) is recognised as EIS, not CA."""

from __future__ import annotations

import pytest

from ssblab.analysis.recognize import EIS, recognize, require
from ssblab.flags import NotApplicableError

DTA = "eis/impedancepy_exampleDataGamry.DTA"


@pytest.fixture
def gamry_eis(data_dir):
    from ssblab.io import read

    return read(data_dir / DTA)


def test_the_header_tag_makes_it_eis(gamry_eis):
    assert gamry_eis.meta.extra["tag"] == "EISPOT"
    rec = recognize(gamry_eis)
    assert (rec.kind, rec.kinds, rec.cell_type) == (EIS, (EIS,), "")
    assert rec.source == "Gamry header TAG EISPOT"
    assert rec.segments[0].first_row == 0
    assert rec.segments[0].last_row == gamry_eis.n_rows - 1


def test_a_galvanostatic_eis_tag_too(gamry_eis):
    from dataclasses import replace

    meta = replace(gamry_eis.meta, extra={**gamry_eis.meta.extra, "tag": "EISGALV"})
    assert recognize(replace(gamry_eis, meta=meta)).kind == EIS


def test_another_gamry_tag_is_left_to_the_data(gamry_eis):
    from dataclasses import replace

    meta = replace(gamry_eis.meta, extra={**gamry_eis.meta.extra, "tag": "CORPOT"})
    assert recognize(replace(gamry_eis, meta=meta)).kind != EIS


def test_cycling_analysis_refuses_it_in_one_line(gamry_eis, data_dir):
    with pytest.raises(NotApplicableError) as info:
        require(gamry_eis, {"cycling", "gitt"}, analysis="cycles")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{data_dir / DTA}: this is EIS; use `ssblab eis fit`")
    assert "chronoamperometry" not in message


def test_ssblab_cycles_says_use_eis(capfd, data_dir):
    from ssblab.cli import main

    with pytest.raises(SystemExit) as info:
        main(["cycles", str(data_dir / DTA)])
    err = capfd.readouterr().err.strip()
    assert info.value.code == 2
    assert len(err.splitlines()) == 1
    assert "this is EIS; use `ssblab eis fit` or `ssblab eis drt`" in err
