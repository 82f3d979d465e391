"""``make demo``: the main job on the seed cells that ship in ``examples/``.

1. the design table and the audit of every seed recipe;
2. both case studies end to end (``ssblab reproduce``): design, simulation of the
   reported protocols, analysis, literature placement, one report each;
3. a report comparing the seed cells, and the path of every report written.

Run it as ``python -m ssblab.demo --out demo-out``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _recipes(folder: Path) -> list[Path]:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise SystemExit(f"no example recipes in {folder}")
    return files


def main(argv: list[str] | None = None) -> int:
    """Run the demo; return the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m ssblab.demo", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-out"), help="output folder")
    parser.add_argument("--examples", type=Path, default=EXAMPLES, help="folder of recipes")
    args = parser.parse_args(argv)
    from ssblab.cli import main as cli

    recipes = [str(p) for p in _recipes(args.examples)]
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    print("== 1. Design and audit of the seed cells ==", flush=True)
    _run(cli, ["design", *recipes])
    print("\n== 2. Case studies (ssblab reproduce) ==", flush=True)
    for study in ("seed-al-composite", "seed-lialo2"):
        _run(cli, ["reproduce", study, "-o", str(args.out / study)])
    print("\n== 3. Report of the seed cells ==", flush=True)
    _run(
        cli,
        ["report", *recipes, "-o", str(args.out / "seed-cells"), "--title", "ssblab seed cells"],
    )
    print(
        f"\ndemo finished in {time.perf_counter() - started:.1f} s; reports in {args.out.resolve()}"
    )
    return 0


def _run(cli, argv: list[str]) -> None:
    """Run one CLI command; a failure stops the demo with its exit code."""
    try:
        cli(argv)
    except SystemExit as exc:
        if exc.code not in (0, None):
            print(f"demo: 'ssblab {' '.join(argv[:2])}' failed (exit {exc.code})", file=sys.stderr)
            raise


if __name__ == "__main__":
    sys.exit(main())
