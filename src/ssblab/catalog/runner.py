"""Run one pure function over many items: in this process, or on Dask distributed.

The same function runs either way, so a lab's archive is processed on a laptop
and on a cluster by the same code. ``scheduler=None`` runs serially here (with a
progress callback); ``scheduler="local"`` starts a ``LocalCluster``; any other
string is the address of a running Dask scheduler (``tcp://host:8786``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ssblab.errors import SsblabError, require

T = TypeVar("T")
R = TypeVar("R")


@contextmanager
def dask_client(scheduler: str, workers: int | None) -> Iterator[Any]:
    """A Dask client for *scheduler* (``"local"``: a LocalCluster of *workers*), closed on
    exit with its cluster; an unreachable scheduler is one line."""
    require("distributed", "scale")
    from distributed import Client

    cluster = None
    try:
        if scheduler == "local":
            cluster = local_cluster(workers or 2)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise SsblabError(f"cannot reach the Dask scheduler {scheduler!r}: {exc}") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


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
    from distributed import as_completed

    with dask_client(scheduler, workers) as client:
        futures = client.map(fn, items, pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            if on_done:
                on_done(done)
        return results


def _apply_batch(fn_and_items: tuple[Callable[[Any], Any], list[Any]]) -> list[Any]:
    """Run *fn* over a batch of items on one worker (one task per batch, not per file)."""
    fn, items = fn_and_items
    return [fn(item) for item in items]


def _warm() -> None:
    """Import the readers once per worker before the first task arrives."""
    from ssblab.io import load_readers

    load_readers()


#: Dask settings for short CPU-bound tasks: the statistical profiler (a thread walking the
#: worker's stack every 10 ms, which made each read ~3x slower) and the monitors are off.
QUIET_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.disk": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "5s",
}


class _NoHTTP:
    """Mixin: a Dask server that opens no HTTP port (no dashboard, no /metrics, no /health).

    Dask's scheduler starts its HTTP server on port 8787 even with
    ``dashboard_address=None``, and each worker one on a random port; these servers
    keep an HTTP server object that never listens."""

    def start_http_server(self, routes, dashboard_address, default_port=0, ssl_options=None):
        from distributed.http.routing import RoutingApplication
        from tornado.httpserver import HTTPServer

        self.http_application = RoutingApplication([])
        self.http_server = HTTPServer(self.http_application)


def _quiet_classes():
    from distributed import Scheduler, Worker

    scheduler = type("QuietScheduler", (_NoHTTP, Scheduler), {"__module__": __name__})
    worker = type("QuietWorker", (_NoHTTP, Worker), {"__module__": __name__})
    return scheduler, worker


def local_cluster(workers: int):
    """A local Dask cluster of *workers* single-threaded processes on 127.0.0.1 that opens no
    HTTP port: the scheduler's port, and each worker's and its nanny's, nothing else."""
    require("distributed", "scale")
    import dask
    from distributed import Nanny, SpecCluster

    dask.config.set(QUIET_CONFIG)  # nannies hand this configuration to their workers
    scheduler_cls, worker_cls = __getattr__("QuietScheduler"), __getattr__("QuietWorker")
    options = {"nthreads": 1, "host": "127.0.0.1", "silence_logs": 40}
    worker = {"cls": Nanny, "options": {**options, "worker_class": worker_cls}}
    return SpecCluster(
        scheduler={"cls": scheduler_cls, "options": {"host": "127.0.0.1", "dashboard": False}},
        workers={i: worker for i in range(workers)},
        silence_logs=40,
    )


def __getattr__(name: str):
    """``QuietWorker``/``QuietScheduler`` are built on first use (distributed is optional)."""
    if name in ("QuietScheduler", "QuietWorker"):
        if "QuietWorker" not in globals():
            scheduler, worker = _quiet_classes()
            globals().update(QuietScheduler=scheduler, QuietWorker=worker)
        return globals()[name]
    raise AttributeError(name)


def stream_many(
    fn: Callable[[T], R],
    items: Iterable[T],
    scheduler: str | None = None,
    workers: int | None = None,
    batch: int | None = None,
) -> Iterator[list[R]]:
    """Yield ``[fn(item), ...]`` for each batch of items as it finishes (any order with Dask).

    Serially a batch is one item. On Dask a task is a batch of *batch* items (default 4),
    and at most ``4 * workers`` tasks are in flight, so the client holds a bounded number
    of results however many items there are; the caller consumes (commits) each batch
    as it arrives.
    """
    if scheduler is None:
        for item in items:
            yield [fn(item)]
        return
    from distributed import as_completed

    with dask_client(scheduler, workers) as client:
        client.run(_warm)
        n_workers = max(1, len(client.scheduler_info()["workers"]))
        size = batch or 4
        source = iter(items)

        def next_batch() -> list[Any]:
            return list(itertools.islice(source, size))

        pending = as_completed()
        for _ in range(4 * n_workers):
            chunk = next_batch()
            if not chunk:
                break
            pending.add(client.submit(_apply_batch, (fn, chunk), pure=False))
        for future in pending:
            results = future.result()
            future.release()
            chunk = next_batch()
            if chunk:
                pending.add(client.submit(_apply_batch, (fn, chunk), pure=False))
            yield results
