"""The served knowledge graph: an Oxigraph store holding the ontology, the
curated data and the materialized inferences, stamped with a version."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from therapykg import paths
from therapykg.errors import BuildError
from therapykg.loader import load_inputs, parse_turtle
from therapykg.namespaces import GRAPH_INFERRED, PREFIXES
from therapykg.store.label_index import INDEX_FILE, LabelIndex
from therapykg.store.terms import QueryResult, Row, Term, as_solutions

if TYPE_CHECKING:
    import rdflib

INFERRED_HEADER = "# input-version: "
STORE_VERSION_FILE = "therapykg-version"


@dataclass
class KnowledgeGraph:
    """An Oxigraph store plus the graph version (content hash of the inputs)."""

    store: ox.Store
    version: str

    def query(self, sparql: str, *, substitutions: dict[ox.Variable, Term] | None = None, **options: Any) -> QueryResult:
        """Run SPARQL over the union of all graphs. Raises SyntaxError for a
        malformed query."""
        return self.store.query(
            sparql,
            prefixes=PREFIXES,
            use_default_graph_as_union=True,
            substitutions=substitutions,
            **options,
        )

    def select(self, sparql: str, *, substitutions: dict[ox.Variable, Term] | None = None) -> list[dict[str, ox.NamedNode | ox.Literal | ox.BlankNode]]:
        """SELECT as a list of dicts of variable name to term.

        :raises TypeError: ``sparql`` is not a SELECT.
        """
        answer = as_solutions(self.query(sparql, substitutions=substitutions))
        names = [v.value for v in answer.variables]
        return [{n: row[n] for n in names if row[n] is not None} for row in answer]

    def bindings(self, sparql: str) -> list[Row]:
        """SELECT as SPARQL JSON bindings (variable -> {"type", "value", ...}): the
        shape the query service returns, so code reading rows works on either.

        :raises TypeError: ``sparql`` is not a SELECT.
        """
        body = as_solutions(self.query(sparql)).serialize(format=ox.QueryResultsFormat.JSON) or b""  # (None only when writing to a file)
        rows: list[Row] = json.loads(body)["results"]["bindings"]
        return rows

    def __len__(self) -> int:
        return len(self.store)

    def rdflib(self) -> rdflib.Dataset:
        """The same store as an rdflib Dataset (through oxrdflib), so that
        rdflib code works unchanged while SPARQL runs in Oxigraph."""
        import rdflib
        from oxrdflib import OxigraphStore

        return rdflib.Dataset(store=OxigraphStore(store=self.store), default_union=True)


def read_inferred(path: Path = paths.INFERRED_FILE) -> tuple[str | None, list[ox.Quad]]:
    """The materialized inferences and the input version they were computed from."""
    if not path.exists():
        return None, []
    with path.open(encoding="utf-8") as stream:
        first = stream.readline()
    version = first[len(INFERRED_HEADER):].strip() if first.startswith(INFERRED_HEADER) else None
    return version, parse_turtle(path, GRAPH_INFERRED)


def load_graph(*, ontology_dir: Path = paths.ONTOLOGY_DIR, data_dir: Path = paths.DATA_DIR) -> KnowledgeGraph:
    """Load the curated graph with its materialized inferences into Oxigraph.

    This is the fast path for serving and notebooks: it checks that the
    inferences were computed from exactly these inputs but does not rerun
    SHACL or the reasoner (``therapykg build`` does).

    :raises InputError: an input file is unreadable (names file and line).
    :raises BuildError: the materialized inferences are missing or stale.
    """
    loaded = load_inputs(ontology_dir, data_dir)
    inferred_version, inferred = read_inferred(data_dir / paths.INFERRED_FILE.name)
    if inferred_version != loaded.version:
        raise BuildError(
            f"materialized inferences in {paths.INFERRED_FILE.name} were computed from inputs "
            f"{inferred_version or '(none)'}, not from the current inputs {loaded.version}: "
            "run `therapykg build` (needs Java) to recompute them"
        )
    loaded.store.bulk_extend(inferred)
    return KnowledgeGraph(loaded.store, loaded.version)


def write_store(graph: KnowledgeGraph, path: Path) -> None:
    """Copy the graph into an on-disk Oxigraph store at ``path`` (replacing
    any earlier one) and record its version and label index beside the data."""
    import shutil

    path = Path(path)
    staging = path.with_name(path.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    disk = ox.Store(str(staging))
    disk.bulk_extend(graph.store.quads_for_pattern(None, None, None, None))
    disk.flush()
    del disk
    (staging / STORE_VERSION_FILE).write_text(graph.version + "\n", encoding="utf-8")
    # Read by each query process instead of scanning the store's labels.
    LabelIndex.of_store(graph.store).write(staging / INDEX_FILE)
    if path.exists():
        shutil.rmtree(path)
    staging.rename(path)


def read_store_version(path: str | Path) -> str:
    """The version of an on-disk store written by ``write_store``."""
    marker = Path(path) / STORE_VERSION_FILE
    if not marker.exists():
        raise BuildError(f"{path} is not a therapykg store (no {STORE_VERSION_FILE}); create one with `therapykg build --into {path}`")
    return marker.read_text(encoding="utf-8").strip()


def load_dump(path: str | Path) -> KnowledgeGraph:
    """A release dump (N-Quads, as `therapykg build` writes it) in memory; its
    version is the one in the manifest beside it, else a hash of the file."""
    import hashlib
    import json

    path = Path(path)
    manifest = path.with_name("manifest.json")
    if manifest.exists():
        version = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    else:
        version = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    store = ox.Store()
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return KnowledgeGraph(store, version)
