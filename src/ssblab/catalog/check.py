"""``catalog check``: every run file against the hash recorded when it was written; repair.

A run file that is missing, truncated or altered is re-read from its source file
(which must still hash to the recorded content); when the source is gone or has
changed the record is re-ingested from what is there now, or marked ``deleted``.
Temporary and unreferenced run files (left by a kill) are removed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssblab.catalog import db
from ssblab.catalog.ingest import file_sha1, ingest_one
from ssblab.errors import SsblabError


def check(out: str | Path, repair: bool = True) -> dict[str, Any]:
    """Verify the catalog in *out*; with *repair*, fix what is wrong. Returns counts and paths."""
    out = Path(out)
    if not (out / db.DB_NAME).is_file():
        raise SsblabError(f"{out}: not an ssblab catalog (no {db.DB_NAME})")
    report: dict[str, Any] = {"checked": 0, "ok": 0, "bad": [], "repaired": [], "deleted": []}
    with db.writer_lock(out):
        con = db.connect(out)
        try:
            rows = con.execute(
                "SELECT path, file_id, run_sha1 FROM files WHERE status = 'read' ORDER BY path"
            ).fetchall()
            for path, file_id, run_sha1 in rows:
                report["checked"] += 1
                run = db.run_path(out, file_id)
                if run.is_file() and file_sha1(run) == run_sha1:
                    report["ok"] += 1
                    continue
                report["bad"].append(path)
                if repair:
                    _repair(con, out, Path(path), report)
            report["orphans_removed"] = (
                [str(p) for p in db.remove_orphans(con, out)] if repair else []
            )
        finally:
            con.close()
    return report


def _repair(con, out: Path, path: Path, report: dict[str, Any]) -> None:
    """Re-ingest *path* (its record is replaced), or mark it deleted when it is gone."""
    if not path.is_file():
        db.mark_deleted(con, [str(path)])
        report["deleted"].append(str(path))
        return
    st = path.stat()
    record = ingest_one((str(path), str(out), "", st.st_size, st.st_mtime_ns))
    db.commit_record(con, out, record)
    report["repaired"].append(str(path))
