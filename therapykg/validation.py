"""SHACL validation (pyshacl) of the ontology plus curated data, reported as
file, subject and message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from therapykg import paths
from therapykg.errors import InputError
from therapykg.loader import LoadedInputs
from therapykg.namespaces import compact

SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True, order=True)
class Violation:
    file: str
    subject: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.file}: {self.subject}{where}: {self.message}"


def validate(loaded: LoadedInputs, shapes_file: Path = paths.SHAPES_FILE) -> list[Violation]:
    """All SHACL violations of the loaded inputs, sorted by file and subject."""
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in loaded.quads]
    data.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    shapes = rdflib.Graph()
    try:
        shapes.parse(shapes_file, format="turtle")
    except Exception as error:  # rdflib raises several parser error types
        raise InputError(str(shapes_file), f"cannot read SHACL shapes: {error}") from None
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    if conforms:
        return []
    return sorted(_violations(report, data, loaded))


def _violations(report, data, loaded: LoadedInputs) -> set[Violation]:
    import rdflib

    sh = rdflib.Namespace(SH)
    found = set()
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        if report.value(result, sh.resultSeverity) != sh.Violation:
            continue
        focus = report.value(result, sh.focusNode)
        path = report.value(result, sh.resultPath)
        message = str(report.value(result, sh.resultMessage) or "violates a shape")
        subject = _owner(focus, data)
        found.add(Violation(
            file=loaded.file_of(_oxigraph_key(subject)),
            subject=_show(subject) + ("" if subject == focus else " > quantity"),
            message=message,
            path=_show(path) if isinstance(path, rdflib.URIRef) else "",
        ))
    return found


def _owner(node, data):
    """A blank node (a quantity) is reported through the resource that holds it."""
    import rdflib

    seen = set()
    while isinstance(node, rdflib.BNode) and node not in seen:
        seen.add(node)
        parent = next(data.subjects(None, node), None)
        if parent is None:
            break
        node = parent
    return node


def _oxigraph_key(term) -> str:
    import rdflib

    return f"_:{term}" if isinstance(term, rdflib.BNode) else f"<{term}>"


def _show(term) -> str:
    return compact(str(term))
