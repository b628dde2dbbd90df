"""The query library over HTTP, with parameters bound by the engine."""

import pyoxigraph as ox
import pytest

JSON = "application/sparql-results+json"


def test_list_queries(client):
    listing = {q["name"]: q for q in client.get("/queries").json()}
    dose = listing["dose-on-day"]
    assert dose["title"] and dose["url"].endswith("/queries/dose-on-day")
    assert {p["name"]: p["type"] for p in dose["parameters"]} == {
        "therapy": "iri", "setting": "iri", "weightKg": "decimal", "cycle": "integer", "day": "integer", "source": "iri"}
    assert {p["name"]: p.get("default") for p in dose["parameters"]}["therapy"] == "tkgr:blinatumomab"


def test_run_with_parameters(client):
    response = client.get("/queries/dose-on-day", params={"weightKg": "60", "cycle": "1", "day": "8"}, headers={"Accept": JSON})
    assert response.status_code == 200
    rows = response.json()["results"]["bindings"]
    assert [(r["dose"]["value"], r["unit"]["value"]) for r in rows] == [("28", "ug/d")]


def test_csv_and_etag(client):
    response = client.get("/queries/trials", params={"format": "csv"})
    assert response.status_code == 200 and response.text.startswith("trial,name,registryId")
    assert client.get("/queries/trials", params={"format": "csv"}, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_unknown_query_is_404(client):
    assert client.get("/queries/no-such-query").status_code == 404


@pytest.mark.parametrize(("params", "message"), [
    ({"weightKg": "heavy", "cycle": "1", "day": "8"}, "not a number"),
    ({"weightKg": "60", "cycle": "1.5", "day": "8"}, "not an integer"),
    ({"weightKg": "60", "cycle": "1"}, "needs parameter 'day'"),
    ({"weightKg": "60", "cycle": "1", "day": "8", "dose": "9"}, "has no parameter 'dose'"),
    ({"weightKg": "NaN", "cycle": "1", "day": "8"}, "not a finite number"),
])
def test_wrong_parameters_are_400(client, params, message):
    response = client.get("/queries/dose-on-day", params=params)
    assert response.status_code == 400
    assert message in response.text


@pytest.mark.parametrize("hostile", [
    "tkgr:blinatumomab> } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o",
    "https://w3id.org/therapykg/resource/blinatumomab with spaces",
    "<https://w3id.org/therapykg/resource/blinatumomab>",
    'tkgr:x" . ?s ?p ?o . "',
    "javascript:alert(1)}",
])
def test_hostile_iri_parameters_cannot_change_the_query(client, hostile):
    response = client.get("/queries/indications", params={"therapy": hostile})
    if response.status_code == 400:
        assert "is not an IRI" in response.text
    else:  # accepted as an IRI: it is a term, so it matches nothing
        assert response.status_code == 200
        assert response.json()["results"]["bindings"] == []


@pytest.mark.parametrize("hostile", [
    '"} ; DROP ALL ; SELECT * WHERE { ?s ?p ?o } #',
    "') } UNION { ?resource ?p ?o } #",
    "\\u0022 } UNION { ?resource ?p ?o }",
    "BLINCYTO\" || true || \"",
])
def test_hostile_string_parameters_are_just_text(client, graph, hostile):
    response = client.get("/queries/search", params={"text": hostile}, headers={"Accept": JSON})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"] == []  # no label contains these strings
    count = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}, headers={"Accept": JSON})
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) == len(graph)


def test_string_parameter_search_works(client):
    response = client.get("/queries/search", params={"text": "blincyto"}, headers={"Accept": JSON})
    resources = {r["resource"]["value"].rsplit("/", 1)[1] for r in response.json()["results"]["bindings"]}
    assert "blinatumomab" in resources


def _rows(response):
    assert response.status_code == 200, response.text
    return response.json()["results"]["bindings"]


def _follow_pages(client, url):
    pages = []
    while url:
        response = client.get(url, headers={"Accept": JSON})
        pages.append(_rows(response))
        link = response.headers.get("Link")
        url = link[1:link.index(">")] if link else None
    return pages


@pytest.mark.parametrize(("name", "params", "size"), [
    ("trials", "", 4),
    ("claims-citing-reference", "number=4", 2),  # paged inside its subquery; claims with several classes
    ("search", "text=cd", 3),  # paged inside its subquery, narrowed by the label index
])
def test_pages_cover_the_whole_ordered_answer(client, name, params, size):
    """Consecutive pages, followed by their Link headers, give the full answer in order."""
    whole = _rows(client.get(f"/queries/{name}?{params}", headers={"Accept": JSON}))
    assert len(whole) > 2 * size
    pages = _follow_pages(client, f"/queries/{name}?{params}&limit={size}")
    assert [row for p in pages for row in p] == whole
    assert all(len(p) == size for p in pages[:-1]) and len(pages[-1]) <= size


@pytest.mark.parametrize("text", ["CD19", "blincyto", "cycle 1, days", "a", "no such name", "Ölfarbe"])
def test_search_through_the_label_index_equals_the_scan(client, graph, text):
    """The service narrows searches with its label index (or declines, for a
    blank node's label or a very common text); the answer is always the one
    the unnarrowed query gives in process."""
    from therapykg.queries import library, runnable_text

    served = _rows(client.get("/queries/search", params={"text": text}, headers={"Accept": JSON}))
    scanned = graph.select(runnable_text(library()["search"], {"text": text}))
    # Blank node labels differ between stores; compare them as blank.
    assert [{k: "_" if v["type"] == "bnode" else v["value"] for k, v in row.items()} for row in served] == [
        {k: "_" if isinstance(v, ox.BlankNode) else v.value for k, v in row.items()} for row in scanned]


def test_page_within_a_query_that_has_its_own_limit(client):
    """`search` stops at 100 rows of its own; a page never reaches past them."""
    whole = _rows(client.get("/queries/search", params={"text": "a"}, headers={"Accept": JSON}))
    assert len(whole) == 100
    tail = _rows(client.get("/queries/search", params={"text": "a", "offset": "95", "limit": "10"}, headers={"Accept": JSON}))
    assert tail == whole[95:]


@pytest.mark.parametrize(("path", "params", "message"), [
    ("/queries/trials", {"limit": "0"}, "limit must be a whole number of at least 1"),
    ("/queries/trials", {"limit": "ten"}, "limit must be a whole number"),
    ("/queries/trials", {"offset": "-1"}, "offset must be a whole number of at least 0"),
    ("/queries/indicated-for-disease", {"limit": "1"}, "SELECT queries only"),
])
def test_bad_paging_is_400(client, path, params, message):
    response = client.get(path, params=params)
    assert response.status_code == 400 and message in response.text
