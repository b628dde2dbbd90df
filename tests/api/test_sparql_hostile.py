"""Hostile SPARQL clients against real servers on loopback: the query
processes' confinement, a runaway for memory, clients too slow to read
answers, floods of runaway queries, requests that expire while waiting, dead
workers and raw bytes no HTTP client sends. Each test reproduces the attack
over real HTTP and checks what the service does about it, measuring (in
/proc) what can be measured: the processes' namespaces and seccomp mode,
their memory, the server's sockets.

The attacks the service must stop in process as well (outbound requests,
nesting bombs, invalid UTF-8, answers too large to send) are in
test_sparql_hostile_shared.py, run there on this module's kind of server
(``start_hostile``) and on the service in this process."""

from __future__ import annotations

import asyncio
import glob
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

import httpx
import pytest

from therapykg.store.admission import RESERVED_WORKERS
from therapykg.testing import start_server, stop_server, wait_until

# Real servers with their query processes, measured in /proc.
pytestmark = pytest.mark.live

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# 75 bytes: every triple three times over, to be sorted, so all 5,000^3 rows must be held at once.
MEMORY_BOMB = "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i"
CHEAP = "ASK { ?s ?p ?o }"
GRAPHQL = {"query": "{ therapies(first: 2) { totalCount } }"}

MEMORY_MIB = 400
MAX_RESULT_BYTES = 1 << 20
ADHOC_QUEUE = 2
SEND_TIMEOUT = 2.0
KEEPALIVE_TIMEOUT = 5.0  # uvicorn's, as the service sets it by default
SLOW_READERS = 6
# A client that wants to hold the server's memory offers a tiny receive window.
TINY_RECEIVE_BUFFER = 4096


# --- /proc ---------------------------------------------------------------

def _read(path: str) -> str | None:
    try:
        with open(path) as f:
            return f.read()
    except OSError:  # the process or thread is gone
        return None


def children(pid: int) -> list[int]:
    """Direct children of ``pid``; each thread has its own list of the children it started."""
    found = []
    for path in glob.glob(f"/proc/{pid}/task/*/children"):
        found += [int(p) for p in (_read(path) or "").split()]
    return found


def cmdline(pid: int) -> str:
    return (_read(f"/proc/{pid}/cmdline") or "").replace("\0", " ")


def query_workers(server_pid: int) -> set[int]:
    """The query processes: the children of the server's multiprocessing forkserver."""
    return {w for child in children(server_pid) if "multiprocessing.forkserver" in cmdline(child) for w in children(child)}


def status(path: str) -> dict[str, str]:
    """The fields of a /proc/.../status file (empty if the process is gone)."""
    fields = {}
    for line in (_read(path) or "").splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return fields


def memory_kib(pid: int, field: str = "VmRSS") -> int:
    value = status(f"/proc/{pid}/status").get(field)
    return int(value.split()[0]) if value else 0


def cpu_ticks(pid: int) -> int:
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def gone_or_zombie(pid: int) -> bool:
    return status(f"/proc/{pid}/status").get("State", "Z").startswith(("Z", "X"))


TCP_STATES = {"01": "ESTABLISHED", "04": "FIN_WAIT1", "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE",
              "08": "CLOSE_WAIT", "09": "LAST_ACK", "0B": "CLOSING"}


def _server_side(server_port: int, client_port: int) -> list[str] | None:
    """The /proc/net/tcp line of the server's end of a connection, split (None once the kernel forgot it)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in (_read(table) or "").splitlines()[1:]:
            parts = line.split()
            local, remote = parts[1], parts[2]
            if int(local.rsplit(":", 1)[1], 16) == server_port and int(remote.rsplit(":", 1)[1], 16) == client_port:
                return parts
    return None


def server_side_state(server_port: int, client_port: int) -> str | None:
    """The TCP state of the server's end of a connection."""
    parts = _server_side(server_port, client_port)
    return None if parts is None else TCP_STATES.get(parts[3], parts[3])


def server_side_unsent(server_port: int, client_port: int) -> int:
    """Bytes the server handed to its kernel that the client has not taken (tx_queue)."""
    parts = _server_side(server_port, client_port)
    return 0 if parts is None else int(parts[4].split(":")[0], 16)


class MemorySampler:
    """Samples processes' memory every ``period`` seconds in a thread; ``pids``
    is called at each sample, so that processes started meanwhile count."""

    def __init__(self, pids, period: float = 0.02):
        self.pids, self.period = pids, period
        self.peak: dict[str, int] = {"VmRSS": 0, "VmHWM": 0, "RssAnon": 0, "RssFile": 0}
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids():
                fields = status(f"/proc/{pid}/status")
                for name in self.peak:
                    if fields.get(name):
                        self.peak[name] = max(self.peak[name], int(fields[name].split()[0]))
            self.samples += 1
            self._stop.wait(self.period)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# --- the servers ---------------------------------------------------------

class Live:
    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url = process, url
        self.pid = process.pid  # `therapykg serve` runs uvicorn in this very process
        self.host, port = url.removeprefix("http://").split(":")
        self.port = int(port)
        self.client = httpx.Client(base_url=url, timeout=30)

    def readyz(self) -> dict:
        return self.client.get("/readyz").json()

    @property
    def workers(self) -> int:
        return self.readyz()["workers"]

    def settle(self, timeout: float = 20) -> dict:
        """Wait until every query process is alive, idle and nothing is queued."""
        full = self.workers

        def settled():
            body = self.readyz()
            return body if body["alive_workers"] == body["idle_workers"] == full and not any(body["queued"].values()) else None
        body = wait_until(settled, timeout, 0.1)
        assert body, f"the pool did not settle within {timeout} s: {self.readyz()}"
        assert wait_until(lambda: len(query_workers(self.pid)) == full, 5, 0.05), query_workers(self.pid)
        return body

    def connect(self, *, receive_buffer: int | None = None) -> socket.socket:
        sock = socket.socket()
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(10)
        sock.connect((self.host, self.port))
        return sock

    def close(self) -> None:
        self.client.close()
        stop_server(self.process)


def start_hostile() -> Live:
    """A server with 2 ad-hoc query processes (and the service lane's own), small limits."""
    process, url = start_server("--query-workers", "2", "--timeout", "20", env={
        "THERAPYKG_QUERY_MEMORY_MIB": str(MEMORY_MIB), "THERAPYKG_MAX_RESULT_BYTES": str(MAX_RESULT_BYTES),
        "THERAPYKG_ADHOC_QUEUE": str(ADHOC_QUEUE), "THERAPYKG_SEND_TIMEOUT": str(SEND_TIMEOUT),
        # Every GraphQL request below runs on the pool, none comes from the cache.
        "THERAPYKG_GRAPHQL_CACHE_SIZE": "0"})
    return Live(process, url)


@pytest.fixture(scope="module")
def hostile():
    """The hostile server (``start_hostile``), for this module."""
    live = start_hostile()
    yield live
    live.close()


@pytest.fixture(scope="module")
def spooling():
    """Answers of several MiB (the default byte limit): larger than the
    spool's memory and than what the kernel's socket buffers take."""
    process, url = start_server("--query-workers", "1", env={
        "THERAPYKG_MAX_RESULT_BYTES": str(16 << 20), "THERAPYKG_SEND_TIMEOUT": str(SEND_TIMEOUT)})
    live = Live(process, url)
    yield live
    live.close()


def adhoc_slots(workers: int) -> int:
    return max(1, workers - RESERVED_WORKERS)


class Runaways:
    """``count`` runaway ad-hoc queries, each in its own thread, each with ``timeout`` seconds."""

    def __init__(self, url: str, count: int, timeout: float, query: str = RUNAWAY):
        self.results: list[tuple[int, float, str]] = []
        self.threads = [threading.Thread(target=self._run, args=(url, query, timeout), daemon=True) for _ in range(count)]

    def _run(self, url: str, query: str, timeout: float) -> None:
        start = time.monotonic()
        response = httpx.get(url + "/sparql", params={"query": query, "timeout": str(timeout)}, timeout=60)
        self.results.append((response.status_code, time.monotonic() - start, response.text))

    def __enter__(self) -> Runaways:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for thread in self.threads:
            thread.join(60)


def running(pid: int) -> bool:
    """Whether a thread of the process is running or waiting for a CPU (an idle worker sleeps on its socket)."""
    for path in glob.glob(f"/proc/{pid}/task/*/stat"):
        stat = _read(path)
        if stat and stat.rsplit(")", 1)[1].split()[0] == "R":
            return True
    return False


def busy_workers(pids: set[int], seconds: float = 0.5) -> set[int]:
    """The processes busy with a query over ``seconds``: they burned CPU, or
    were seen running (a runaway keeps a core busy, or waits for one on a
    loaded machine)."""
    before = {pid: cpu_ticks(pid) for pid in pids}
    seen = set()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        seen |= {pid for pid in pids if running(pid)}
        time.sleep(0.02)
    return seen | {pid for pid in pids if cpu_ticks(pid) - before[pid] >= 2}


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[max(0, -(-99 * len(ordered) // 100) - 1)]


# --- 1. outbound requests are refused by the guard: test_sparql_hostile_shared.py

# --- 2. the query processes cannot connect even if the guard let a query by ---

def test_query_processes_are_confined(hostile):
    """/readyz reports the sandbox, and /proc shows it: every query process has
    a network namespace of its own and every one of its threads runs under a
    seccomp filter."""
    body = hostile.settle()
    assert body["sandbox"] == ["network namespace", "seccomp socket filter"]
    assert body["query_memory_mib"] == MEMORY_MIB
    server_net = os.readlink(f"/proc/{hostile.pid}/ns/net")
    workers = query_workers(hostile.pid)
    assert len(workers) == body["workers"]
    namespaces = set()
    for pid in workers:
        net = os.readlink(f"/proc/{pid}/ns/net")
        assert net != server_net
        namespaces.add(net)
        tasks = glob.glob(f"/proc/{pid}/task/*/status")
        assert len(tasks) >= 2  # the main thread and the query thread
        for task in tasks:
            fields = status(task)
            assert fields["Seccomp"] == "2", (task, fields["Seccomp"])  # 2: filter mode
            assert int(fields["Seccomp_filters"]) >= 1
            assert fields["NoNewPrivs"] == "1"
    assert len(namespaces) == len(workers)  # one each, not one shared with anything


_ENTER_AND_CONNECT = """
import ctypes, os, socket, sys
libc = ctypes.CDLL("libc.so.6", use_errno=True)
fd = os.open(sys.argv[1], os.O_RDONLY)
if libc.setns(fd, 0x40000000) != 0:  # CLONE_NEWNET
    sys.exit("setns failed: errno %d" % ctypes.get_errno())
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[2])), timeout=2).close()
except OSError as error:
    print("refused", error.errno)
else:
    print("connected")
"""


def test_a_query_process_namespace_reaches_nothing(hostile, listener):
    """The namespace alone: a process entering a query process's network
    namespace cannot reach a listener on the host's loopback."""
    worker = min(query_workers(hostile.pid))
    done = subprocess.run([sys.executable, "-c", _ENTER_AND_CONNECT, f"/proc/{worker}/ns/net", str(listener.port)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused"), done.stdout
    time.sleep(0.3)
    assert listener.connections == 0


def _service_through_pool(sandbox: str, port: int) -> tuple[list[str], str, bytes]:
    """Send a SERVICE query straight to a query process (no HTTP, no guard)."""
    from therapykg.store.errors import QueryFailed
    from therapykg.store.pool import QueryPool
    from therapykg.store.worker import QueryJob, WorkerOptions

    async def run():
        pool = QueryPool(1, "memory", options=WorkerOptions(sandbox=sandbox))
        await pool.start()
        try:
            job = QueryJob(query=f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
            try:
                outcome = await pool.execute(job, 10)
            except QueryFailed as failed:
                return pool.sandbox, "failed", str(failed).encode()
            return pool.sandbox, "answered", outcome.read_body()
        finally:
            await pool.close()
    return asyncio.run(run())


def test_with_the_guard_out_of_the_way_a_query_process_still_cannot_connect(listener):
    """The engine follows SERVICE (an unconfined process does connect: the
    control), but a confined query process gets EPERM from its seccomp filter
    and the listener never sees it."""
    sandbox, code, body = _service_through_pool("off", listener.port)
    assert sandbox == []
    assert wait_until(lambda: listener.connections >= 1, 5), "control: an unconfined engine should have connected"
    seen = listener.connections
    sandbox, code, body = _service_through_pool("auto", listener.port)
    assert sandbox == ["network namespace", "seccomp socket filter"]
    assert code == "failed" and b"Operation not permitted" in body
    time.sleep(0.5)
    assert listener.connections == seen


# --- 3. the memory ceiling ------------------------------------------------

# RLIMIT_DATA bounds private memory (VmData); resident memory also counts the
# file-backed pages of the interpreter and the libraries (RssFile, about
# 11 MiB per query process here) and the main thread's stack, which the limit
# does not cover.
RSS_ALLOWANCE_MIB = 32
MEASURED: dict[str, object] = {}


@pytest.fixture(scope="module", autouse=True)
def report_measurements():
    """Print what the tests measured at the end of the module (visible with -s)."""
    yield
    if MEASURED:
        print("\nmeasured:", json.dumps(MEASURED, indent=1))


def test_memory_ceiling_stops_a_runaway_cleanly(hostile):
    full = hostile.settle()["workers"]
    before = query_workers(hostile.pid)
    with MemorySampler(lambda: query_workers(hostile.pid)) as sampler:
        response, seconds = timed(lambda: hostile.client.post(
            "/sparql", data={"query": MEMORY_BOMB}, headers={"Accept": "application/n-triples"}))
    MEASURED["memory"] = {**{k: round(v / 1024, 1) for k, v in sampler.peak.items()}, "samples": sampler.samples,
                          "seconds": round(seconds, 2)}
    print(f"\nmemory bomb: {response.status_code} after {seconds:.2f} s; peak MiB {MEASURED['memory']}")
    assert response.status_code == 503
    assert f"{MEMORY_MIB} MiB" in response.text and "THERAPYKG_QUERY_MEMORY_MIB" in response.text
    assert seconds < 10  # stopped by the ceiling, long before the 20 s timeout
    # Measured, not assumed: the attack did grow a process (at least half the
    # ceiling) and no process went past the ceiling.
    peak_rss = max(sampler.peak["VmRSS"], sampler.peak["VmHWM"]) / 1024
    assert peak_rss > MEMORY_MIB / 2, sampler.peak
    assert peak_rss < MEMORY_MIB + RSS_ALLOWANCE_MIB, sampler.peak
    assert sampler.peak["RssAnon"] / 1024 < MEMORY_MIB, sampler.peak
    # The service keeps answering, and the process is replaced.
    assert hostile.client.get("/healthz").status_code == 200
    cheap = hostile.client.get("/sparql", params={"query": CHEAP}, headers={"Accept": JSON})
    assert cheap.status_code == 200 and cheap.json()["boolean"] is True
    body = hostile.settle()
    assert body["alive_workers"] == full and body["status"] == "ready"
    after = query_workers(hostile.pid)
    assert len(before - after) == 1 and len(after - before) == 1  # exactly one process replaced
    fresh = (after - before).pop()
    assert os.readlink(f"/proc/{fresh}/ns/net") != os.readlink(f"/proc/{hostile.pid}/ns/net")
    assert status(f"/proc/{fresh}/status")["Seccomp"] == "2"


# --- 4. clients too slow to read answers (answers too large to send:
# test_sparql_hostile_shared.py) ---------------------------------------------

def request_and_hang(live: Live, query: str) -> tuple[socket.socket, int]:
    """Ask for ``query`` on a raw socket with a tiny receive window and read
    nothing: wait (peeking, which consumes nothing) until the answer starts
    arriving; returns the socket and the answer's Content-Length."""
    sock = live.connect(receive_buffer=TINY_RECEIVE_BUFFER)
    target = "/sparql?" + str(httpx.QueryParams({"query": query}))
    sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {live.host}\r\nAccept: {JSON}\r\n\r\n".encode())
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        seen = sock.recv(TINY_RECEIVE_BUFFER, socket.MSG_PEEK)
        if b"\r\n\r\n" in seen:
            head = seen.split(b"\r\n\r\n")[0].decode("latin-1").lower().split("\r\n")
            assert head[0].startswith("http/1.1 200"), head
            # Wait until the server has handed over all it will (its kernel's queue for us stops growing).
            port, queued = sock.getsockname()[1], []
            while len(queued) < 5 or queued[-1] != queued[-5]:
                queued.append(server_side_unsent(live.port, port))
                time.sleep(0.02)
            return sock, int(next(line.split(":")[1] for line in head if line.startswith("content-length:")))
        time.sleep(0.01)
    sock.close()
    raise AssertionError("no answer within 20 s")


def hang_readers(live: Live, query: str) -> tuple[list[socket.socket], int, int, int]:
    """SLOW_READERS clients that never read ``query``'s answer; returns them,
    the answer's size and the server's resident memory before and while they hang (KiB)."""
    for _ in range(2):  # the same request read in full, so that "before" includes serving it once
        sock, size = request_and_hang(live, query)
        with sock:
            received = b""
            while chunk := sock.recv(1 << 20):
                received += chunk
                if len(received.partition(b"\r\n\r\n")[2]) >= size:
                    break
    time.sleep(0.3)
    before = memory_kib(live.pid)
    readers, size = [], 0
    try:
        for _ in range(SLOW_READERS):
            sock, size = request_and_hang(live, query)
            readers.append(sock)
    except BaseException:
        for sock in readers:
            sock.close()
        raise
    hanging = before
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        hanging = max(hanging, memory_kib(live.pid))
        time.sleep(0.02)
    return readers, size, before, hanging


def still_answering(live: Live) -> tuple[float, float]:
    health, health_seconds = timed(lambda: live.client.get("/healthz"))
    cheap, cheap_seconds = timed(lambda: live.client.get("/sparql", params={"query": CHEAP}, headers={"Accept": JSON}))
    assert health.status_code == 200 and health_seconds < 0.5
    assert cheap.status_code == 200 and cheap.json()["boolean"] is True and cheap_seconds < 1.0
    return health_seconds, cheap_seconds


def test_slow_readers_of_answers_near_the_byte_limit(hostile):
    """Six clients ask for an answer just under the 1 MiB limit and never read:
    the server holds far less than six answers (each goes to the kernel's
    socket buffer whole), keeps answering everyone else, and closes those
    connections itself (the keep-alive timeout: each response is complete
    as far as the server is concerned)."""
    hostile.settle()
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 4000"
    readers, size, before, hanging = hang_readers(hostile, query)
    try:
        assert MAX_RESULT_BYTES * 0.9 < size <= MAX_RESULT_BYTES
        growth = (hanging - before) * 1024
        MEASURED["slow readers, 1 MiB answers"] = {"answer bytes": size, "server RSS growth KiB": hanging - before}
        print(f"\n{SLOW_READERS} slow readers of {size} bytes: server RSS {before} -> {hanging} KiB")
        assert growth < SLOW_READERS * size / 4  # a quarter of six buffered answers at most
        health, cheap = still_answering(hostile)
        MEASURED["while slow readers hang"] = {"healthz s": round(health, 4), "cheap query s": round(cheap, 4)}
        # Each answer is with the kernel now; the server closes each connection
        # (its end leaves ESTABLISHED) without the client reading anything.
        ports = [sock.getsockname()[1] for sock in readers]
        closed = wait_until(lambda: all(server_side_state(hostile.port, p) != "ESTABLISHED" for p in ports),
                            SEND_TIMEOUT + KEEPALIVE_TIMEOUT + 5, 0.1)
        assert closed, [server_side_state(hostile.port, p) for p in ports]
    finally:
        for sock in readers:
            sock.close()


# Rows of about 1.2 KB: some 6 MB for the whole graph, spooled to disk (over the
# spool's 1 MiB) and more than the kernel's socket buffers take (4 MiB at most).
PADDED_ROWS = 'SELECT ?s ?p ?o ?pad WHERE { ?s ?p ?o BIND("' + "x" * 1000 + '" AS ?pad) }'


def test_slow_readers_of_spooled_answers_hold_little_server_memory(spooling):
    spooling.settle()
    readers, size, before, hanging = hang_readers(spooling, PADDED_ROWS)
    try:
        assert size > 5 << 20
        growth = (hanging - before) * 1024
        MEASURED["slow readers, spooled answers"] = {"answer bytes": size, "server RSS growth KiB": hanging - before}
        print(f"\n{SLOW_READERS} slow readers of {size} bytes: server RSS {before} -> {hanging} KiB")
        assert growth < SLOW_READERS * size / 4
        still_answering(spooling)
    finally:
        for sock in readers:
            sock.close()


def test_a_reader_that_stops_is_cut_off_after_the_send_timeout(spooling):
    """The server gives up on a client that reads nothing for the send
    timeout: its end of the connection is closed (not left ESTABLISHED,
    holding a socket and a place under THERAPYKG_MAX_CONNECTIONS) without the
    client reading anything."""
    spooling.settle()
    readers = []
    try:
        for _ in range(2):
            sock, size = request_and_hang(spooling, PADDED_ROWS)
            readers.append(sock)
        ports = [sock.getsockname()[1] for sock in readers]
        time.sleep(SEND_TIMEOUT)
        closed = wait_until(lambda: all(server_side_state(spooling.port, p) != "ESTABLISHED" for p in ports), 3, 0.1)
        assert closed, [server_side_state(spooling.port, p) for p in ports]
    finally:
        for sock in readers:
            sock.close()


# --- 5. admission control ---------------------------------------------------

def test_a_flood_of_runaways_leaves_the_service_lane_and_health_alone(hostile):
    full = hostile.settle()["workers"]
    slots = adhoc_slots(full)
    health: list[float] = []
    named_times, graphql_times = [], []
    with Runaways(hostile.url, slots + ADHOC_QUEUE, timeout=6) as flood:
        # Every ad-hoc slot busy and the ad-hoc queue full.
        def saturated():
            body = hostile.readyz()
            return body if body["queued"]["adhoc"] == ADHOC_QUEUE and body["idle_workers"] == full - slots else None
        body = wait_until(saturated, 5, 0.02)
        assert body, hostile.readyz()
        # Busy is not unready: the service lane still has room.
        assert body["status"] == "ready" and body["alive_workers"] == full
        one_more, refused_in = timed(lambda: hostile.client.get("/sparql", params={"query": CHEAP}))
        assert one_more.status_code == 503 and refused_in < 0.5
        assert one_more.headers["Retry-After"].isdigit() and "busy" in one_more.text
        for _ in range(3):
            named, seconds = timed(lambda: hostile.client.get("/queries/trials"))
            assert named.status_code == 200 and seconds < 1.0
            named_times.append(seconds)
            answer, seconds = timed(lambda: hostile.client.post("/graphql", json=GRAPHQL))
            assert answer.status_code == 200 and "errors" not in answer.json()
            assert answer.json()["data"]["therapies"]["totalCount"] > 0 and seconds < 1.0
            graphql_times.append(seconds)
        for _ in range(50):
            response, seconds = timed(lambda: hostile.client.get("/healthz"))
            assert response.status_code == 200
            health.append(seconds)
            time.sleep(0.02)
        still_saturated = hostile.readyz()
        assert still_saturated["status"] == "ready" and still_saturated["queued"]["adhoc"] == ADHOC_QUEUE
    MEASURED["ad-hoc saturated"] = {
        "503 when the queue is full, s": round(refused_in, 4), "named query max s": round(max(named_times), 4),
        "GraphQL max s": round(max(graphql_times), 4), "healthz p50 ms": round(statistics.median(health) * 1000, 2),
        "healthz p99 ms": round(p99(health) * 1000, 2)}
    print(f"\nad-hoc saturated: {MEASURED['ad-hoc saturated']}")
    assert p99(health) < 0.1
    # Every runaway ended at its own timeout: those that ran were stopped (a
    # queued one may get a process in its last moments, and be stopped too).
    assert len(flood.results) == slots + ADHOC_QUEUE
    assert all(code == 503 and "timeout" in text and seconds < 15 for code, seconds, text in flood.results), flood.results
    assert sum("timed out after" in text for _, _, text in flood.results) >= slots
    hostile.settle()


# --- 6. a request that expires while waiting is never dispatched ------------

def test_a_request_that_expires_in_the_queue_is_not_dispatched(hostile):
    full = hostile.settle()["workers"]
    slots = adhoc_slots(full)
    before = query_workers(hostile.pid)
    with Runaways(hostile.url, slots, timeout=4):
        assert wait_until(lambda: hostile.readyz()["idle_workers"] == full - slots, 5, 0.02)
        running = busy_workers(before)
        assert len(running) == slots
        waiting, seconds = timed(lambda: hostile.client.get("/sparql", params={"query": CHEAP, "timeout": "1"}))
        assert waiting.status_code == 503 and "timeout" in waiting.text
        assert 0.9 < seconds < 2.0
        # Nothing was sent to a process for it, so no process was killed for it.
        assert query_workers(hostile.pid) == before
        assert hostile.readyz()["alive_workers"] == full
    hostile.settle()
    after = query_workers(hostile.pid)
    assert before - after == running  # only the runaways' processes were replaced
    assert len(after) == full


# --- 7. readiness and dead idle workers --------------------------------------

def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    assert wait_until(lambda: gone_or_zombie(pid), 5, 0.01)


def test_a_killed_idle_worker_is_detected_before_dispatch(hostile):
    full = hostile.settle()["workers"]
    victim = min(query_workers(hostile.pid))
    kill(victim)
    # Sequential queries go round every idle process: one of them meets the dead one.
    for _ in range(full + 1):
        response = hostile.client.get("/sparql", params={"query": CHEAP}, headers={"Accept": JSON})
        assert response.status_code == 200 and response.json()["boolean"] is True
    assert hostile.settle()["alive_workers"] == full
    assert victim not in query_workers(hostile.pid)


def test_readiness_while_busy_and_the_last_idle_worker_killed(hostile):
    """Busy workers are not unreadiness; killing the one idle process while
    the ad-hoc lane is saturated leaves the service lane working: the dead
    process is noticed and replaced before a request is sent to it."""
    full = hostile.settle()["workers"]
    slots = adhoc_slots(full)
    with Runaways(hostile.url, slots, timeout=5):
        assert wait_until(lambda: hostile.readyz()["idle_workers"] == full - slots, 5, 0.02)
        ready = hostile.client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"
        workers = query_workers(hostile.pid)
        idle = workers - busy_workers(workers)
        assert len(idle) == full - slots
        for pid in idle:
            kill(pid)
        named = hostile.client.get("/queries/trials")
        assert named.status_code == 200
        answer = hostile.client.post("/graphql", json=GRAPHQL)
        assert answer.status_code == 200 and "errors" not in answer.json()
        assert not idle & query_workers(hostile.pid)
    assert hostile.settle()["alive_workers"] == full


# --- 8. encodings (nesting bombs and invalid UTF-8 that reaches the service:
# test_sparql_hostile_shared.py) ---------------------------------------------

def test_raw_non_ascii_bytes_in_the_request_target_are_refused(hostile):
    sock = hostile.connect()
    try:
        sock.sendall(b"GET /sparql?query=ASK%20%7B%7D\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    finally:
        sock.close()
    assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    assert hostile.client.get("/healthz").status_code == 200
