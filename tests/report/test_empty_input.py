"""A report of a file with no data rows says so, and gives it no experiment verdict."""

from __future__ import annotations

from ssblab.report.build import build


def test_header_only_eclab_file_is_reported_as_empty(data_dir, tmp_path):
    # wait.mpr: a real EC-Lab WAIT technique that wrote its header and no record
    report = build([data_dir / "biologic" / "wait.mpr"], tmp_path / "r", png=False)
    text = report.index.read_text("utf-8")
    assert "no data: the table has no rows" in text  # the experiment column
    assert "wait has no rows" in text  # the voltage-capacity panel's reason
    assert "open-circuit rest" not in text  # no verdict on data that are not there
    assert "current is zero throughout" not in text
