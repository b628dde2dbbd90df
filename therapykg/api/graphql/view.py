"""The /graphql endpoint: strawberry's ASGI view with a per-request context,
a result cache keyed by the graph version, and a GraphiQL page served from
the package (no CDN).

Parsing, validating and executing a query is Python work whose cost the
client chooses; on the event loop that serves every client, one costly
request would stall them all. So each request runs on a small pool of
threads, each call on an event loop of its own, under a deadline (the query
timeout) after which the client gets 503 and the work is cancelled; resolvers
reach the query pool, which belongs to the main loop, through Selector.
The response body is encoded there too, and cached as bytes. Bodies that
cannot be read get 400, and every error has the GraphQL shape with an
``extensions.code`` (therapykg.api.graphql.errors).

GET requests are answered with an ETag tied to the graph version and the
request's parameters, and Cache-Control (304 on a repeat); persisted
operations (therapykg.api.graphql.persisted) make those requests short."""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, overload

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry import UNSET
from strawberry.asgi import GraphQL, HTTPException
from strawberry.http import GraphQLRequestData, process_result
from strawberry.types import ExecutionResult

from therapykg.api.graphql.context import Context
from therapykg.api.graphql.errors import (
    BAD_REQUEST,
    CLIENT_CODES,
    INTERNAL_ERROR,
    PERSISTED_QUERY_NOT_FOUND,
    QUERY_TOO_COMPLEX,
    TIMEOUT,
    TRANSIENT_CODES,
    _masked_code,
    _should_mask,
    code_of,
    coded,
    coded_error,
    fallback_code,
)
from therapykg.api.graphql.limits import json_problem
from therapykg.api.graphql.persisted import persisted, sha256
from therapykg.api.graphql.schema import schema
from therapykg.api.http import cache_headers, etag_for, not_modified
from therapykg.api.settings import Settings
from therapykg.api.web.render import site_header
from therapykg.store.engine import Engine, Selector

if TYPE_CHECKING:  # strawberry's request adapter, named through strawberry (its own dependency defines it)
    from strawberry.http.async_base_view import AsyncHTTPRequestAdapter

T = TypeVar("T")

# A cached result's key: the graph version, the query, its variables (as JSON) and the operation's name.
_Key: TypeAlias = tuple[str | None, str | None, str, str | None]

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>therapykg GraphQL</title>
<link rel="stylesheet" href="{static}/vendor/graphiql.min.css">
<link rel="stylesheet" href="{static}/site.css">
<link rel="icon" href="{static}/favicon.svg" type="image/svg+xml">
<style>body {{ margin: 0; height: 100vh; display: flex; flex-direction: column; }} body > .notice {{ margin: 0.4rem 1.25rem; }}
main#main {{ flex: 1; min-height: 0; width: 100%; max-width: none; margin: 0; padding: 0; }} #graphiql {{ height: 100%; }}</style>
</head>
<body>
{site_header}
<main id="main"><div id="graphiql">Loading GraphiQL...</div></main>
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


# The query parameters of a GET request that ask for an operation (without one, a browser gets GraphiQL).
_OPERATION_PARAMETERS = ("query", "id", "documentId", "extensions")


class CodedHTTPException(HTTPException):
    """A request refused before execution, with the code its error carries."""

    def __init__(self, status_code: int, reason: str, code: str = BAD_REQUEST) -> None:
        super().__init__(status_code, reason)
        self.code = code


def _errors(message: str, *, status: int, code: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


def _finished(errors: list[GraphQLError]) -> list[GraphQLError]:
    """``errors``, each with a code: one that no phase of the schema coded
    (an error in a path the extensions do not see) gets one here, and is
    masked if it is internal."""
    finished = []
    for error in errors:
        if code_of(error) is None and _should_mask(error):
            error = GraphQLError(INTERNAL_ERROR, path=error.path, extensions={"code": _masked_code(error.original_error)})
        finished.append(coded(error, fallback_code(error)))
    return finished


def _persisted_document(data: dict[str, Any]) -> dict[str, Any]:
    """The request ``data`` (a body, or GET parameters) with the persisted operation it names by ``id`` or ``documentId`` as its query."""
    identifier = data.get("id", data.get("documentId"))
    if identifier is None:
        return data
    if data.get("query") is not None:
        raise CodedHTTPException(400, "Send either a query or the id of a persisted operation, not both.")
    documents = persisted().by_id
    if not isinstance(identifier, str) or identifier not in documents:
        raise CodedHTTPException(400, f"No persisted operation {identifier!r}: the persisted operations are "
                                      f"{', '.join(sorted(documents))} (queries/graphql/).", code=PERSISTED_QUERY_NOT_FOUND)
    return {**data, "query": documents[identifier]}


@dataclass
class _Encoded(ExecutionResult):
    """A result with its response body, encoded on the thread that made it;
    kept as bytes, which cost the garbage collector nothing to hold."""

    body: bytes = b""
    refused: bool = False  # refused before execution: parse, validation, limits, variables


class _ResultCache:
    """Encoded results, least recently used out first, at most ``size`` bytes in all."""

    def __init__(self, *, size: int) -> None:
        self.size, self.held = size, 0
        self._results: OrderedDict[_Key, _Encoded] = OrderedDict()

    def get(self, key: _Key) -> _Encoded | None:
        found = self._results.get(key)
        if found is not None:
            self._results.move_to_end(key)
        return found

    def put(self, key: _Key, result: _Encoded, *, entries: int) -> None:
        """Keep ``result``, and at most ``entries`` results (0: none)."""
        if not entries or len(result.body) > self.size or key in self._results:
            return
        self._results[key] = result
        self.held += len(result.body)
        while len(self._results) > entries or self.held > self.size:
            self.held -= len(self._results.popitem(last=False)[1].body)


def _asks_for_operation(request: Request) -> bool:
    return any(request.query_params.get(p) for p in _OPERATION_PARAMETERS)


def _automatic_persisted_query(query: str | None, persisted_query: Any) -> str:
    """The query of a request with Apollo's ``persistedQuery`` extension: the
    allow-listed document with that hash when the request sends no query, or
    the query it sends, when the hash is the query's."""
    digest = persisted_query.get("sha256Hash") if isinstance(persisted_query, dict) else None
    if not isinstance(digest, str):
        raise CodedHTTPException(400, "extensions.persistedQuery must be an object with a sha256Hash string")
    if query is None:
        if (document := persisted().by_hash.get(digest.lower())) is None:
            raise CodedHTTPException(400, "PersistedQueryNotFound: no persisted operation (queries/graphql/) has this sha256Hash; "
                                          "send the query itself", PERSISTED_QUERY_NOT_FOUND)
        return document
    if sha256(query) != digest.lower():
        raise CodedHTTPException(400, "provided sha256Hash does not match the query")
    return query


def _run_until(run: Callable[[], Awaitable[T]], deadline: float, loop_factory: Callable[[], asyncio.AbstractEventLoop]) -> T:
    """On a pool thread: ``run()`` on an event loop of its own (made by
    ``loop_factory``: the server's kind, uvloop where it runs on uvloop, as
    resolvers make many small tasks), cancelled at ``deadline``."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError  # the request waited for a thread until its deadline
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(asyncio.wait_for(run(), remaining))


class TherapyGraphQL(GraphQL[Context, None]):
    """``threads`` run requests (Python holds one at a time: more would only
    take turns with the event loop); bodies may nest ``json_nesting`` deep;
    cached results take at most ``cache_bytes``."""

    def __init__(self, *, threads: int = 2, json_nesting: int = 32, cache_bytes: int = 32 << 20, **options: Any) -> None:
        super().__init__(schema, **options)
        self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="graphql")
        self._json_nesting = json_nesting
        self._cache = _ResultCache(size=cache_bytes)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        engine: Engine = request.app.state.engine
        settings: Settings = request.app.state.settings
        backend = Selector(engine, settings.query_timeout, loop=asyncio.get_running_loop())
        return Context(backend=backend, request=request, response=response)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        static = request.url_for("static", path="").path.rstrip("/")
        config = json.dumps({"endpoint": str(request.url_for("graphql")), "query": DEFAULT_QUERY}).replace("</", "<\\/")
        return HTMLResponse(PAGE.format(static=static, config=config, site_header=site_header(request)))

    @overload
    async def run(self, request: Request, context: Context = UNSET, root_value: None = UNSET) -> Response: ...

    @overload
    async def run(self, request: WebSocket, context: Context = UNSET, root_value: None = UNSET) -> WebSocket: ...

    async def run(self, request: Request | WebSocket, context: Context = UNSET, root_value: None = UNSET) -> Response | WebSocket:
        try:
            if isinstance(request, Request) and request.method == "GET" and _asks_for_operation(request):
                return await self._run_get(request, context, root_value)
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            return _errors(exc.reason, status=exc.status_code, code=getattr(exc, "code", BAD_REQUEST))

    async def _run_get(self, request: Request, context: Context, root_value: None) -> Response:
        """A GET request for an operation: its answer is the same for the same parameters and graph version,
        so it has an ETag and Cache-Control, and a client holding it gets 304."""
        engine: Engine = request.app.state.engine
        etag = etag_for(engine.version or "", "graphql", sorted(request.query_params.multi_items()))
        if (unchanged := not_modified(request, etag)) is not None:
            return unchanged
        response = await super().run(request, context, root_value)
        if response.status_code == 200 and "cache-control" not in response.headers:
            response.headers.update(cache_headers(request, etag))
        return response

    def should_render_graphql_ide(self, request: Any) -> bool:
        return super().should_render_graphql_ide(request) and not any(request.query_params.get(p) for p in _OPERATION_PARAMETERS)

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        return _persisted_document(super().parse_query_params(params))

    def parse_json(self, data: str | bytes) -> Any:
        """The request body (bytes: an object, or a list for a batch) or a
        query parameter (text: variables or extensions), refused with 400 when
        it is not UTF-8 JSON, nests too deeply, or is a body of another kind.
        A body that names a persisted operation gets its document as the query."""
        try:
            value = json.loads(data)
        except RecursionError:
            raise CodedHTTPException(400, f"JSON nested more than the limit of {self._json_nesting} deep", QUERY_TOO_COMPLEX) from None
        except ValueError:  # not JSON, or not UTF-8
            raise CodedHTTPException(400, "Unable to parse request body as JSON") from None
        if problem := json_problem(value, nesting=self._json_nesting):
            raise CodedHTTPException(400, problem, QUERY_TOO_COMPLEX)
        if isinstance(data, bytes) and not isinstance(value, dict | list):
            raise CodedHTTPException(400, "The request body must be a JSON object.")
        return _persisted_document(value) if isinstance(data, bytes) and isinstance(value, dict) else value

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        data = await super().parse_http_body(request)
        if isinstance(data, list):  # a batch: strawberry refuses one first, as batching is off
            raise HTTPException(400, "Batching is not enabled")
        if not isinstance(data.operation_name, str | None):
            raise HTTPException(400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
        if data.extensions and "persistedQuery" in data.extensions:
            data.query = _automatic_persisted_query(data.query, data.extensions["persistedQuery"])
        return data

    async def execute_single(self, request: Request, request_adapter: AsyncHTTPRequestAdapter, sub_response: Response,
                             context: Context, root_value: None, request_data: GraphQLRequestData) -> ExecutionResult:
        settings: Settings = request.app.state.settings
        engine: Engine = request.app.state.engine
        if settings.graphql_persisted_only and not persisted().allowed(request_data.query):
            sub_response.status_code = 400
            return ExecutionResult(data=None, errors=[coded_error(
                "This service runs only its persisted operations (queries/graphql/: "
                f"{', '.join(sorted(persisted().by_id))}): send GET /graphql?id=<name>&variables=<JSON>, or the "
                "document's sha256Hash in extensions.persistedQuery; other documents are refused.", PERSISTED_QUERY_NOT_FOUND)])
        # The graph is read-only between builds: a result is valid for its version.
        key: _Key = (engine.version, request_data.query, json.dumps(request_data.variables, sort_keys=True),
                     request_data.operation_name)
        if (cached := self._cache.get(key)) is not None:
            return cached
        run = partial(self._execute_encoded, request, request_adapter, sub_response, context, root_value, request_data)
        try:
            result = await self._off_loop(run, timeout=settings.query_timeout)
        except TimeoutError:
            sub_response.status_code = 503
            sub_response.headers["Retry-After"] = "1"
            sub_response.headers["Cache-Control"] = "no-store"
            return ExecutionResult(data=None, errors=[coded_error(
                f"the request did not finish within the limit of {settings.query_timeout:g} s", TIMEOUT)])
        if result.refused:
            sub_response.status_code = 400
        if any(code_of(e) in TRANSIENT_CODES for e in result.errors or ()):
            sub_response.headers["Cache-Control"] = "no-store"  # it may go better next time
        if not result.errors:
            self._cache.put(key, result, entries=settings.graphql_cache_size)
        return result

    async def _execute_encoded(self, request: Request, request_adapter: AsyncHTTPRequestAdapter, sub_response: Response,
                               context: Context, root_value: None, request_data: GraphQLRequestData) -> _Encoded:
        """On a pool thread: the result, and its response body."""
        result = await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)
        errors = _finished(result.errors or [])
        refused = bool(errors) and result.data is None and all(e.path is None and code_of(e) in CLIENT_CODES for e in errors)
        result.errors = errors or None
        body = self.encode_json(process_result(result))
        return _Encoded(data=None, errors=result.errors, body=body.encode() if isinstance(body, str) else body, refused=refused)

    async def _off_loop(self, run: Callable[[], Awaitable[T]], *, timeout: float) -> T:
        """``run()`` on a pool thread, stopped after ``timeout`` seconds.

        :raises TimeoutError: the time is up; the work is cancelled at its next await.
        """
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._threads, _run_until, run, time.monotonic() + timeout, type(loop))
        return await asyncio.wait_for(work, timeout)

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:
        # An encoded result goes as it is to encode_json.
        return result if isinstance(result, _Encoded) else await super().process_result(request, result)

    def encode_json(self, data: Any) -> str | bytes:
        # orjson: a 2 MB result in 4 ms where json.dumps takes 20-40 ms, all of it
        # holding the interpreter lock the event loop needs (see BENCHMARKS.md).
        return data.body if isinstance(data, _Encoded) else orjson.dumps(data)
