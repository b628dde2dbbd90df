"""Shared fixtures: the graph built once per session through the real
pipeline (SHACL, HermiT, quality checks), and scratch copies of the inputs
for tests that break them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from therapykg import paths
from therapykg.build import BuildResult, build


@pytest.fixture(scope="session")
def built() -> BuildResult:
    return build(require_reasoner=True, write_inferences=False)


@pytest.fixture(scope="session")
def graph(built):
    return built.graph


@pytest.fixture
def inputs(tmp_path: Path):
    """A writable copy of ontology/ and graph_data/; returns a helper to add
    a Turtle file to the data and run the build on the copy."""
    ontology = tmp_path / "ontology"
    data = tmp_path / "graph_data"
    shutil.copytree(paths.ONTOLOGY_DIR, ontology)
    shutil.copytree(paths.DATA_DIR, data)
    return ScratchInputs(ontology, data)


PREFIXES = """
@prefix tkg:  <https://w3id.org/therapykg/ontology/> .
@prefix tkgr: <https://w3id.org/therapykg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
"""


class ScratchInputs:
    def __init__(self, ontology: Path, data: Path):
        self.ontology, self.data = ontology, data

    def add(self, name: str, turtle: str) -> Path:
        path = self.data / name
        path.write_text(PREFIXES + turtle, encoding="utf-8")
        return path

    def build(self, **options) -> BuildResult:
        options.setdefault("write_inferences", False)
        return build(ontology_dir=self.ontology, data_dir=self.data, **options)
