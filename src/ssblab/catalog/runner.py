"""Run one pure function over many items: in this process, or on Dask distributed.

The same function runs either way, so a lab's archive is processed on a laptop
and on a cluster by the same code. ``scheduler=None`` runs serially here (with a
progress callback); ``scheduler="local"`` starts a ``LocalCluster``; any other
string is the address of a running Dask scheduler (``tcp://host:8786``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ssblab.errors import SsblabError, require

T = TypeVar("T")
R = TypeVar("R")


def run_many(
    fn: Callable[[T], R],
    items: Iterable[T],
    scheduler: str | None = None,
    workers: int | None = None,
    on_done: Callable[[int], Any] | None = None,
) -> list[R]:
    """Apply *fn* to every item and return the results in input order.

    Parameters
    ----------
    fn : callable
        A pure, picklable function (module level).
    scheduler : {None, "local"} or str
        None: serial in this process; "local": a Dask LocalCluster of *workers*
        processes; otherwise a Dask scheduler address.
    on_done : callable, optional
        Called with the number of finished items after each one (progress bars).
    """
    items = list(items)
    if scheduler is None:
        results = []
        for i, item in enumerate(items, start=1):
            results.append(fn(item))
            if on_done:
                on_done(i)
        return results
    require("distributed", "scale")
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(
                n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise SsblabError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
    try:
        futures = client.map(fn, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            if on_done:
                on_done(done)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
