"""What every FHIR resource of the export shares: ids from the graph's
local names, the code systems, the export's own extensions, quantities in
UCUM, and the provenance of a claim (its IRI, sources, section, article
references, conflicts) written on the resource or element that holds it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from therapykg.domain.evidence import as_stated
from therapykg.domain.nodes import PROV_DERIVED, RDFS_COMMENT, Node, Struct
from therapykg.namespaces import TKG, TKGR

# A resource as the export builds it: JSON-ready dicts, validated by fhir.resources at the end.
Json = dict[str, Any]

CANONICAL = "https://w3id.org/therapykg/fhir"  # base of the canonical URLs of the export's definitional resources
EXT = CANONICAL + "/StructureDefinition/"  # the export's own extensions (docs/fhir.md lists them)
UCUM = "http://unitsofmeasure.org"
TKG_SYSTEM = TKG  # the ontology's terms as a code system (code = local name)
TKGR_SYSTEM = TKGR  # the graph's resources as an identifier system (value = local name)

# Code systems of the identifier schemes the graph maps therapies to (FHIR R5 terminology pages where registered).
SYSTEMS = {
    "NCIT": "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl",
    "RXNORM": "http://www.nlm.nih.gov/research/umls/rxnorm",
    "ATC": "http://www.whocc.no/atc",
    "DRUGBANK": "http://www.drugbank.ca",
    "CHEBI": "http://purl.obolibrary.org/obo/chebi.owl",
    "NDC": "http://hl7.org/fhir/sid/ndc",
    "NCT": "https://clinicaltrials.gov",
}
SCHEME_NAMES = {"NCIT": "NCI Thesaurus", "RXNORM": "RxNorm", "ATC": "WHO ATC", "DRUGBANK": "DrugBank", "CHEBI": "ChEBI",
                "NDC": "NDC", "NCT": "ClinicalTrials.gov"}

_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def local(iri: str) -> str:
    """The local name of a graph IRI (the part after the last slash)."""
    return iri[len(TKGR):] if iri.startswith(TKGR) else iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def fhir_id(iri: str) -> str:
    """The FHIR id of a graph resource: its local name where that is a valid id ([A-Za-z0-9-.]{1,64}),
    else the name with other characters as '-', shortened with a hash of the IRI when too long."""
    name = local(iri)
    if _ID.match(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9\-.]", "-", name).strip("-") or "r"
    if len(cleaned) <= 64:
        return cleaned
    return cleaned[:51] + "-" + hashlib.sha256(iri.encode()).hexdigest()[:12]


def ref(kind: str, iri: str, display: str | None = None) -> Json:
    """A Reference to the resource of ``kind`` exported for the graph resource ``iri``."""
    out: Json = {"reference": f"{kind}/{fhir_id(iri)}"}
    if display:
        out["display"] = display
    return out


def canonical(kind: str, iri: str) -> str:
    return f"{CANONICAL}/{kind}/{fhir_id(iri)}"


def term(iri: str, display: str | None = None) -> Json:
    """A Coding of an ontology term or graph resource (system: its namespace, code: its local name)."""
    system = TKG_SYSTEM if iri.startswith(TKG) else TKGR_SYSTEM if iri.startswith(TKGR) else iri.rsplit("/", 1)[0] + "/"
    out: Json = {"system": system, "code": local(iri)}
    if display:
        out["display"] = display
    return out


def concept(iris: list[str], labels: dict[str, str], text: str | None = None) -> Json:
    """A CodeableConcept of graph terms, with their labels as the text (unless given)."""
    out: Json = {"coding": [term(i, labels.get(i)) for i in iris]}
    shown = text or ", ".join(labels.get(i, local(i)) for i in iris)
    if shown:
        out["text"] = shown
    return out


def ext(name: str, **value: Any) -> Json:
    """One of the export's own extensions (``value`` is e.g. valueString="...")."""
    return {"url": EXT + name, **value}


def decimal(value: object) -> Decimal | int | None:
    """A number as the source gives it (its digits kept)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return value
    return None


_COMPARATORS = {"<", "<=", ">=", ">"}


def quantity(struct: object) -> Json | None:
    """A tkg:Quantity with one value as a FHIR Quantity in UCUM (None for a range or no quantity).
    An approximate value (comparator "~") keeps its number and says so in an extension."""
    if not isinstance(struct, Struct):
        return None
    value, unit = decimal(as_stated(struct.get_tkg("numericValue"), struct.get_tkg("decimalPlaces"))), struct.get_tkg("unit")
    if value is None or unit is None:
        return None
    out: Json = {"value": value, "unit": str(unit), "system": UCUM, "code": str(unit)}
    comparator = struct.get_tkg("comparator")
    if comparator in _COMPARATORS:
        out["comparator"] = comparator
    elif comparator == "~":
        out["extension"] = [ext("approximate", valueBoolean=True)]
    return out


def quantity_or_range(struct: object) -> tuple[str, Json] | None:
    """("Quantity", ...) or ("Range", ...) for a tkg:Quantity (a range has lowerValue and upperValue)."""
    point = quantity(struct)
    if point is not None:
        return "Quantity", point
    if not isinstance(struct, Struct) or struct.get_tkg("unit") is None:
        return None
    unit = str(struct.get_tkg("unit"))
    places = struct.get_tkg("decimalPlaces")
    lower, upper = decimal(as_stated(struct.get_tkg("lowerValue"), places)), decimal(as_stated(struct.get_tkg("upperValue"), places))
    if lower is None and upper is None:
        return None
    out: Json = {}
    if lower is not None:
        out["low"] = {"value": lower, "unit": unit, "system": UCUM, "code": unit}
    if upper is not None:
        out["high"] = {"value": upper, "unit": unit, "system": UCUM, "code": unit}
    return "Range", out


def days(value: int, unit: str = "d") -> Json:
    return {"value": value, "unit": "day" if unit == "d" else unit, "system": UCUM, "code": unit}


@dataclass
class Graph:
    """The loaded nodes the export reads, the conflicts of each claim, and where each claim was exported."""

    nodes: dict[str, Node]
    conflicts_of: dict[str, list[str]] = field(default_factory=dict)  # claim IRI -> conflict IRIs
    homes: dict[str, list[str]] = field(default_factory=dict)  # claim IRI -> "Type/id" of the resources holding it
    sources: set[str] = field(default_factory=set)  # source IRIs exported as Citations

    def get(self, iri: str) -> Node:
        return self.nodes.get(iri) or Node(iri)

    def label(self, iri: str) -> str:
        return self.get(iri).label

    def labels(self, iris: list[str]) -> dict[str, str]:
        return {i: self.label(i) for i in iris}

    def home(self, claim: str, kind: str, resource_id: str) -> None:
        found = self.homes.setdefault(claim, [])
        if f"{kind}/{resource_id}" not in found:
            found.append(f"{kind}/{resource_id}")

    def provenance(self, claim: str) -> list[Json]:
        """The extensions that keep a claim's provenance: its IRI, each source (a Citation), the source's
        section, the article's numbered references, what looks wrong in the source, and its conflicts."""
        node = self.get(claim)
        out = [ext("claim", valueUri=claim)]
        for source in sorted(node.refs(PROV_DERIVED)):
            out.append(ext("source", valueReference=ref("Citation", source, self.label(source))))
        for section in node.texts(TKG + "sourceSection"):
            out.append(ext("source-section", valueString=section))
        numbers = sorted(n for n in (self.get(r).tkg1("referenceNumber") for r in node.tkg_refs("citedReference"))
                         if isinstance(n, int))
        out += [ext("article-reference", valueInteger=n) for n in numbers]
        for issue in sorted(node.tkg_refs("hasSourceIssue")):
            out.append(ext("source-issue", valueCoding=term(issue, self.label(issue))))
        for conflict in self.conflicts_of.get(claim, []):
            out.append(ext("conflict", valueReference=ref("List", conflict, self.label(conflict))))
        return out

    def citations(self, claim: str) -> list[Json]:
        """The claim's sources as relatedArtifacts (for the resources that have them)."""
        node = self.get(claim)
        return [{"type": "citation", "display": self.label(s), "resourceReference": ref("Citation", s, self.label(s))}
                for s in sorted(node.refs(PROV_DERIVED))]

    def meta(self, claim: str) -> Json:
        return {"source": claim}

    def summary(self, claim: str) -> str | None:
        node = self.get(claim)
        found = node.tkg1("summary") or node.first(RDFS_COMMENT)
        return None if found is None else str(found)


def narrative(text: str) -> Json:
    """A resource's human-readable text (generated, as plain text in a div)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{escaped}</div>'}
