"""Liveness and readiness."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from therapykg.api.dataset import dataset_info
from therapykg.api.engine import EngineUnavailable, QueryTimeout


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    pool = request.app.state.pool
    # Ready means "can accept work": busy workers with room in the queue still count.
    ready = pool.accepting()
    triples = None
    if ready:
        try:
            triples = (await dataset_info(request.app)).triples
        except (EngineUnavailable, QueryTimeout, RuntimeError):
            ready = False
    body = {"status": "ready" if ready else "unavailable", "version": pool.version,
            "workers": pool.lanes.slots, "idle_workers": pool.ready_workers, "alive_workers": pool.alive_workers,
            "queued": pool.lanes.queued, "triples": triples,
            "sandbox": pool.sandbox, "query_memory_mib": pool.memory_mib}
    if getattr(pool, "endpoint", None):
        body["backend"] = pool.endpoint
        # Names in the label index; null while it is being read (searches scan meanwhile).
        body["label_index"] = len(pool.label_index) if pool.label_index is not None else None
    return JSONResponse(body, status_code=200 if ready else 503)
