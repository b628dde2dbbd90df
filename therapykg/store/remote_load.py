"""Push the built graph into a SPARQL 1.1 Graph Store (HTTP Protocol):
load the new version into its own named graph, then switch the pointer in
the meta graph with one request, then drop the old version. A reader always
sees one complete version."""

from __future__ import annotations

import httpx
import pyoxigraph as ox

from therapykg.store.graph import KnowledgeGraph
from therapykg.store.versions import CURRENT, META_GRAPH, SAME_AS, VERSION_INFO, version_graph

NTRIPLES = "application/n-triples"


def _current(client: httpx.Client, store: str) -> str | None:
    response = client.get(store, params={"graph": META_GRAPH}, headers={"Accept": NTRIPLES})
    if response.status_code == 404:
        return None
    response.raise_for_status()
    quad: ox.Quad
    for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES):
        # (A triple term is never a subject in RDF 1.2: the check only narrows the type.)
        if not isinstance(quad.subject, ox.Triple) and quad.subject.value == CURRENT and quad.predicate.value == SAME_AS:
            if isinstance(quad.object, ox.Triple):
                raise ValueError(f"{store}: the current-version pointer in {META_GRAPH} is a triple term, not a graph IRI")
            return quad.object.value
    return None


def load_into(graph: KnowledgeGraph, store: str, *, auth: tuple[str, str] | None = None, timeout: float = 300) -> tuple[str, str | None]:
    """Load ``graph`` at the Graph Store endpoint ``store``; returns (new graph, replaced graph).

    :raises httpx.HTTPError: the store refused or could not be reached.
    """
    target = version_graph(graph.version)
    triples = sorted({ox.Triple(q.subject, q.predicate, q.object) for q in graph.store}, key=str)
    body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    pointer = ox.serialize([
        ox.Triple(ox.NamedNode(CURRENT), ox.NamedNode(SAME_AS), ox.NamedNode(target)),
        ox.Triple(ox.NamedNode(target), ox.NamedNode(VERSION_INFO), ox.Literal(graph.version)),
    ], format=ox.RdfFormat.N_TRIPLES)
    with httpx.Client(timeout=timeout, auth=httpx.DigestAuth(*auth) if auth else None) as client:
        previous = _current(client, store)
        client.put(store, params={"graph": target}, content=body, headers={"Content-Type": NTRIPLES}).raise_for_status()
        client.put(store, params={"graph": META_GRAPH}, content=pointer, headers={"Content-Type": NTRIPLES}).raise_for_status()
        if previous and previous != target:
            response = client.delete(store, params={"graph": previous})
            if response.status_code not in (200, 204, 404):
                response.raise_for_status()
    return target, previous if previous != target else None
