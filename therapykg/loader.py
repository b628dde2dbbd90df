"""Read the ontology and curated Turtle files into quads, naming the file and
line of any syntax error, and hash the inputs into a graph version."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from therapykg import paths
from therapykg.errors import InputError
from therapykg.namespaces import GRAPH_DATA, GRAPH_ONTOLOGY


@dataclass
class LoadedInputs:
    """Every input file loaded into one Oxigraph store (ontology and data in
    their named graphs), and the graph version."""

    store: ox.Store
    files: list[Path] = field(default_factory=list)
    version: str = ""
    _subject_file: dict[str, Path] | None = None

    @property
    def quads(self) -> list[ox.Quad]:
        return list(self.store.quads_for_pattern(None, None, None, None))

    def file_of(self, term: str) -> str:
        """The input file that describes ``term`` (an IRI in N-Triples form), for reports."""
        if self._subject_file is None:  # only needed when something is wrong: built on demand
            self._subject_file = {}
            for path in self.files:
                for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
                    self._subject_file.setdefault(str(quad.subject), path)
        found = self._subject_file.get(term)
        return _display(found) if found else "?"


def parse_turtle(path: Path, graph: str) -> list[ox.Quad]:
    """Parse one Turtle file into quads of ``graph``; raises InputError."""
    graph_name = ox.NamedNode(graph)
    try:
        with path.open("rb") as stream:
            triples = list(ox.parse(stream, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()))
    except SyntaxError as error:
        raise InputError(_display(path), _reason(error), error.lineno, error.offset) from None
    except OSError as error:
        raise InputError(_display(path), error.strerror or str(error)) from None
    return [ox.Quad(t.subject, t.predicate, t.object, graph_name) for t in triples]


def load_inputs(ontology_dir: Path = paths.ONTOLOGY_DIR, data_dir: Path = paths.DATA_DIR) -> LoadedInputs:
    """Load every ontology and data file into a new in-memory store; a file
    that does not parse stops everything (the store is then discarded)."""
    ontology_files, data_files = paths.ontology_files(ontology_dir), paths.data_files(data_dir)
    if not data_files:
        raise InputError(_display(data_dir), "no curated Turtle files found")
    sources = [(p, GRAPH_ONTOLOGY) for p in ontology_files] + [(p, GRAPH_DATA) for p in data_files]
    store = ox.Store()
    for path, graph in sources:
        try:
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri(), to_graph=ox.NamedNode(graph))
        except SyntaxError as error:
            raise InputError(_display(path), _reason(error), error.lineno, error.offset) from None
        except OSError as error:
            raise InputError(_display(path), error.strerror or str(error)) from None
    files = [p for p, _ in sources]
    shapes = ontology_dir / paths.SHAPES_FILE.name
    hashed = (_named(ontology_files + ([shapes] if shapes.exists() else []), ontology_dir, paths.ONTOLOGY_DIR.name)
              | _named(data_files, data_dir, paths.DATA_DIR.name))
    return LoadedInputs(store, files, input_version(hashed))


def input_version(files: dict[str, Path]) -> str:
    """A short content hash of the input files (their names and contents):
    the graph version."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(files[name].read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def _named(files: list[Path], folder: Path, label: str) -> dict[str, Path]:
    """Files by ``label/<path inside folder>``: the ontology and data folders
    may live anywhere, apart or under other names, and give the same version
    as the package's own."""
    return {f"{label}/{path.relative_to(folder).as_posix()}": path for path in files}


def _reason(error: SyntaxError) -> str:
    message = error.msg or str(error)
    # pyoxigraph prefixes the position, which InputError already gives.
    return message.split(": ", 1)[1] if message.startswith("Parser error") and ": " in message else message


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
