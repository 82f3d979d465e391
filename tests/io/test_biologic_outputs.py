"""The EC-Lab output blocks: the frame built from Polars' native series (private API) is the
frame the public constructors build, bit for bit, so a Polars upgrade that changes either
route is caught here."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab import schema as s
from ssblab.io.biologic import outputs
from ssblab.io.biologic.outputs import Outputs


def _bits(frame) -> list[bytes]:
    return [frame[name].to_numpy().tobytes() for name in frame.columns]


@pytest.mark.parametrize("height", [1, 2, 3000])
def test_native_frame_equals_public_frame(height):
    rng = np.random.default_rng(height)
    o = Outputs(height)
    time, amps = o.float_row(s.TIME), o.float_row(s.CURRENT)
    time[:] = np.cumsum(rng.random(height))
    amps[:] = rng.normal(size=height)
    amps[0] = -0.0  # signed zero and NaN travel unchanged
    if height > 2:
        amps[1] = np.nan
    cycle = o.int_row(s.CYCLE)
    cycle[:] = rng.integers(1, 9, height)
    outside = rng.random(height)  # a column not in the blocks (a strided view elsewhere)
    out = {s.TIME: time, s.CURRENT: amps, s.CYCLE: cycle, s.VOLTAGE: outside}
    native, public = o.frame(out), o.frame(out, native=False)
    assert native.schema == public.schema
    assert native.columns == [n for n in s.COLUMNS if n in out]
    assert _bits(native) == _bits(public)


def test_native_constructors_are_found():
    """This Polars exposes the native constructors: the fast route is the one in use."""
    assert outputs.PyDataFrame is not None
    assert all(outputs._NATIVE.values())


def test_every_real_mpr_reads_bit_identical_by_both_routes(data_dir, monkeypatch):
    """Every EC-Lab .mpr in the real data gives the same table, bit for bit, whether
    the frame is built from native series or by the public constructors."""
    from ssblab.io import read

    paths = sorted(data_dir.rglob("*.mpr"))
    assert len(paths) >= 20
    native = {p: read(p).table for p in paths}
    monkeypatch.setattr(outputs, "PyDataFrame", None)
    checked = 0
    for p in paths:
        public = read(p).table
        assert public.schema == native[p].schema, p.name
        assert _bits(public) == _bits(native[p]), p.name
        checked += public.width
    assert checked > 250
