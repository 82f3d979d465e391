"""The circuit-string grammar of impedance.py, checked without ``eval``.

``-`` joins elements in series, ``p(a,b,...)`` puts two or more branches in
parallel, and an element is a registered impedance.py element name followed by
a digit/underscore label (``R0``, ``CPE1``, ``Wo_2``)::

    series := term ('-' term)*
    term   := element | 'p(' series (',' series)+ ')'

impedance.py itself builds Python source from the string and ``eval``s it, so
every string goes through :func:`parse_circuit` first and nothing that does not
match this grammar reaches impedance.py. The parse also yields the fitted
parameter names in impedance.py's order and which resistors sit in series at
the top level (bulk) or inside parallel branches (arcs).
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType

from ssblab.errors import AnalysisError

_TOKEN = re.compile(r"\s*(p\(|[A-Za-z]+[0-9_]*|[-,()])")


@dataclass(frozen=True)
class CircuitSpec:
    """A checked circuit string: its elements and parameter names, in fit order."""

    circuit: str
    elements: tuple[str, ...]
    parameter_names: tuple[str, ...]
    parameter_units: tuple[str, ...]
    series_resistors: tuple[str, ...]
    parallel_resistors: tuple[str, ...]


def impedance_module(name: str) -> ModuleType:
    """``impedance.models.circuits.<name>`` (``elements`` or ``fitting``), imported
    without running that package's ``__init__``, which imports its plotting
    (matplotlib, altair, pandas: ~1.4 s CPU) for ``CustomCircuit``'s plot methods.

    The fitting code is impedance.py's own module, unchanged; a later ordinary
    ``import impedance.models.circuits`` still works and reuses it.
    """
    package = "impedance.models.circuits"
    full = f"{package}.{name}"
    if full in sys.modules or package in sys.modules:
        return importlib.import_module(full)
    spec = importlib.util.find_spec(package)
    if spec is None:  # pragma: no cover - impedance is a dependency of the eis extra
        raise ModuleNotFoundError(f"No module named {package!r}", name=package)
    sys.modules[package] = importlib.util.module_from_spec(spec)  # its __init__ not run
    try:
        return importlib.import_module(full)
    finally:
        del sys.modules[package]


def parse_circuit(circuit: str, constants: Mapping[str, float] | None = None) -> CircuitSpec:
    """Check a circuit string against impedance.py's grammar and elements.

    Parameters
    ----------
    circuit : str
        E.g. ``"R0-p(R1,CPE1)-p(R2,CPE2)"``.
    constants : mapping, optional
        Parameters held fixed; they are left out of the fitted names.

    Raises
    ------
    AnalysisError
        Unknown element, repeated label, or a malformed string; names the problem.
    """
    circuit_elements = impedance_module("elements").circuit_elements
    known = {k for k in circuit_elements if k not in ("p", "s", "__builtins__")}
    tokens = _tokens(circuit)
    elements: list[tuple[str, int]] = []  # (name, nesting depth)
    end = _parse_series(circuit, tokens, 0, 0, elements)
    if end != len(tokens):
        raise AnalysisError(f"circuit {circuit!r}: unexpected {tokens[end]!r}")
    names = [e for e, _ in elements]
    if len(set(names)) != len(names):
        raise AnalysisError(f"circuit {circuit!r}: an element label is used twice")
    constants = dict(constants or {})
    params: list[str] = []
    units: list[str] = []
    all_labels: set[str] = set()
    for name in names:
        kind = re.sub(r"[0-9_]", "", name)
        if kind not in known:
            raise AnalysisError(
                f"circuit {circuit!r}: unknown element {kind!r}; known: {', '.join(sorted(known))}"
            )
        fn = circuit_elements[kind]
        labels = [name] if fn.num_params == 1 else [f"{name}_{i}" for i in range(fn.num_params)]
        all_labels.update(labels)
        for label, unit in zip(labels, fn.units, strict=True):
            if label not in constants:
                params.append(label)
                units.append(unit)
    unknown_constants = set(constants) - all_labels
    if unknown_constants:
        raise AnalysisError(f"circuit {circuit!r}: constants {sorted(unknown_constants)} unknown")
    resistors = [(n, d) for n, d in elements if re.sub(r"[0-9_]", "", n) == "R"]
    return CircuitSpec(
        circuit=circuit.replace(" ", ""),
        elements=tuple(names),
        parameter_names=tuple(params),
        parameter_units=tuple(units),
        series_resistors=tuple(n for n, d in resistors if d == 0),
        parallel_resistors=tuple(n for n, d in resistors if d > 0),
    )


def top_level_terms(circuit: str) -> tuple[tuple[str, ...], ...]:
    """Element labels grouped by top-level series term: ``R0-p(R1,C1)-W1`` →
    ``(("R0",), ("R1", "C1"), ("W1",))`` (check the string with :func:`parse_circuit`)."""
    terms: list[list[str]] = []
    depth = 0
    for token in _tokens(circuit):
        if token == "p(":
            if depth == 0:
                terms.append([])
            depth += 1
        elif token == ")":
            depth -= 1
        elif token[0].isalpha():
            if depth == 0:
                terms.append([token])
            else:
                terms[-1].append(token)
    return tuple(tuple(t) for t in terms)


def _tokens(circuit: str) -> list[str]:
    text = circuit.strip()
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise AnalysisError(f"circuit {circuit!r}: cannot read {text[pos:]!r}")
        tokens.append(match.group(1))
        pos = match.end()
    if not tokens:
        raise AnalysisError("circuit string is empty")
    return tokens


def _parse_series(
    circuit: str, tokens: list[str], pos: int, depth: int, out: list[tuple[str, int]]
) -> int:
    """series := term ('-' term)*  ;  term := element | 'p(' series (',' series)+ ')'."""
    pos = _parse_term(circuit, tokens, pos, depth, out)
    while pos < len(tokens) and tokens[pos] == "-":
        pos = _parse_term(circuit, tokens, pos + 1, depth, out)
    return pos


def _parse_term(
    circuit: str, tokens: list[str], pos: int, depth: int, out: list[tuple[str, int]]
) -> int:
    if pos >= len(tokens):
        raise AnalysisError(f"circuit {circuit!r}: ends where an element is expected")
    token = tokens[pos]
    if token == "p(":
        pos = _parse_series(circuit, tokens, pos + 1, depth + 1, out)
        branches = 1
        while pos < len(tokens) and tokens[pos] == ",":
            pos = _parse_series(circuit, tokens, pos + 1, depth + 1, out)
            branches += 1
        if pos >= len(tokens) or tokens[pos] != ")" or branches < 2:
            raise AnalysisError(f"circuit {circuit!r}: p(...) needs two or more branches and ')'")
        return pos + 1
    if token[0].isalpha():
        out.append((token, depth))
        return pos + 1
    raise AnalysisError(f"circuit {circuit!r}: unexpected {token!r}")
