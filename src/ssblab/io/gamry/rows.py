"""Row checks of a Gamry ``.DTA`` table before it is parsed.

A table row is ``<TAB>value<TAB>value...``, one value per named column. Rows
that do not have exactly that many values are not dropped or truncated
silently:

* **extra trailing fields** (more values than names, the named ones all
  present): the named values are kept, the extra ones ignored, and the rows
  counted in a note;
* **a stray separator** (more values than names and an empty field among the
  named ones: the values after it are shifted): the row is left out and counted;
* **missing fields** (fewer values): padded with empty (null) values, so the
  reader's own null checks count the row if it lacks time, voltage or current;
* **a cut last line** (the file ends without a line end inside a table and the
  last row has fewer values, or a shorter last value, than the row before):
  left out and counted;
* **a declared row count** (``NAME<TAB>TABLE<TAB>n``) that differs from the
  rows present: noted.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckedRows:
    """A table body ready to parse, the rows left out and the notes on it."""

    body: str
    left_out: int = 0
    notes: tuple[str, ...] = ()


def _uniform(body: str, n_names: int) -> bool:
    """Fast path: every row has exactly *n_names* tabs (counted in C) and ends with a line end."""
    lines = body.count("\n")
    return body.endswith("\n") and "\n\n" not in body and body.count("\t") == n_names * lines


def _cut(last: list[str], before: list[str] | None) -> bool:
    """True when the unterminated last row looks cut mid-line (compared with the row before)."""
    if before is None:
        return False
    return len(last) < len(before) or len(last[-1]) < len(before[-1])


def check_rows(
    name: str, body: str, n_names: int, first_line: int, declared: int | None, at_end: bool
) -> CheckedRows:
    """Check the rows of table *name* (text after its two header lines).

    Parameters
    ----------
    name : str
        The table's name, for the notes.
    body : str
        Its rows, ``\\n``-separated, each starting with a tab.
    n_names : int
        Number of named columns.
    first_line : int
        File line number (1-based) of the first row.
    declared : int or None
        The row count written after ``TABLE``, when there is one.
    at_end : bool
        The table runs to the end of a file that has no final line end.
    """
    lines = body.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    notes: list[str] = []
    if declared is not None and declared != len(lines):
        notes.append(f"table {name} declares {declared} rows but holds {len(lines)}")
    if not at_end and _uniform(body, n_names):
        return CheckedRows(body, 0, tuple(notes))
    kept: list[str] = []
    extra_rows, extra_fields, shifted, first_extra, first_shifted = 0, 0, 0, 0, 0
    short, first_short = 0, 0
    cut = False
    previous: list[str] | None = None
    for k, line in enumerate(lines):
        values = line.split("\t")[1:]
        if at_end and k == len(lines) - 1 and _cut(values, previous):
            cut = True
            break
        previous = values
        while len(values) > n_names and not values[-1].strip():
            values.pop()  # empty trailing fields hold nothing
        if len(values) > n_names:
            if any(not v.strip() for v in values[:n_names]):
                shifted += 1
                first_shifted = first_shifted or first_line + k
                continue
            extra_rows += 1
            extra_fields += len(values) - n_names
            first_extra = first_extra or first_line + k
            values = values[:n_names]
        elif len(values) < n_names:
            short += 1
            first_short = first_short or first_line + k
            values += [""] * (n_names - len(values))
        kept.append("\t" + "\t".join(values))
    if extra_rows:
        notes.append(
            f"{extra_rows} rows of table {name} have fields beyond its {n_names} named columns "
            f"(first at line {first_extra}): their named values are kept, the {extra_fields} "
            "extra fields ignored"
        )
    if short:
        notes.append(
            f"{short} rows of table {name} have fewer fields than its {n_names} named columns "
            f"(first at line {first_short}): the missing values are null"
        )
    if shifted:
        notes.append(
            f"{shifted} rows of table {name} have an extra field and an empty one among the "
            f"named columns (first at line {first_shifted}: a stray tab shifts their values); "
            "they are left out (counted as skipped)"
        )
    if cut:
        notes.append(
            f"the file ends mid-line in table {name} (line {first_line + len(lines) - 1} has no "
            "line end: the file was cut); that row is left out (counted as skipped)"
        )
    return CheckedRows("\n".join(kept) + "\n" if kept else "", shifted + cut, tuple(notes))
