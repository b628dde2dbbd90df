"""What the service says about its dataset: triples per graph and sources,
computed once per graph version (the store may be remote and down at start)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette

from therapykg.queries import query_text
from therapykg.store.engine import Selector


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
        counts = {"default": int((await backend.select(query_text("service/triple-count")))[0]["n"]["value"])}
    else:
        counts = {r["g"]["value"]: int(r["n"]["value"]) for r in await backend.select(query_text("service/graph-counts"))}
    sources = [(r["source"]["value"], r["title"]["value"]) for r in await backend.select(query_text("service/sources"))]
    app.state.dataset = DatasetInfo(engine.version, counts, sources)
    return app.state.dataset


