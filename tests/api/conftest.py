"""A real server on loopback, started once for the API tests."""

from __future__ import annotations

import httpx
import pytest

from tests.live import start_server, stop_server

MAX_ROWS = 1000


@pytest.fixture(scope="session")
def server():
    process, url = start_server("--max-rows", str(MAX_ROWS), "--query-workers", "2")
    yield url
    stop_server(process)


@pytest.fixture(scope="session")
def client(server):
    with httpx.Client(base_url=server, timeout=30) as c:
        yield c
