"""Where the project's plain files live: inside an installed wheel
(``therapykg/_resources``) or, in a checkout, at the repository root."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_INSTALLED = _PACKAGE_DIR / "_resources"
ROOT = _INSTALLED if _INSTALLED.is_dir() else _PACKAGE_DIR.parent

ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "graph_data"
# Every hand-written SPARQL query, in folders by who runs it.
QUERIES_ROOT = ROOT / "queries"
# The public named-query library, served at /queries/{name}.
QUERIES_DIR = QUERIES_ROOT / "named"
QC_DIR = QUERIES_ROOT / "qc"
SHAPES_FILE = ONTOLOGY_DIR / "shapes.ttl"
MAPPINGS_FILE = ONTOLOGY_DIR / "mappings.sssom.tsv"
# Inferred triples computed by HermiT, committed so that serving needs no Java.
INFERRED_FILE = DATA_DIR / "inferred.ttl"


def ontology_files(ontology_dir: Path = ONTOLOGY_DIR) -> list[Path]:
    """The OWL files of the ontology (the SHACL shapes are not part of it)."""
    return sorted(p for p in ontology_dir.glob("*.ttl") if p.name != SHAPES_FILE.name)


def data_files(data_dir: Path = DATA_DIR) -> list[Path]:
    """The curated Turtle files, without the generated inferences."""
    return sorted(p for p in data_dir.rglob("*.ttl") if p.name != INFERRED_FILE.name)
