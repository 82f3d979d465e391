"""The short run of the fuzz harness (``make fuzz`` runs the full one, >= 10 000 cases)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).resolve().parent / "harness.py"
#: Cases of the short run in ``make test`` (spread evenly over the formats).
CASES = 240


def _harness():
    spec = importlib.util.spec_from_file_location("ssblab_fuzz_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


def test_short_fuzz_run_raises_only_ssblab_errors(data_dir):
    harness = _harness()
    # a fixed number of cases (not a time budget): the same cases on an idle or loaded machine
    results = harness.fuzz(
        data_dir, cases=CASES, seconds=None, seed=1, hang_s=5.0, share_worker=True
    )
    report = harness.report(results)
    assert len(results) >= 10, report  # every format of the real data is fuzzed
    per_format = CASES // len(results)
    assert all(t.cases == per_format for t in results.values()), report
    assert all(t.other == 0 for t in results.values()), report
    assert all(t.hang == 0 for t in results.values()), report
    # issue 17: a stray comma or decimal commas never change voltages without a note
    assert all(t.silent_change == 0 for t in results.values()), report


@pytest.mark.parametrize("kind", ["truncate", "bit_flips", "insert", "delete", "stray_comma"])
def test_mutations_are_reproducible_from_their_seed(kind):
    import random

    mutate = _harness().MUTATIONS[kind]
    data = bytes(range(256)) * 40 + b"\n1.5,2.5\n" * 50
    assert mutate(data, random.Random(7)) == mutate(data, random.Random(7))
    assert mutate(data, random.Random(7)) != data
