"""Per-run memo of the per-cycle analysis: one cycle table per run, however many callers.

A report page asks for the same run's cycle table from several panels and the summary
(capacity/CE, retention via the metrics, the rate table, the headline numbers), ~6
times per run. :func:`per_run` keeps a function's last few results by the identity of
the :class:`~ssblab.schema.Run` passed (a frozen object; its table is not changed in
place by ssblab) and the other arguments, each for as long as that run lives. Plain
DataFrames, which can be changed in place, are never memoised.
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from ssblab.schema import Run

F = TypeVar("F", bound=Callable[..., Any])

#: Results kept per memoised function (the runs of one report page, a few at a time).
SIZE = 8
#: The ``cache_clear`` of every memoised function, for :func:`clear_all` (filled at import).
_CLEARS: list[Callable[[], None]] = []


def clear_all() -> None:
    """Empty every memo (a benchmark timing a cold page, a test)."""
    for clear in _CLEARS:
        clear()


def per_run(fn: F) -> F:
    """*fn* (first argument: a run or a table) memoised on the run's identity and the other
    arguments (defaults filled in); an entry goes when its run does, or when :data:`SIZE`
    newer ones push it out; ``fn.cache_clear()`` empties it, ``fn.cache_size()`` counts it."""
    signature = inspect.signature(fn)
    kept: dict[tuple[int, tuple], tuple[weakref.ref, Any]] = {}

    @functools.wraps(fn)
    def memoised(data: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(data, Run):
            return fn(data, *args, **kwargs)
        bound = signature.bind(data, *args, **kwargs)
        bound.apply_defaults()
        key = (id(data), tuple(list(bound.arguments.items())[1:]))
        try:
            hash(key)
        except TypeError:  # an argument that is not a plain value: computed each time
            return fn(data, *args, **kwargs)
        hit = kept.pop(key, None)
        if hit is None or hit[0]() is not data:
            hit = (weakref.ref(data, lambda _ref: kept.pop(key, None)), fn(data, *args, **kwargs))
        kept[key] = hit  # the most recent last
        while len(kept) > SIZE:
            kept.pop(next(iter(kept)), None)
        return hit[1]

    _CLEARS.append(kept.clear)
    memoised.cache_clear = kept.clear  # type: ignore[attr-defined]
    memoised.cache_size = kept.__len__  # type: ignore[attr-defined]
    return memoised  # type: ignore[return-value]
