"""What every page shares: the template environment, the navigation, the
domain loaders of a request, error pages, and a cache of rendered pages by
graph version (the graph is read-only between builds)."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from therapykg.api.http import built_for_version, cache_headers, etag_for, not_modified
from therapykg.domain.ids import to_local
from therapykg.domain.loaders import Loaders
from therapykg.domain.options import OptionGroup, therapy_options
from therapykg.namespaces import TKG, TKGR
from therapykg.store.engine import Selector

TEMPLATES = Path(__file__).parent / "templates"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")  # a local name that stands in a URL path as it is
NOTICE = "For research and informatics use, not for clinical decisions."

# The site's sections, in the order the navigation lists them.
NAV = (("Therapies", "/"), ("Compare", "/compare"), ("Dose", "/dose"), ("Conflicts", "/conflicts"),
       ("Sources", "/sources"), ("SPARQL", "/sparql"), ("GraphQL", "/graphql"), ("Data", "/data"))

environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True,
                                 lstrip_blocks=True, undefined=jinja2.StrictUndefined)
environment.globals.update(nav=NAV, notice=NOTICE)
# "CAR T-cell therapy" stays as written: only the first letter is raised.
environment.filters["first_upper"] = lambda text: text[:1].upper() + text[1:] if text else text
# A resource's name in the site's addresses: tkgr:blinatumomab -> blinatumomab.
environment.filters["local"] = to_local
# A value's evidence context in one line: trial, design, population, patients counted, data cut (those known).
environment.filters["context_line"] = lambda c: " · ".join(p for p in (c.trial, c.design, c.population, c.counted, c.data_cut) if p)


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> str:
    """The page ``template`` with ``context``, the request and the graph version."""
    engine = request.app.state.engine
    return environment.get_template(template).render(request=request, path=request.url.path, version=engine.version or "",
                                                     status=status, **context)


def site_header(request: Request) -> str:
    """The site's header, navigation and notice, for pages not built from the templates (the editors)."""
    return environment.get_template("_header.html").render(request=request, path=request.url.path, query="")


def local_link(iri: str) -> str | None:
    """Where an IRI of this graph is shown on the service: /resource/{x} or /ontology/{x}."""
    for namespace, route in ((TKGR, "/resource/"), (TKG, "/ontology/")):
        if iri.startswith(namespace) and _SLUG.match(iri[len(namespace):]):
            return route + iri[len(namespace):]
    return None


def loaders(request: Request) -> Loaders:
    """The domain's loaders over the service's engine, for one request."""
    return Loaders(Selector(request.app.state.engine, request.app.state.settings.query_timeout))


@dataclass
class _Choices:
    version: str
    groups: list[OptionGroup]


async def therapy_choices(request: Request) -> list[OptionGroup]:
    """The therapies the pages' forms offer, for the graph version served now:
    the same for every page and request, so built once per version (the
    graph is read-only between builds) rather than at each page."""
    version = request.app.state.engine.version

    async def build() -> _Choices:
        return _Choices(version, await therapy_options(loaders(request)))

    return (await built_for_version(request.app.state, "therapy_choices", version, build)).groups


def html_error(request: Request, status: int, title: str, message: str, **context: Any) -> HTMLResponse:
    """A page that says what went wrong and offers a way on (search, suggestions)."""
    body = render(request, "error.html", status=status, title=title, message=message,
                  suggestions=context.pop("suggestions", []), **context)
    return HTMLResponse(body, status_code=status)


@dataclass(frozen=True)
class Stored:
    """A rendered response: its body, media type and own headers (a download's file name)."""

    body: bytes
    media_type: str
    headers: tuple[tuple[str, str], ...]


class PageCache:
    """Rendered pages by (graph version, path and query), least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int = 16 << 20):
        self.max_bytes = max_bytes
        self._pages: OrderedDict[tuple[str, str], Stored] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple[str, str]) -> Stored | None:
        stored = self._pages.get(key)
        if stored is not None:
            self._pages.move_to_end(key)
        return stored

    def put(self, key: tuple[str, str], stored: Stored) -> None:
        if not self.max_bytes or len(stored.body) > self.max_bytes // 4 or key in self._pages:
            return
        self._pages[key] = stored
        self._bytes += len(stored.body)
        while self._bytes > self.max_bytes:
            _, old = self._pages.popitem(last=False)
            self._bytes -= len(old.body)


async def cached(request: Request, build: Callable[[], Awaitable[Response]]) -> Response:
    """The page at this URL for this graph version: 304 when the client has it,
    from the cache when rendered before, else built (and kept when it is a 200)."""
    version = request.app.state.engine.version or ""
    url = request.url.path + ("?" + request.url.query if request.url.query else "")
    etag = etag_for(version, "page", url)
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    key = (version, url)
    cache: PageCache = request.app.state.page_cache
    if (stored := cache.get(key)) is not None:
        return Response(stored.body, media_type=stored.media_type, headers={**dict(stored.headers), **cache_headers(request, etag)})
    response = await build()
    if response.status_code == 200:
        own = tuple((k, v) for k, v in response.headers.items() if k.lower() == "content-disposition")
        cache.put(key, Stored(bytes(response.body), response.media_type or "text/html; charset=utf-8", own))
        response.headers.update(cache_headers(request, etag))
    return response
