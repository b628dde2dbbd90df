"""Shared response helpers: plain-text errors, ETags and caching headers,
and running a job on the engine, with the one mapping from the engine's
errors to HTTP statuses."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from typing import IO, Protocol, TypeVar
from urllib.parse import unquote_to_bytes

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from therapykg.api.guard import explain_syntax_error
from therapykg.api.negotiation import not_acceptable
from therapykg.api.protocol import ABORT_EXTENSION
from therapykg.store.admission import SERVICE
from therapykg.store.errors import (
    EngineBusy,
    EngineError,
    EngineUnavailable,
    NoFormatForResult,
    QueryFailed,
    QueryMemoryExceeded,
    QuerySyntaxError,
    QueryTimeout,
    RemoteEngineFailed,
)
from therapykg.store.worker import QueryJob

DISCONNECT_POLL_SECONDS = 0.25
CHUNK_BYTES = 1 << 16


class Versioned(Protocol):
    version: str  # the graph version it was built from


V = TypeVar("V", bound=Versioned)


async def built_for_version(state: State, name: str, version: str, build: Callable[[], Awaitable[V]]) -> V:
    """``state.<name>``, built by ``build`` when it is missing or of another graph
    version (the graph is read-only between builds); one build at a time."""
    current: V | None = getattr(state, name, None)
    if current is not None and current.version == version:
        return current
    lock: asyncio.Lock | None = getattr(state, f"{name}_lock", None)
    if lock is None:
        lock = asyncio.Lock()
        setattr(state, f"{name}_lock", lock)
    async with lock:
        current = getattr(state, name, None)
        if current is None or current.version != version:
            current = await build()
            setattr(state, name, current)
        return current


def error(status: int, message: str, **headers: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers or None)


def etag_for(version: str, *parts: object) -> str:
    digest = hashlib.sha256(version.encode())
    for part in parts:
        digest.update(b"\0" + repr(part).encode())
    return f'"{version}-{digest.hexdigest()[:16]}"'


def cache_headers(request: Request, etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": f"public, max-age={request.app.state.settings.cache_seconds}", "Vary": "Accept"}


def not_modified(request: Request, etag: str) -> Response | None:
    """304 when the client already holds this version of the response."""
    tags = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if etag in tags or "*" in tags:
        return Response(status_code=304, headers=cache_headers(request, etag))
    return None


class SpooledResponse(Response):
    """A large answer streamed from its spool file at the client's pace; a
    client that stops reading for ``send_timeout`` seconds is cut off."""

    def __init__(self, spool: IO[bytes], *, size: int, media_type: str, headers: dict[str, str], send_timeout: float):
        super().__init__(None, media_type=media_type, headers={**headers, "Content-Length": str(size)})
        self.spool, self.send_timeout = spool, send_timeout

    async def __call__(self, scope, receive, send) -> None:
        try:
            await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
            while chunk := self.spool.read(CHUNK_BYTES):
                try:
                    await asyncio.wait_for(send({"type": "http.response.body", "body": chunk, "more_body": True}), self.send_timeout)
                except TimeoutError:
                    # The client stopped reading: drop the connection (see therapykg.api.protocol).
                    abort = scope.get("extensions", {}).get(ABORT_EXTENSION, {}).get("abort")
                    if abort is not None:
                        abort()
                    return
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            self.spool.close()


def engine_error(exc: EngineError, query: str | None = None) -> Response:
    """The response for an engine's error: the one place engine errors
    become HTTP statuses. With the ``query`` as the engine read it, a syntax
    error's message says what to change where it can (an undeclared prefix)."""
    if isinstance(exc, QuerySyntaxError):
        explained = explain_syntax_error(query, exc.line, exc.column) if query is not None else None
        return error(400, f"malformed SPARQL query: {explained or exc}")
    if isinstance(exc, NoFormatForResult):
        return error(406, str(not_acceptable(exc.kind)))
    if isinstance(exc, QueryTimeout):
        return error(503, f"query timeout: {exc}", **{"Retry-After": "1"})
    if isinstance(exc, EngineBusy):
        return error(503, f"{exc}; retry shortly", **{"Retry-After": "1"})
    if isinstance(exc, QueryMemoryExceeded):
        return error(503, f"query stopped: {exc}")
    if isinstance(exc, EngineUnavailable):
        return error(503, f"query engine unavailable: {exc}", **{"Retry-After": "1"})
    if isinstance(exc, RemoteEngineFailed):
        return error(502, str(exc))
    if isinstance(exc, QueryFailed):
        return error(500, f"query evaluation failed: {exc}")
    return error(500, f"query failed: {exc}")


async def run_job(request: Request, job: QueryJob, timeout: float, etag: str, *, lane: str = SERVICE) -> Response:
    """Run ``job`` on the engine in ``lane`` and turn the outcome into a response."""
    engine = request.app.state.engine
    task = asyncio.ensure_future(engine.execute(job, timeout, lane=lane))
    try:
        # Stop the query when the client goes away, instead of at its timeout.
        while not (await asyncio.wait({task}, timeout=DISCONNECT_POLL_SECONDS))[0]:
            if await request.is_disconnected():
                task.cancel()
                return Response(status_code=499)
        outcome = task.result()
    except EngineError as exc:
        # The text the engine parsed is the job's own only when nothing was bound into it.
        return engine_error(exc, job.query if not job.substitutions and not job.narrow else None)
    headers = cache_headers(request, etag)
    headers["X-Result-Rows"] = str(outcome.rows)
    if timing := server_timing(outcome.timings):
        headers["Server-Timing"] = timing
    if outcome.truncated:
        headers["X-Result-Truncated"] = f"true; {outcome.truncated}"
    if outcome.spool is not None:
        return SpooledResponse(outcome.spool, size=outcome.size, media_type=outcome.media_type, headers=headers,
                               send_timeout=request.app.state.settings.send_timeout)
    return Response(outcome.body, media_type=outcome.media_type, headers=headers)


# The steps of a query's time, in the order they happen (see QueryOutcome.timings).
TIMED_STEPS = ("queue", "exec", "serialize")


def server_timing(seconds: dict[str, float]) -> str:
    """A ``Server-Timing`` header value (W3C Server Timing) for the steps
    the engine timed, in milliseconds: ``queue;dur=0.4, exec;dur=3.1, serialize;dur=0.7``."""
    return ", ".join(f"{step};dur={seconds[step] * 1000:.2f}" for step in TIMED_STEPS if step in seconds)


def timeout_for(request: Request, raw: str | None) -> float:
    """The per-request ``timeout`` (seconds), at most the server's.

    :raises ValueError: not a positive number.
    """
    limit = request.app.state.settings.query_timeout
    if raw is None or raw == "":
        return limit
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"timeout {raw!r} is not a number of seconds") from None
    if not value > 0:
        raise ValueError(f"timeout {raw!r} must be positive")
    return min(value, limit)


def form_fields(raw: bytes) -> dict[str, list[str]]:
    """``application/x-www-form-urlencoded`` fields (a query string or a form
    body), percent-decoded as bytes and read as strict UTF-8: a query that
    cannot be read exactly is refused, never run with replacement characters.

    :raises ValueError: naming the field that is not valid UTF-8.
    """
    fields: dict[str, list[str]] = {}
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        try:
            key = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("a parameter name is not valid UTF-8") from None
        try:
            fields.setdefault(key, []).append(unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ValueError(f"parameter {key!r} is not valid UTF-8 (byte {exc.start} of its value)") from None
    return fields
