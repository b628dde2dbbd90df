"""The ASGI application: one declarative route list, the middleware stack,
and a lifespan that starts the query workers."""

from __future__ import annotations

import contextlib
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from therapykg.api import health, linked_data, named, sparql
from therapykg.api.admission import ADHOC, RESERVED_WORKERS, SERVICE
from therapykg.api.dataset import dataset_info
from therapykg.api.engine import EngineUnavailable, QueryPool, QueryTimeout
from therapykg.api.graphql.view import TherapyGraphQL
from therapykg.api.middleware import AccessLogMiddleware, BodyLimitMiddleware
from therapykg.api.remote import RemoteEngine
from therapykg.api.settings import Settings
from therapykg.api.worker import WorkerOptions

STATIC_DIR = Path(__file__).parent / "static"

def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        queues = {SERVICE: settings.service_queue, ADHOC: settings.adhoc_queue}
        if settings.backend:
            pool = RemoteEngine(settings.backend, slots=settings.query_workers + RESERVED_WORKERS, queue_limits=queues)
        else:
            options = WorkerOptions(sandbox=settings.query_sandbox, memory_mib=settings.query_memory_mib)
            # One process more than ad-hoc queries may use: the service lane's own.
            pool = QueryPool(settings.query_workers + RESERVED_WORKERS, settings.store, options=options, queue_limits=queues)
        await pool.start()
        app.state.pool = pool
        app.state.dataset = None
        try:
            await dataset_info(app)
        except (EngineUnavailable, QueryTimeout, RuntimeError):
            pass  # a remote backend that is down now: described once it is back
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
                   expose_headers=["ETag", "Link", "X-Result-Rows", "X-Result-Truncated"]),
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.settings = settings
    return app
