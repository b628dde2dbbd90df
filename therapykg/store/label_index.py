"""The label index: every rdfs:label and skos:altLabel of the served graph,
lowercased, so that a text search narrows its query to the resources whose
names contain the text instead of having the engine scan every label
(Oxigraph has no text index; see BENCHMARKS.md, "Scale"). An on-disk store
carries its index in a file beside the data, so opening it reads no labels."""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from therapykg.store.terms import Term

LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
# Past this many resources a VALUES list costs about as much as the scan.
MAX_NARROWED = 10_000
INDEX_FILE = "label-index.tsv"
_SEPARATOR = "\x00"
# Kept out of indexed names (they separate names here and lines in the file);
# a text with one of them is left to the engine.
_UNINDEXED_CHARACTERS = "\x00\t\n\r"
_UNINDEXED = str.maketrans({c: _SEPARATOR for c in _UNINDEXED_CHARACTERS})


class LabelIndex:
    """Names joined in one lowercased string, searched with ``str.find``;
    each name's start offset maps a hit back to its resource."""

    def __init__(self, entries: Iterable[tuple[str | None, str]]):
        """``entries``: (the resource's IRI, or None for a blank node; its name)."""
        texts: list[str] = []
        self._starts = array("q")
        self._owners: list[str | None] = []
        position = 0
        for owner, name in entries:
            text = name.lower().translate(_UNINDEXED)
            texts.append(text)
            self._starts.append(position)
            self._owners.append(owner)
            position += len(text) + 1
        self._text = _SEPARATOR.join(texts)

    @classmethod
    def of_terms(cls, names: Iterable[tuple[Term, Term]]) -> LabelIndex:
        """From (resource, name) terms; names that are not literals are left out."""
        return cls((resource.value if isinstance(resource, ox.NamedNode) else None, name.value)
                   for resource, name in names if isinstance(name, ox.Literal))

    @classmethod
    def of_store(cls, store: ox.Store) -> LabelIndex:
        return cls.of_terms((q.subject, q.object) for predicate in (LABEL, ALT_LABEL)
                            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), None, None))

    def write(self, path: Path) -> None:
        """One line per name: the resource's IRI (empty for a blank node), a tab, the name."""
        ends = [*self._starts[1:], len(self._text) + 1]
        with Path(path).open("w", encoding="utf-8", newline="\n") as out:
            for owner, start, end in zip(self._owners, self._starts, ends, strict=True):
                out.write(f"{owner or ''}\t{self._text[start:end - 1]}\n")

    @classmethod
    def read(cls, path: Path) -> LabelIndex:
        with Path(path).open(encoding="utf-8", newline="\n") as lines:
            return cls((owner or None, name) for owner, _, name in (line.rstrip("\n").partition("\t") for line in lines))

    def __len__(self) -> int:
        return len(self._owners)

    def resources_containing(self, text: str) -> list[ox.NamedNode] | None:
        """The resources with a name containing ``text`` (case-insensitive),
        or None when the index cannot narrow the search: a matching name
        belongs to a blank node (which a query cannot name), or the text
        matches so many names that scanning them is as fast."""
        needle = text.lower()
        if not needle or any(c in needle for c in _UNINDEXED_CHARACTERS):
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
