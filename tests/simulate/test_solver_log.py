"""What SUNDIALS IDA writes to the process's stderr during a PyBaMM solve lands in the notes."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("pybamm")

from ssblab.simulate.cycling import drain_solver_lines, pybamm_log_to, solver_note

FAILED = (
    "[ERROR][rank 0][/project/sundials/src/idas/idas.c:5745][IDAHandleFailure] At t = 0 and "
    "h = 1.79e-59, the corrector convergence failed repeatedly or with |h| = hmin.",
    "[ERROR][rank 0][/project/sundials/src/idas/idas.c:3122][IDAGetDky] Illegal value for k.",
)


def test_solver_stderr_is_counted_not_printed(capfd):
    drain_solver_lines()
    notes: list[str] = []
    with pybamm_log_to(notes):
        os.write(2, ("\n".join(FAILED) + "\nsomething else\n").encode())
    err = capfd.readouterr().err
    assert "IDAHandleFailure" not in err and "something else" in err  # others pass through
    (note,) = notes
    assert note.startswith("this solve: SUNDIALS IDA wrote 2 error lines to stderr, 1 failed")
    assert "(1 at t = 0" in note
    assert drain_solver_lines() == list(FAILED) and drain_solver_lines() == []
    assert solver_note([], "x") is None
