"""Benchmark: a report of a real 108 642-record, 100-cycle Neware file.

* **ssblab**: ``ssblab.report.build`` on the run (read once beforehand): every
  panel the data supports, thinned for display (min/max per bin), the page
  with the gzipped cartesian plotly.js bundle inlined once, and one 200-dpi PNG
  per panel. Timed with and without the PNGs. Target: a few seconds; page data well under 1 MB.
* **peer**: the obvious way to get the same two interactive plots (voltage vs
  capacity of every cycle, capacity vs cycle) without thinning: one Plotly
  trace per cycle with every record, ``Figure.write_html(include_plotlyjs=True)``
  per figure, plus the same full-data plot as a matplotlib PNG.

Both use the same table (``ssblab.read`` of ``shared/data/neware/SIM.nda.zip``).
Times (wall, and CPU of this process) are the median of three runs after a
warm-up, each a cold page: the per-run memo of :mod:`ssblab.analysis.memo` is emptied
before every run (untimed), as a fresh ``ssblab report`` starts; peak memory is the
tracemalloc peak of one run (Python and NumPy allocations; Polars' own Rust allocations
are not seen). Sizes exclude nothing
unless said: "page data" is the HTML minus the plotly.js it inlines (the peer:
the full 4.8 MB bundle per page; ssblab: the base64 of the gzipped bundle,
``report.plotlyjs.library_bytes``).

Run: ``.venv/bin/python benchmarks/bench_report.py``
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import polars as pl

from ssblab import schema as s

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
FILE = DATA / "neware" / "SIM.nda.zip"


def measure(fn: Callable[[], object], repeats: int = 3) -> tuple[float, float, float, object]:
    """Median wall time [s], median CPU time of this process [s] (steadier on a shared
    machine), tracemalloc peak [MiB] and the last result of *fn*, each call with the
    analysis memo emptied first (the same run object would find its cycle table kept)."""
    from ssblab.analysis import memo

    memo.clear_all()
    result = fn()
    times, cpu = [], []
    for _ in range(repeats):
        memo.clear_all()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    memo.clear_all()
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), statistics.median(cpu), peak, result


def peer_report(table: pl.DataFrame, out: Path) -> int:
    """Full-data Plotly pages and a matplotlib PNG, the straightforward way; returns bytes."""
    import plotly.graph_objects as go
    from matplotlib.figure import Figure

    from ssblab.analysis.cycles import cycles

    charge = pl.col(s.CHARGE_CAPACITY) - pl.col(s.CHARGE_CAPACITY).min().over(s.CYCLE)
    discharge = pl.col(s.DISCHARGE_CAPACITY) - pl.col(s.DISCHARGE_CAPACITY).min().over(s.CYCLE)
    q = (
        pl.when(pl.col(s.CURRENT) > 0).then(charge).when(pl.col(s.CURRENT) < 0).then(discharge)
    ) * 1000.0
    curves = table.with_columns(q.alias("q_mAh")).filter(pl.col(s.CURRENT) != 0)
    fig = go.Figure()
    png = Figure(figsize=(5.6, 3.9), dpi=200)
    ax = png.add_subplot()
    for (cycle,), part in curves.group_by(s.CYCLE, maintain_order=True):
        x, y = part.get_column("q_mAh").to_numpy(), part.get_column(s.VOLTAGE).to_numpy()
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=f"cycle {cycle}"))
        ax.plot(x, y, linewidth=0.8)
    ax.set_xlabel("Capacity [mAh]")
    ax.set_ylabel("Voltage [V]")
    fig.write_html(out / "peer_voltage.html", include_plotlyjs=True)
    summary = cycles(table)
    go.Figure(
        go.Scatter(x=summary["cycle"], y=summary["discharge_capacity_Ah"] * 1000.0)
    ).write_html(out / "peer_capacity.html", include_plotlyjs=True)
    png.savefig(out / "peer_voltage.png")
    return sum(p.stat().st_size for p in out.iterdir())


def main() -> int:
    """Run both sides on the same table and print times, memory, sizes and ratios."""
    if not FILE.is_file():
        print(f"skipped: {FILE} not found (shared/data is absent)")
        return 0
    from plotly.offline import get_plotlyjs

    from ssblab.io import read
    from ssblab.report.build import build
    from ssblab.report.plotlyjs import library_bytes

    start = time.perf_counter()
    run = read(FILE)
    read_s = time.perf_counter() - start
    n_cycles = run.table.get_column(s.CYCLE).n_unique()
    print(f"file: {FILE.name}, {run.n_rows} records, {n_cycles} cycles (read in {read_s:.2f} s)")
    js_bytes = len(get_plotlyjs().encode("utf-8"))  # what each peer page inlines
    page_js = library_bytes()  # what ssblab's page inlines: base64 of the gzipped bundle
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        t_html, c_html, m_html, rep = measure(lambda: build([run], tmp_path / "nopng", png=False))
        t_full, c_full, m_full, rep = measure(lambda: build([run], tmp_path / "full", png=True))
        html_bytes = rep.index.stat().st_size
        png_bytes = sum(p.stat().st_size for p in rep.pngs)
        print(f"load average {os.getloadavg()[0]:.1f} (1 min)")
        print(
            f"ssblab report, HTML only : {t_html:6.2f} s ({c_html:.2f} s CPU), "
            f"peak {m_html:6.1f} MiB"
        )
        print(
            f"ssblab report, HTML + PNG: {t_full:6.2f} s ({c_full:.2f} s CPU), "
            f"peak {m_full:6.1f} MiB, "
            f"{len(rep.panels)} panels ({len(rep.pngs)} PNGs, {png_bytes / 1e6:.2f} MB)"
        )
        print(
            f"  page {html_bytes / 1e6:.2f} MB = gzipped plotly.js {page_js / 1e6:.2f} MB "
            f"(base64) + page data {(html_bytes - page_js) / 1e3:.0f} kB"
        )

        def peer() -> int:
            out = tmp_path / "peer"
            out.mkdir(exist_ok=True)
            return peer_report(run.table, out)

        t_peer, c_peer, m_peer, _ = measure(peer)
        peer_html = sum(p.stat().st_size for p in (tmp_path / "peer").glob("*.html"))
        print(
            f"peer (full data, 2 plots): {t_peer:6.2f} s ({c_peer:.2f} s CPU), "
            f"peak {m_peer:6.1f} MiB, "
            f"HTML {peer_html / 1e6:.2f} MB in 2 files "
            f"(data {(peer_html - 2 * js_bytes) / 1e3:.0f} kB)"
        )
        ratio_data = (peer_html - 2 * js_bytes) / max(html_bytes - page_js, 1)
        print(
            f"ratio peer/ssblab: CPU time {c_peer / c_full:.2f}x (ssblab draws {len(rep.panels)} "
            f"panels, the peer 2), page data {ratio_data:.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
