"""Liveness and readiness."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from therapykg.api.dataset import dataset_info
from therapykg.store.errors import EngineError


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    # Ready means "can accept work": busy workers with room in the queue still count.
    ready = engine.accepting()
    triples = None
    if ready:
        try:
            triples = (await dataset_info(request.app)).triples
        except EngineError:
            ready = False
    status = engine.status()
    body = {"status": "ready" if ready else "unavailable", "version": status.version,
            "workers": status.slots, "idle_workers": status.idle, "alive_workers": status.alive,
            "queued": status.queued, "triples": triples,
            "sandbox": status.sandbox, "query_memory_mib": status.memory_mib}
    if status.endpoint:
        body["backend"] = status.endpoint
        # Names in the label index; null while it is being read (searches scan meanwhile).
        body["label_index"] = status.label_index
    return JSONResponse(body, status_code=200 if ready else 503)
