"""GET /sparql/complete: the editor's completion of this graph's classes,
properties and resources, answered by the service from an index built once
per graph version (in process, over the graph)."""

import pytest

from therapykg.api.completion import MAX_QUERY_CHARS, MAX_RESULTS
from therapykg.namespaces import TKG, TKGR


def complete(client, **params):
    response = client.get("/sparql/complete", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def names(terms):
    return [t["prefixed"] for t in terms]


def test_a_prefixed_name_completes_classes_in_its_namespace(app_client):
    terms = complete(app_client, q="tkg:Ther", kind="class")
    assert terms[0] == {"iri": TKG + "Therapy", "prefixed": "tkg:Therapy", "label": "therapy", "kind": "class"}
    assert all(t["kind"] == "class" and t["iri"].startswith(TKG) for t in terms)
    # Local names starting with the text come before those only containing it.
    ranked = names(terms)
    assert ranked.index("tkg:TherapeuticRole") < ranked.index("tkg:CARTCellTherapy")


def test_the_full_iri_and_the_prefixed_name_give_the_same_answer(app_client):
    assert complete(app_client, q=TKG + "Ther", kind="class") == complete(app_client, q="tkg:Ther", kind="class")
    assert complete(app_client, q=f"<{TKG}Ther", kind="class") == complete(app_client, q="tkg:Ther", kind="class")


def test_properties_are_found_by_local_name_and_by_label(app_client):
    by_name = complete(app_client, q="tkg:hasDo", kind="property")
    assert "tkg:hasDoseStep" in names(by_name)
    by_label = complete(app_client, q="dose cap", kind="property")
    assert names(by_label)[0] == "tkg:doseCap"
    assert by_label[0]["label"] == "dose cap"
    # Properties from other vocabularies the graph uses, with their prefixes.
    assert "rdfs:label" in names(complete(app_client, q="label", kind="property"))


def test_resources_rank_the_exact_and_shortest_names_first(app_client):
    terms = complete(app_client, q="tkgr:blina", kind="resource")
    assert terms[0]["prefixed"] == "tkgr:blinatumomab"
    assert terms[0]["label"] == "blinatumomab"
    assert all(t["iri"].startswith(TKGR) and t["kind"] == "resource" for t in terms)
    # A plain word: matched against names and labels in every namespace.
    assert complete(app_client, q="Blinatumomab", kind="resource")[0]["prefixed"] == "tkgr:blinatumomab"


def test_exact_matches_come_first(app_client):
    assert complete(app_client, q="dose", kind="property")[0]["prefixed"] == "tkg:dose"
    assert complete(app_client, q="THERAPY", kind="class")[0]["prefixed"] == "tkg:Therapy"


def test_without_a_kind_every_kind_is_searched(app_client):
    kinds = {text: {t["kind"] for t in complete(app_client, q=text)} for text in ("tkg:Therapy", "tkg:dose", "blinatumomab")}
    assert "class" in kinds["tkg:Therapy"]
    assert "property" in kinds["tkg:dose"]
    assert "resource" in kinds["blinatumomab"]


def test_a_class_is_not_offered_as_a_resource(app_client):
    assert "tkg:Therapy" not in names(complete(app_client, q="tkg:Therapy", kind="resource"))
    assert "tkg:Therapy" in names(complete(app_client, q="tkg:Therapy", kind="class"))


def test_an_unknown_prefix_or_namespace_matches_nothing(app_client):
    assert complete(app_client, q="foaf:name") == []
    assert complete(app_client, q="http://xmlns.com/foaf/0.1/name") == []
    assert complete(app_client, q="zzzqqq") == []


def test_at_most_fifty_and_the_limit_asked_for(app_client):
    assert len(complete(app_client, q="tkgr:")) == MAX_RESULTS
    assert len(complete(app_client, q="tkgr:", limit="5")) == 5
    # An empty text lists a namespace alphabetically.
    listed = names(complete(app_client, q="tkg:", kind="class"))
    assert listed == sorted(listed)


@pytest.mark.parametrize(("params", "reason"), [
    ({"q": "x" * (MAX_QUERY_CHARS + 1)}, "at most 100"),
    ({"q": "tkg:Ther", "kind": "individual"}, "not one of class, property, resource"),
    ({"q": "tkg:Ther", "limit": "0"}, "from 1 to 50"),
    ({"q": "tkg:Ther", "limit": "51"}, "from 1 to 50"),
    ({"q": "tkg:Ther", "limit": "ten"}, "from 1 to 50"),
    ({"q": "a\x01b"}, "control character"),
    ({"q": "tkg:Ther", "query": "SELECT"}, "unknown parameter 'query'"),
])
def test_bad_requests_are_refused_with_a_reason(app_client, params, reason):
    response = app_client.get("/sparql/complete", params=params)
    assert response.status_code == 400
    assert reason in response.text


def test_repeated_parameters_are_refused(app_client):
    response = app_client.get("/sparql/complete?q=a&q=b")
    assert response.status_code == 400
    assert "at most once" in response.text


def test_the_longest_text_allowed_is_searched(app_client):
    assert complete(app_client, q="x" * MAX_QUERY_CHARS) == []


def test_answers_carry_an_etag_and_are_cached(app_client):
    response = app_client.get("/sparql/complete", params={"q": "tkg:Ther", "kind": "class"})
    etag = response.headers["etag"]
    assert etag.startswith(f'"{app_client.app.state.engine.version}-')
    assert "max-age=" in response.headers["cache-control"]
    again = app_client.get("/sparql/complete", params={"q": "tkg:Ther", "kind": "class"},
                           headers={"If-None-Match": etag})
    assert again.status_code == 304
    other = app_client.get("/sparql/complete", params={"q": "tkg:Ther", "kind": "property"})
    assert other.headers["etag"] != etag


def test_the_index_is_built_once_per_graph_version(app_client):
    complete(app_client, q="tkg:Drug")
    before = app_client.engine.executed
    for text in ("tkg:Dose", "tkgr:ino", "label", "tkg:"):
        complete(app_client, q=text)
    assert app_client.engine.executed == before
    index = app_client.app.state.completion_index
    assert index.version == app_client.app.state.engine.version
