"""The version pointer shared by the writer (``therapykg load``) and the
reader (the remote engine): each version of the graph lives in its own named
graph, and one triple in a small meta graph names the current one, so a
reload is switched atomically and a reader always sees one whole version."""

from __future__ import annotations

META_GRAPH = "https://w3id.org/therapykg/graph/meta"
CURRENT = "https://w3id.org/therapykg/graph/current"
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
# The current version graph and its version, as the reader asks for them.
# Written from the IRIs above rather than kept in queries/: the writer and
# the reader share those IRIs, and here they are spelled once.
POINTER = f"SELECT ?graph ?version WHERE {{ GRAPH <{META_GRAPH}> {{ <{CURRENT}> <{SAME_AS}> ?graph . ?graph <{VERSION_INFO}> ?version }} }}"


def version_graph(version: str) -> str:
    """The named graph that holds ``version``."""
    return f"https://w3id.org/therapykg/graph/version/{version}"
