"""Descriptions for the GraphQL schema, taken from the ontology's definitions."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from therapykg import paths
from therapykg.namespaces import TKG

DEFINITION = ox.NamedNode("http://www.w3.org/2004/02/skos/core#definition")


@lru_cache(maxsize=1)
def _definitions() -> dict[str, str]:
    found = {}
    for path in paths.ontology_files():
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if quad.predicate == DEFINITION and isinstance(quad.subject, ox.NamedNode):
                found[quad.subject.value] = quad.object.value
    return found


def definition(local: str, extra: str = "") -> str:
    """The ontology's definition of ``tkg:local`` (plus ``extra``)."""
    text = _definitions().get(TKG + local, "")
    return f"{text} {extra}".strip()
