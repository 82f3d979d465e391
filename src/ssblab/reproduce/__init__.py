"""The seed papers as worked case studies: every reported number beside ssblab's value.

``run(name)`` returns a :class:`~ssblab.reproduce.common.CaseStudy`;
``ssblab reproduce NAME -o DIR`` also writes its report.
"""

from __future__ import annotations

from collections.abc import Callable

from ssblab.errors import SsblabError
from ssblab.reproduce.common import CaseStudy, write


def _al_composite() -> CaseStudy:
    from ssblab.reproduce.al_composite import run

    return run()


def _lialo2() -> CaseStudy:
    from ssblab.reproduce.lialo2 import run

    return run()


STUDIES: dict[str, Callable[[], CaseStudy]] = {
    "seed-al-composite": _al_composite,
    "seed-lialo2": _lialo2,
}


def run(name: str) -> CaseStudy:
    """Run the case study *name*; unknown names list the valid ones."""
    if name not in STUDIES:
        raise SsblabError(f"unknown case study {name!r}; valid: {', '.join(STUDIES)}")
    return STUDIES[name]()


__all__ = ["STUDIES", "CaseStudy", "run", "write"]
