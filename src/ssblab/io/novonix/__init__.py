"""Novonix CSV exports (:mod:`.reader`)."""

from ssblab.io.novonix.reader import read_novonix_csv

__all__ = ["read_novonix_csv"]
