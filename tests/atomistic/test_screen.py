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
    from ssblab.atomistic.neb import CODE_HOPS, choose_mechanism

    for job in SEED_MIGRATION_JOBS:
        hop = choose_mechanism(job.structure)[0] if job.hop == "auto" else job.hop
        assert hop in (*table[job.structure].hops, *CODE_HOPS.get(job.structure, ()))
        # Every seed hop is the physical mechanism of its host (no requested detours).
        assert hop == choose_mechanism(job.structure)[0]


def test_seed_table_states_the_method():
    # EMT cannot describe Li, so the table must refuse rather than invent numbers.
    from ssblab.errors import SsblabError

    with pytest.raises(SsblabError, match="no parameters for Li"):
        seed_binding_table(models=("emt",))
    table = seed_binding_table(models=("emt",), jobs=[BindingJob("Al", "Al")])
    assert table.method.startswith("ASE EMT")
    assert "DFT" in table.note
    assert len(table.rows) == 1
    assert table.rows[0].values["emt"] < 0


def test_jobs_and_results_pickle_for_dask_workers():
    import pickle

    job = MigrationJob("Al", "vacancy", n_images=1, model="emt", min_length_A=4.0)
    result = screen([job])[0]
    assert pickle.loads(pickle.dumps(job)) == job
    assert pickle.loads(pickle.dumps(result)) == result


def test_cache_returns_the_stored_result_and_keys_on_the_model(tmp_path, monkeypatch):
    from ssblab.atomistic import cache

    job = MigrationJob("Al", "vacancy", n_images=1, model="emt", min_length_A=4.0)
    first = screen([job])[0]
    # The NEB result (the relaxed Al cell may be stored beside it).
    files = [p for p in cache.cache_dir().glob("*.json") if "barrier_eV" in p.read_text()]
    assert len(files) == 1
    # A second run reads the file: tamper with it and the tampered number comes back.
    import json

    data = json.loads(files[0].read_text())
    data["barrier_eV"] = 123.0
    files[0].write_text(json.dumps(data))
    assert screen([job])[0].barrier_eV == 123.0
    assert first.barrier_eV != 123.0
    params = {"structure": "Al"}
    assert cache.cache_key("neb", params, "emt") != cache.cache_key("neb", params, "chgnet")
    monkeypatch.setenv("SSBLAB_CACHE", "off")
    assert cache.cache_dir() is None
    assert screen([job])[0].barrier_eV == pytest.approx(first.barrier_eV)


def test_pair_flags_disagreeing_potentials():
    from ssblab.atomistic.screen import pair

    job = MigrationJob("Al", "vacancy", n_images=1, model="emt", min_length_A=4.0)
    base = screen([job])[0]
    from dataclasses import replace

    far = replace(base, barrier_eV=base.barrier_eV + 0.3)
    near = replace(base, barrier_eV=base.barrier_eV + 0.05)
    assert [f.code for f in pair(job, {"a": base, "b": far}).flags] == ["potentials_disagree"]
    assert pair(job, {"a": base, "b": near}).flags == ()


def test_literature_error_is_zero_inside_the_range_and_signed_outside():
    from ssblab.atomistic.screen import literature_error

    out = literature_error("LiAlO2", {"a": 0.53, "b": 0.9, "c": 1.5})
    assert out["error_eV"] == pytest.approx({"a": 0.53 - 0.7, "b": 0.0, "c": 1.5 - 1.2})
    assert out["kind"] == "predicted" and "alpha" in out["source"]
    assert literature_error("Al", {"a": 0.1}) is None
