"""Real processes on loopback for the tests and the benchmarks: the
therapykg service (``start_server``), and the SPARQL engines it runs on as a
remote backend, Oxigraph's server (PyPI package ``oxigraph``, installed with
the test extras) and Virtuoso open source (Debian package
``virtuoso-opensource-7-bin``, installed by ``.ci/run``).

Not used by the service itself; it lives in the package so that the tests
and ``benchmarks/`` share one copy."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

# The oxigraph CLI comes with the test extras, beside this interpreter (the
# virtual environment need not be on PATH).
_BESIDE = Path(sys.executable).with_name("oxigraph")
OXIGRAPH = str(_BESIDE) if _BESIDE.exists() else shutil.which("oxigraph")
VIRTUOSO = shutil.which("virtuoso-t") or ("/usr/bin/virtuoso-t" if Path("/usr/bin/virtuoso-t").exists() else None)

ENGINES = ("oxigraph", "virtuoso")

_EIGHT = ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel",
          "nelarabine", "flag-ida", "allogeneic-hct", "clinical-trial-participation"]
# A valid GraphQL document at the alias limit: 30 comparisons of eight
# therapies, about a second of Python work and 2.3 MB of JSON.
HEAVY_GRAPHQL = "{ " + " ".join(f"a{i}: compareTherapies(ids: {json.dumps(_EIGHT)}) "
                                "{ rows { label cells { values { text sources { source { title } } } } } }" for i in range(30)) + " }"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess(subprocess.Popen[str]):
    """A server started by ``start_server``, with the file its output goes to."""

    log: IO[str]


def start_server(*args: str, env: dict[str, str] | None = None) -> tuple[ServerProcess, str]:
    """``therapykg serve`` on a free port; returns the process and its base URL once ready."""
    port = free_port()
    log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (kept with the process, read if it fails)
    process = ServerProcess(
        [sys.executable, "-m", "therapykg", "serve", "--port", str(port), "--log-level", "warning", *args],
        env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read()}")
        try:
            if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("server did not become ready in 30 s")


def wait_until(probe, timeout: float, step: float = 0.2):
    """Call ``probe`` until it returns something true or ``timeout`` seconds
    pass; returns its last answer (the caller asserts on it)."""
    deadline = time.monotonic() + timeout
    while not (answer := probe()) and time.monotonic() < deadline:
        time.sleep(step)
    return answer


def server_log(process: ServerProcess) -> str:
    """What a server started by ``start_server`` has logged so far."""
    process.log.seek(0)
    return process.log.read()


def stop_server(process: ServerProcess) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


@dataclass
class Engine:
    """One engine process with its data directory; ``stop`` and ``start``
    keep the data, as a restarted production engine would."""

    name: str
    command: list[str]
    query_url: str
    store_url: str
    auth: tuple[str, str] | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, timeout: float = 60) -> Engine:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {' '.join(self.command)}")
            try:
                if httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.process.kill()
        raise RuntimeError(f"{self.name} did not answer at {self.query_url} within {timeout:g} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def load(self) -> str:
        """``therapykg load --into`` this engine's Graph Store; returns what the command printed."""
        command = [sys.executable, "-m", "therapykg", "load", "--into", self.store_url]
        env = dict(os.environ)
        if self.auth:
            command += ["--user", self.auth[0]]
            env["THERAPYKG_BACKEND_PASSWORD"] = self.auth[1]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"therapykg load into {self.name} failed: {done.stdout}{done.stderr}")
        return done.stdout


def oxigraph(directory: Path, timeout_s: int = 60) -> Engine:
    if not OXIGRAPH:
        raise RuntimeError("the oxigraph server (PyPI package oxigraph, in the test extras) is not installed")
    port = free_port()
    return Engine("oxigraph", [OXIGRAPH, "serve", "--location", str(directory), "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s)],
                  f"http://127.0.0.1:{port}/query", f"http://127.0.0.1:{port}/store")


# A minimal configuration: everything in ``directory``, no Unix socket, the
# SQL port and HTTP port on loopback; the SPARQL limits are raised above our
# own (the service bounds rows and time itself). The default account
# dba/dba is what a fresh database has.
VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 8

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = {timeout_s}
MaxQueryCostEstimationTime = 0
"""


def virtuoso(directory: Path, timeout_s: int = 60, memory_mib: int = 256, max_rows: int = 10_000_000) -> Engine:
    if not VIRTUOSO:
        raise RuntimeError("Virtuoso (Debian package virtuoso-opensource-7-bin, installed by .ci/run) is not installed")
    port = free_port()
    buffers = memory_mib * 1024 // 8 * 2 // 3  # 8 KiB pages, two thirds of the memory given (Virtuoso's own rule)
    directory.mkdir(parents=True, exist_ok=True)
    ini = directory / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(dir=directory, sql_port=free_port(), http_port=port, buffers=buffers, dirty=buffers * 3 // 4, timeout_s=timeout_s,
                                       max_rows=max_rows),
                   encoding="utf-8")
    return Engine("virtuoso", [VIRTUOSO, "+foreground", "+configfile", str(ini)],
                  f"http://127.0.0.1:{port}/sparql", f"http://127.0.0.1:{port}/sparql-graph-crud-auth", ("dba", "dba"))


def make(name: str, directory: Path, **options) -> Engine:
    return {"oxigraph": oxigraph, "virtuoso": virtuoso}[name](directory, **options)
