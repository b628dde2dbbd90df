"""A ``Citation`` per source of the graph: what it is, where to read it, the
label version it reproduces and the article it belongs to (for one of the
article's numbered references)."""

from __future__ import annotations

from therapykg.domain.evidence_index import SourceView
from therapykg.domain.fhir.identifiers import Graph, Json, canonical, ext, narrative, ref, term
from therapykg.namespaces import TKGR


def label_version(graph: Graph, version: str) -> Json:
    """A label version as one extension: its IRI, name, jurisdiction and date where the source shows them."""
    node = graph.get(version)
    parts = [ext("label-version-iri", valueUri=version), ext("label-version-name", valueString=node.label)]
    if (jurisdiction := node.tkg1("jurisdiction")) is not None:
        parts.append(ext("label-version-jurisdiction", valueString=str(jurisdiction)))
    if (date := node.tkg1("versionDate")) is not None:
        parts.append(ext("label-version-date", valueString=str(date)))
    return ext("label-version", extension=parts)


def citation(graph: Graph, view: SourceView) -> Json:
    iri = TKGR + view.local
    node = graph.get(iri)
    artifact: Json = {"title": [{"text": view.title}]}
    if view.urls:
        artifact["webLocation"] = [{"url": u} for u in view.urls]
    identifiers = [{"system": TKGR, "value": view.local}] + [{"value": i} for i in view.identifiers]
    artifact["identifier"] = identifiers
    if view.source.label_version:
        artifact["version"] = {"value": view.source.label_version}
    if view.part_of is not None:
        artifact["relatesTo"] = [{"type": "part-of", "resourceReference": ref("Citation", TKGR + view.part_of.local, view.part_of.label)}]
    if view.kind:
        artifact["classification"] = [{"type": {"text": "source kind"}, "classifier": [{"text": view.kind}]}]
    if view.source.citation:
        artifact.setdefault("note", []).append({"text": view.source.citation})
    if view.source.article_reference is not None:
        artifact.setdefault("note", []).append({"text": f"reference {view.source.article_reference} of the source article"})
    out: Json = {
        "resourceType": "Citation", "id": view.local, "meta": graph.meta(iri), "url": canonical("Citation", iri),
        "identifier": [{"system": TKGR, "value": view.local}], "name": view.local.replace("-", "_")[:255],
        "title": view.label, "status": "active", "text": narrative(f"{view.label}: {view.title}"), "citedArtifact": artifact,
    }
    extensions = [ext("claim", valueUri=iri)]
    extensions += [label_version(graph, v) for v in node.tkg_refs("reproducesLabel")]
    if view.issued:
        extensions.append(ext("issued", valueString=view.issued))
    if view.modified:
        extensions.append(ext("modified", valueString=view.modified))
    if view.publisher:
        out["publisher"] = view.publisher
    if view.comment:
        out["description"] = str(view.comment)
    if kind := node.tkg_refs("sourceKind"):
        extensions.append(ext("source-kind", valueCoding=term(kind[0])))
    out["extension"] = extensions
    graph.sources.add(iri)
    return out


def citations(graph: Graph, views: list[SourceView]) -> list[Json]:
    return [citation(graph, v) for v in views]

