"""The test suite runs with the network blocked (tests/conftest.py) and the local Dask
cluster opens no dashboard and listens on loopback only."""

from __future__ import annotations

import socket
import urllib.request

import pytest


def test_connections_beyond_loopback_are_blocked():
    with pytest.raises(OSError, match="network access blocked"):
        socket.create_connection(("93.184.215.14", 80), timeout=1)
    with pytest.raises(OSError, match="network access blocked"):
        urllib.request.urlopen("http://example.com", timeout=1)


def test_loopback_still_works():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()


@pytest.mark.slow
def test_local_cluster_listens_on_loopback_only_without_dashboard():
    pytest.importorskip("distributed")
    psutil = pytest.importorskip("psutil")
    from ssblab.catalog.runner import local_cluster

    with local_cluster(2):
        pids = [psutil.Process().pid, *(c.pid for c in psutil.Process().children(recursive=True))]
        listening = [
            conn.laddr
            for pid in pids
            for conn in psutil.Process(pid).net_connections(kind="inet")
            if conn.status == psutil.CONN_LISTEN
        ]
    assert listening and all(addr.ip == "127.0.0.1" for addr in listening), listening
    assert 8787 not in [addr.port for addr in listening]
    assert len(listening) <= 1 + 2 * 2  # the scheduler, each worker and its nanny: no HTTP
