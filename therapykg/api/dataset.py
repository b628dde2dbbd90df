"""What the service says about its dataset: triples per graph and sources,
computed once per graph version (the store may be remote and down at start)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.applications import Starlette

from therapykg.api.worker import QueryJob

_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_SOURCES = "SELECT ?source ?title WHERE { ?source a tkg:Source ; rdfs:label ?title } ORDER BY ?source"


async def _select(pool, query: str, timeout: float) -> list[dict]:
    outcome = await pool.execute(QueryJob(query=query, format="json", max_rows=None), timeout)
    if outcome.status != 200:
        raise RuntimeError(outcome.body.decode())
    return json.loads(outcome.body)["results"]["bindings"]


@dataclass(frozen=True)
class DatasetInfo:
    version: str
    graph_counts: dict[str, int]
    sources: list[tuple[str, str]]

    @property
    def triples(self) -> int:
        return sum(self.graph_counts.values())


async def dataset_info(app: Starlette) -> DatasetInfo:
    """Triple counts per graph and the sources, computed once per graph version."""
    pool, timeout = app.state.pool, app.state.settings.query_timeout
    cached = app.state.dataset
    if cached is not None and cached.version == pool.version:
        return cached
    if getattr(pool, "single_graph", False):  # a remote backend holds the version as one graph
        counts = {"default": int((await _select(pool, _COUNT, timeout))[0]["n"]["value"])}
    else:
        counts = {r["g"]["value"]: int(r["n"]["value"]) for r in await _select(pool, _GRAPH_COUNTS, timeout)}
    sources = [(r["source"]["value"], r["title"]["value"]) for r in await _select(pool, _SOURCES, timeout)]
    app.state.dataset = DatasetInfo(pool.version, counts, sources)
    return app.state.dataset


