"""Maccor text exports, MIMS and MacNet forms (:mod:`.text`)."""

from ssblab.io.maccor.text import read_maccor_text

__all__ = ["read_maccor_text"]
