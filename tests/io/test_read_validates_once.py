"""``read()`` checks the table's schema once: where the reader builds its Run.

The Run validates its table when it is built (``Run.__post_init__``), so a second
check in ``read()`` only repeated it: 11-17 µs a read whatever the size (0.013 % of
the 252 951-row IFE .ndax, 3 % of the 2 971-row gcpl.pr_182.2.mpr).
"""

from __future__ import annotations

import pytest

from ssblab import schema
from ssblab.io import read


def _counting(monkeypatch) -> list[int]:
    """Patch ``schema.validate`` to record the height of every table it checks."""
    calls: list[int] = []
    real = schema.validate

    def counting(table):
        calls.append(table.height)
        return real(table)

    monkeypatch.setattr(schema, "validate", counting)
    return calls


@pytest.mark.parametrize(
    "name",
    ["neware/20260302_IFE_BTS85_2_9_8_1.ndax", "biologic/cellpy_biol.mpr", "maccor/maccor_001.txt"],
)
def test_read_validates_the_table_once(data_dir, monkeypatch, name):
    calls = _counting(monkeypatch)
    run = read(data_dir / name)
    assert calls == [run.table.height]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.csv", "landt_csv"),
        ("novonix/test_Nova_Form-CH01-01_short.csv", "novonix_csv"),
        ("neware/neware_uio.btsda-export.csv", "neware_btsda_csv"),
        ("land/SINTEF__LiGrR2032__2024-04-30__25degC__Landt.bdf.csv", "bdf_csv"),
    ],
)
def test_tabular_readers_validate_once(data_dir, monkeypatch, name, fmt):
    """The text readers end with ``_tabular.finish`` (conform only) and the Run validates:
    one check a read, not two."""
    calls = _counting(monkeypatch)
    run = read(data_dir / name)
    assert run.meta.source_format == fmt
    assert calls == [run.table.height]


@pytest.mark.parametrize("with_meta", [True, False])
def test_bdf_parquet_validates_once(data_dir, tmp_path, monkeypatch, with_meta):
    """Both Parquet paths (RunMeta stored, or plain BDF Parquet given the conventions)."""
    from ssblab.io.bdf import write_parquet

    source = read(data_dir / "novonix/test_Nova_Form-CH01-01_short.csv")
    path = tmp_path / "run.parquet"
    if with_meta:
        write_parquet(source, path)
    else:
        source.table.write_parquet(path)
    calls = _counting(monkeypatch)
    run = read(path)
    assert run.meta.source_format == ("novonix_csv" if with_meta else "bdf_parquet")
    assert run.table.equals(source.table)
    assert calls == [source.table.height]


def test_a_table_off_the_schema_is_still_refused(tmp_path):
    """Validation in the Run still refuses a reader's table of a wrong dtype, in one line."""
    import polars as pl

    from ssblab.errors import SchemaError

    table = pl.DataFrame({schema.TIME: [0.0], schema.VOLTAGE: ["3.7"], schema.CURRENT: [0.1]})
    with pytest.raises(SchemaError, match=r"Voltage / V.*expected Float64"):
        schema.Run(table)
