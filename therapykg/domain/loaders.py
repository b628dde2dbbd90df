"""Loaders: every resource and every reverse link a request needs is
fetched in batches, one SPARQL query per batch, whatever the list sizes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

import pyoxigraph as ox

from therapykg.domain.batching import BatchLoader
from therapykg.domain.nodes import LiteralValue, Node, Ref, Struct, literal
from therapykg.queries import query_text, restrict
from therapykg.sparql_text import blank
from therapykg.store.engine import Backend, iri_term

# Reverse links: one UNION branch per (predicate, object[, class]) with
# constants in the pattern. A VALUES join over ?p ?o is as fast in Oxigraph
# but takes Virtuoso seconds at 10^6 triples (5 s for 4 pairs).
_GROUP = re.compile(r"\bWHERE\s*\{(?P<group>.*)\}\s*$", re.IGNORECASE | re.DOTALL)


@cache
def _template(name: str, variables: tuple[str, ...]) -> tuple[str, str, re.Pattern[str]]:
    """``queries/{name}.rq`` split once per process: the text before its
    group pattern, the group, and the pattern of ``variables`` in it."""
    text = query_text(name)
    match = _GROUP.search(blank(text))
    if match is None:
        raise ValueError(f"queries/{name}.rq has no WHERE group to repeat")
    group = text[match.start("group"):match.end("group")].strip()
    return text[:match.start("group")], group, re.compile(r"\?(" + "|".join(variables) + r")\b")


def _union(name: str, variables: tuple[str, ...], keys: Sequence[tuple[str, ...]]) -> str:
    """The query ``queries/{name}.rq`` with its group pattern repeated as one
    UNION branch per key, the key's IRIs (written by pyoxigraph, which
    rejects anything that is not an IRI) in place of ``variables``."""
    head, group, variable = _template(name, variables)
    branches = []
    for key in keys:
        terms = dict(zip(variables, map(iri_term, key), strict=True))
        branches.append("{ " + _substitute(variable, group, terms) + " }")
    return head + "\n  " + "\n  UNION ".join(branches) + "\n}"


def _substitute(variable: re.Pattern[str], group: str, terms: dict[str, str]) -> str:
    return variable.sub(lambda m: terms[m[1]], group)


def _value(term: dict[str, str], refs: dict[str, Ref]) -> Ref | LiteralValue:
    if term["type"] == "uri":
        iri = term["value"]
        ref = refs.get(iri)
        if ref is None:
            ref = refs[iri] = Ref(iri)
        return ref
    return literal(term)


class Loaders:
    """The per-request loaders (created in the GraphQL context, never shared)."""

    def __init__(self, backend: Backend):
        self.backend = backend
        self.node = BatchLoader(self._describe)
        self.referrers = BatchLoader(self._referrers)
        self.typed_referrers = BatchLoader(self._typed_referrers)

    async def nodes(self, iris: list[str]) -> list[Node]:
        return list(await self.node.load_many(iris)) if iris else []

    async def referring(self, predicate: str, iri: str) -> list[str]:
        """Subjects that link to ``iri`` with ``predicate``."""
        return await self.referrers.load((predicate, iri))

    async def referring_nodes(self, predicate: str, iri: str, of_class: str | None = None) -> list[Node]:
        """Resources that link to ``iri`` with ``predicate`` (only those of ``of_class`` when given)."""
        if of_class is None:
            return await self.nodes(await self.referring(predicate, iri))
        return await self.nodes(await self.typed_referrers.load((predicate, iri, of_class)))

    async def _describe(self, iris: list[str]) -> list[Node]:
        rows = await self.backend.select(restrict(query_text("model/describe"), "s", [ox.NamedNode(i) for i in iris]))
        nodes = {iri: Node(iri) for iri in iris}
        structs: dict[tuple[str, str], Struct] = {}
        # One Ref per IRI: thousands of rows name the same few classes and resources,
        # and a list finds the very same object at once.
        refs: dict[str, Ref] = {}
        for row in rows:
            node = nodes[row["s"]["value"]]
            predicate, obj = row["p"]["value"], row["o"]
            kind = obj["type"]
            if kind == "bnode":
                key = (node.iri, obj["value"])
                struct = structs.get(key)
                if struct is None:
                    struct = structs[key] = Struct()
                    node.values.setdefault(predicate, []).append(struct)
                if "qp" in row:
                    struct.values.setdefault(row["qp"]["value"], []).append(_value(row["qo"], refs))
                continue
            value = _value(obj, refs)
            bucket = node.values.get(predicate)
            if bucket is None:
                node.values[predicate] = [value]
            elif value not in bucket:
                bucket.append(value)
        return [nodes[i] for i in iris]

    async def _referrers(self, keys: list[tuple[str, str]]) -> list[list[str]]:
        query = _union("model/referrers", ("property", "target"), keys)
        found: dict[tuple[str, str], list[str]] = {key: [] for key in keys}
        for row in await self.backend.select(query):
            key = (row["p"]["value"], row["o"]["value"])
            if row["s"]["type"] == "uri" and row["s"]["value"] not in found[key]:
                found[key].append(row["s"]["value"])
        return [sorted(found[key]) for key in keys]

    async def _typed_referrers(self, keys: list[tuple[str, str, str]]) -> list[list[str]]:
        query = _union("model/typed-referrers", ("property", "target", "class"), keys)
        found: dict[tuple[str, str, str], list[str]] = {key: [] for key in keys}
        for row in await self.backend.select(query):
            key = (row["p"]["value"], row["o"]["value"], row["c"]["value"])
            if row["s"]["type"] == "uri" and row["s"]["value"] not in found[key]:
                found[key].append(row["s"]["value"])
        return [sorted(found[key]) for key in keys]
