"""Shared response helpers: plain-text errors, ETags and caching headers,
and running a job on the pool with the right HTTP status."""

from __future__ import annotations

import asyncio
import hashlib

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from therapykg.api.engine import EngineUnavailable, QueryTimeout
from therapykg.api.worker import QueryJob

DISCONNECT_POLL_SECONDS = 0.25


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


async def run_job(request: Request, job: QueryJob, timeout: float, etag: str) -> Response:
    """Run ``job`` on the query pool and turn the outcome into a response."""
    pool = request.app.state.pool
    task = asyncio.ensure_future(pool.execute(job, timeout))
    try:
        # Stop the query when the client goes away, instead of at its timeout.
        while not (await asyncio.wait({task}, timeout=DISCONNECT_POLL_SECONDS))[0]:
            if await request.is_disconnected():
                task.cancel()
                return Response(status_code=499)
        outcome = task.result()
    except QueryTimeout as exc:
        return error(503, f"query timeout: {exc}", **{"Retry-After": "1"})
    except EngineUnavailable as exc:
        return error(503, f"query engine unavailable: {exc}", **{"Retry-After": "1"})
    if outcome.status != 200:
        return Response(outcome.body, status_code=outcome.status, media_type=outcome.media_type)
    headers = cache_headers(request, etag)
    headers["X-Result-Rows"] = str(outcome.rows)
    if outcome.truncated:
        headers["X-Result-Truncated"] = f"true; limit={job.max_rows}"
    return Response(outcome.body, media_type=outcome.media_type, headers=headers)


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
