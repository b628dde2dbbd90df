"""The ASGI application: one declarative route list, the middleware stack,
and a lifespan that starts the query workers."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from therapykg.api import health, linked_data, named, sparql
from therapykg.api.graphql.view import TherapyGraphQL
from therapykg.api.engine import QueryPool
from therapykg.api.middleware import AccessLogMiddleware, BodyLimitMiddleware
from therapykg.api.settings import Settings
from therapykg.api.worker import QueryJob

STATIC_DIR = Path(__file__).parent / "static"

_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_SOURCES = "SELECT ?source ?title WHERE { ?source a tkg:Source ; rdfs:label ?title } ORDER BY ?source"


async def _select(pool: QueryPool, query: str, timeout: float) -> list[dict]:
    outcome = await pool.execute(QueryJob(query=query, format="json", max_rows=None), timeout)
    if outcome.status != 200:
        raise RuntimeError(outcome.body.decode())
    return json.loads(outcome.body)["results"]["bindings"]


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        pool = QueryPool(settings.query_workers, settings.store)
        await pool.start()
        app.state.pool = pool
        counts = await _select(pool, _GRAPH_COUNTS, settings.query_timeout)
        app.state.graph_counts = {r["g"]["value"]: int(r["n"]["value"]) for r in counts}
        sources = await _select(pool, _SOURCES, settings.query_timeout)
        app.state.sources = [(r["source"]["value"], r["title"]["value"]) for r in sources]
        try:
            yield
        finally:
            await pool.close()

    routes = [
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz),
        Route("/sparql", sparql.sparql, methods=["GET", "POST"], name="sparql"),
        Route("/graphql", TherapyGraphQL(), methods=["GET", "POST"], name="graphql"),
        Route("/queries", named.list_queries, name="list_queries"),
        Route("/queries/{name}", named.run_query, name="run_query"),
        Route("/resource/{slug}", linked_data.resource),
        Route("/ontology/{slug}", linked_data.resource),
        Route("/download/{filename}", linked_data.download, name="download"),
        Route("/void", linked_data.void, name="void"),
        Route("/.well-known/void", linked_data.void),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(BodyLimitMiddleware, limit=settings.max_body_bytes),
        Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                   allow_headers=["Accept", "Content-Type", "If-None-Match", "Authorization"],
                   expose_headers=["ETag", "X-Result-Rows", "X-Result-Truncated"]),
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    return app
