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
    """Fresh float64 / int64 rows of the table's height, one per computed column.

    Each row is handed out under the canonical name of the column it will
    hold; :meth:`frame` relies on that to slice the blocks.
    """

    def __init__(self, height: int) -> None:
        self.height = height
        self.blocked = 0 < height <= BLOCK_ROWS
        self._blocks = {
            np.float64: np.empty((FLOAT_ROWS if self.blocked else 0, height)),
            np.int64: np.empty((INT_ROWS if self.blocked else 0, height), dtype=np.int64),
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

    def frame(self, out: Mapping[str, np.ndarray]) -> pl.DataFrame:
        """The canonical frame of *out* (float64/int64 arrays), in schema order."""
        names = [n for n in s.COLUMNS if n in out]
        if not self.blocked:
            return pl.DataFrame([pl.Series(n, out[n]) for n in names])
        joined = {
            dtype: pl.Series(block[: self._used[dtype]].reshape(-1))
            for dtype, block in self._blocks.items()
            if self._used[dtype]
        }
        columns = []
        for name in names:
            values, row = out[name], self._rows_of.get(name)
            if row is not None and values.base is self._blocks[row[0]]:
                piece = joined[row[0]].slice(row[1] * self.height, self.height).alias(name)
            else:
                piece = pl.Series(name, values)
            columns.append(piece)
        return pl.DataFrame(columns)
