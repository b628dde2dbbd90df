"""The whole export: the graph read through the loaders in a few batched
phases, every resource built and validated with ``fhir.resources`` (R5),
sorted by type and id; conflicts as ``List``s of the resources holding their
claims; a ``collection`` Bundle; deterministic JSON (same graph, same bytes)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from fhir.resources import get_fhir_model_class
from fhir.resources.bundle import Bundle
from fhir.resources.resource import Resource

from therapykg.domain.evidence_index import ConflictView, conflicts, sources
from therapykg.domain.fhir.citations import citations
from therapykg.domain.fhir.clinical_use import CLINICAL_USE_CLASSES, clinical_use, group
from therapykg.domain.fhir.findings import EVIDENCE_CLASSES, evidence
from therapykg.domain.fhir.identifiers import CANONICAL, Graph, Json, concept, ext, fhir_id, local, narrative
from therapykg.domain.fhir.medication import knowledge, product
from therapykg.domain.fhir.plans import ACTIVITY_CLASSES, claim_activity, plan, rule_applies, step_activity
from therapykg.domain.loaders import Loaders
from therapykg.domain.modification import read_rules, rules_query
from therapykg.domain.nodes import PROV_DERIVED, Node
from therapykg.domain.profile import therapy_profile
from therapykg.domain.timeline import Timeline, regimen_timelines
from therapykg.namespaces import TKG, TKGR, expand
from therapykg.queries import query_text

PRODUCT_CLASSES = ("Indication", "DosingRegimen", *CLINICAL_USE_CLASSES)
# A claim of several of these classes is exported once, as the first it is.
_ORDER = (*CLINICAL_USE_CLASSES, "DosingRegimen", *ACTIVITY_CLASSES, *EVIDENCE_CLASSES)


async def _load(loaders: Loaders, iris: Iterable[str], known: dict[str, Node]) -> list[Node]:
    wanted = sorted({i for i in iris if i not in known})
    for node in await loaders.nodes(wanted):
        known[node.iri] = node
    return [known[i] for i in wanted]


class _Export:
    """The read phase's results: claims by kind and therapy, conflicts, sources, and every node needed."""

    def __init__(self, graph: Graph, kinds: dict[str, list[str]], therapies: dict[str, list[str]]):
        self.graph, self.kinds, self.therapies = graph, kinds, therapies


async def _read(loaders: Loaders) -> tuple[_Export, list[ConflictView], list[Json]]:
    rows = await loaders.backend.select(query_text("model/fhir-claims"))
    kinds: dict[str, list[str]] = {}  # claim -> its exported classes (local names)
    therapies: dict[str, list[str]] = {}  # claim -> therapies it is about
    for row in rows:
        claim, kind = row["claim"]["value"], local(row["kind"]["value"])
        if kind not in kinds.setdefault(claim, []):
            kinds[claim].append(kind)
        if "therapy" in row and row["therapy"]["value"] not in therapies.setdefault(claim, []):
            therapies[claim].append(row["therapy"]["value"])
    conflict_views, source_views = await asyncio.gather(conflicts(loaders), sources(loaders))
    known: dict[str, Node] = {}
    conflict_iris = [expand(v.id) for v in conflict_views]
    claim_iris = {expand(s.id) for v in conflict_views for s in v.sides}
    first = await _load(loaders, [*kinds, *conflict_iris, *claim_iris, *(TKGR + v.local for v in source_views)], known)
    second = await _load(loaders, [r for n in first for r in n.links()], known)
    await _load(loaders, [r for n in second for r in n.links()], known)
    graph = Graph(known)
    for view, iri in zip(conflict_views, conflict_iris, strict=True):
        for side in view.sides:
            found = graph.conflicts_of.setdefault(expand(side.id), [])
            if iri not in found:
                found.append(iri)
    for found in graph.conflicts_of.values():
        found.sort()
    return _Export(graph, kinds, therapies), conflict_views, citations(graph, source_views)


def _conflict_list(graph: Graph, view: ConflictView) -> Json:
    """A conflict as a List of the resources that hold its claims, each entry naming its claim (extension)."""
    iri = expand(view.id)
    node = graph.get(iri)
    entries: list[Json] = []
    for side in view.sides:
        claim = expand(side.id)
        claim_ext = [ext("claim", valueUri=claim)] + [ext("source", valueReference={"reference": f"Citation/{fhir_id(s)}",
                                                                                 "display": graph.label(s)})
                                                      for s in sorted(graph.get(claim).refs(PROV_DERIVED))]
        if side.value:
            claim_ext.append(ext("stated-value", valueString=side.value))
        homes = graph.homes.get(claim, [])
        for home in homes:
            entries.append({"extension": claim_ext, "item": {"reference": home, "display": side.label}})
        if not homes:  # kept, by its IRI, even where no resource holds it
            entries.append({"extension": claim_ext, "item": {"identifier": {"system": TKGR, "value": local(claim)},
                                                             "display": side.label}})
    out: Json = {"resourceType": "List", "id": fhir_id(iri), "meta": graph.meta(iri), "status": "current", "mode": "snapshot",
                 "title": view.label, "text": narrative(f"{view.label}. {view.comment or ''}".strip()),
                 "identifier": [{"system": TKGR, "value": local(iri)}],
                 "extension": [ext("claim", valueUri=iri)]
                 + ([ext("conflict-aspect", valueString=view.aspect)] if view.aspect else []), "entry": entries}
    kinds = node.tkg_refs("conflictKind")
    out["code"] = concept([TKG + "Conflict", *kinds], graph.labels([TKG + "Conflict", *kinds]), view.kind or "conflict between sources")
    if view.comment:
        out["note"] = [{"text": view.comment}]
    return out


def _validated(resources: list[Json]) -> list[Resource]:
    out: list[Resource] = []
    seen: set[tuple[str, str]] = set()
    for data in resources:
        key = (str(data["resourceType"]), str(data["id"]))
        if key in seen:
            raise ValueError(f"two resources {key[0]}/{key[1]}")
        seen.add(key)
        model = get_fhir_model_class(key[0]).model_validate(data)
        assert isinstance(model, Resource)
        out.append(model)
    return sorted(out, key=lambda r: (r.get_resource_type(), str(r.id)))


async def fhir_resources(loaders: Loaders) -> list[Resource]:
    """Every FHIR R5 resource the graph gives, validated, sorted by type and id."""
    export, conflict_views, built = await _read(loaders)
    graph = export.graph
    kind_of = {c: next(k for k in _ORDER if k in ks) for c, ks in export.kinds.items() if any(k in _ORDER for k in ks)}
    products = sorted({t for c, k in kind_of.items() if k in PRODUCT_CLASSES for t in export.therapies.get(c, [])})
    regimens = sorted(c for c, k in kind_of.items() if k == "DosingRegimen")
    profiles = await asyncio.gather(*(therapy_profile(loaders, t) for t in products))
    timelines = await regimen_timelines(loaders, regimens)
    rule_rows = await asyncio.gather(*(loaders.backend.select(rules_query(t)) for t in products))
    rules = {t: read_rules(rows) for t, rows in zip(products, rule_rows, strict=True)}
    rule_iris = [i for lst in rules.values() for r in lst for i in (r.iri, *r.actions)]
    rule_nodes = await _load(loaders, rule_iris, graph.nodes)
    await _load(loaders, [r for n in rule_nodes for r in n.links()], graph.nodes)
    await _load(loaders, [r for lst in rules.values() for rule in lst for r in (*rule.events, *rule.conditions, rule.grading or "")
                          if r] + [a.kind for lst in rules.values() for rule in lst for a in rule.actions.values() if a.kind],
                graph.nodes)

    # Claims that are resources of their own, first: the plans and clinical uses name them.
    therapy_of: dict[str, str | None] = {c: next(iter(export.therapies.get(c, [])), None) for c in kind_of}
    for claim, kind in sorted(kind_of.items()):
        if kind in ACTIVITY_CLASSES:
            built.append(claim_activity(graph, claim, kind))
        elif kind in EVIDENCE_CLASSES:
            built.append(evidence(graph, claim))
        elif kind in CLINICAL_USE_CLASSES:
            therapy = therapy_of[claim]
            built.append(clinical_use(graph, claim, therapy if therapy in products else None))
    steps: dict[str, Json] = {}
    by_therapy: dict[str, list[Timeline]] = {}
    for timeline in timelines:
        therapy = expand(timeline.therapy.id)
        by_therapy.setdefault(therapy, []).append(timeline)
        applying = [r for r in rules.get(therapy, []) if rule_applies(graph, r, timeline.iri)]
        built.append(plan(graph, timeline, applying))
        for block in timeline.cycles:
            for step in block.steps:
                if step.id not in steps:
                    steps[step.id] = step_activity(graph, step, therapy)
    built += [steps[k] for k in sorted(steps)]
    indications: dict[str, list[str]] = {}
    for claim, kind in kind_of.items():
        if kind == "Indication":
            for state in graph.get(claim).tkg_refs("indicationDiseaseState"):
                indications.setdefault(state, []).append(claim)
    for profile in profiles:
        issues = sorted(c for c, k in kind_of.items() if k in CLINICAL_USE_CLASSES and therapy_of[c] == profile.iri)
        own = {s: sorted(c for c in cs if therapy_of[c] == profile.iri) for s, cs in indications.items()}
        built.append(product(graph, profile))
        built.append(knowledge(graph, profile, by_therapy.get(profile.iri, []), issues, own))
    populations = sorted({p for c in kind_of for name in ("regimenPopulation", "indicationPopulation", "inPopulation")
                          for p in graph.get(c).tkg_refs(name)})
    built += [group(graph, p) for p in populations if graph.get(p).is_a("Population")]
    built += [_conflict_list(graph, view) for view in conflict_views]
    return _validated(built)


def resource_json(resource: Resource, *, indent: int | None = None) -> bytes:
    """A resource as FHIR JSON (no null fields; the same resource gives the same bytes)."""
    text: str = resource.model_dump_json(exclude_none=True, indent=indent)
    return text.encode("utf-8")


def bundle(resources: list[Resource], *, version: str | None = None, kind: str = "collection",
           total: int | None = None, links: list[Json] | None = None) -> Bundle:
    """The resources as one Bundle (a ``collection`` for the export, a ``searchset`` for a search)."""
    data: Json = {"resourceType": "Bundle", "type": kind,
                  "entry": [{"fullUrl": f"{CANONICAL}/{r.get_resource_type()}/{r.id}",
                             "resource": r, **({"search": {"mode": "match"}} if kind == "searchset" else {})}
                            for r in resources]}
    if kind == "collection":
        data["id"] = "therapykg"
        data["identifier"] = {"system": TKGR, "value": f"fhir-export-{version}" if version else "fhir-export"}
    if version:
        data["meta"] = {"versionId": version}
    if total is not None:
        data["total"] = total
    if links:
        data["link"] = links
    return Bundle.model_validate(data)
