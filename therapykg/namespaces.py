"""IRIs used across the package."""

from __future__ import annotations

import os

BASE = os.environ.get("THERAPYKG_BASE", "https://w3id.org/therapykg/")
TKG = "https://w3id.org/therapykg/ontology/"
TKGR = "https://w3id.org/therapykg/resource/"
ONTOLOGY_IRI = "https://w3id.org/therapykg/ontology"

GRAPH_ONTOLOGY = "https://w3id.org/therapykg/graph/ontology"
GRAPH_DATA = "https://w3id.org/therapykg/graph/data"
GRAPH_INFERRED = "https://w3id.org/therapykg/graph/inferred"

PREFIXES = {
    "tkg": TKG,
    "tkgr": TKGR,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def compact(iri: str) -> str:
    """``https://w3id.org/therapykg/resource/x`` -> ``tkgr:x``; other IRIs unchanged."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace):]:
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def expand(name: str) -> str:
    """``tkgr:x`` -> full IRI; a full IRI is returned unchanged."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def shorten(text: str) -> str:
    """Compact every therapykg IRI inside a sentence."""
    return text.replace(TKGR, "tkgr:").replace(TKG, "tkg:")
