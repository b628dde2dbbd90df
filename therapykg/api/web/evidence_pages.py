"""The evidence pages: every recorded conflict between sources (both sides
with their sources, filterable by therapy) and every source with the claims
drawn from it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from therapykg.api.web.render import cached, html_error, loaders, render
from therapykg.domain import evidence_index
from therapykg.domain.catalog import therapies
from therapykg.domain.search import suggestions

# A resource's local name as the pages take it (tkgr:blinatumomab -> blinatumomab).
_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")
# A source with more claims than this shows them folded in a <details>.
FOLD_AFTER = 3


def host(url: str) -> str:
    """The site of a document's address, as a link's text (the link keeps the whole address)."""
    parts = urlsplit(url)
    site = parts.netloc.removeprefix("www.")
    return (site + ("/…" if len(parts.path) > 1 or parts.query else "")) if site else url


def _local(raw: str) -> str | None:
    text = raw.strip().removeprefix("tkgr:")
    return text if _LOCAL.fullmatch(text) else None


async def conflicts_page(request: Request) -> Response:
    raw = request.query_params.get("therapy", "")
    chosen = _local(raw) if raw.strip() else None
    if raw.strip() and chosen is None:
        return html_error(request, 400, "Therapy not accepted",
                          f"{raw[:120]!r} is not a therapy id; use a name such as blinatumomab (as in /therapies/blinatumomab).")

    async def build() -> Response:
        domain = loaders(request)
        views = await evidence_index.conflicts(domain)
        known = {n.iri.rsplit("/", 1)[-1]: n.label for n in await therapies(domain)}
        involved: dict[str, tuple[str, int]] = {}
        for view in views:
            for therapy in view.therapies:
                label, count = involved.get(therapy.local, (therapy.label, 0))
                involved[therapy.local] = (label, count + 1)
        if chosen is not None and chosen not in known:
            found = await suggestions(domain, chosen.replace("-", " "))
            return html_error(request, 400, "Unknown therapy", f"There is no therapy {chosen!r} in the graph.",
                              suggestions=[h for h in found if h.kind == "therapy"])
        shown = evidence_index.involving(views, chosen) if chosen else views
        options = sorted(((local, label, count) for local, (label, count) in involved.items()), key=lambda o: o[1].lower())
        title = f"Conflicts about {known[chosen]}" if chosen else "Conflicts between sources"
        return HTMLResponse(render(request, "conflicts.html", title=title, conflicts=shown, total=len(views),
                                   options=options, chosen=chosen, chosen_label=known.get(chosen or "")))
    return await cached(request, build)


async def sources_page(request: Request) -> Response:
    async def build() -> Response:
        views = await evidence_index.sources(loaders(request))
        return HTMLResponse(render(request, "sources.html", title="Sources", sources=views, fold_after=FOLD_AFTER, host=host,
                                   claims=sum(len(v.claims) for v in views)))
    return await cached(request, build)


async def source_page(request: Request) -> Response:
    raw = request.path_params["id"]
    local = _local(raw)
    if local is None:
        return html_error(request, 400, "Source id not accepted", f"{raw[:120]!r} is not a source id, such as source-article.")

    async def build() -> Response:
        domain = loaders(request)
        view = await evidence_index.source(domain, local)
        if view is None:
            found = await suggestions(domain, local.removeprefix("source-").replace("-", " "))
            return html_error(request, 404, "Source not found", f"There is no source {local!r} in the graph.",
                              suggestions=[h for h in found if h.kind == "source"] or found)
        return HTMLResponse(render(request, "source.html", title=view.label, source=view))
    return await cached(request, build)


routes: list[Route] = [Route("/conflicts", conflicts_page, name="conflicts"), Route("/sources", sources_page, name="sources"),
                       Route("/sources/{id}", source_page, name="source")]
