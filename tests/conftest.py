"""Shared fixtures: the graph built once per session through the real
pipeline (SHACL, HermiT, quality checks); the query paths the competency
questions are asked through (in process, and over HTTP through the service
running on each remote SPARQL engine); and scratch copies of the inputs for
tests that break them."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from tests.live import ENGINES, make, start_server, stop_server
from therapykg import paths
from therapykg.build import BuildResult, build
from therapykg.queries import library, runnable_text


@pytest.fixture(scope="session")
def built() -> BuildResult:
    return build(require_reasoner=True, write_inferences=False)


@pytest.fixture(scope="session")
def graph(built):
    return built.graph


class EngineServices:
    """One engine per name, loaded with ``therapykg load``, and one therapykg
    service on it; started on first use, kept for the session."""

    def __init__(self, root: Path):
        self.root, self.running, self.clients = root, {}, {}

    def url(self, name: str) -> str:
        if name not in self.running:
            engine = make(name, self.root / name).start()
            engine.load()
            process, url = start_server("--backend", engine.query_url, "--max-rows", "1000")
            self.running[name] = (engine, process, url)
        return self.running[name][2]

    def query_path(self, name: str) -> OverHttp:
        if name not in self.clients:
            self.clients[name] = OverHttp(self.url(name))
        return self.clients[name]

    def close(self) -> None:
        for path in self.clients.values():
            path.client.close()
        for engine, process, _ in self.running.values():
            stop_server(process)
            engine.stop()


@pytest.fixture(scope="session")
def engine_services(tmp_path_factory):
    services = EngineServices(tmp_path_factory.mktemp("engines"))
    yield services
    services.close()


def _answer(result):
    """An ASK answer as a bool; SELECT solutions as dicts of variable name to term (unbound left out)."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return [{v.value: s[v] for v in result.variables if s[v] is not None} for s in result]


class InProcess:
    """Queries run by the library's Python API on the built graph."""

    def __init__(self, graph):
        self.graph = graph

    def select(self, text: str) -> list[dict[str, ox.Term]]:
        return self.graph.select(text)

    def named(self, name: str, **params):
        return _answer(self.graph.query(runnable_text(library()[name], {k: str(v) for k, v in params.items()})))


class OverHttp:
    """Queries sent to a therapykg service: /sparql for ad-hoc ones,
    /queries/{name} for the library's, answers read as SPARQL JSON results."""

    def __init__(self, url: str):
        self.client = httpx.Client(base_url=url, timeout=60, headers={"Accept": "application/sparql-results+json"})

    def _rows(self, response: httpx.Response):
        assert response.status_code == 200, response.text
        return _answer(ox.parse_query_results(response.content, format=ox.QueryResultsFormat.JSON))

    def select(self, text: str) -> list[dict[str, ox.Term]]:
        return self._rows(self.client.post("/sparql", data={"query": text}))

    def named(self, name: str, **params):
        return self._rows(self.client.get(f"/queries/{name}", params={k: str(v) for k, v in params.items()}))


@pytest.fixture(scope="session", params=["in-process", *ENGINES])
def query_path(request, graph, engine_services):
    """Where a competency question is asked: in process, or through the
    service on Oxigraph's server or on Virtuoso."""
    return InProcess(graph) if request.param == "in-process" else engine_services.query_path(request.param)


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
