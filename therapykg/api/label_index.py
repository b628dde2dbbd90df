"""The service's label index: every rdfs:label and skos:altLabel of the
served graph, lowercased, so that a text search narrows its query to the
resources whose names contain the text instead of having the engine scan
every label (Oxigraph has no text index; see BENCHMARKS.md, "Scale")."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable

import pyoxigraph as ox

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
# The same names, asked of a remote engine.
NAMES_QUERY = f"SELECT ?resource ?name WHERE {{ {{ ?resource <{LABEL}> ?name }} UNION {{ ?resource <{ALT_LABEL}> ?name }} }}"
COUNT_QUERY = f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ ?resource <{LABEL}> ?name }} UNION {{ ?resource <{ALT_LABEL}> ?name }} }}"
# Past this many resources a VALUES list costs about as much as the scan.
MAX_NARROWED = 10_000
_SEPARATOR = "\x00"


class LabelIndex:
    """Names joined in one lowercased string, searched with ``str.find``;
    each name's start offset maps a hit back to its resource."""

    def __init__(self, names: Iterable[tuple[ox.Term, ox.Term]]):
        texts: list[str] = []
        self._starts = array("q")
        self._owners: list[str | None] = []  # an IRI, or None for a blank node
        position = 0
        for resource, name in names:
            if not isinstance(name, ox.Literal):
                continue
            text = name.value.lower().replace(_SEPARATOR, " ")
            texts.append(text)
            self._starts.append(position)
            self._owners.append(resource.value if isinstance(resource, ox.NamedNode) else None)
            position += len(text) + 1
        self._text = _SEPARATOR.join(texts)

    @classmethod
    def of_store(cls, store: ox.Store) -> LabelIndex:
        return cls((q.subject, q.object) for predicate in (LABEL, ALT_LABEL)
                   for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None))

    def __len__(self) -> int:
        return len(self._owners)

    def resources_containing(self, text: str) -> list[ox.NamedNode] | None:
        """The resources with a name containing ``text`` (case-insensitive),
        or None when the index cannot narrow the search: a matching name
        belongs to a blank node (which a query cannot name), or the text
        matches so many names that scanning them is as fast."""
        needle = text.lower()
        if not needle or _SEPARATOR in needle:
            return None
        most = min(MAX_NARROWED, len(self._owners) // 10)
        found: set[str] = set()
        hit = self._text.find(needle)
        while hit != -1:
            entry = bisect_right(self._starts, hit) - 1
            owner = self._owners[entry]
            if owner is None:
                return None
            found.add(owner)
            if len(found) > most:
                return None
            after = self._starts[entry + 1] if entry + 1 < len(self._starts) else len(self._text)
            hit = self._text.find(needle, after)
        return [ox.NamedNode(iri) for iri in sorted(found)]
