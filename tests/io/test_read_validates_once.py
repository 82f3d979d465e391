"""``read()`` checks the table's schema once: where the reader builds its Run.

The Run validates its table when it is built (``Run.__post_init__``), so a second
check in ``read()`` only repeated it: 11-17 µs a read whatever the size (0.013 % of
the 252 951-row IFE .ndax, 3 % of the 2 971-row gcpl.pr_182.2.mpr).
"""

from __future__ import annotations

import pytest

from ssblab import schema
from ssblab.io import read


@pytest.mark.parametrize(
    "name",
    ["neware/20260302_IFE_BTS85_2_9_8_1.ndax", "biologic/cellpy_biol.mpr", "maccor/maccor_001.txt"],
)
def test_read_validates_the_table_once(data_dir, monkeypatch, name):
    calls = []
    real = schema.validate

    def counting(table):
        calls.append(table.height)
        return real(table)

    monkeypatch.setattr(schema, "validate", counting)
    run = read(data_dir / name)
    assert calls == [run.table.height]


def test_a_table_off_the_schema_is_still_refused(tmp_path):
    """Validation in the Run still refuses a reader's table of a wrong dtype, in one line."""
    import polars as pl

    from ssblab.errors import SchemaError

    table = pl.DataFrame({schema.TIME: [0.0], schema.VOLTAGE: ["3.7"], schema.CURRENT: [0.1]})
    with pytest.raises(SchemaError, match=r"Voltage / V.*expected Float64"):
        schema.Run(table)
