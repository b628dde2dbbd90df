"""Linked data: every IRI of the graph resolves on the service (HTML for
browsers, RDF by content negotiation), whole-graph downloads, and the
VoID/DCAT description of the dataset."""

from __future__ import annotations

import html
import json
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from therapykg.api.dataset import dataset_info
from therapykg.api.http import cache_headers, engine_error, error, etag_for, not_modified, run_job
from therapykg.api.negotiation import GRAPH_FORMATS, NotAcceptable, choose
from therapykg.api.service_description import VOID, serialize_description, void_description, void_triples
from therapykg.api.web.render import local_link, site_header
from therapykg.api.web.sparql_pages import Section, describe, description_page, wants_html
from therapykg.domain.kinds import TherapyKind
from therapykg.namespaces import TKG, TKGR, compact
from therapykg.queries import query_text
from therapykg.store.errors import EngineError
from therapykg.store.worker import DUMP_FORMATS, EncodedTerm, QueryJob

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
# A resource of one of these classes has a page for people at /therapies/{slug}.
THERAPY_CLASSES = frozenset({TKG + "Therapy", *(TKG + kind.value for kind in TherapyKind)})


def _iri_for(request: Request) -> str | None:
    slug = request.path_params["slug"]
    if not _SLUG.match(slug):
        return None
    namespace = TKGR if request.url.path.startswith("/resource/") else TKG
    return namespace + slug


async def resource(request: Request) -> Response:
    iri = _iri_for(request)
    if iri is None:
        return error(404, "no such resource")
    accept = request.headers.get("accept", "")
    wants_html = "text/html" in accept and not request.query_params.get("format")
    substitutions: dict[str, EncodedTerm] = {"iri": ("iri", iri)}
    if not wants_html:
        try:
            fmt = choose(GRAPH_FORMATS, accept, request.query_params.get("format"))
        except NotAcceptable as exc:
            return error(406, str(exc))
        etag = etag_for(request.app.state.engine.version, iri, fmt.name)
        cached = not_modified(request, etag)
        if cached:
            return cached
        job = QueryJob(query=query_text("service/resource-description"), result_format=None, graph_format=fmt.name,
                       substitutions=substitutions, max_rows=100_000)
        response = await run_job(request, job, request.app.state.settings.query_timeout, etag)
        if response.status_code == 200 and response.headers.get("X-Result-Rows") == "0":
            return error(404, f"{iri} is not described in this graph")
        return response
    etag = etag_for(request.app.state.engine.version, iri, "html")
    cached = not_modified(request, etag)
    if cached:
        return cached
    job = QueryJob(query=query_text("service/resource-page"), result_format="json", graph_format=None,
                   substitutions=substitutions, max_rows=100_000)
    response = await run_job(request, job, request.app.state.settings.query_timeout, etag)
    if response.status_code != 200:
        return response
    rows = json.loads(bytes(response.body))["results"]["bindings"]  # body is typed bytes | memoryview; json reads bytes
    if not any(r["direction"]["value"] == "out" for r in rows):
        return error(404, f"{iri} is not described in this graph")
    return HTMLResponse(_render(request, iri, rows), headers=cache_headers(request, etag))


def _term(request: Request, term: dict, label: dict | None = None) -> str:
    if term["type"] == "uri":
        text = html.escape(label["value"] if label else compact(term["value"]))
        href = local_link(term["value"]) or term["value"]
        return f'<a href="{html.escape(href)}">{text}</a>'
    value = html.escape(term["value"])
    if "xml:lang" in term:
        return f"{value} <span class=iri>@{html.escape(term['xml:lang'])}</span>"
    return value


def _render(request: Request, iri: str, rows: list[dict]) -> str:
    outgoing: dict[str, dict] = {}
    incoming: dict[str, set[str]] = {}  # predicate label -> the resources that point here with it
    blank: dict[str, list[str]] = {}
    title = compact(iri)
    for row in rows:
        p = row["p"]["value"]
        if row["direction"]["value"] == "in":
            incoming.setdefault(row.get("pLabel", row["p"])["value"], set()).add(_term(request, row["o"], row.get("oLabel")))
            continue
        if p == "http://www.w3.org/2000/01/rdf-schema#label":
            title = row["o"]["value"]
        entry = outgoing.setdefault(p, {"label": row.get("pLabel", {"value": compact(p)})["value"], "values": {}})
        o = row["o"]
        if o["type"] == "bnode":
            if "qp" in row:
                blank.setdefault(o["value"], []).append(
                    f"{html.escape(row.get('qpLabel', {'value': compact(row['qp']['value'])})['value'])}: {_term(request, row['qo'], row.get('qoLabel'))}")
            entry["values"].setdefault(o["value"], None)
        else:
            entry["values"][json.dumps(o, sort_keys=True)] = _term(request, o, row.get("oLabel"))
    body_rows = []
    for p, entry in sorted(outgoing.items(), key=lambda item: (item[0] != PROV_DERIVED, item[1]["label"])):
        cells = [v if v is not None else "; ".join(sorted(blank.get(k, []))) for k, v in entry["values"].items()]
        body_rows.append(f"<tr><th>{html.escape(entry['label'])}<div class=iri>{html.escape(compact(p))}</div></th>"
                         f"<td>{'<br>'.join(sorted(cells))}</td></tr>")
    # Grouped by how they point here, the largest groups folded, so that a therapy's hundred claims do not bury the rest.
    groups = []
    for label, items in sorted(incoming.items(), key=lambda item: (-len(item[1]), item[0])):
        listed = "".join(f"<li>{item}</li>" for item in sorted(items))
        head = f"{html.escape(label)} <span class=muted>({len(items)})</span>"
        groups.append(f"<details{' open' if len(items) <= 5 else ''}><summary>{head}</summary><ul class=links>{listed}</ul></details>")
    types = {row["o"]["value"] for row in rows if row["direction"]["value"] == "out" and row["p"]["value"] == RDF_TYPE}
    page = ""
    if iri.startswith(TKGR) and _SLUG.match(iri[len(TKGR):]) and types & THERAPY_CLASSES:
        page = f'<p class=therapy-page>Read it as a page: <a href="/therapies/{html.escape(iri[len(TKGR):])}">the therapy page</a>.</p>'
    static = request.url_for("static", path="").path.rstrip("/")
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{html.escape(title)} · therapykg</title><link rel="icon" href="{static}/favicon.svg" type="image/svg+xml">'
            f'<link rel="stylesheet" href="{static}/site.css"><link rel="stylesheet" href="{static}/therapykg.css"></head><body>'
            f'{site_header(request)}<main id="main">'
            f"<h1>{html.escape(title)}</h1><p class=iri>{html.escape(iri)}</p>"
            f'<p>The data view of this resource, every statement about it. Also as <a href="?format=turtle">Turtle</a> or '
            f'<a href="?format=jsonld">JSON-LD</a>.</p>{page}'
            f'<div class=table-wrap><table class="data resource">{"".join(body_rows)}</table></div>'
            f"<h2>Referenced by</h2>{''.join(groups) or '<p>nothing</p>'}</main></body></html>")


async def download(request: Request) -> Response:
    filename = request.path_params["filename"]
    stem, _, suffix = filename.partition(".")
    if stem != "therapykg" or suffix not in DUMP_FORMATS:
        return error(404, f"no download {filename!r}; available: " + ", ".join(f"therapykg.{s}" for s in DUMP_FORMATS))
    etag = etag_for(request.app.state.engine.version, "download", suffix)
    cached = not_modified(request, etag)
    if cached:
        return cached
    response = await run_job(request, QueryJob(query="", dump=suffix), request.app.state.settings.query_timeout * 3, etag)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


async def void(request: Request) -> Response:
    """The VoID/DCAT description: RDF by Accept or ``format=``, a page for a browser (or ``format=html``)."""
    accept = request.headers.get("accept", "")
    if wants_html(request):
        async def content() -> tuple[list[Section], bytes]:
            info = await dataset_info(request.app)
            triples = void_triples(request, info.sources, info.triples)
            return describe(triples, VOID + "Dataset", "The dataset"), serialize_description(triples, "turtle")

        return await description_page(
            request, title="The therapykg dataset (VoID)",
            lead="The dataset as VoID and DCAT describe it: its size, version, licence, vocabulary, sources, "
                 "SPARQL endpoint and downloads.",
            content=content,
            others=[("the SPARQL service description", str(request.url_for("sparql")) + "?format=html"),
                    ("downloads and linked data", "/data"), ("named queries", str(request.url_for("list_queries")))])
    try:
        fmt = choose(GRAPH_FORMATS, "text/turtle" if "text/html" in accept else accept, request.query_params.get("format"))
    except NotAcceptable as exc:
        return error(406, str(exc))
    etag = etag_for(request.app.state.engine.version, "void", fmt.name, str(request.base_url))
    cached = not_modified(request, etag)
    if cached:
        return cached
    try:
        info = await dataset_info(request.app)
    except EngineError as exc:
        return engine_error(exc)
    body = void_description(request, fmt.name, info.sources, info.triples)
    return Response(body, media_type=fmt.media_type, headers=cache_headers(request, etag))
