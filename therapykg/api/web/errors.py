"""Errors a browser sees as pages: an unknown address is an HTML 404 with
search and suggestions; the APIs keep their plain-text errors."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from therapykg.api.web.render import html_error, loaders
from therapykg.domain.search import MAX_QUERY, suggestions
from therapykg.store.errors import EngineError

Handler = Callable[[Request, Exception], Coroutine[Any, Any, Response]]


def wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def _not_found(request: Request, exc: Exception) -> Response:
    if not wants_html(request):
        return PlainTextResponse("Not Found\n", status_code=404)
    # The last part of the address, as a search: /therapies/blinatumomob suggests blinatumomab.
    words = request.url.path.rstrip("/").rsplit("/", 1)[-1][:MAX_QUERY]
    try:
        hits = await suggestions(loaders(request), words) if words else []
    except EngineError:  # a page that was not found is still a 404 when the engine cannot help
        hits = []
    return html_error(request, 404, "Page not found", f"There is no page at {request.url.path}.",
                      suggestions=[{"href": h.href, "label": h.label, "kind": h.kind} for h in hits])


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Internal Server Error"
    if not wants_html(request):
        return PlainTextResponse(f"{detail}\n", status_code=status, headers=getattr(exc, "headers", None))
    return html_error(request, status, detail, "The request could not be answered.")


def exception_handlers() -> dict[Any, Handler]:
    return {404: _not_found, HTTPException: _http_error}
