"""The front door (what therapykg is, the options by kind, where to go next)
and the data page (downloads, linked data, the APIs)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from therapykg.api.web.render import cached, render, therapy_choices
from therapykg.store.worker import DUMP_FORMATS

# What each download is, for a person choosing one.
DOWNLOADS = {"ttl": "Turtle", "nt": "N-Triples", "nq": "N-Quads", "trig": "TriG", "jsonld": "JSON-LD", "rdf": "RDF/XML"}


async def index(request: Request) -> Response:
    async def build() -> Response:
        groups = await therapy_choices(request)
        options = [o for g in groups for o in g.options]
        return HTMLResponse(render(request, "index.html", title="Therapy options for relapsed/refractory Ph-negative B-ALL",
                                   groups=groups, options=options))
    return await cached(request, build)


async def data(request: Request) -> Response:
    async def build() -> Response:
        files = [(f"therapykg.{suffix}", DOWNLOADS.get(suffix, suffix)) for suffix in DUMP_FORMATS]
        return HTMLResponse(render(request, "data.html", title="Data, downloads and APIs", files=files))
    return await cached(request, build)


routes = [Route("/", index, name="home"), Route("/data", data, name="data")]
