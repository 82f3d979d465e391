"""Screening jobs serially and the seed tables' definitions."""

from __future__ import annotations

import pytest

from ssblab.atomistic.binding import BindingResult
from ssblab.atomistic.neb import NEBResult
from ssblab.atomistic.screen import (
    SEED_BINDING_JOBS,
    SEED_MIGRATION_JOBS,
    BindingJob,
    MigrationJob,
    screen,
    seed_binding_table,
)
from ssblab.atomistic.structures import structures


def test_screen_runs_mixed_jobs_in_order():
    done = []
    jobs = [
        MigrationJob("Al", "vacancy", n_images=3, model="emt", min_length_A=7.0),
        BindingJob("Al", "Al", model="emt"),
    ]
    results = screen(jobs, on_done=done.append)
    assert done == [1, 2]
    assert isinstance(results[0], NEBResult)
    assert isinstance(results[1], BindingResult)
    assert results[0].barrier_eV > 0 > results[1].E_int_eV


def test_seed_jobs_name_known_structures_and_hops():
    table = structures()
    for job in SEED_BINDING_JOBS:
        assert job.host in table
        assert job.site is None or job.site in table[job.host].sites
    for job in SEED_MIGRATION_JOBS:
        assert job.hop in table[job.structure].hops


def test_seed_table_states_the_method():
    # EMT cannot describe Li, so the table must refuse rather than invent numbers.
    from ssblab.errors import SsblabError

    with pytest.raises(SsblabError, match="no parameters for Li"):
        seed_binding_table(model="emt")
    table = seed_binding_table(model="emt", jobs=[BindingJob("Al", "Al")])
    assert table.method.startswith("ASE EMT")
    assert "DFT" in table.note
    assert len(table.rows) == 1


def test_jobs_and_results_pickle_for_dask_workers():
    import pickle

    job = MigrationJob("Al", "vacancy", n_images=1, model="emt", min_length_A=4.0)
    result = screen([job])[0]
    assert pickle.loads(pickle.dumps(job)) == job
    assert pickle.loads(pickle.dumps(result)) == result
