"""Liveness and readiness."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    pool = request.app.state.pool
    ready = pool.version is not None and pool.ready_workers > 0
    body = {"status": "ready" if ready else "starting", "version": pool.version,
            "idle_workers": pool.ready_workers, "triples": sum(request.app.state.graph_counts.values())}
    return JSONResponse(body, status_code=200 if ready else 503)
