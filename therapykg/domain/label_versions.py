"""Label versions and what differs between two of them: the claims read
from one version of a product's label and not from the other, and the
pairs that a recorded conflict sets against each other, with the values
that differ (queries/named/label-differences.rq)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum

from therapykg.domain.evidence import Quantity
from therapykg.domain.ids import UserInputError, to_id
from therapykg.domain.loaders import Loaders
from therapykg.domain.nodes import PROV, PROV_DERIVED, RDF_TYPE, RDFS, RDFS_COMMENT, RDFS_LABEL, SKOS, Node, Ref, Struct, Value
from therapykg.domain.rows import Row, required, text
from therapykg.namespaces import TKG
from therapykg.queries import library, runnable_text

# What a value comparison leaves out: prose in our own words, provenance,
# bookkeeping, links to a claim's own parts (their IRIs always differ),
# links that conflicts add, and the therapy (the same product on both sides).
_NOT_COMPARED = {RDF_TYPE, RDFS_LABEL, RDFS_COMMENT, RDFS + "seeAlso", PROV_DERIVED, PROV + "wasAttributedTo",
                 SKOS + "definition", SKOS + "note"} | {TKG + p for p in (
                     "summary", "recommendation", "sourceSection", "hasCycle", "hasDoseStep", "cycleOf", "inConflict",
                     "disagreesWith", "hasSourceIssue", "citedReference", "forTherapy", "regimenFor", "indicationTherapy",
                     "about")}


class Change(Enum):
    """How a claim differs between the two versions."""

    CHANGED = "changed"  # a claim of each version, set against each other by a recorded conflict
    ONLY_IN_FROM = "only in from"
    ONLY_IN_TO = "only in to"


@dataclass(frozen=True)
class LabelVersion:
    """One version of a product's label in one jurisdiction, with the sources that reproduce it."""

    id: str
    label: str
    product: str | None
    jurisdiction: str | None
    version_date: str | None
    set_id: str | None
    application_number: str | None
    sources: list[str] = field(default_factory=list)


@dataclass
class ValueDifference:
    """The values of one property that one claim of a changed pair has and the other has not."""

    property: str  # compact id of the property
    removed: list[str]  # in the ``from`` claim only
    added: list[str]  # in the ``to`` claim only


@dataclass
class LabelDifference:
    """One difference between two label versions."""

    change: Change
    kind: str  # compact id of the kind of claim
    from_claim: str | None
    from_label: str | None
    to_claim: str | None
    to_label: str | None
    conflict: str | None = None
    aspect: str | None = None  # what the conflict says differs
    values: list[ValueDifference] = field(default_factory=list)


@dataclass
class LabelComparison:
    """What differs between two versions of a product's label."""

    product: str
    from_version: LabelVersion
    to_version: LabelVersion
    differences: list[LabelDifference]


def _first_text(node: Node, name: str) -> str | None:
    found = node.tkg1(name)
    return None if found is None else str(found)


async def _version(loaders: Loaders, node: Node) -> LabelVersion:
    sources = await loaders.referring(TKG + "reproducesLabel", node.iri)
    product = node.tkg_refs("labelOf")
    return LabelVersion(id=to_id(node.iri), label=node.label, product=to_id(product[0]) if product else None,
                        jurisdiction=_first_text(node, "jurisdiction"), version_date=_first_text(node, "versionDate"),
                        set_id=_first_text(node, "setId"), application_number=_first_text(node, "applicationNumber"),
                        sources=sorted(to_id(s) for s in sources))


async def label_versions(loaders: Loaders, product: str | None = None) -> list[LabelVersion]:
    """Every label version of the graph, or of ``product`` (an IRI), ordered by product, date and id."""
    nodes = await loaders.nodes(await loaders.referring(RDF_TYPE, TKG + "LabelVersion"))
    if product is not None:
        nodes = [n for n in nodes if product in n.tkg_refs("labelOf")]
    versions = await asyncio.gather(*[_version(loaders, n) for n in nodes])
    return sorted(versions, key=lambda v: (v.product or "", v.version_date or "", v.id))


def _shown(value: Value, labels: dict[str, str]) -> str:
    if isinstance(value, Ref):
        return labels.get(value.iri) or to_id(value.iri)
    if isinstance(value, Struct):
        quantity = Quantity.from_struct(value)
        if quantity is not None:
            return quantity.text
        return "; ".join(f"{to_id(p)} {', '.join(_shown(v, labels) for v in vs)}" for p, vs in sorted(value.values.items()))
    return str(value)


def _key(value: Value) -> str:
    if isinstance(value, Ref):
        return value.iri
    if isinstance(value, Struct):
        return repr(sorted((p, sorted(map(_key, vs))) for p, vs in value.values.items()))
    return repr(value)


def value_differences(before: Node, after: Node, labels: dict[str, str]) -> list[ValueDifference]:
    """Per property (prose and provenance aside), the values only ``before`` has and those only ``after`` has."""
    out = []
    for predicate in sorted((set(before.values) | set(after.values)) - _NOT_COMPARED):
        old = {_key(v): v for v in before.all(predicate)}
        new = {_key(v): v for v in after.all(predicate)}
        if old.keys() != new.keys():
            out.append(ValueDifference(property=to_id(predicate),
                                       removed=sorted(_shown(old[k], labels) for k in old.keys() - new.keys()),
                                       added=sorted(_shown(new[k], labels) for k in new.keys() - old.keys())))
    return out


def _difference(row: Row, nodes: dict[str, Node], labels: dict[str, str]) -> LabelDifference:
    before, after, conflict = text(row, "fromClaim"), text(row, "toClaim"), text(row, "conflict")
    change = Change(required(row, "change"))
    values = value_differences(nodes[before], nodes[after], labels) if change is Change.CHANGED and before and after else []
    return LabelDifference(change=change, kind=to_id(required(row, "kind")),
                           from_claim=to_id(before) if before else None, from_label=nodes[before].label if before else None,
                           to_claim=to_id(after) if after else None, to_label=nodes[after].label if after else None,
                           conflict=to_id(conflict) if conflict else None, aspect=text(row, "aspect"), values=values)


def differences_query(product: str, from_version: str, to_version: str) -> str:
    """The SPARQL text of queries/named/label-differences.rq for these IRIs."""
    return runnable_text(library()["label-differences"], {"product": product, "from": from_version, "to": to_version})


async def label_differences(loaders: Loaders, product: str, from_version: str, to_version: str) -> LabelComparison:
    """What differs between the label versions ``from_version`` and ``to_version`` (IRIs) of ``product`` (an IRI).

    :raises UserInputError: a version that is not a label version of the product, or the same version twice.
    """
    before, after = await loaders.nodes([from_version, to_version])
    for node in (before, after):
        if not node.is_a("LabelVersion") or product not in node.tkg_refs("labelOf"):
            raise UserInputError(f"{to_id(node.iri)} is not a label version of {to_id(product)}")
    if from_version == to_version:
        raise UserInputError("compare two different label versions")
    rows = await loaders.backend.select(differences_query(product, from_version, to_version))
    claims = sorted({c for r in rows for c in (text(r, "fromClaim"), text(r, "toClaim")) if c})
    nodes = {n.iri: n for n in await loaders.nodes(claims)}
    linked = sorted({v.iri for n in nodes.values() for vs in n.values.values() for v in vs if isinstance(v, Ref)})
    labels = {n.iri: n.label for n in await loaders.nodes(linked) if n.first(RDFS_LABEL) is not None}
    differences = [_difference(r, nodes, labels) for r in rows]
    order = list(Change)
    differences.sort(key=lambda d: (order.index(d.change), d.kind, d.from_claim or "", d.to_claim or ""))
    versions = await asyncio.gather(_version(loaders, before), _version(loaders, after))
    return LabelComparison(product=to_id(product), from_version=versions[0], to_version=versions[1],
                           differences=differences)
