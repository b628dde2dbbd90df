"""The /graphql endpoint: strawberry's ASGI view with a per-request context
(fresh DataLoaders), a result cache keyed by the graph version, and a
GraphiQL page served from the package (no CDN)."""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from therapykg.api.graphql.backend import Backend, PoolBackend
from therapykg.api.graphql.loaders import Loaders
from therapykg.api.graphql.schema import schema

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>therapykg GraphQL</title>
<link rel="stylesheet" href="{static}/vendor/graphiql.min.css">
<style>body {{ margin: 0; height: 100vh; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL...</div>
<script src="{static}/vendor/react.production.min.js"></script>
<script src="{static}/vendor/react-dom.production.min.js"></script>
<script src="{static}/vendor/graphiql.min.js"></script>
<script>window.THERAPYKG_GRAPHQL = {config};</script>
<script src="{static}/graphiql-page.js"></script>
</body>
</html>
"""

DEFAULT_QUERY = """# therapykg GraphQL API: for research and informatics use, not for clinical decisions.
query CompareAntiCD19AndCD22 {
  compareTherapies(ids: ["tkgr:blinatumomab", "tkgr:inotuzumab-ozogamicin"], aspects: [MECHANISM, EFFICACY]) {
    therapies { id label }
    rows { label comparable note cells { therapy status values { text context { trial } sources { source { title } } } } }
  }
}
"""


@dataclass
class Context:
    backend: Backend
    loaders: Loaders
    request: Request | None = None
    response: Response | None = None


class TherapyGraphQL(GraphQL):
    def __init__(self, **options):
        super().__init__(schema, **options)
        self._cache: OrderedDict[tuple, ExecutionResult] = OrderedDict()

    async def get_context(self, request: Request, response: Response) -> Context:
        state = request.app.state
        backend = PoolBackend(state.pool, state.settings.query_timeout)
        return Context(backend=backend, loaders=Loaders(backend), request=request, response=response)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        static = request.url_for("static", path="").path.rstrip("/")
        config = json.dumps({"endpoint": str(request.url_for("graphql")), "query": DEFAULT_QUERY}).replace("</", "<\\/")
        return HTMLResponse(PAGE.format(static=static, config=config))

    async def execute_single(self, request, request_adapter, sub_response, context, root_value, request_data) -> ExecutionResult:
        # The graph is read-only between builds: a result is valid for its version.
        key = (request.app.state.pool.version, request_data.query, json.dumps(request_data.variables, sort_keys=True),
               request_data.operation_name)
        size = request.app.state.settings.graphql_cache_size
        cached = self._cache.get(key) if size else None
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        result = await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)
        if size and not result.errors:
            self._cache[key] = result
            if len(self._cache) > size:
                self._cache.popitem(last=False)
        return result
