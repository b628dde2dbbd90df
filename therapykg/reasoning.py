"""OWL 2 reasoning with owlready2 and HermiT (Java): checks that the ontology
and data are consistent, classifies individuals, and returns the inferred
triples to materialize. Serving reads the materialized file instead, so it
needs no Java."""

from __future__ import annotations

import io
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from therapykg.errors import JavaMissing, ValidationFailed
from therapykg.namespaces import GRAPH_INFERRED, PREFIXES, TKG, TKGR, shorten
from therapykg.queries import quality_checks, query_text
from therapykg.store.terms import Subject, Term, as_solutions

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SUBCLASS_OF = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf")
OWL_THING = "http://www.w3.org/2002/07/owl#Thing"
OWL_NAMED_INDIVIDUAL = "http://www.w3.org/2002/07/owl#NamedIndividual"
# Inferred facts kept: types in our ontology and object properties between
# curated resources. Everything else (owl:Thing, OWL's own vocabulary) is noise.
_KEPT_NAMESPACES = (TKG, "http://www.w3.org/ns/prov#", "https://schema.org/")


@dataclass
class Inferences:
    triples: list[ox.Triple]

    def quads(self) -> list[ox.Quad]:
        graph = ox.NamedNode(GRAPH_INFERRED)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in self.triples]


def java_executable() -> str:
    java = shutil.which("java")
    if java is None:
        raise JavaMissing(
            "Java was not found on PATH: the HermiT reasoner needs a Java runtime "
            "(for example the Debian package default-jre-headless). Serving does not: "
            "it uses the materialized inferences in graph_data/inferred.ttl."
        )
    return java


def reason(quads: list[ox.Quad]) -> Inferences:
    """Run HermiT over ``quads``; raise ValidationFailed if inconsistent."""
    import owlready2

    owlready2.JAVA_EXE = java_executable()
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    world = owlready2.World()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "input.nt"
        source.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")  # (None only when writing to a file)
        world.get_ontology(source.as_uri()).load(fileobj=io.BytesIO(source.read_bytes()), format="ntriples")
    try:
        with world.get_ontology("http://therapykg.invalid/inferred#"):
            owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except owlready2.OwlReadyInconsistentOntologyError:
        raise ValidationFailed("reasoner", [_explain_inconsistency(triples)]) from None
    unsatisfiable = [c.iri for c in world.inconsistent_classes() if c.iri.startswith(TKG)]
    if unsatisfiable:
        raise ValidationFailed("reasoner", [f"unsatisfiable class {iri}" for iri in unsatisfiable])
    return Inferences(_entailed_triples(world, triples))


def _entailed_triples(world, asserted: list[ox.Triple]) -> list[ox.Triple]:
    """Types of every curated individual (with all named superclasses) and
    inferred object property values, minus what was asserted."""
    asserted_set = set(asserted)
    out: set[ox.Triple] = set()
    curated = sorted({t.subject.value for t in asserted if t.predicate == RDF_TYPE
                      and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(TKGR)})
    for iri in curated:
        individual = world[iri]
        if individual is None:
            continue
        subject = ox.NamedNode(iri)
        for cls in individual.INDIRECT_is_a:
            class_iri = getattr(cls, "iri", None)
            if class_iri and class_iri.startswith(_KEPT_NAMESPACES):
                out.add(ox.Triple(subject, RDF_TYPE, ox.NamedNode(class_iri)))
        for prop in individual.get_properties():
            if not hasattr(prop, "iri") or not prop.iri.startswith(TKG):
                continue
            if not _is_object_property(prop):
                continue
            for value in prop[individual]:
                value_iri = getattr(value, "iri", None)
                if value_iri and value_iri.startswith((TKGR, TKG)):
                    out.add(ox.Triple(subject, ox.NamedNode(prop.iri), ox.NamedNode(value_iri)))
    return sorted(out - asserted_set, key=str)


def _is_object_property(prop) -> bool:
    import owlready2

    return isinstance(prop, owlready2.ObjectPropertyClass)


def _explain_inconsistency(triples: list[ox.Triple]) -> str:
    """HermiT says only 'inconsistent': look for the usual causes in the
    asserted triples so that the message names the resources involved."""
    store = ox.Store()
    store.bulk_extend([ox.Quad(t.subject, t.predicate, t.object) for t in triples])
    restricted = [
        f"{row['x'].value} indicates {row['therapy'].value} for {row['disease'].value}, "
        f"but that therapy is only indicated for {row['allowed'].value}"
        for row in as_solutions(store.query(query_text("build/restricted-indication"), prefixes=PREFIXES))
    ]
    # The quality check expects types closed upward, as after materialization
    # (the indication query above reads the asserted types, so it runs first).
    store.bulk_extend([ox.Quad(x, RDF_TYPE, c) for x, c in _superclass_types(triples)])
    disjoint = [
        f"{row['entity'].value} is typed with disjoint classes {row['first'].value} and {row['second'].value}"
        for row in as_solutions(store.query(quality_checks()["disjoint-classes-violation"].text, prefixes=PREFIXES))
    ]
    hints = disjoint + restricted
    message = "the ontology and data are inconsistent"
    return shorten(f"{message}: {'; '.join(hints)}" if hints else message)


def _superclass_types(triples: list[ox.Triple]) -> set[tuple[Subject, Term]]:
    """(resource, class) for every superclass (rdfs:subClassOf, transitively)
    of each asserted type of each resource."""
    parents: dict[Term, set[Term]] = {}
    for t in triples:
        if t.predicate == SUBCLASS_OF:
            parents.setdefault(t.subject, set()).add(t.object)
    ancestors: dict[Term, set[Term]] = {}
    out: set[tuple[Subject, Term]] = set()
    for t in triples:
        if t.predicate != RDF_TYPE:
            continue
        if t.object not in ancestors:
            found, todo = set(), [t.object]
            while todo:
                for parent in parents.get(todo.pop(), ()):
                    if parent not in found:
                        found.add(parent)
                        todo.append(parent)
            ancestors[t.object] = found
        out.update((t.subject, c) for c in ancestors[t.object])
    return out
