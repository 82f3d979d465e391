"""Shared by the light ``ssblab info`` summaries (``<vendor>/summary.py``), no Polars."""

from __future__ import annotations


class FullReaderNeededError(Exception):
    """This file needs the full reader: the light summary does not follow it (internal;
    :mod:`ssblab.cli.fast_info` then runs the Typer command, which reads the file)."""
