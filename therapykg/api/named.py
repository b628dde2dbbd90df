"""The named query library over HTTP: list the queries, run one with its
parameters bound by the engine (never pasted into the query text), a page
at a time when asked (``limit`` and ``offset``, with a Link to the next page)."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from therapykg.api.http import error, etag_for, form_fields, not_modified, run_job, timeout_for
from therapykg.api.negotiation import chosen_formats
from therapykg.queries import NamedQuery, library, page
from therapykg.store.worker import QueryJob, encode_term

RESERVED = {"format", "timeout", "limit", "offset"}


def _whole_number(raw: str, name: str, minimum: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ValueError(f"{name} must be a whole number of at least {minimum}, not {raw!r}")
    return value


def _paging(request: Request, named: NamedQuery) -> tuple[int | None, int]:
    """The page asked for (limit, offset); raises ValueError naming the bad parameter."""
    raw_limit, raw_offset = request.query_params.get("limit"), request.query_params.get("offset")
    if raw_limit is None and raw_offset is None:
        return None, 0
    if named.form != "SELECT":
        raise ValueError("limit and offset apply to SELECT queries only")
    limit = None if raw_limit is None else _whole_number(raw_limit, "limit", 1)
    offset = 0 if raw_offset is None else _whole_number(raw_offset, "offset", 0)
    return limit, offset


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
    try:
        form_fields(request.scope.get("query_string", b""))  # refuses what Starlette would decode with replacements
    except ValueError as exc:
        return error(400, f"malformed query string: {exc}")
    values = {k: v for k, v in request.query_params.multi_items() if k not in RESERVED}
    duplicated = sorted({k for k, _ in request.query_params.multi_items() if len(request.query_params.getlist(k)) > 1})
    if duplicated:
        return error(400, f"parameter {duplicated[0]!r} given more than once")
    try:
        substitutions = named.substitutions(values)
        timeout = timeout_for(request, request.query_params.get("timeout"))
        limit, offset = _paging(request, named)
    except ValueError as exc:
        return error(400, str(exc))
    text = page(named.text, limit, offset, in_subquery=named.page_in_subquery) if limit is not None or offset else named.text
    narrow = None
    if named.label_index:
        variable, parameter = named.label_index
        narrow = (variable, substitutions[ox.Variable(parameter)].value)
    result_format, graph_format = chosen_formats(request.headers.get("accept"), request.query_params.get("format"))
    job = QueryJob(query=text, result_format=result_format, graph_format=graph_format,
                   substitutions={k.value: encode_term(v) for k, v in substitutions.items()},
                   max_rows=request.app.state.settings.max_rows, max_bytes=request.app.state.settings.max_result_bytes,
                   narrow=narrow)
    etag = etag_for(request.app.state.engine.version, name, sorted(values.items()), result_format, graph_format, limit, offset)
    response = not_modified(request, etag) or await run_job(request, job, timeout, etag)
    if limit is not None and response.status_code == 200 and response.headers.get("X-Result-Rows") == str(limit):
        # A full page: there may be more (RFC 8288 link to the next page).
        response.headers["Link"] = f'<{request.url.include_query_params(offset=offset + limit)}>; rel="next"'
    return response
