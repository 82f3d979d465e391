"""Fuzz ``ssblab.io.read`` with seeded byte mutations of the real files of every format.

Run ``python tests/fuzz/harness.py --cases 12000`` (``make fuzz``) or
``--seconds 20`` for a short run. Each case is a mutated copy of a real file
(:mod:`mutate`) read in a worker subprocess that is killed and restarted when a case
runs past ``--hang-s``. Outcomes per format: ``ok``, ``ssblab`` (a one-line ssblab
error: the wanted answer for a broken file), ``other`` (any other exception: a bug),
``hang``; plus ``silent_loss`` (a truncated file read with fewer rows, no skipped
rows and no new note) and ``silent_change`` (a comma mutation of a text file read
with the same rows, different voltages and no note). A case is reproduced from
``(file, mutation, seed)``, printed for every bug.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mutate import MUTATIONS

HERE = Path(__file__).resolve()
#: Files per format: the smallest real files of each reader (fast cases, many of them).
FILES_PER_FORMAT = 2
TEXT_MUTATIONS = ("stray_comma", "decimal_commas")


@dataclass
class Tally:
    """Outcome counts of one format."""

    cases: int = 0
    ok: int = 0
    ssblab: int = 0
    other: int = 0
    hang: int = 0
    silent_loss: int = 0
    silent_change: int = 0
    peak_rss_mb: float = 0.0
    max_case_s: float = 0.0
    bugs: list[str] = field(default_factory=list)


# --- the worker: reads one path per stdin line, answers one JSON line ---------------------------


def _outcome(path: str) -> dict:
    from ssblab.errors import SsblabError
    from ssblab.io import read

    start = time.perf_counter()
    try:
        run = read(path)
    except SsblabError as exc:
        msg = str(exc)
        return {"kind": "ssblab", "oneline": "\n" not in msg, "msg": msg[:300]}
    except BaseException as exc:  # the harness must see everything, panics included
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        import traceback

        frames = traceback.extract_tb(exc.__traceback__)
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        return {"kind": "other", "type": type(exc).__name__, "where": where, "msg": str(exc)[:200]}
    table = run.table
    volt = "Voltage / V"
    vsum = float(table[volt].fill_nan(None).sum() or 0.0) if volt in table.columns else 0.0
    return {
        "kind": "ok",
        "rows": table.height,
        "skipped": int(run.meta.rows_skipped or 0),
        "notes": list(run.meta.notes),
        "vsum": vsum,
        "s": time.perf_counter() - start,
    }


def worker() -> None:
    """Loop: read a path from stdin, print its outcome; at EOF print the peak RSS."""
    import resource

    for line in sys.stdin:
        print(json.dumps(_outcome(line.strip())), flush=True)
    hwm = [ln for ln in Path("/proc/self/status").read_text().splitlines() if ln[:6] == "VmHWM:"]
    peak_kb = int(hwm[0].split()[1]) if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"kind": "rss", "mb": peak_kb / 1024}), flush=True)


class Worker:
    """A ``harness.py --worker`` subprocess, restarted after a hang."""

    def __init__(self) -> None:
        self.proc = self._start()
        self.peak_mb = 0.0

    @staticmethod
    def _start() -> subprocess.Popen:
        cmd = [sys.executable, str(HERE), "--worker"]
        return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def ask(self, path: Path, timeout: float) -> dict | None:
        """The outcome of reading *path*, or None when it runs past *timeout* seconds."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else ""
        if not line:  # hung, or died (a hard crash counts as a hang-class bug too)
            self.proc.kill()
            self.proc.wait()
            self.proc = self._start()
            return None
        return json.loads(line)

    def close(self) -> float:
        """Stop the worker; return the largest peak RSS [MB] of its lifetimes."""
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.close()
        for line in self.proc.stdout:
            self.peak_mb = max(self.peak_mb, json.loads(line).get("mb", 0.0))
        self.proc.wait()
        return self.peak_mb


# --- the corpus ---------------------------------------------------------------------------------


def corpus(data_dir: Path, scratch: Path) -> dict[str, list[tuple[Path, dict]]]:
    """The smallest readable real files of each format, with their clean outcome."""
    from ssblab.catalog.store import find_files
    from ssblab.errors import SsblabError
    from ssblab.io import read
    from ssblab.io.export import write

    by_format: dict[str, list[tuple[int, Path]]] = {}
    for path in find_files(data_dir):
        try:
            run = read(path)
        except SsblabError:
            continue
        if run.table.height < 5:
            continue
        by_format.setdefault(run.meta.source_format, []).append((path.stat().st_size, path))
        if run.meta.source_format == "neware_nda" and "bdf_parquet" not in by_format:
            # BDF Parquet: ssblab's own output of a real file (no vendor writes it)
            target = scratch / "corpus" / f"{path.stem}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            write(run, target)
            by_format["bdf_parquet"] = [(target.stat().st_size, target)]
    chosen = {}
    for fmt, items in sorted(by_format.items()):
        chosen[fmt] = [(p, _outcome(str(p))) for _, p in sorted(items)[:FILES_PER_FORMAT]]
    return chosen


def _is_text(data: bytes) -> bool:
    return b"\0" not in data[:4096]


def classify(tally: Tally, kind: str, base: dict, got: dict | None, case: str) -> None:
    """Add one case's outcome to *tally*."""
    tally.cases += 1
    if got is None:
        tally.hang += 1
        tally.bugs.append(f"hang {case}")
        return
    if got["kind"] == "ssblab":
        tally.ssblab += 1
        if not got["oneline"]:
            tally.bugs.append(f"multi-line error {case}")
        return
    if got["kind"] == "other":
        tally.other += 1
        tally.bugs.append(f"{got['type']} at {got['where']} {case}: {got['msg'][:120]}")
        return
    tally.ok += 1
    tally.max_case_s = max(tally.max_case_s, got["s"])
    noted = got["skipped"] > 0 or set(got["notes"]) != set(base["notes"])
    if kind == "truncate" and got["rows"] < base["rows"] and not noted:
        tally.silent_loss += 1
    changed = abs(got["vsum"] - base["vsum"]) > 1e-9 * max(1.0, abs(base["vsum"]))
    if kind in TEXT_MUTATIONS and got["rows"] == base["rows"] and not noted and changed:
        tally.silent_change += 1


def fuzz(
    data_dir: Path,
    cases: int,
    seconds: float | None,
    seed: int,
    hang_s: float,
    only: set[str] | None = None,
    share_worker: bool | None = None,
) -> dict[str, Tally]:
    """Run the cases round-robin over formats, files and mutations; return tallies per format.

    *share_worker* (default: when timed) reads every format in one worker process
    (faster start; one peak RSS for all) instead of one fresh worker per format."""
    results: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory(prefix="ssblab-fuzz-") as tmp:
        scratch = Path(tmp)
        files = {f: v for f, v in corpus(data_dir, scratch).items() if not only or f in only}
        per_format = max(1, cases // max(1, len(files)))
        budget = None if seconds is None else seconds / max(1, len(files))
        # the full run gives each format a fresh worker (its own peak RSS); a timed short run
        # shares one, and each format's clock starts after its first case
        if share_worker is None:
            share_worker = seconds is not None
        shared = Worker() if share_worker else None
        for fmt, items in files.items():
            tally = results[fmt] = Tally()
            work = shared or Worker()
            start = time.monotonic()
            for i in range(per_format):
                if budget is not None and time.monotonic() - start > budget:
                    break
                path, base = items[i % len(items)]
                data = path.read_bytes()
                kinds = [k for k in MUTATIONS if _is_text(data) or k not in TEXT_MUTATIONS]
                kind = kinds[(i // len(items)) % len(kinds)]
                case_seed = seed * 1_000_003 + i
                mutated = MUTATIONS[kind](data, random.Random(case_seed))
                target = scratch / fmt / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(mutated)
                case = f"(file={path.name}, mutation={kind}, seed={case_seed})"
                classify(tally, kind, base, work.ask(target, hang_s), case)
                if i == 0:
                    start = time.monotonic()
            if shared is None:
                tally.peak_rss_mb = work.close()
        if shared is not None:
            peak = shared.close()
            for tally in results.values():
                tally.peak_rss_mb = peak
    return results


def report(results: dict[str, Tally]) -> str:
    """A plain-text table of the tallies (the figures quoted in the README)."""
    head = (
        f"{'format':18} {'cases':>6} {'ok':>6} {'ssblab':>6} {'other':>5} {'hang':>4} "
        f"{'silent_loss':>11} {'silent_chg':>10} {'max_ok_s':>8} {'peak_MB':>7}"
    )
    lines = [head]
    for fmt, t in results.items():
        lines.append(
            f"{fmt:18} {t.cases:6d} {t.ok:6d} {t.ssblab:6d} {t.other:5d} {t.hang:4d} "
            f"{t.silent_loss:11d} {t.silent_change:10d} {t.max_case_s:8.2f} {t.peak_rss_mb:7.0f}"
        )
    total = sum(t.cases for t in results.values())
    bad = sum(t.other + t.hang for t in results.values())
    lines.append(f"total cases {total}, other exceptions + hangs {bad}")
    for fmt, t in results.items():
        lines += [f"  {fmt}: {b}" for b in t.bugs[:20]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line of the harness; exit 1 when any case raised a non-ssblab error or hung."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=None, help="real-data folder")
    parser.add_argument("--cases", type=int, default=12_000)
    parser.add_argument("--seconds", type=float, default=None, help="time budget (short run)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hang-s", type=float, default=5.0)
    parser.add_argument("--json", type=Path, default=None, help="write the tallies here")
    parser.add_argument("--formats", default="", help="comma-separated formats (default: all)")
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return 0
    data = args.data or Path(os.environ.get("SSBLAB_DATA", HERE.parents[3] / "shared" / "data"))
    only = {f for f in args.formats.split(",") if f}
    results = fuzz(data, args.cases, args.seconds, args.seed, args.hang_s, only)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps({k: vars(v) for k, v in results.items()}, indent=1))
    return 1 if any(t.other or t.hang for t in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
