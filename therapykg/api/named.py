"""The named query library over HTTP: list the queries, run one with its
parameters bound by the engine (never pasted into the query text), a page
at a time when asked (``limit`` and ``offset``, with a Link to the next page).

A browser (Accept holding ``text/html``, no ``format``) gets pages instead:
the gallery of queries, and for each query a form for its parameters, its
answer as a table, its SPARQL text, downloads and a permalink
(therapykg.api.web.sparql_pages)."""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from therapykg.api.http import error, etag_for, form_fields, not_modified, run_job, timeout_for
from therapykg.api.negotiation import chosen_formats
from therapykg.api.web.render import cached, html_error, render
from therapykg.api.web.sparql_pages import Answer, downloads, formats_for, read_answer, wants_html, with_query
from therapykg.queries import NamedQuery, bind_values, library, page
from therapykg.store.worker import QueryJob, encode_term

RESERVED = {"format", "timeout", "limit", "offset"}
# Rows a query's page shows (the downloads have up to the server's row limit), and
# bytes: below the pool's spool threshold, so the answer arrives in memory.
PAGE_ROWS = 500
PAGE_BYTES = 1 << 20


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
    if wants_html(request):
        return await cached(request, lambda: _gallery(request))
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
    ], headers={"Vary": "Accept"})


async def _gallery(request: Request) -> Response:
    return HTMLResponse(render(request, "queries.html", title="Named queries", queries=list(library().values())))


async def run_query(request: Request) -> Response:
    name = request.path_params["name"]
    named = library().get(name)
    if named is None:
        if wants_html(request):
            return html_error(request, 404, "No such query", f"There is no named query {name!r}; see the list of named queries.",
                              suggestions=[{"href": "/queries", "label": "All named queries", "kind": ""}])
        return error(404, f"no query named {name!r}; see {request.url_for('list_queries')}")
    if wants_html(request):
        return await cached(request, lambda: _query_page(request, named))
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


async def _query_page(request: Request, named: NamedQuery) -> Response:
    """The query's page: the form, and the answer to the parameters given
    (empty fields take their defaults); a parameter error is shown with 400."""
    settings = request.app.state.settings
    form = {p.name: p.default or "" for p in named.parameters}
    context = {"title": named.title, "named": named, "form": form, "problem": None, "needs": [], "answer": None,
               "truncated": "", "downloads": [], "permalink": "", "sparql": named.text, "bound": False,
               "max_rows": settings.max_rows}

    def shown(status: int = 200, headers: dict[str, str] | None = None) -> Response:
        return HTMLResponse(render(request, "query.html", status=status, **context), status_code=status, headers=headers)

    try:
        form_fields(request.scope.get("query_string", b""))
    except ValueError as exc:
        context["problem"] = f"malformed query string: {exc}"
        return shown(400)
    given = [(k, v) for k, v in request.query_params.multi_items() if k not in RESERVED]
    duplicated = sorted({k for k, _ in given if len(request.query_params.getlist(k)) > 1})
    values = {k: v for k, v in given if v.strip()}
    form.update(values)
    if duplicated:
        context["problem"] = f"parameter {duplicated[0]!r} given more than once"
        return shown(400)
    missing = [p.name for p in named.parameters if p.default is None and p.name not in values]
    if missing and not given:  # a first visit: nothing to run until the form is filled in
        context["needs"] = missing
        return shown()
    try:
        substitutions = named.substitutions(values)
        timeout = timeout_for(request, request.query_params.get("timeout"))
        limit, offset = _paging(request, named)
    except ValueError as exc:
        context["problem"] = str(exc)
        return shown(400)
    text = page(named.text, limit, offset, in_subquery=named.page_in_subquery) if limit is not None or offset else named.text
    narrow = None
    if named.label_index:
        variable, parameter = named.label_index
        narrow = (variable, substitutions[ox.Variable(parameter)].value)
    job = QueryJob(query=text, result_format="json", graph_format="ntriples",
                   substitutions={k.value: encode_term(v) for k, v in substitutions.items()},
                   max_rows=min(settings.max_rows, PAGE_ROWS), max_bytes=min(settings.max_result_bytes, PAGE_BYTES),
                   narrow=narrow)
    # Every parameter's value (defaults too: a permalink keeps its answer if a default changes), then paging.
    ordered = [(p.name, values.get(p.name, p.default or "")) for p in named.parameters]
    ordered += [(k, v) for k, v in request.query_params.multi_items() if k in ("limit", "offset")]
    base = str(request.url_for("run_query", name=named.name))
    context.update(sparql=bind_values(text, substitutions), bound=bool(substitutions),
                   downloads=downloads(base, ordered, formats_for(named.form)),
                   permalink=with_query(base, ordered))
    response = await run_job(request, job, timeout, etag_for(request.app.state.engine.version, "page", named.name, ordered))
    if response.status_code != 200:
        context["problem"] = bytes(response.body).decode("utf-8", "replace").strip()
        return shown(response.status_code, {k: v for k, v in response.headers.items() if k.lower() == "retry-after"})
    answer: Answer = read_answer(response)
    context.update(answer=answer, truncated=response.headers.get("X-Result-Truncated", "").removeprefix("true; "))
    timing = response.headers.get("Server-Timing")
    return shown(headers={"Server-Timing": timing} if timing else None)
