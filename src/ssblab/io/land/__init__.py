"""LANDT CSV exports (:mod:`.landt`)."""

from ssblab.io.land.landt import read_landt_csv

__all__ = ["read_landt_csv"]
