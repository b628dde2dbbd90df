"""The output formats the engine writes: SPARQL results (SELECT, ASK) and
RDF graphs (CONSTRUCT, DESCRIBE, linked-data documents), each with its media
type and the short names and media types a client may ask for it by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str
    media_type: str
    aliases: tuple[str, ...] = ()


# Results of SELECT and ASK.
RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/json", "json", "srj")),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml", "xml", "srx")),
    Format("csv", "text/csv", ("csv",)),
    Format("tsv", "text/tab-separated-values", ("tsv",)),
)
# Graphs from CONSTRUCT and DESCRIBE, and linked-data documents.
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ("ttl", "turtle", "application/x-turtle")),
    Format("ntriples", "application/n-triples", ("nt", "ntriples", "text/plain")),
    Format("jsonld", "application/ld+json", ("jsonld", "json-ld", "application/json", "json")),
    Format("rdfxml", "application/rdf+xml", ("rdf", "xml", "rdfxml", "owl", "application/xml", "text/xml")),
)


def by_name(offered: tuple[Format, ...], name: str) -> Format:
    """The format called ``name`` (its own name, not an alias)."""
    for f in offered:
        if f.name == name:
            return f
    raise KeyError(name)
