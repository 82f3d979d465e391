"""Interphase growth and cycle skipping (no PyBaMM: a response table stands in for the solves)."""

from __future__ import annotations

import numpy as np
import pytest

from ssblab.simulate.fade import Interphase, Response, retention, walk


def _response() -> Response:
    r = np.geomspace(10.0, 1e4, 30)
    q = 100.0 / (1.0 + r / 1e3)  # capacity falls with R
    return Response(r, q, q, 1.0 - r / 2e4, 1.8 * q / 100.0)


def test_parabolic_law():
    law = Interphase(100.0, 0.5)
    assert law.resistance(0.0) == pytest.approx(100.0)
    assert law.resistance(4.0) == pytest.approx(200.0)  # 100 (1 + 0.5 sqrt 4)
    assert law.scaled(3.0).resistance(4.0) == pytest.approx(600.0)


def test_walk_follows_the_growing_resistance():
    response = _response()
    flat = walk(response, Interphase(100.0, 0.0), 50)
    assert retention(flat, 50) == pytest.approx(100.0)
    table = walk(response, Interphase(100.0, 0.2), 50)
    # time advances by each cycle's duration, which shrinks as the capacity falls
    durations = np.diff(table["time_h"].to_numpy())
    # (linear in log R between grid points: within 0.2 % of the exact curve here)
    assert durations[0] == pytest.approx(1.8 * 100 / 1.1 / 100, rel=2e-3)
    assert np.all(np.diff(durations) < 0)
    r50 = 100.0 * (1 + 0.2 * np.sqrt(table["time_h"][49]))
    assert table["resistance_ohm"][49] == pytest.approx(r50)
    assert retention(table, 50) == pytest.approx(100 * (1.1 / (1 + r50 / 1e3)), rel=5e-3)
    assert table["energy_efficiency"][49] < table["energy_efficiency"][0]
