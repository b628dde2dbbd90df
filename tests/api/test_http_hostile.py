"""Hostile clients on raw sockets against a real server (live): endless and
trickled headers, idle connections, oversized bodies sent before reading,
too many connections; the service keeps answering everyone else. The body
limit's draining is also checked on the middleware alone (fast)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time

import httpx
import pytest

from therapykg.api.middleware import BodyLimitMiddleware
from therapykg.testing import start_server, stop_server

HEADER_TIMEOUT = 2.0
KEEPALIVE_TIMEOUT = 3.0
MAX_CONNECTIONS = 24
MAX_HEADER_BYTES = 16 * 1024  # the default
BIG_BODY = 2 * 1024 * 1024  # far over the 64 KiB body limit, within what the server drains


@pytest.fixture(scope="module")
def server():
    """A live server of its own, with short header and keep-alive timeouts and few connections allowed."""
    process, url = start_server("--query-workers", "1", env={
        "THERAPYKG_HEADER_TIMEOUT": str(HEADER_TIMEOUT), "THERAPYKG_KEEPALIVE_TIMEOUT": str(KEEPALIVE_TIMEOUT),
        "THERAPYKG_MAX_CONNECTIONS": str(MAX_CONNECTIONS)})
    yield url
    stop_server(process)


def connect(url: str, *, send_buffer: int | None = None, timeout: float = 10) -> socket.socket:
    """A blocking socket to the server; a small send buffer makes a client
    that writes a big body wait for the server to read it."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    if send_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
    sock.settimeout(timeout)
    sock.connect((host, int(port)))
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a reset
    after the answer counts as closing); the socket's timeout bounds the wait."""
    received = b""
    try:
        while chunk := sock.recv(65536):
            received += chunk
    except ConnectionResetError:
        pass
    return received


def read_response(sock: socket.socket) -> bytes:
    """One response with a Content-Length, leaving the connection open."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096)
    head, body = received.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":")[1]) for line in head.lower().split(b"\r\n") if line.startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(4096)
    return head + b"\r\n\r\n" + body


def send_head(sock: socket.socket, header_bytes: int) -> None:
    """A GET whose headers hold ``header_bytes`` bytes of one header's value;
    the server may hang up before it has all of it."""
    with contextlib.suppress(OSError):  # cut off after the answer: it is still there to read
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * header_bytes + b"\r\n\r\n")


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/1.1 ") else 0


class Attack:
    """Attacker threads that run while the ``with`` block does: each
    ``endless`` one sends a header that never ends, reconnecting whenever the
    server hangs up; each ``slowloris`` one trickles a header a byte at a time."""

    def __init__(self, url: str, *, endless: int, slowloris: int):
        self.url, self.running = url, threading.Event()
        self.refusals: list[int] = []  # statuses the endless senders read before being cut off
        self.threads = [threading.Thread(target=self._endless, daemon=True) for _ in range(endless)]
        self.threads += [threading.Thread(target=self._slowloris, daemon=True) for _ in range(slowloris)]

    def __enter__(self) -> Attack:
        self.running.set()
        for thread in self.threads:
            thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc) -> None:
        self.running.clear()
        for thread in self.threads:
            thread.join()

    def _endless(self) -> None:
        chunk = b"a" * 65536
        while self.running.is_set():
            with connect(self.url, timeout=1) as sock:
                try:
                    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: attacker\r\nX-Endless: ")
                    while self.running.is_set():
                        sock.sendall(chunk)
                except OSError:
                    pass
                with contextlib.suppress(OSError):
                    self.refusals.append(status(sock.recv(4096)))
            time.sleep(0.01)

    def _slowloris(self) -> None:
        with connect(self.url, timeout=1) as sock:
            try:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: attacker\r\nX-Slow: ")
                while self.running.is_set():
                    sock.sendall(b"a")
                    time.sleep(0.1)
            except OSError:
                pass  # closed by the server: the header timeout


@pytest.mark.live
def test_healthz_stays_fast_under_endless_and_trickled_headers(server):
    latencies = []
    with Attack(server, endless=1, slowloris=5) as attack, httpx.Client(base_url=server, timeout=2) as client:
        deadline = time.monotonic() + 15
        while len(latencies) < 50 and time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                assert client.get("/healthz").status_code == 200
                latencies.append(time.perf_counter() - start)
            except httpx.TimeoutException:
                latencies.append(2.0)
    latencies.sort()  # of 50: the 49th is the 99th percentile
    assert len(latencies) == 50, f"only {len(latencies)} answers in 15 s"
    assert latencies[48] < 0.1, f"p99 {latencies[48] * 1000:.0f} ms, p50 {latencies[25] * 1000:.0f} ms"
    assert 431 in attack.refusals


@pytest.mark.live
def test_a_1_mb_header_gets_431_and_the_connection_closes(server):
    with connect(server) as sock:
        send_head(sock, 1 << 20)
        response = read_until_closed(sock)
    assert status(response) == 431
    assert b"connection: close" in response.lower()


@pytest.mark.live
def test_a_header_just_under_the_limit_is_served(server):
    with connect(server) as sock:
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Cookie: "
        sock.sendall(head + b"a" * (MAX_HEADER_BYTES - len(head) - 100) + b"\r\n\r\n")
        assert status(read_until_closed(sock)) == 200


@pytest.mark.live
@pytest.mark.parametrize("earlier_requests", [0, 1])
def test_a_trickled_header_gets_408_at_the_timeout(server, earlier_requests):
    with connect(server) as sock:
        for _ in range(earlier_requests):
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert status(read_response(sock)) == 200
        sock.settimeout(0.1)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        start, response = time.monotonic(), None
        while response is None and time.monotonic() - start < HEADER_TIMEOUT + 3:
            with contextlib.suppress(OSError):  # closed: the answer is still there to read
                sock.sendall(b"a")
            try:
                response = sock.recv(4096)
            except TimeoutError:
                continue
        elapsed = time.monotonic() - start
    assert status(response or b"") == 408
    assert HEADER_TIMEOUT - 0.2 < elapsed < HEADER_TIMEOUT + 1


@pytest.mark.live
def test_a_connection_that_sends_nothing_is_closed_without_an_answer(server):
    with connect(server, timeout=HEADER_TIMEOUT + 3) as sock:
        start = time.monotonic()
        assert read_until_closed(sock) == b""
        assert time.monotonic() - start < HEADER_TIMEOUT + 1


@pytest.mark.live
def test_keep_alive_outlasts_the_header_timeout(server):
    """The header timeout is per request head: a connection idle between
    requests for longer is kept until the keep-alive timeout."""
    answers = []
    with connect(server) as sock:
        for pause in (0, HEADER_TIMEOUT * 1.25):
            time.sleep(pause)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            answers.append(status(read_response(sock)))
    assert answers == [200, 200]


@pytest.mark.live
def test_an_idle_keep_alive_connection_is_closed_at_the_keep_alive_timeout(server):
    with connect(server, timeout=KEEPALIVE_TIMEOUT + 3) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status(read_response(sock)) == 200
        start = time.monotonic()
        assert read_until_closed(sock) == b""
        assert KEEPALIVE_TIMEOUT - 0.2 < time.monotonic() - start < KEEPALIVE_TIMEOUT + 1


def _post(length_header: bytes, body: bytes, close: bool) -> bytes:
    return (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            + (b"Connection: close\r\n" if close else b"") + length_header + b"\r\n" + body)


@pytest.mark.live
@pytest.mark.parametrize("close", [True, False], ids=["connection-close", "keep-alive"])
def test_a_client_that_sends_a_big_body_before_reading_gets_413(server, close):
    body = b"a" * BIG_BODY
    with connect(server, send_buffer=4096) as sock:
        sock.sendall(_post(b"Content-Length: %d\r\n" % len(body), body, close))
        response = read_until_closed(sock)
    assert status(response) == 413
    assert b"connection: close" in response.lower()


@pytest.mark.live
def test_a_streamed_body_over_the_limit_gets_413(server):
    chunk = b"a" * 16384
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(BIG_BODY // len(chunk))) + b"0\r\n\r\n"
    with connect(server, send_buffer=4096) as sock:
        sock.sendall(_post(b"Transfer-Encoding: chunked\r\n", body, close=True))
        response = read_until_closed(sock)
    assert status(response) == 413


@pytest.mark.parametrize("client", ["endless", "silent"])
def test_draining_a_body_is_bounded_in_bytes_and_time(client):
    """A body that never ends, or never comes, is drained only so far: then
    413 and the connection closes."""
    chunk, calls, sent = b"a" * 65536, [], []

    async def receive():
        calls.append(1)
        if client == "silent":
            await asyncio.sleep(3600)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message):
        sent.append(message)

    async def app(scope, receive, send):
        raise AssertionError("the application saw a request over the limit")

    middleware = BodyLimitMiddleware(app, limit=1024, drain_bytes=1 << 20, drain_seconds=0.5)
    start = time.monotonic()
    asyncio.run(middleware({"type": "http", "headers": [(b"content-length", b"%d" % (1 << 30))]}, receive, send))
    assert time.monotonic() - start < 2
    assert len(calls) <= (1 << 20) // len(chunk) + 2
    assert sent[0]["status"] == 413 and (b"connection", b"close") in sent[0]["headers"]


@pytest.mark.live
def test_connections_over_the_limit_get_503(server):
    idle = [connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.3)  # accepted by the server
        with connect(server) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            over = read_until_closed(sock)
    finally:
        for sock in idle:
            sock.close()
    assert status(over) == 503
    time.sleep(0.3)
    assert httpx.get(server + "/healthz").status_code == 200


@pytest.mark.live
def test_configured_limits_hold_in_every_worker_process():
    process, url = start_server("--workers", "2", "--query-workers", "1", env={"THERAPYKG_MAX_HEADER_BYTES": "4096"})
    try:
        answers = []
        for _ in range(6):
            with connect(url) as sock:
                send_head(sock, 8192)  # under the default limit, over the configured one
                answers.append(status(read_until_closed(sock)))
    finally:
        stop_server(process)
    assert answers == [431] * 6
