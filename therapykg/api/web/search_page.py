"""The search page: therapies, trials, adverse events, conditions, sources
and claims by name, synonym, brand name or identifier, best first."""

from __future__ import annotations

import unicodedata
from collections import Counter

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from therapykg.api.web.render import cached, html_error, loaders, render
from therapykg.domain.search import MAX_QUERY, search

LIMIT = 50
# Queries that show what the search finds, for the empty page.
EXAMPLES = (("blinatumomab", "a therapy"), ("Blincyto", "a brand name"), ("NCT02013167", "a trial's registry number"),
            ("TOWER", "a trial"), ("cytokine release", "an adverse event"), ("CRS", "an abbreviation"),
            ("PMC6618133", "a source"), ("inotuzumab", "the start of a name"))


def problem(text: str) -> str | None:
    """Why a query cannot be searched, or None when it can."""
    if len(text) > MAX_QUERY:
        return f"The search text is {len(text)} characters long; at most {MAX_QUERY} are searched. Shorten it and try again."
    if any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn") and c not in "\t\n\r" for c in text):
        return "The search text contains control or unassigned characters; type it again in plain text."
    return None


async def search_page(request: Request) -> Response:
    query = request.query_params.get("q", "")
    if (reason := problem(query)) is not None:
        return html_error(request, 400, "Search text not accepted", reason, query=query[:MAX_QUERY])

    async def build() -> Response:
        text = query.strip()
        if not text:
            return HTMLResponse(render(request, "search.html", title="Search", query="", hits=[], counts=[],
                                       examples=EXAMPLES))
        hits = await search(loaders(request), text, limit=LIMIT)
        counts = sorted(Counter(h.kind for h in hits).items(), key=lambda kc: (-kc[1], kc[0]))
        return HTMLResponse(render(request, "search.html", title=f"Search: {text}", query=text, hits=hits, counts=counts,
                                   examples=EXAMPLES, limit=LIMIT))
    return await cached(request, build)


routes: list[Route] = [Route("/search", search_page, name="search")]
