"""Reports of files that hold less than they seem: no rows, or spectrum rows left out."""

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


def test_spectrum_rows_left_out_reach_the_report(data_dir, tmp_path):
    # the real Gamry EIS file with two ZCURVE rows overwritten by an overload mark
    real = data_dir / "eis" / "impedancepy_exampleDataGamry.DTA"
    lines = real.read_bytes().split(b"\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(b"ZCURVE\tTABLE")) + 3
    for point in (4, 20):
        fields = lines[start + point - 1].split(b"\t")
        fields[4] = b"*****"
        lines[start + point - 1] = b"\t".join(fields)
    path = tmp_path / "overload.DTA"
    path.write_bytes(b"\n".join(lines))
    text = build([path], tmp_path / "r", png=False).index.read_text("utf-8")
    assert "overload: 2 ZCURVE rows without a numeric Freq, Zreal or Zimag left out" in text
