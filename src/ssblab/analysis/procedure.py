"""Name the measured segments by the procedure the cycler ran (PyBaMM Experiment strings).

A sidecar (:mod:`ssblab.cellmeta`) may describe the procedure, step by step,
as PyBaMM Experiment strings, either as one list or as named groups (the idea
of PyProBE's README.yaml)::

    [procedure]
    formation = ["Rest for 1 hour", "Charge at C/10 until 4.2 V",
                 "Hold at 4.2 V until C/50", "Discharge at C/10 until 3.0 V"]
    "rate test 1 C" = { steps = ["Charge at 1C until 4.2 V", "Discharge at 1C until 3 V"],
                        repeat = 3 }
    GITT = { steps = ["Discharge at C/20 for 10 minutes", "Rest for 1 hour"], repeat = 20 }

How to call it::

    from ssblab.analysis.procedure import name_segments
    named = name_segments(run, procedure)   # NamedSegments: .segments (+ group, step), .notes

Each step becomes a current state (charge +1, discharge -1, rest 0; a
``Hold at … V`` keeps the sign of the step before it, as the CV part of a
CC-CV charge). Consecutive equal states merge, exactly as
:func:`ssblab.analysis.steps.segments` merges records, and the two sequences
are walked together: a rest the procedure does not list (a pause between two
steps) takes the name of the step before it; a programmed rest the data skip
is passed over; the first sign that disagrees stops the naming, and a note
says where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import polars as pl

from ssblab.analysis import steps
from ssblab.errors import AnalysisError
from ssblab.schema import Run

_VERB = re.compile(r"^\s*(charge|discharge|rest|hold)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    """One expected step: its group, its text and the current state it implies."""

    group: str
    text: str
    state: int | None  # None: a hold, which keeps the sign of the step before


@dataclass(frozen=True)
class NamedSegments:
    """Result of :func:`name_segments`: the segments with ``group`` and ``step``, and notes."""

    segments: pl.DataFrame
    notes: tuple[str, ...]


def parse_procedure(procedure: Any) -> list[Step]:
    """Steps of a procedure given as a list of strings or a table of named groups.

    A group is a list of strings or ``{steps = [...], repeat = n}``.

    Raises
    ------
    AnalysisError
        On a step that is not a Charge/Discharge/Rest/Hold string, or a bad group.
    """
    groups: list[tuple[str, list[str], int]] = []
    if isinstance(procedure, list | tuple):
        groups = [(str(text), [str(text)], 1) for text in procedure]
    elif isinstance(procedure, dict):
        for name, body in procedure.items():
            if isinstance(body, list | tuple):
                groups.append((str(name), [str(x) for x in body], 1))
            elif isinstance(body, dict) and isinstance(body.get("steps"), list | tuple):
                repeat = body.get("repeat", 1)
                if not isinstance(repeat, int) or repeat < 1:
                    raise AnalysisError(f"procedure group {name!r}: repeat must be an integer >= 1")
                groups.append((str(name), [str(x) for x in body["steps"]], repeat))
            else:
                raise AnalysisError(
                    f"procedure group {name!r} must be a list of steps "
                    "or {steps = [...], repeat = n}"
                )
    else:
        raise AnalysisError("a procedure is a list of PyBaMM step strings or a table of groups")
    out: list[Step] = []
    for name, texts, repeat in groups:
        for _ in range(repeat):
            out += [Step(name, text, _state(text)) for text in texts]
    if not out:
        raise AnalysisError("the procedure has no steps")
    return out


def _state(text: str) -> int | None:
    match = _VERB.match(text)
    if match is None:
        raise AnalysisError(
            f"procedure step {text!r} is not a Charge/Discharge/Rest/Hold PyBaMM string"
        )
    verb = match.group(1).lower()
    return {"charge": 1, "discharge": -1, "rest": 0, "hold": None}[verb]


def expected_segments(stepsin: list[Step]) -> list[tuple[int, Step]]:
    """(state, first step) of each segment the procedure implies (holds and repeats merged)."""
    out: list[tuple[int, Step]] = []
    for step in stepsin:
        state = step.state if step.state is not None else (out[-1][0] if out else 0)
        if out and out[-1][0] == state:
            continue
        out.append((state, step))
    return out


def name_segments(run: Run | pl.DataFrame, procedure: Any) -> NamedSegments:
    """The run's segments (:func:`ssblab.analysis.steps.segments`) named by *procedure*."""
    measured = steps.segments(run)
    expected = expected_segments(parse_procedure(procedure))
    states = measured.get_column("state").to_list()
    groups: list[str | None] = []
    texts: list[str | None] = []
    notes: list[str] = []
    j = 0
    for k, state in enumerate(states):
        while j < len(expected) and expected[j][0] == 0 and state != 0:
            j += 1  # a programmed rest the data do not show
        if j < len(expected) and expected[j][0] == state:
            groups.append(expected[j][1].group)
            texts.append(expected[j][1].text)
            j += 1
        elif state == 0:
            # an unprogrammed pause: it belongs to the step before (none before the first)
            groups.append(groups[-1] if groups else None)
            texts.append("(rest)" if groups[-1] is not None else None)
        else:
            where = float(measured.get_column("start_s")[k]) / 3600.0
            if j >= len(expected):
                notes.append(
                    f"the data continue past the procedure at {where:.4g} h: "
                    f"{len(states) - k} segments left unnamed"
                )
            else:
                notes.append(
                    f"segment {k} at {where:.4g} h is {_word(state)} where the procedure "
                    f"expects {expected[j][1].text!r}: naming stops there"
                )
            groups += [None] * (len(states) - k)
            texts += [None] * (len(states) - k)
            break
    else:
        left = sum(1 for e in expected[j:] if e[0] != 0)
        if left:
            notes.append(f"the data end {left} current steps before the procedure does")
    table = measured.with_columns(
        pl.Series("group", groups, dtype=pl.String), pl.Series("step", texts, dtype=pl.String)
    )
    return NamedSegments(table, tuple(notes))


def _word(state: int) -> str:
    return {1: "a charge", -1: "a discharge", 0: "a rest"}[state]


def group_spans(named: NamedSegments) -> pl.DataFrame:
    """One row per consecutive run of one group: ``group``, ``start_s``, ``end_s``, ``segments``."""
    seg = named.segments.filter(pl.col("group").is_not_null())
    if seg.height == 0:
        return pl.DataFrame(schema={"group": pl.String, "start_s": pl.Float64, "end_s": pl.Float64})
    run = steps.run_id("group").alias("_g")
    return (
        seg.with_columns(run)
        .group_by("_g", maintain_order=True)
        .agg(
            pl.col("group").first(),
            pl.col("start_s").first(),
            pl.col("end_s").last(),
            pl.len().alias("segments"),
        )
        .drop("_g")
    )
