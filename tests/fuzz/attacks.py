"""Read attack files in a fresh process and report time, message and peak RSS per file.

``python tests/fuzz/attacks.py FOLDER`` prints one JSON line per file in FOLDER, then
one for a ``catalog build`` of the whole folder, then the process's peak RSS [MiB].
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def main(folder: Path) -> None:
    from ssblab.catalog.store import build
    from ssblab.errors import SsblabError
    from ssblab.io import read

    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.is_symlink()):
        start = time.perf_counter()
        try:
            run = read(path)
            outcome = {"refused": False, "rows": run.table.height}
        except SsblabError as exc:
            outcome = {"refused": True, "message": str(exc)}
        outcome.update(name=path.name, seconds=time.perf_counter() - start)
        print(json.dumps(outcome), flush=True)
    start = time.perf_counter()
    files = build(folder, folder.parent / "attack-catalog")
    statuses = dict(zip(files["path"].str.split("/").list.last(), files["status"], strict=True))
    print(
        json.dumps(
            {"name": "catalog", "statuses": statuses, "seconds": time.perf_counter() - start}
        )
    )
    print(json.dumps({"name": "peak_rss_mib", "value": peak_rss_mib()}), flush=True)


def peak_rss_mib() -> float:
    """This process's peak RSS [MiB]: ``VmHWM`` of its own memory map. (``ru_maxrss`` is
    not used: Linux carries the parent's high-water mark across exec, so a child of a
    1 GiB pytest process reports >= 1 GiB whatever it does.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main(Path(sys.argv[1]))
