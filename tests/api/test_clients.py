"""Standard SPARQL clients against the live server get the same answers as
the in-process graph."""

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

# The clients speak HTTP through their own libraries (urllib): a real server.
pytestmark = pytest.mark.live

SELECT = """
PREFIX tkg: <https://w3id.org/therapykg/ontology/>
SELECT ?trial ?id WHERE { ?trial a tkg:ClinicalTrial ; tkg:registryId ?id } ORDER BY ?id"""
ASK = "PREFIX tkg: <https://w3id.org/therapykg/ontology/> ASK { ?t a tkg:CD22DirectedTherapy }"
CONSTRUCT = """
PREFIX tkg: <https://w3id.org/therapykg/ontology/>
CONSTRUCT { ?rule tkg:hasTrigger ?trigger } WHERE { ?rule a tkg:PermanentDiscontinuationRule ; tkg:hasTrigger ?trigger }"""


def _local_rows(graph):
    return [(r["trial"].value, r["id"].value) for r in graph.select(SELECT)]


def test_sparqlwrapper_select_ask_construct(server, graph):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [(r["trial"]["value"], r["id"]["value"]) for r in rows] == _local_rows(graph) and len(rows) == 7  # the seven trials with a registry id
    client.setQuery(ASK)
    assert client.query().convert()["boolean"] is True
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    remote = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(remote) == len(list(graph.query(CONSTRUCT))) > 0


def test_sparqlwrapper_post(server, graph):
    client = SPARQLWrapper(server + "/sparql")
    client.setMethod("POST")
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    assert len(client.query().convert()["results"]["bindings"]) == len(_local_rows(graph))


def test_rdflib_sparqlstore(server, graph):
    # rdflib's default (XML) also asks for RDF/XML, which CONSTRUCT needs.
    remote = rdflib.Graph(store=SPARQLStore(server + "/sparql"))
    rows = [(str(r.trial), str(r.id)) for r in remote.query(SELECT)]
    assert rows == _local_rows(graph)
    assert remote.query(ASK).askAnswer is True
    constructed = remote.query(CONSTRUCT).graph
    assert len(constructed) == len(list(graph.query(CONSTRUCT)))


def test_rdflib_sparqlstore_json_select(server, graph):
    remote = rdflib.Graph(store=SPARQLStore(server + "/sparql", returnFormat="json"))
    assert [(str(r.trial), str(r.id)) for r in remote.query(SELECT)] == _local_rows(graph)
