"""Benchmark: how often a report page computes the cycle table, and what that costs.

``ssblab.report.build`` (HTML only) on the real 108 642-record Neware ``SIM.nda.zip``
(``--demo``: also on ``make demo``'s two case-study pages, simulated first, ~2 min),
with the per-run memo of :mod:`ssblab.analysis.memo` emptied before every page (a fresh
``ssblab report``) and with it switched off (``SIZE = 0``: every caller computes its own,
as before the memo). Prints, per page, the cycle tables computed (calls of
``cycles._summary``) and the median CPU time of this process over *rounds* pages of each
kind, taking turns.

Run: ``.venv/bin/python benchmarks/bench_report_cycles.py [--demo] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT.parent / "shared" / "data" / "neware" / "SIM.nda.zip"


def pages(demo: bool) -> dict[str, list]:
    """Report inputs by page name: the real file, and the demo's case studies."""
    from ssblab.io import read

    out: dict[str, list] = {}
    if FILE.is_file():
        out[FILE.name] = [read(FILE)]
    if demo:
        from ssblab.reproduce import run

        for study in ("seed-al-composite", "seed-lialo2"):
            case = run(study)
            out[study] = [r for _, r in case.runs] + [str(p) for p in case.recipes]
    return out


def page_cost(inputs: list, memo_on: bool, out: Path) -> tuple[float, int]:
    """CPU time [s] of one cold page and the cycle tables it computed."""
    from ssblab.analysis import cycles, memo
    from ssblab.report.build import build

    memo.clear_all()
    memo.SIZE = 8 if memo_on else 0
    computed = []
    summary = cycles._summary
    cycles._summary = lambda table: computed.append(1) or summary(table)
    try:
        start = time.process_time()
        build(inputs, out, png=False)
        return time.process_time() - start, len(computed)
    finally:
        cycles._summary = summary
        memo.SIZE = 8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="also the demo's case-study pages")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    inputs = pages(args.demo)
    if not inputs:
        print(f"skipped: {FILE} not found (shared/data is absent)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, page in inputs.items():
            page_cost(page, True, Path(tmp))  # warm-up: imports, plotly bundle
            cost: dict[bool, list[float]] = {True: [], False: []}
            count: dict[bool, int] = {}
            for _ in range(args.rounds):
                for memo_on in (False, True):
                    cpu, n = page_cost(page, memo_on, Path(tmp))
                    cost[memo_on].append(cpu)
                    count[memo_on] = n
            print(
                f"{name}: cycle tables per page {count[False]} -> {count[True]} with the memo; "
                f"page CPU {statistics.median(cost[False]):.2f} -> "
                f"{statistics.median(cost[True]):.2f} s (medians of {args.rounds}, HTML only)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
