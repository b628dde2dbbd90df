"""The version pointer shared by the writer (``therapykg load``) and the
reader (the remote engine): each version of the graph lives in its own named
graph, and one triple in a small meta graph names the current one, so a
reload is switched atomically and a reader always sees one whole version."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from therapykg.queries import bind_values, query_text

META_GRAPH = "https://w3id.org/therapykg/graph/meta"
CURRENT = "https://w3id.org/therapykg/graph/current"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"


@lru_cache(maxsize=1)
def pointer_query() -> str:
    """The reader's question for the current version graph and its version
    (queries/store/current-version.rq, bound to the pointer's IRIs)."""
    return bind_values(query_text("store/current-version"),
                       {ox.Variable("meta"): ox.NamedNode(META_GRAPH), ox.Variable("current"): ox.NamedNode(CURRENT)})


def version_graph(version: str) -> str:
    """The named graph that holds ``version``."""
    return f"https://w3id.org/therapykg/graph/version/{version}"
