"""Gamry Framework ``.DTA`` files (:mod:`.dta`)."""

from ssblab.io.gamry.dta import is_dta, read_dta, read_gamry_eis

__all__ = ["is_dta", "read_dta", "read_gamry_eis"]
