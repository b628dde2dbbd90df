"""Resources read from the graph as plain Python: a Node holds the values of
each predicate; blank nodes (quantities, time windows) become Structs.

A value's Python type follows the predicate's range in the ontology (a link
is a Ref, a blank node a Struct, an xsd:integer an int...), which the type
checker cannot see: the accessors answer Any, and each reader states the
type it expects where it reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeAlias

from therapykg.namespaces import TKG

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_COMMENT = "http://www.w3.org/2000/01/rdf-schema#comment"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
DCT = "http://purl.org/dc/terms/"
SCHEMA_URL = "https://schema.org/url"


# A literal as a Python value (see literal).
LiteralValue = int | Decimal | bool | str
# What a predicate can hold.
Value: TypeAlias = "Ref | Struct | LiteralValue"


@dataclass(frozen=True)
class Ref:
    """A link to another resource."""

    iri: str


def literal(term: dict[str, str]) -> LiteralValue:
    """A SPARQL JSON literal as a Python value."""
    datatype = term.get("datatype", "")
    value = term["value"]
    if datatype in (XSD + "integer", XSD + "int", XSD + "long"):
        return int(value)
    if datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
        return Decimal(value)
    if datatype == XSD + "boolean":
        return value == "true"
    return value


@dataclass
class Struct:
    """A blank node's own values (a quantity, a time window)."""

    values: dict[str, list[Value]] = field(default_factory=dict)

    def get(self, predicate: str, default: Any = None) -> Any:
        found = self.values.get(predicate)
        return found[0] if found else default

    def get_tkg(self, name: str, default: Any = None) -> Any:
        return self.get(TKG + name, default)


@dataclass
class Node:
    """A resource with every value of every predicate (Ref, Struct or literal)."""

    iri: str
    values: dict[str, list[Value]] = field(default_factory=dict)

    @property
    def exists(self) -> bool:
        return bool(self.values)

    @property
    def types(self) -> set[str]:
        return {v.iri for v in self.values.get(RDF_TYPE, []) if isinstance(v, Ref)}

    def is_a(self, local: str) -> bool:
        wanted = TKG + local  # a scan of a few types: no set built, as the comparison asks thousands of times
        return any(isinstance(v, Ref) and v.iri == wanted for v in self.values.get(RDF_TYPE, ()))

    @property
    def label(self) -> str:
        return str(self.first(RDFS_LABEL) or self.iri.rsplit("/", 1)[-1])

    def all(self, predicate: str) -> list[Any]:
        return self.values.get(predicate, [])

    def first(self, predicate: str, default: Any = None) -> Any:
        found = self.values.get(predicate)
        return found[0] if found else default

    def tkg(self, name: str) -> list[Any]:
        return self.all(TKG + name)

    def tkg1(self, name: str, default: Any = None) -> Any:
        return self.first(TKG + name, default)

    def refs(self, predicate: str) -> list[str]:
        return [v.iri for v in self.all(predicate) if isinstance(v, Ref)]

    def tkg_refs(self, name: str) -> list[str]:
        return self.refs(TKG + name)

    def links(self) -> list[str]:
        """Every IRI the node links to, whatever the predicate."""
        return [v.iri for values in self.values.values() for v in values if isinstance(v, Ref)]

    def texts(self, predicate: str) -> list[str]:
        return sorted(str(v) for v in self.all(predicate) if not isinstance(v, (Ref, Struct)))
