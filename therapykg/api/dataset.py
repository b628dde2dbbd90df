"""What the service says about its dataset: triples per graph and sources,
computed once per graph version (the store may be remote and down at start)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette

from therapykg.store.engine import Selector

_GRAPH_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_SOURCES = "SELECT ?source ?title WHERE { ?source a tkg:Source ; rdfs:label ?title } ORDER BY ?source"


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
    engine = app.state.engine
    cached = app.state.dataset
    if cached is not None and cached.version == engine.version:
        return cached
    backend = Selector(engine, app.state.settings.query_timeout)
    if engine.single_graph:  # a remote engine holds the version as one graph
        counts = {"default": int((await backend.select(_COUNT))[0]["n"]["value"])}
    else:
        counts = {r["g"]["value"]: int(r["n"]["value"]) for r in await backend.select(_GRAPH_COUNTS)}
    sources = [(r["source"]["value"], r["title"]["value"]) for r in await backend.select(_SOURCES)]
    app.state.dataset = DatasetInfo(engine.version, counts, sources)
    return app.state.dataset


