"""The SPARQL 1.1 Protocol endpoint at /sparql: queries by GET, form POST
and direct POST; content negotiation; service description; editor page."""

from __future__ import annotations

import re

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response

from therapykg.api.dataset import dataset_info
from therapykg.api.editor import editor_page
from therapykg.api.guard import Refused, check_query
from therapykg.api.http import engine_error, error, etag_for, form_fields, not_modified, run_job, timeout_for
from therapykg.api.negotiation import GRAPH_FORMATS, NotAcceptable, choose, chosen_formats
from therapykg.api.service_description import SD, serialize_description, service_description, service_triples
from therapykg.api.web.sparql_pages import Section, describe, description_page
from therapykg.store.admission import ADHOC
from therapykg.store.errors import EngineError
from therapykg.store.worker import QueryJob

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


async def sparql(request: Request) -> Response:
    try:
        params = form_fields(request.scope.get("query_string", b""))
    except ValueError as exc:
        return error(400, f"malformed query string: {exc}")
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if not body and not content_type:
            pass  # an empty POST: reported below as a missing query
        elif content_type == FORM:
            try:
                fields = form_fields(body)
            except ValueError as exc:
                return error(400, f"malformed form body: {exc}")
            for key, values in fields.items():
                params.setdefault(key, []).extend(values)
        elif content_type == DIRECT:
            try:
                params.setdefault("query", []).append(body.decode("utf-8"))
            except UnicodeDecodeError as exc:
                return error(400, f"the query is not valid UTF-8 (byte {exc.start})")
        elif content_type == UPDATE:
            return error(403, "SPARQL Update is not allowed: this endpoint is read-only")
        else:
            return error(415, f"unsupported Content-Type {content_type or '(none)'!r}: "
                              f"send {FORM} or {DIRECT}")
    if "update" in params:
        return error(403, "SPARQL Update is not allowed: this endpoint is read-only")
    queries = params.get("query", [])
    if not queries:
        if request.method == "GET":
            return await _describe_service(request)
        return error(400, "missing 'query' parameter")
    if len(queries) > 1:
        return error(400, "more than one 'query' parameter")
    query = queries[0]
    default_graphs = params.get("default-graph-uri", [])
    named_graphs = params.get("named-graph-uri", [])
    base_iri = _base_iri(request)
    try:
        check_query(query, default_graphs, named_graphs, base_iri)
        timeout = timeout_for(request, _one(params, "timeout"))
    except Refused as refused:
        return error(refused.status, str(refused))
    except ValueError as exc:
        return error(400, str(exc))
    settings = request.app.state.settings
    result_format, graph_format = chosen_formats(request.headers.get("accept"), _one(params, "format"))
    job = QueryJob(query=query, result_format=result_format, graph_format=graph_format,
                   default_graphs=default_graphs, named_graphs=named_graphs, max_rows=settings.max_rows,
                   max_bytes=settings.max_result_bytes, base_iri=base_iri)
    etag = etag_for(request.app.state.engine.version, query, result_format, graph_format, default_graphs, named_graphs,
                    job.max_rows, base_iri)
    return not_modified(request, etag) or await run_job(request, job, timeout, etag, lane=ADHOC)


def _base_iri(request: Request) -> str | None:
    """What relative IRIs in a query resolve against: the dataset's base
    (THERAPYKG_BASE), so that ``<resource/x>`` names the graph's own
    resource wherever the service runs; None if that is not an absolute IRI."""
    base = request.app.state.settings.base
    try:
        ox.NamedNode(base)
    except ValueError:
        return None
    return base if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", base) else None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name)
    return values[-1] if values else None


async def _describe_service(request: Request) -> Response:
    accept = request.headers.get("accept", "")
    if (request.query_params.get("format") or "").strip().lower() == "html":
        return await _service_page(request)
    if "text/html" in accept and not request.query_params.get("format"):
        return editor_page(request)
    try:
        fmt = choose(GRAPH_FORMATS, accept, request.query_params.get("format"))
    except NotAcceptable as exc:
        return error(406, str(exc))
    etag = etag_for(request.app.state.engine.version, "service-description", fmt.name, str(request.url))
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    try:
        info = await dataset_info(request.app)
    except EngineError as exc:
        return engine_error(exc)
    body = service_description(request, fmt.name, info.graph_counts)
    return Response(body, media_type=fmt.media_type, headers={"ETag": etag, "Vary": "Accept"})


async def _service_page(request: Request) -> Response:
    """The service description, readable: its statements as tables, and its Turtle."""
    def section(iri: str) -> str | None:
        if iri == request.app.state.settings.base + "dataset":
            return "The default dataset"
        return "Predeclared prefixes" if iri.endswith("#prefixes") else None

    async def content() -> tuple[list[Section], bytes]:
        triples = service_triples(request, (await dataset_info(request.app)).graph_counts)
        return describe(triples, SD + "Service", "The service", section), serialize_description(triples, "turtle")

    return await description_page(
        request, title="SPARQL service description",
        lead="What this SPARQL 1.1 endpoint offers (SPARQL 1.1 Service Description): its dataset and graphs, "
             "result formats, and the prefixes every query may use without declaring them (as SHACL sh:declare).",
        content=content,
        others=[("the dataset's VoID description", str(request.url_for("void"))), ("the SPARQL editor", str(request.url_for("sparql")))])
