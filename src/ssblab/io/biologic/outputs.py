"""Where the computed canonical columns of an EC-Lab table live, and the frame built on them.

Building a Polars Series from a NumPy array costs a few µs of Python whatever
its length, and a short ``.mpr`` has a dozen columns of a few thousand rows.
So for a short table the computed columns are the rows of two blocks (float64
and int64), each handed to Polars as one Series and cut into zero-copy slices;
a long table gets one array per column (large blocks would only add page
faults), each its own Series. Either way no column is copied.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from ssblab import schema as s

#: Tables up to this many rows keep their computed columns in blocks.
BLOCK_ROWS = 20_000
#: Most computed float64 and int64 columns of one table.
FLOAT_ROWS, INT_ROWS = 8, 4


class Outputs:
    """Fresh float64 / int64 rows of the table's height for the computed columns."""

    def __init__(self, height: int) -> None:
        self.height = height
        self.blocked = 0 < height <= BLOCK_ROWS
        if self.blocked:
            self._blocks = {
                np.float64: np.empty((FLOAT_ROWS, height)),
                np.int64: np.empty((INT_ROWS, height), dtype=np.int64),
            }
            self._used = {np.float64: 0, np.int64: 0}

    def _rows(self, dtype: type, rows: int) -> np.ndarray:
        if not self.blocked:
            return np.empty((rows, self.height), dtype=dtype)
        start = self._used[dtype]
        self._used[dtype] = start + rows
        block = self._blocks[dtype]
        if self._used[dtype] > block.shape[0]:
            raise RuntimeError(f"more than {block.shape[0]} computed {dtype.__name__} columns")
        return block[start : start + rows]

    def floats(self, rows: int = 1) -> np.ndarray:
        """*rows* fresh float64 rows, shape (rows, height), one C-ordered array."""
        return self._rows(np.float64, rows)

    def float_row(self) -> np.ndarray:
        """One fresh float64 row."""
        return self._rows(np.float64, 1)[0]

    def int_row(self) -> np.ndarray:
        """One fresh int64 row."""
        return self._rows(np.int64, 1)[0]

    def frame(self, out: Mapping[str, np.ndarray]) -> pl.DataFrame:
        """The canonical frame of *out* (float64/int64 arrays), in schema order."""
        names = [n for n in s.COLUMNS if n in out]
        if not self.blocked:
            return pl.DataFrame([pl.Series(n, out[n]) for n in names])
        joined = {}
        for dtype, block in self._blocks.items():
            used = block[: self._used[dtype]]
            joined[dtype] = (block, pl.Series(used.reshape(-1)) if used.size else None)
        return pl.DataFrame([self._piece(n, out[n], joined) for n in names])

    def _piece(self, name: str, values: np.ndarray, joined: dict) -> pl.Series:
        """A zero-copy slice of the joined block when *values* is one of its rows."""
        block, series = joined.get(values.dtype.type, (None, None))
        if series is not None and values.base is not None:
            offset = values.__array_interface__["data"][0] - block.__array_interface__["data"][0]
            row_bytes = self.height * block.itemsize
            inside = 0 <= offset < self._used[values.dtype.type] * row_bytes
            if inside and offset % row_bytes == 0 and values.strides == (block.itemsize,):
                return series.slice(offset // block.itemsize, self.height).alias(name)
        return pl.Series(name, values)
