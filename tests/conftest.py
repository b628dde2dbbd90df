"""Shared fixtures, in two tiers.

The fast tier runs in this process: the graph as the service loads it
(``load_graph``: the curated inputs with their committed inferences, no
reasoner), the service as an ASGI application on it (``tests/api``), and the
named queries asked of it. The ``live`` tier (``pytest -m live``; marked on
every test that starts a process, a server, an engine, a browser or the
reasoner) builds the graph through the whole pipeline with HermiT, serves it
with ``therapykg serve``, and asks the competency questions through the
service on Oxigraph's server and on Virtuoso. ``pytest -m "not live"`` runs
the fast tier alone; plain ``pytest`` runs both.

That the committed inferences are what HermiT infers today is itself a live
test (``tests/pipeline/test_reasoning.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from therapykg import load_graph, paths
from therapykg.build import BuildResult, build
from therapykg.queries import library, runnable_text
from therapykg.testing import ENGINES, make, start_server, stop_server

live = pytest.mark.live

# Fixtures that start processes or run the reasoner: a test using one is in
# the live tier even if its module forgot to say so.
LIVE_FIXTURES = frozenset({"built", "engine_services", "server", "live_client"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if LIVE_FIXTURES.intersection(getattr(item, "fixturenames", ())) and not item.get_closest_marker("live"):
            item.add_marker(live)


@pytest.fixture(scope="session")
def built() -> BuildResult:
    """The graph built once through the real pipeline: SHACL, HermiT (Java), quality checks."""
    return build(require_reasoner=True, write_inferences=False)


@pytest.fixture(scope="session")
def graph():
    """The graph as the service loads it: the curated inputs and their committed inferences (no reasoner)."""
    return load_graph()


@pytest.fixture(scope="session", params=["committed", pytest.param("HermiT", marks=live)])
def reasoned_graph(request):
    """The graph with its inferences: committed (in the fast tier), and
    computed by HermiT in this run (live)."""
    return request.getfixturevalue("graph") if request.param == "committed" else request.getfixturevalue("built").graph


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
    """The service on each remote engine (Oxigraph's server, Virtuoso), started on first use."""
    services = EngineServices(tmp_path_factory.mktemp("engines"))
    yield services
    services.close()


def _answer(result):
    """An ASK answer as a bool; SELECT solutions as dicts of variable name to term (unbound left out)."""
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    return [{v.value: s[v] for v in result.variables if s[v] is not None} for s in result]


class InProcess:
    """Queries run by the library's Python API on the graph."""

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


@pytest.fixture(scope="session", params=["in-process", *(pytest.param(name, marks=live) for name in ENGINES)])
def query_path(request, graph):
    """Where a competency question is asked: in process (fast tier), or
    through the service on Oxigraph's server or on Virtuoso (live)."""
    if request.param == "in-process":
        return InProcess(graph)
    return request.getfixturevalue("engine_services").query_path(request.param)


@pytest.fixture
def inputs(tmp_path: Path):
    """A writable copy of ontology/ and graph_data/; returns a helper to add
    a Turtle file to the data and run the build (with the reasoner) on the copy."""
    ontology = tmp_path / "ontology"
    data = tmp_path / "graph_data"
    shutil.copytree(paths.ONTOLOGY_DIR, ontology)
    shutil.copytree(paths.DATA_DIR, data)
    return ScratchInputs(ontology, data)


# The few data files the broken-input tests point at (sources, reference
# terms, blinatumomab): SHACL on them with the whole ontology takes a tenth of
# a second, on the whole data three seconds.
SMALL_DATA = ("sources.ttl", "reference.ttl", "blinatumomab/therapy.ttl")


@pytest.fixture
def small_inputs(tmp_path: Path):
    """A writable copy of ontology/ and of a few files of graph_data/
    (``SMALL_DATA``), for tests that break the inputs and expect SHACL (or
    the loader) to say so before any reasoning."""
    ontology = tmp_path / "ontology"
    data = tmp_path / "graph_data"
    shutil.copytree(paths.ONTOLOGY_DIR, ontology)
    for name in SMALL_DATA:
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(paths.DATA_DIR / name, data / name)
    return ScratchInputs(ontology, data)


PREFIXES = """
@prefix tkg:  <https://w3id.org/therapykg/ontology/> .
@prefix tkgr: <https://w3id.org/therapykg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
"""


class ScratchInputs:
    """Input folders to break: ``add`` writes a Turtle file (with the usual
    prefixes) into the data, ``build`` runs the build on the folders."""

    def __init__(self, ontology: Path, data: Path):
        self.ontology, self.data = ontology, data

    def add(self, name: str, turtle: str) -> Path:
        path = self.data / name
        path.write_text(PREFIXES + turtle, encoding="utf-8")
        return path

    def build(self, **options) -> BuildResult:
        options.setdefault("write_inferences", False)
        return build(ontology_dir=self.ontology, data_dir=self.data, **options)
