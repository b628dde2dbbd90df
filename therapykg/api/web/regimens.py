"""Regimen pages: a dosing regimen's timeline as an HTML page and as a
standalone SVG, both drawn from the graph (therapykg.domain.timeline)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from therapykg.api.web import timeline_svg
from therapykg.api.web.errors import wants_html
from therapykg.api.web.render import cached, html_error, loaders, render
from therapykg.domain.timeline import Timeline, regimen_timeline
from therapykg.namespaces import TKGR

# A regimen's id in a URL: the local part of its IRI (blina-rr-adult), nothing else.
_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?")


def _not_found(request: Request, reason: str) -> Response:
    if wants_html(request):
        return html_error(request, 404, "Regimen not found", reason)
    return PlainTextResponse(reason + "\n", status_code=404)


async def _timeline(request: Request) -> Timeline | Response:
    local = request.path_params["id"]
    if not _ID.fullmatch(local):
        return _not_found(request, "A regimen id is the local part of its IRI, such as blina-rr-adult (lower-case letters, digits and hyphens).")
    timeline = await regimen_timeline(loaders(request), TKGR + local)
    if timeline is None:
        return _not_found(request, f"There is no dosing regimen tkgr:{local} in the graph.")
    return timeline


async def timeline_svg_view(request: Request) -> Response:
    async def build() -> Response:
        found = await _timeline(request)
        if not isinstance(found, Timeline):
            return found
        return Response(timeline_svg.svg(found), media_type="image/svg+xml; charset=utf-8")
    return await cached(request, build)


async def regimen_page(request: Request) -> Response:
    async def build() -> Response:
        found = await _timeline(request)
        if not isinstance(found, Timeline):
            return found
        return HTMLResponse(render(request, "regimen.html", title=found.label, timeline=found,
                                   figure=timeline_svg.figure(found)))
    return await cached(request, build)


routes: list[Route] = [
    Route("/regimens/{id}/timeline.svg", timeline_svg_view, methods=["GET", "HEAD"]),
    Route("/regimens/{id}", regimen_page, methods=["GET", "HEAD"]),
]
