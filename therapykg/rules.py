"""Rule-based materialization (a subset of OWL 2 RL) run as SPARQL in
Oxigraph: the inferences HermiT makes on our ontology's constructs, at a
cost that grows with the data instead of exploding with it. The rules are
compiled from the ontology itself: subclass closure, inverse and symmetric
properties, property chains, and defined classes built from hasValue,
someValuesFrom-hasValue and unions."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from therapykg.namespaces import GRAPH_INFERRED, PREFIXES, TKG, TKGR
from therapykg.store.terms import Term, as_triples

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
KEPT_TYPE_NAMESPACES = (TKG, "http://www.w3.org/ns/prov#", "https://schema.org/")
MAX_ROUNDS = 10


@dataclass(frozen=True)
class Rule:
    name: str
    construct: str


def _iri(term: Term) -> str:
    """The term in SPARQL syntax (an IRI, in well-formed axioms)."""
    return str(term)


def _resource(term: Term) -> ox.NamedNode | ox.BlankNode:
    """``term`` where an axiom needs a resource (a class, a property, a restriction, a list node).

    :raises TypeError: it is a literal or a triple term (as the store itself would).
    """
    if isinstance(term, (ox.Literal, ox.Triple)):
        raise TypeError(f"the ontology has {term} where an axiom needs a class, a property or a list")
    return term


def _list(store: ox.Store, head: Term) -> list[Term]:
    items: list[Term] = []
    node = head
    nil = "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil"
    while not (isinstance(node, ox.NamedNode) and node.value == nil):
        first = next(store.quads_for_pattern(_resource(node), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first"), None, None), None)
        rest = next(store.quads_for_pattern(_resource(node), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest"), None, None), None)
        if first is None or rest is None:
            break
        items.append(first.object)
        node = rest.object
    return items


def _restriction_pattern(store: ox.Store, restriction: Term, var: str, n: int) -> str | None:
    """A SPARQL pattern for ``?var`` satisfying a hasValue or someValuesFrom(hasValue) restriction."""
    def value(pred: str) -> Term | None:
        quad = next(store.quads_for_pattern(_resource(restriction), ox.NamedNode("http://www.w3.org/2002/07/owl#" + pred), None, None), None)
        return quad.object if quad else None

    prop = value("onProperty")
    if prop is None:
        return None
    has_value = value("hasValue")
    if has_value is not None:
        return f"?{var} {_iri(prop)} {has_value} ."
    some = value("someValuesFrom")
    if some is not None and isinstance(some, ox.BlankNode):
        inner = _restriction_pattern(store, some, f"v{n}", n + 1)
        if inner:
            return f"?{var} {_iri(prop)} ?v{n} . {inner}"
    return None


def compile_rules(ontology: ox.Store) -> list[Rule]:
    """The rules our ontology needs, read from its axioms."""
    owl = "http://www.w3.org/2002/07/owl#"
    rules = [Rule("subclass closure", "CONSTRUCT { ?x a ?super } WHERE { ?x a ?class . ?class rdfs:subClassOf+ ?super . FILTER (isIRI(?super)) }")]
    for quad in ontology.quads_for_pattern(None, ox.NamedNode(owl + "inverseOf"), None, None):
        p, q = _iri(quad.subject), _iri(quad.object)
        rules.append(Rule(f"inverse {p}", f"CONSTRUCT {{ ?y {q} ?x }} WHERE {{ ?x {p} ?y . FILTER (isIRI(?y)) }}"))
        rules.append(Rule(f"inverse {q}", f"CONSTRUCT {{ ?y {p} ?x }} WHERE {{ ?x {q} ?y . FILTER (isIRI(?y)) }}"))
    for quad in ontology.quads_for_pattern(None, RDF_TYPE, ox.NamedNode(owl + "SymmetricProperty"), None):
        p = _iri(quad.subject)
        rules.append(Rule(f"symmetric {p}", f"CONSTRUCT {{ ?y {p} ?x }} WHERE {{ ?x {p} ?y }}"))
    for quad in ontology.quads_for_pattern(None, ox.NamedNode(owl + "propertyChainAxiom"), None, None):
        chain = "/".join(_iri(p) for p in _list(ontology, quad.object))
        rules.append(Rule(f"chain {_resource(quad.subject).value}", f"CONSTRUCT {{ ?x {_iri(quad.subject)} ?z }} WHERE {{ ?x {chain} ?z }}"))
    for quad in ontology.quads_for_pattern(None, ox.NamedNode(owl + "equivalentClass"), None, None):
        defined, expression = _resource(quad.subject), _resource(quad.object)
        parts = next(ontology.quads_for_pattern(expression, ox.NamedNode(owl + "intersectionOf"), None, None), None)
        if parts is not None:
            patterns = []
            for i, member in enumerate(_list(ontology, parts.object)):
                pattern = f"?x a {_iri(member)} ." if isinstance(member, ox.NamedNode) else _restriction_pattern(ontology, member, "x", i * 10)
                if pattern is None:
                    break
                patterns.append(pattern)
            else:
                rules.append(Rule(f"defined {defined.value}", f"CONSTRUCT {{ ?x a {_iri(defined)} }} WHERE {{ {' '.join(patterns)} }}"))
        union = next(ontology.quads_for_pattern(expression, ox.NamedNode(owl + "unionOf"), None, None), None)
        if union is not None:
            for member in _list(ontology, union.object):
                if isinstance(member, ox.NamedNode):
                    rules.append(Rule(f"union {defined.value}", f"CONSTRUCT {{ ?x a {_iri(defined)} }} WHERE {{ ?x a {_iri(member)} }}"))
    return rules


def _kept(triple: ox.Triple) -> bool:
    """The same inferences the HermiT run keeps: about curated resources, in our vocabularies."""
    if not (isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(TKGR)):
        return False
    if triple.predicate == RDF_TYPE:
        return not isinstance(triple.object, ox.Triple) and triple.object.value.startswith(KEPT_TYPE_NAMESPACES)
    return triple.predicate.value.startswith(TKG) and isinstance(triple.object, ox.NamedNode) \
        and triple.object.value.startswith((TKGR, TKG))


def materialize(store: ox.Store) -> list[ox.Quad]:
    """Apply the rules to a fixpoint over the union of the store's graphs;
    returns the new triples as quads of the inferred graph (also added)."""
    ontology = ox.Store()
    ontology.bulk_extend(ox.Quad(q.subject, q.predicate, q.object)
                         for q in store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/therapykg/graph/ontology")))
    rules = compile_rules(ontology)
    graph = ox.NamedNode(GRAPH_INFERRED)
    added: set[ox.Triple] = set()
    for _ in range(MAX_ROUNDS):
        new = set()
        for rule in rules:
            for triple in as_triples(store.query(rule.construct, prefixes=PREFIXES, use_default_graph_as_union=True)):
                if _kept(triple) and triple not in added and not _present(store, triple):
                    new.add(triple)
        if not new:
            break
        store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in new)
        added |= new
    return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in added]


def _present(store: ox.Store, triple: ox.Triple) -> bool:
    return next(store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None), None) is not None
