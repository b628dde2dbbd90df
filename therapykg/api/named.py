"""The named query library over HTTP: list the queries, run one with its
parameters bound by the engine (never pasted into the query text)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from therapykg.api.http import error, etag_for, not_modified, run_job, timeout_for
from therapykg.api.worker import QueryJob, encode_term
from therapykg.queries import library

RESERVED = {"format", "timeout"}


async def list_queries(request: Request) -> Response:
    return JSONResponse([
        {
            "name": q.name,
            "title": q.title,
            "description": q.description,
            "parameters": [{"name": p.name, "type": p.type, "description": p.description,
                            **({"default": p.default} if p.default is not None else {})} for p in q.parameters],
            "url": str(request.url_for("run_query", name=q.name)),
        }
        for q in library().values()
    ])


async def run_query(request: Request) -> Response:
    name = request.path_params["name"]
    named = library().get(name)
    if named is None:
        return error(404, f"no query named {name!r}; see {request.url_for('list_queries')}")
    values = {k: v for k, v in request.query_params.multi_items() if k not in RESERVED}
    duplicated = sorted({k for k, _ in request.query_params.multi_items() if len(request.query_params.getlist(k)) > 1})
    if duplicated:
        return error(400, f"parameter {duplicated[0]!r} given more than once")
    try:
        substitutions = named.substitutions(values)
        timeout = timeout_for(request, request.query_params.get("timeout"))
    except ValueError as exc:
        return error(400, str(exc))
    job = QueryJob(query=named.text, accept=request.headers.get("accept"), format=request.query_params.get("format"),
                   substitutions={k.value: encode_term(v) for k, v in substitutions.items()},
                   max_rows=request.app.state.settings.max_rows)
    etag = etag_for(request.app.state.pool.version, name, sorted(values.items()), job.accept, job.format)
    return not_modified(request, etag) or await run_job(request, job, timeout, etag)
