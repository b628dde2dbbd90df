"""The SHACL shapes checked as SPARQL queries inside Oxigraph, for graphs too
large for pyshacl. Covers the SHACL Core and SHACL-SPARQL features that
ontology/shapes.ttl uses (targets by class, subjects or objects; min/max
count, class, datatype, datatype alternatives, in, pattern, numeric bounds,
lessThanOrEquals; node-level class, or, xone; SPARQL constraints). A test
checks that it reports what pyshacl reports."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from therapykg.loader import LoadedInputs
from therapykg.namespaces import PREFIXES, compact
from therapykg.store.terms import as_solutions
from therapykg.validation import Violation

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


class _Shapes:
    def __init__(self, path: Path):
        self.store = ox.Store()
        self.store.load(path=str(path), format=ox.RdfFormat.TURTLE)

    def values(self, node, local: str) -> list:
        return [q.object for q in self.store.quads_for_pattern(node, ox.NamedNode(SH + local), None, None)]

    def value(self, node, local: str):
        found = self.values(node, local)
        return found[0] if found else None

    def items(self, head) -> list:
        out = []
        while head is not None and head != ox.NamedNode(RDF + "nil"):
            first = next(self.store.quads_for_pattern(head, ox.NamedNode(RDF + "first"), None, None), None)
            rest = next(self.store.quads_for_pattern(head, ox.NamedNode(RDF + "rest"), None, None), None)
            if first is None:
                break
            out.append(first.object)
            head = rest.object if rest else None
        return out

    def node_shapes(self) -> list:
        return [q.subject for q in self.store.quads_for_pattern(None, ox.NamedNode(RDF + "type"), ox.NamedNode(SH + "NodeShape"), None)]


def _focus(shapes: _Shapes, shape) -> str | None:
    parts = [f"{{ ?this rdf:type/rdfs:subClassOf* {c} }}" for c in shapes.values(shape, "targetClass")]
    parts += [f"{{ [] {p} ?this }}" for p in shapes.values(shape, "targetObjectsOf")]
    parts += [f"{{ ?this {p} [] }}" for p in shapes.values(shape, "targetSubjectsOf")]
    return " UNION ".join(parts) or None


def _message(shapes: _Shapes, *nodes, default: str = "violates a shape") -> str:
    for node in nodes:
        found = shapes.value(node, "message") if node is not None else None
        if found is not None:
            return found.value
    return default


def _value_filters(shapes: _Shapes, prop) -> list[str]:
    """FILTER conditions that flag a bad value ?v of a property shape."""
    out = []
    for cls in shapes.values(prop, "class"):
        out.append(f"NOT EXISTS {{ ?v rdf:type/rdfs:subClassOf* {cls} }}")
    datatypes = [str(d) for d in shapes.values(prop, "datatype")]
    for alternatives in shapes.values(prop, "or"):
        datatypes += [str(shapes.value(member, "datatype")) for member in shapes.items(alternatives) if shapes.value(member, "datatype")]
    if datatypes:
        out.append(f"(!isLiteral(?v) || datatype(?v) NOT IN ({', '.join(datatypes)}))")
    for members in shapes.values(prop, "in"):
        out.append(f"(?v NOT IN ({', '.join(str(m) for m in shapes.items(members))}))")
    for pattern in shapes.values(prop, "pattern"):
        out.append(f"(isBlank(?v) || !REGEX(STR(?v), {pattern}))")
    for local, op in (("minInclusive", "<"), ("maxInclusive", ">"), ("minExclusive", "<="), ("maxExclusive", ">=")):
        for bound in shapes.values(prop, local):
            out.append(f"(?v {op} {bound})")
    return out


def _property_queries(shapes: _Shapes, shape, focus: str) -> list[tuple[str, str, str]]:
    """(query, message, path) for each property constraint of ``shape``."""
    queries = []
    for prop in shapes.values(shape, "property"):
        path = shapes.value(prop, "path")
        message = _message(shapes, prop, shape)
        count = lambda op, n, path=path: (f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?v }} }} "
                               f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) {op} {n})")
        for n in shapes.values(prop, "minCount"):
            queries.append((count("<", n.value), message, path.value))
        for n in shapes.values(prop, "maxCount"):
            queries.append((count(">", n.value), message, path.value))
        filters = _value_filters(shapes, prop)
        if filters:
            queries.append((f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?v . FILTER ({' || '.join(filters)}) }}",
                            message, path.value))
        for other in shapes.values(prop, "lessThanOrEquals"):
            queries.append((f"SELECT DISTINCT ?this WHERE {{ {focus} ?this {path} ?v . ?this {other} ?w . FILTER (!(?v <= ?w)) }}",
                            message, path.value))
    return queries


def _conforms(shapes: _Shapes, alternative) -> str:
    """A boolean SPARQL expression: ?this conforms to a small shape of count and hasValue constraints."""
    conditions = []
    for prop in shapes.values(alternative, "property"):
        path = shapes.value(prop, "path")
        if shapes.value(prop, "minCount") is not None and int(shapes.value(prop, "minCount").value) >= 1:
            conditions.append(f"EXISTS {{ ?this {path} [] }}")
        if shapes.value(prop, "maxCount") is not None and int(shapes.value(prop, "maxCount").value) == 0:
            conditions.append(f"NOT EXISTS {{ ?this {path} [] }}")
        if shapes.value(prop, "hasValue") is not None:
            conditions.append(f"EXISTS {{ ?this {path} {shapes.value(prop, 'hasValue')} }}")
    return "(" + " && ".join(conditions or ["true"]) + ")"


def _node_queries(shapes: _Shapes, shape, focus: str) -> list[tuple[str, str, str]]:
    queries = []
    message = _message(shapes, shape)
    for cls in shapes.values(shape, "class"):
        queries.append((f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER NOT EXISTS {{ ?this rdf:type/rdfs:subClassOf* {cls} }} }}",
                        message, ""))
    for local, wanted in (("or", ">= 1"), ("xone", "= 1")):
        for members in shapes.values(shape, local):
            total = " + ".join(f"IF({_conforms(shapes, m)}, 1, 0)" for m in shapes.items(members))
            queries.append((f"SELECT DISTINCT ?this WHERE {{ {focus} FILTER (!(({total}) {wanted})) }}", message, ""))
    for constraint in shapes.values(shape, "sparql"):
        select = shapes.value(constraint, "select").value.replace("$this", "?this")
        where = re.search(r"WHERE\s*\{", select, re.IGNORECASE)
        if where is None:
            raise ValueError(f"the SPARQL constraint of shape {shape} has no WHERE clause: {select}")
        query = select[:where.end()] + f" {focus} " + select[where.end():]
        queries.append((query, _message(shapes, constraint, shape), ""))
    return queries


def compile_shapes(path: Path) -> list[tuple[str, str, str]]:
    """Every constraint of the shapes file as (SPARQL query, message, path)."""
    shapes = _Shapes(path)
    queries = []
    for shape in shapes.node_shapes():
        focus = _focus(shapes, shape)
        if focus is None:
            continue
        focus = f"{{ {focus} }}"
        queries += _property_queries(shapes, shape, focus) + _node_queries(shapes, shape, focus)
    return queries


def validate_in_store(store: ox.Store, shapes_path: Path, loaded: LoadedInputs) -> list[Violation]:
    """All violations of the shapes in ``store`` (union of its graphs), sorted."""
    found = set()
    for query, message, path in compile_shapes(shapes_path):
        for row in as_solutions(store.query(PROLOGUE + query, use_default_graph_as_union=True)):
            focus = row["this"]
            text = _fill(message, row)
            owner = _owner(store, focus)
            found.add(Violation(file=loaded.file_of(str(owner)), subject=compact(owner.value) + ("" if owner == focus else " > quantity"),
                                message=text, path=compact(path) if path else ""))
    return sorted(found)


def _fill(message: str, row: ox.QuerySolution) -> str:
    """The message template with each ``{?name}`` replaced by its value in the row."""
    return re.sub(r"\{\?(\w+)\}", lambda m: _binding(row, m.group(1), m.group(0)), message)


def _binding(row: ox.QuerySolution, name: str, default: str) -> str:
    """The value of ``?name`` in a result row, for a message template."""
    try:
        term = row[name]
    except (KeyError, IndexError, TypeError, ValueError):
        return default
    return default if term is None else term.value


def _owner(store: ox.Store, node):
    seen = set()
    while isinstance(node, ox.BlankNode) and node not in seen:
        seen.add(node)
        parent = next(store.quads_for_pattern(None, None, node, None), None)
        if parent is None:
            break
        node = parent.subject
    return node
