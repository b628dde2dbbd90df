"""The ASGI application: one declarative route list, the middleware stack,
and a lifespan that starts the query workers."""

from __future__ import annotations

import contextlib
import gc
from importlib import import_module
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from therapykg.api import completion, health, linked_data, named, sparql
from therapykg.api.dataset import dataset_info
from therapykg.api.graphql import sdl
from therapykg.api.graphql.view import TherapyGraphQL
from therapykg.api.middleware import AccessLogMiddleware, BodyLimitMiddleware
from therapykg.api.settings import Settings
from therapykg.api.web.errors import exception_handlers
from therapykg.api.web.render import PageCache
from therapykg.api.web.routes import web_routes
from therapykg.store.admission import ADHOC, RESERVED_WORKERS, SERVICE
from therapykg.store.engine import Engine
from therapykg.store.errors import EngineError
from therapykg.store.pool import QueryPool
from therapykg.store.remote import RemoteEngine
from therapykg.store.worker import WorkerOptions

STATIC_DIR = Path(__file__).parent / "static"

class OnFirstRequest:
    """An ASGI application imported when its first request comes, not when the service starts."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name
        self.app: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            self.app = getattr(import_module(self.module), self.name)
        await self.app(scope, receive, send)


def configured_engine(settings: Settings) -> Engine:
    """The engine the settings ask for: a remote SPARQL endpoint, or the pool of query processes."""
    queues = {SERVICE: settings.service_queue, ADHOC: settings.adhoc_queue}
    # One slot more than ad-hoc queries may use: the service lane's own.
    slots = settings.query_workers + RESERVED_WORKERS
    if settings.backend:
        return RemoteEngine(settings.backend, slots=slots, queue_limits=queues)
    options = WorkerOptions(sandbox=settings.query_sandbox, memory_mib=settings.query_memory_mib)
    return QueryPool(slots, settings.store, options=options, queue_limits=queues)


def freeze_startup_heap() -> None:
    """Take what the process holds once started (modules, the schema, the
    dataset description) out of the collector's full passes, once per process.
    Each of those passes holds the interpreter lock, so the event loop too, for
    as long as it walks that heap: 35-50 ms per heavy GraphQL request before,
    10-20 ms after (BENCHMARKS.md, "Event loop under load")."""
    if not gc.get_freeze_count():
        gc.collect()
        gc.freeze()


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> Starlette:
    """The service over ``engine`` (by default the one the settings configure,
    started with the application and closed with it)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette):
        running = engine or configured_engine(settings)
        await running.start()
        app.state.engine = running
        app.state.dataset = None
        with contextlib.suppress(EngineError):  # a remote engine that is down now: described once it is back
            await dataset_info(app)
        if settings.freeze_heap:
            freeze_startup_heap()
        try:
            yield
        finally:
            await running.close()

    routes = [
        *web_routes(),
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz),
        Route("/sparql", sparql.sparql, methods=["GET", "POST"], name="sparql"),
        Route("/sparql/complete", completion.complete, name="sparql_complete"),
        Route("/graphql", TherapyGraphQL(), methods=["GET", "POST"], name="graphql"),
        Route("/graphql/schema.graphql", sdl.schema_sdl, name="graphql_sdl"),
        Route("/queries", named.list_queries, name="list_queries"),
        Route("/queries/{name}", named.run_query, name="run_query"),
        Route("/resource/{slug}", linked_data.resource),
        Route("/ontology/{slug}", linked_data.resource),
        Route("/download/{filename}", linked_data.download, name="download"),
        # Imported at its first request: the FHIR models take a quarter of a second to load, at every start.
        Mount("/fhir", app=OnFirstRequest("therapykg.api.fhir", "router"), name="fhir"),
        Route("/void", linked_data.void, name="void"),
        Route("/.well-known/void", linked_data.void),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(BodyLimitMiddleware, limit=settings.max_body_bytes),
        Middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                   allow_headers=["Accept", "Content-Type", "If-None-Match", "Authorization", "X-Request-ID", "Apollo-Require-Preflight", "X-Apollo-Operation-Name", "Apollographql-Client-Name", "Apollographql-Client-Version"],
                   expose_headers=["ETag", "Link", "X-Result-Rows", "X-Result-Truncated", "Server-Timing"]),
        Middleware(GZipMiddleware, minimum_size=1024),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan, exception_handlers=exception_handlers())
    app.state.settings = settings
    app.state.page_cache = PageCache(settings.page_cache_bytes)
    return app
