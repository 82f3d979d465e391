"""Every BioLogic file in shared/data is read (or refused with a reason)."""

from __future__ import annotations

import pytest

from ssblab import schema as s
from ssblab.errors import ReadError
from ssblab.io import read
from ssblab.io.eis.dispatch import read_eis

#: Files refused on purpose, with the reason the reader must give.
REFUSED: dict[str, str] = {}

#: Expected record counts (from the .mpr data-module header, checked by hand).
ROWS = {
    "00_test_04_MB_C01.mpr": 1501,
    "GCPL-0.mpr": 4,
    "MB-0.mpr": 2,
    "MB-1.mpr": 13,
    "PEIS-0.mpr": 60,
    "cellpy_biol.mpr": 23561,
    "jdb11-1_c3_gcpl_5cycles_2V-3p8V_C-24_data_C09.mpr": 46102,
    # rows of EC-Lab's own .mpt export of the same run (counted in the export)
    "bcd.issue_241.mpr": 2550,
    "coc.issue_185.mpr": 24,
    "peis.issue_225.with_ece.mpr": 32,
    "mb.issue_223.mpr": 108,
    "cp.mpr": 121,
    "cv.mpr": 5103,
    "wait.mpr": 0,
    "wait.mpt": 0,
}


def _biologic_files(data_dir):
    folder = data_dir / "biologic"
    eis = [
        data_dir / "eis" / n
        for n in ("impedancepy_exampleDataBioLogic.mpt", "peis.mpr", "peis.mpt")
    ]
    return sorted(folder.iterdir()) + eis


def test_every_biologic_file_reads_or_is_refused(data_dir):
    files = _biologic_files(data_dir)
    assert len(files) >= 20
    for path in files:
        if path.name in REFUSED:
            with pytest.raises(ReadError, match=REFUSED[path.name]):
                read(path)
            continue
        run = read(path)
        assert run.meta.source_format in {"biologic_mpr", "biologic_mpt"}, path.name
        assert run.n_rows == ROWS.get(path.name, run.n_rows), path.name
        if run.n_rows == 0:
            assert any("0 rows" in n for n in run.meta.notes), path.name
            continue
        table = run.table
        assert table[s.TIME][0] == 0.0 and (table[s.TIME].diff().drop_nulls() >= 0).all(), path.name
        assert table[s.VOLTAGE].is_finite().all(), path.name
        assert run.meta.rows_skipped == 0, path.name


def test_rest_only_file_has_zero_current(data_dir):
    run = read(data_dir / "biologic" / "MB-0.mpr")
    assert run.table[s.CURRENT].to_list() == [0.0, 0.0]
    assert any("rest" in n for n in run.meta.notes)


def test_impedance_files_give_a_spectrum(data_dir):
    for name in ("PEIS-0.mpr", "geis.issue_149.mpr", "peis.mpr"):
        spectrum = read_eis(data_dir / "biologic" / name)
        assert spectrum.height > 10
        assert spectrum[s.FREQUENCY].min() > 0
    geis = read_eis(data_dir / "biologic" / "geis.issue_149.mpr")
    assert geis[s.CYCLE].unique().sort().to_list() == [1, 2, 3, 4]


def test_cycling_file_is_not_an_impedance_file(data_dir):
    with pytest.raises(ReadError, match="not an impedance file"):
        read_eis(data_dir / "biologic" / "gcpl.issue_149.mpr")
