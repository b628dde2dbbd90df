"""The service under test, two ways: the ASGI application in this process
(Starlette's TestClient over ``InProcessEngine``: the fast tier), and a real
``therapykg serve`` on loopback with its pool of query processes (live).

``client`` gives each behaviour test both: the in-process application, and
the live server (marked ``live``). Tests of what only a real server does
(timeouts that kill a query, disconnects, worker processes, sockets) ask for
``server`` or ``live_client`` and are in the live tier alone."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
from starlette.testclient import TestClient

from therapykg.api.app import create_app
from therapykg.api.settings import Settings
from therapykg.store.engine import InProcessEngine
from therapykg.testing import start_server, stop_server

MAX_ROWS = 1000
QUERY_WORKERS = 2


class CountingEngine(InProcessEngine):
    """The graph in this process, counting the queries it was given: a
    request refused before execution leaves ``executed`` unchanged."""

    def __init__(self, graph, **options):
        super().__init__(graph, **options)
        self.executed = 0

    async def execute(self, job, timeout, **options):
        self.executed += 1
        return await super().execute(job, timeout, **options)


class Listener:
    """A socket on 127.0.0.1 that counts the connections made to it (its
    accept loop runs in a thread): what a query that reaches out would reach."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.accepted = threading.Event()
        self._stop = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self.accepted.set()
            conn.close()

    def settle(self, seconds: float) -> int:
        """The connections seen, after waiting up to ``seconds`` for one more to be accepted."""
        self.accepted.wait(seconds)
        return self.connections

    def close(self):
        self._stop = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A loopback socket that counts the connections made to it."""
    probe = Listener()
    yield probe
    probe.close()


@contextlib.contextmanager
def in_process(graph, **settings) -> Iterator[TestClient]:
    """A TestClient on the service over ``graph`` in this process (its
    lifespan run); ``settings`` override the defaults the live server gets.
    The engine is ``client.engine``."""
    engine = CountingEngine(graph)
    options = {"max_rows": MAX_ROWS, "query_workers": QUERY_WORKERS, **settings}
    app = create_app(Settings(**options), engine=engine)
    with TestClient(app, base_url="http://testserver") as client:
        client.engine = engine
        yield client


@pytest.fixture(scope="session")
def app_client(graph) -> Iterator[TestClient]:
    """The service as an ASGI application in this process, on the graph (no server, no query processes)."""
    with in_process(graph) as client:
        yield client


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real server on loopback (``therapykg serve``, two query processes), started once; its base URL."""
    process, url = start_server("--max-rows", str(MAX_ROWS), "--query-workers", str(QUERY_WORKERS))
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def live_client(server) -> Iterator[httpx.Client]:
    """An HTTP client on the live server."""
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c


@pytest.fixture(scope="session", params=["in-process", pytest.param("live", marks=pytest.mark.live)])
def client(request) -> httpx.Client:
    """The service, for behaviour tests: in process (fast tier), and over
    HTTP on the live server with its query processes (live tier)."""
    return request.getfixturevalue("app_client" if request.param == "in-process" else "live_client")
