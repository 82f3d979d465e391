"""What SUNDIALS IDA writes to the process's stderr during a PyBaMM solve lands in the notes."""

from __future__ import annotations

import os

import pytest

pytest.importorskip("pybamm")

from ssblab.simulate import cycling
from ssblab.simulate.cycling import pybamm_log_to, solver_log, solver_note

FAILED = (
    "[ERROR][rank 0][/project/sundials/src/idas/idas.c:5745][IDAHandleFailure] At t = 0 and "
    "h = 1.79e-59, the corrector convergence failed repeatedly or with |h| = hmin.",
    "[ERROR][rank 0][/project/sundials/src/idas/idas.c:3122][IDAGetDky] Illegal value for k.",
)


def _solve_writing(lines: tuple[str, ...], notes: list[str]) -> None:
    """A stand-in solve: the C library writes *lines* to file descriptor 2."""
    with pybamm_log_to(notes):
        os.write(2, ("\n".join(lines) + "\nsomething else\n").encode())


def test_solver_stderr_is_counted_not_printed(capfd):
    notes: list[str] = []
    with solver_log() as log:
        _solve_writing(FAILED, notes)
    err = capfd.readouterr().err
    assert "IDAHandleFailure" not in err and "something else" in err  # others pass through
    (note,) = notes
    assert note.startswith("this solve: SUNDIALS IDA wrote 2 error lines to stderr, 1 failed")
    assert "(1 at t = 0" in note
    assert log.lines == list(FAILED)
    assert solver_note([], "x") is None


def test_each_solver_log_holds_its_own_solves_only(capfd):
    """Per-call capture: a solve before the block, or after it, is not in it; an outer block
    gets its inner one's lines; no module-level list accumulates between calls."""
    _solve_writing(FAILED, [])  # outside any block: counted in its notes only
    with solver_log() as outer:
        _solve_writing(FAILED[:1], [])
        with solver_log() as inner:
            _solve_writing(FAILED[1:], [])
    _solve_writing(FAILED, [])
    capfd.readouterr()
    assert inner.lines == list(FAILED[1:])
    assert outer.lines == list(FAILED)
    assert not hasattr(cycling, "SOLVER_LINES") and not hasattr(cycling, "drain_solver_lines")
