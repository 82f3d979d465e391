"""Where the computed canonical columns of an EC-Lab table live, and the frame built on them.

The computed columns are the rows of two blocks (float64 and int64) in one
allocation: building a Polars Series from a NumPy array costs a few µs of
Python whatever its length, so each block goes to Polars as one Series cut
into zero-copy slices; and a large table maps one buffer instead of page-faulting
a dozen fresh arrays (the fault costs as much as the arithmetic). No column is
copied.

The frame is assembled from Polars' native series objects when this Polars
exposes them (``polars._plr``: a private module, so the public route stays as
the fallback, and a test checks both give the same frame): the public
constructors re-check and re-wrap every column, which costs a 3 k-row table
about as much as its arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from ssblab import schema as s

try:  # the native constructors (zero-copy from NumPy, no per-column Python wrapping)
    from polars._plr import PyDataFrame, PySeries
except ImportError:  # another Polars layout: the public constructors only
    PyDataFrame = PySeries = None

#: Native constructor of a zero-copy series for each block's dtype.
_NATIVE = (
    {}
    if PySeries is None
    else {
        np.float64: getattr(PySeries, "new_f64", None),
        np.int64: getattr(PySeries, "new_i64", None),
    }
)

#: Most computed float64 and int64 columns of one table.
FLOAT_ROWS, INT_ROWS = 11, 4


class Outputs:
    """Fresh float64 / int64 rows of the table's height, one per computed column.

    Each row is handed out under the canonical name of the column it will
    hold; :meth:`frame` relies on that to slice the blocks.
    """

    def __init__(self, height: int) -> None:
        self.height = height
        self.blocked = height > 0
        n_float, n_int = (FLOAT_ROWS, INT_ROWS) if self.blocked else (0, 0)
        # one allocation for both blocks: a large one is mapped (and madvised for huge
        # pages by NumPy above 4 MiB) once, instead of a dozen fresh arrays page-faulting
        memory = np.empty((n_float + n_int) * height * 8, dtype=np.uint8)
        self._memory = memory
        split = n_float * height * 8
        self._blocks = {
            np.float64: memory[:split].view(np.float64).reshape(n_float, height),
            np.int64: memory[split:].view(np.int64).reshape(n_int, height),
        }
        self._rows_of: dict[str, tuple[type, int]] = {}  # column name -> (dtype, block row)
        self._used = {np.float64: 0, np.int64: 0}

    def _take(self, dtype: type, names: tuple[str, ...]) -> np.ndarray:
        if not self.blocked:
            return np.empty((len(names), self.height), dtype=dtype)
        start = self._used[dtype]
        block = self._blocks[dtype]
        if start + len(names) > block.shape[0]:
            raise RuntimeError(f"more than {block.shape[0]} computed {dtype.__name__} columns")
        self._used[dtype] = start + len(names)
        for k, name in enumerate(names):
            self._rows_of[name] = (dtype, start + k)
        return block[start : start + len(names)]

    def floats(self, *names: str) -> np.ndarray:
        """Fresh float64 rows for the columns *names*, shape (len(names), height), C-ordered."""
        return self._take(np.float64, names)

    def float_row(self, name: str) -> np.ndarray:
        """A fresh float64 row for column *name*."""
        return self._take(np.float64, (name,))[0]

    def int_row(self, name: str) -> np.ndarray:
        """A fresh int64 row for column *name*."""
        return self._take(np.int64, (name,))[0]

    def consecutive(self, names: list[str]) -> np.ndarray | None:
        """The float rows handed out for *names* as one (len(names), height) view when
        they are neighbouring rows of the block in that order, else None."""
        rows = [self._rows_of.get(n) for n in names]
        if not self.blocked or not rows or any(r is None or r[0] is not np.float64 for r in rows):
            return None
        first = rows[0][1]  # type: ignore[index]
        if [r[1] for r in rows] != list(range(first, first + len(rows))):  # type: ignore[index]
            return None
        return self._blocks[np.float64][first : first + len(rows)]

    def frame(self, out: Mapping[str, np.ndarray], native: bool = True) -> pl.DataFrame:
        """The canonical frame of *out* (float64/int64 arrays), in schema order.

        Each block becomes one series, sliced (zero-copy) per column; a column that
        is not a block row becomes a series of its own. *native* builds the series
        and the frame with Polars' native constructors where available (False: the
        public ones only; both give the same frame, bit for bit).
        """
        names = [n for n in s.COLUMNS if n in out]
        if not self.blocked:
            return pl.DataFrame([pl.Series(n, out[n]) for n in names])
        native = native and PyDataFrame is not None and all(_NATIVE.values())
        joined = {}
        for dtype, block in self._blocks.items():
            if self._used[dtype]:
                flat = block[: self._used[dtype]].reshape(-1)
                joined[dtype] = _NATIVE[dtype]("", flat, False) if native else pl.Series(flat)
        columns = []
        for name in names:
            values, row = out[name], self._rows_of.get(name)
            if row is not None and values.base is self._memory:
                piece = joined[row[0]].slice(row[1] * self.height, self.height)
                if native:
                    piece.rename(name)  # a native series renames in place
                else:
                    piece = piece.alias(name)
            else:
                piece = pl.Series(name, values)
                piece = piece._s if native else piece
            columns.append(piece)
        if native:
            return pl.DataFrame._from_pydf(PyDataFrame(columns))
        return pl.DataFrame(columns)
