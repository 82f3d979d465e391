"""Run every ``benchmarks/bench_*.py`` script in turn and print what each measured.

Each script runs ssblab and its peer on the same real files in one process and
prints times, peak memory and ratios. ``make bench`` installs the peers
(``benchmarks/requirements.txt``) first; a peer that cannot be installed is
reported by its script, not hidden.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run the scripts named on the command line, or all of them."""
    wanted = set(sys.argv[1:])
    scripts = [p for p in sorted(HERE.glob("bench_*.py")) if not wanted or p.stem in wanted]
    failed = []
    for script in scripts:
        print(f"\n===== {script.name} =====", flush=True)
        started = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(
            f"----- {script.name}: exit {code}, {time.perf_counter() - started:.1f} s", flush=True
        )
        if code:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
