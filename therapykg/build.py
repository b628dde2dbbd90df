"""The build: load, validate (SHACL), reason (HermiT), check (SPARQL), and
write release files. Nothing is written unless every step passes."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from therapykg import paths
from therapykg.checks import run_checks
from therapykg.errors import BuildError, JavaMissing, ValidationFailed
from therapykg.loader import load_inputs
from therapykg.namespaces import GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES
from therapykg.queries import query_text
from therapykg.reasoning import reason
from therapykg.sssom import sssom_table
from therapykg.store.graph import INFERRED_HEADER, KnowledgeGraph, read_inferred
from therapykg.validation import validate

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    graph: KnowledgeGraph
    counts: dict[str, int] = field(default_factory=dict)
    reasoned: bool = False
    inferences_changed: bool = False
    release_dir: Path | None = None


def counts(graph: KnowledgeGraph) -> dict[str, int]:
    row = graph.select(query_text("build/counts"))[0]
    result = {"triples": len(graph)}
    result.update({name: int(term.value) for name, term in row.items()})
    return result


def build(
    *,
    ontology_dir: Path = paths.ONTOLOGY_DIR,
    data_dir: Path = paths.DATA_DIR,
    out_dir: Path | None = None,
    require_reasoner: bool = False,
    write_inferences: bool = True,
    scalable: bool = False,
    progress: Progress = lambda message: None,
) -> BuildResult:
    """Build the graph; raise InputError (exit 2) or ValidationFailed (exit 1).

    With Java, HermiT recomputes the inferences; without Java the committed
    inferences are used if they match the inputs, unless ``require_reasoner``.
    ``write_inferences`` refreshes the generated files in the checkout
    (``graph_data/inferred.ttl``, ``ontology/mappings.sssom.tsv``).

    ``scalable`` is for large graphs: the shapes are checked as SPARQL in
    Oxigraph, the instance data is materialized by rules (therapykg.rules)
    with disjointness and restrictions checked as SPARQL, and HermiT checks
    the ontology alone.
    """
    progress("loading")
    loaded = load_inputs(ontology_dir, data_dir)
    store = loaded.store
    inferred_file = data_dir / paths.INFERRED_FILE.name

    if scalable:
        inferred, reasoned, changed = _scalable_validation(loaded, store, ontology_dir, require_reasoner, progress)
    else:
        progress("validating (SHACL)")
        violations = validate(loaded, ontology_dir / paths.SHAPES_FILE.name)
        if violations:
            raise ValidationFailed("SHACL validation", [str(v) for v in violations])

        progress("reasoning (HermiT)")
        committed_version, committed = read_inferred(inferred_file)
        try:
            inferred = reason(loaded.quads).quads()
            reasoned = True
        except JavaMissing:
            if require_reasoner or committed_version != loaded.version:
                raise
            progress("Java not found: using the committed materialized inferences")
            inferred, reasoned = committed, False
        changed = reasoned and (committed_version != loaded.version or set(inferred) != set(committed))
        store.bulk_extend(inferred)
    graph = KnowledgeGraph(store, loaded.version)

    progress("running quality checks")
    failures = run_checks(graph)
    if failures:
        raise ValidationFailed("quality checks", [str(f) for f in failures])

    if write_inferences:
        if changed:
            write_inferred(inferred_file, inferred, loaded.version)
        _refresh(ontology_dir / paths.MAPPINGS_FILE.name, sssom_table(graph))
    result = BuildResult(graph, counts(graph), reasoned, changed)
    if out_dir is not None:
        progress(f"writing release files to {out_dir}")
        result.release_dir = write_release(graph, out_dir, result.counts)
    return result


def _scalable_validation(loaded, store: ox.Store, ontology_dir: Path, require_reasoner: bool, progress: Progress):
    from therapykg.rules import materialize
    from therapykg.shacl_sparql import validate_in_store

    progress("validating (SHACL as SPARQL)")
    violations = validate_in_store(store, ontology_dir / paths.SHAPES_FILE.name, loaded)
    if violations:
        raise ValidationFailed("SHACL validation", [str(v) for v in violations])
    progress("reasoning (HermiT on the ontology)")
    ontology = list(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY)))
    try:
        reason(ontology)
    except JavaMissing:
        if require_reasoner:
            raise
        progress("Java not found: the ontology was not checked by HermiT")
    progress("materializing inferences (rules)")
    return materialize(store), True, False


def _refresh(path: Path, text: str) -> None:
    """Rewrite a generated file only when its content changed."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def write_inferred(path: Path, quads: list[ox.Quad], version: str) -> None:
    triples = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in quads), key=str)
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b""  # (None only when writing to a file)
    header = (f"{INFERRED_HEADER}{version}\n"
              "# Generated by `therapykg build` from a HermiT reasoning run; do not edit.\n")
    path.write_bytes(header.encode() + body)


RELEASE_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "owl": ox.RdfFormat.RDF_XML,
}


def write_release(graph: KnowledgeGraph, out_dir: Path, figures: dict[str, int]) -> Path:
    """Write the release into a temporary folder, then swap it in whole."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".therapykg-", dir=out_dir.parent))
    try:
        # The union is collected once (each triple once) and written by
        # Oxigraph's serializers straight to the files: about 7x faster at
        # 10^6 triples than streaming a CONSTRUCT query per format.
        union = _triples(graph.store.quads_for_pattern(None, None, None, None))
        ontology = _triples(graph.store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY)))
        for suffix, fmt in RELEASE_FORMATS.items():
            _write(union, staging / f"therapykg.{suffix}", fmt)
            _write(ontology, staging / f"therapykg-ontology.{suffix}", fmt)
        del union
        # Quad formats straight from the store, in Oxigraph's own (deterministic) order.
        graph.store.dump(staging / "therapykg.nq", format=ox.RdfFormat.N_QUADS)
        graph.store.dump(staging / "therapykg.trig", format=ox.RdfFormat.TRIG, prefixes=PREFIXES)
        (staging / "mappings.sssom.tsv").write_text(sssom_table(graph), encoding="utf-8")
        manifest = {"version": graph.version, "counts": figures,
                    "graphs": {"inferred": GRAPH_INFERRED, "ontology": GRAPH_ONTOLOGY}}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _triples(quads) -> list[ox.Triple]:
    """The union of the graphs as triples, each once, in the store's order."""
    return list(dict.fromkeys(ox.Triple(q.subject, q.predicate, q.object) for q in quads))


def _write(triples: list[ox.Triple], path: Path, fmt: ox.RdfFormat) -> None:
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML):
        ox.serialize(triples, output=path, format=fmt, prefixes=PREFIXES)
    else:
        ox.serialize(triples, output=path, format=fmt)


__all__ = ["BuildError", "BuildResult", "build", "counts", "write_release"]
