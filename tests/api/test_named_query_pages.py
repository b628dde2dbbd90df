"""The named queries in a browser: the gallery, a page per query (a form
for its typed parameters, the answer as a table, downloads, permalink), and
clients that ask for a results format still getting exactly that."""

from __future__ import annotations

import html
import json
import re

import pyoxigraph as ox
import pytest
from markupsafe import escape

from therapykg.queries import library, runnable_text

# What a browser sends: it also accepts application/xml, which alone would choose SPARQL XML.
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = "application/sparql-results+json"
TKGR = "https://w3id.org/therapykg/resource/"


def _cells(page: str) -> list[list[str]]:
    """The rows of the answer table, each cell's text without markup."""
    table = re.search(r'<table class="data results">(.*?)</table>', page, re.DOTALL)
    assert table, "no answer table on the page"
    body = table.group(1).split("<tbody>", 1)[1]
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.DOTALL)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)]


def _links(page: str) -> dict[str, str]:
    """Link text -> href, for every link on the page."""
    return {html.unescape(re.sub(r"<[^>]+>", "", text)).strip(): html.unescape(href)
            for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', page, re.DOTALL)}


def test_gallery_lists_every_query_with_its_parameters(app_client):
    response = app_client.get("/queries", headers=BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for query in library().values():
        assert f'<a class="title" href="/queries/{query.name}">{escape(query.title)}</a>' in page, query.name
        for p in query.parameters:
            described = f"<code>?{p.name}</code> ({p.type}"
            if p.default is not None:
                described += f", default <code>{escape(p.default)}</code>"
            assert described in page, (query.name, p.name)
    assert len(re.findall(r'<a class="title" href="/queries/', page)) == len(library())


@pytest.mark.parametrize("headers,params", [({}, {}), ({"Accept": "application/json"}, {}), (BROWSER, {"format": "json"})])
def test_gallery_is_json_for_clients(app_client, headers, params):
    response = app_client.get("/queries", headers=headers, params=params)
    assert response.headers["content-type"].startswith("application/json")
    assert [q["name"] for q in response.json()] == list(library())


def test_query_page_runs_with_defaults_and_links_iris(app_client, graph):
    response = app_client.get("/queries/alternatives-by-target", headers=BROWSER)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    # Known in the graph: of blinatumomab's alternatives, inotuzumab ozogamicin binds CD22.
    expected = {r["alternative"].value for r in graph.select(runnable_text(library()["alternatives-by-target"]))}
    assert expected == {TKGR + "inotuzumab-ozogamicin"}
    rows = _cells(page)
    assert [row[:3] for row in rows] == [["tkgr:blinatumomab", "tkg:CD22", "tkgr:inotuzumab-ozogamicin"]]
    assert '<a href="/resource/inotuzumab-ozogamicin" title="https://w3id.org/therapykg/resource/inotuzumab-ozogamicin">' \
           "tkgr:inotuzumab-ozogamicin</a>" in page
    assert '<a href="/ontology/CD22"' in page
    # The form, prefilled with the defaults, typed.
    assert re.search(r'<input id="param-therapy" name="therapy" value="tkgr:blinatumomab"', page)
    assert re.search(r'<input id="param-target" name="target" value="tkg:CD22"', page)
    # The SPARQL text as it runs, the parameters bound.
    assert "VALUES (?therapy ?target) { (&lt;https://w3id.org/therapykg/resource/blinatumomab&gt; " in page


def test_literals_are_text_and_typed_fields(app_client):
    page = app_client.get("/queries/dose-on-day", params={"weightKg": "60", "cycle": "1", "day": "8"}, headers=BROWSER).text
    rows = _cells(page)
    columns = re.findall(r'<th scope="col">(\w+)</th>', page)
    assert [(row[columns.index("dose")], row[columns.index("unit")]) for row in rows] == [("28", "ug/d")]
    assert '<td class="num">28</td>' in page  # a number, right-aligned, not a link
    assert re.search(r'name="weightKg" value="60"[^>]*inputmode="decimal"', page, re.DOTALL)
    assert re.search(r'name="cycle" value="1"[^>]*inputmode="numeric"', page, re.DOTALL)


def test_compact_ids_and_iris_as_parameters(app_client, graph):
    expected = sorted(r["indication"].value for r in graph.select(
        runnable_text(library()["indications"], {"therapy": "tkgr:inotuzumab-ozogamicin"})))
    assert expected
    for value in ("tkgr:inotuzumab-ozogamicin", TKGR + "inotuzumab-ozogamicin"):
        page = app_client.get("/queries/indications", params={"therapy": value}, headers=BROWSER).text
        columns = re.findall(r'<th scope="col">(\w+)</th>', page)
        shown = sorted(TKGR + row[columns.index("indication")].removeprefix("tkgr:") for row in _cells(page))
        assert sorted(set(shown)) == sorted(set(expected))


def test_ask_query_page(app_client):
    page = app_client.get("/queries/indicated-for-disease", headers=BROWSER).text
    assert "The answer is <strong>false</strong>" in page  # nelarabine is not indicated for B-cell precursor ALL
    page = app_client.get("/queries/indicated-for-disease", params={"therapy": "tkgr:inotuzumab-ozogamicin"}, headers=BROWSER).text
    assert "The answer is <strong>true</strong>" in page


def test_first_visit_asks_for_required_values(app_client):
    response = app_client.get("/queries/dose-on-day", headers=BROWSER)
    assert response.status_code == 200
    assert "Fill in weightKg, cycle, day to run the query." in response.text
    assert '<table class="data results">' not in response.text
    assert re.search(r'name="weightKg" value=""[^>]*required', response.text, re.DOTALL)


def test_empty_fields_take_their_defaults(app_client):
    page = app_client.get("/queries/alternatives-by-target?therapy=&target=", headers=BROWSER).text
    assert [row[2] for row in _cells(page)] == ["tkgr:inotuzumab-ozogamicin"]


@pytest.mark.parametrize(("params", "reason"), [
    ({"weightKg": "heavy", "cycle": "1", "day": "8"}, "parameter 'weightKg': 'heavy' is not a number"),
    ({"weightKg": "60", "cycle": "1.5", "day": "8"}, "parameter 'cycle': '1.5' is not an integer"),
    ({"weightKg": "60", "cycle": "1"}, "needs parameter 'day'"),
    ({"weightKg": "60", "cycle": "1", "day": "8", "dose": "9"}, "has no parameter 'dose'"),
    ({"weightKg": "60", "cycle": "1", "day": "8", "therapy": "not an iri"}, "is not an IRI or a known compact name"),
])
def test_bad_parameters_are_a_400_page(app_client, params, reason):
    response = app_client.get("/queries/dose-on-day", params=params, headers=BROWSER)
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    problem = re.search(r'<p class="problem" role="alert">(.*?)</p>', response.text, re.DOTALL)
    assert problem and reason in html.unescape(problem.group(1))
    assert '<table class="data results">' not in response.text
    # The form keeps what was typed.
    assert f'value="{html.escape(params["weightKg"])}"' in response.text


def test_unknown_query_is_a_404_page(app_client):
    response = app_client.get("/queries/no-such-query", headers=BROWSER)
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")


def test_downloads_and_permalink(app_client):
    page = app_client.get("/queries/dose-on-day", params={"weightKg": "60", "cycle": "1", "day": "8"}, headers=BROWSER).text
    links = _links(page)
    wanted = {"SPARQL JSON": "json", "SPARQL XML": "xml", "CSV": "csv", "TSV": "tsv"}
    media = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml", "csv": "text/csv",
             "tsv": "text/tab-separated-values"}
    for label, name in wanted.items():
        href = links[label]
        assert href.startswith("http://testserver/queries/dose-on-day?") and href.endswith(f"&format={name}")
        assert "weightKg=60" in href and "therapy=tkgr:blinatumomab" in href
        download = app_client.get(href, headers=BROWSER)  # format= wins over a browser's Accept
        assert download.status_code == 200 and download.headers["content-type"].startswith(media[name]), label
    assert "28" in app_client.get(links["CSV"]).text.splitlines()[1].split(",")
    permalink = re.search(r'Permalink: <a href="([^"]+)"', page).group(1)
    assert html.unescape(permalink) == links["CSV"].removesuffix("&format=csv")
    again = app_client.get(html.unescape(permalink), headers=BROWSER)
    assert again.status_code == 200 and _cells(again.text) == _cells(page)


def test_graph_and_boolean_downloads_follow_the_kind_of_result(app_client):
    links = _links(app_client.get("/queries/indicated-for-disease", headers=BROWSER).text)
    assert {"SPARQL JSON", "SPARQL XML", "CSV", "TSV"} <= set(links) and "Turtle" not in links
    assert app_client.get(links["SPARQL JSON"]).json()["boolean"] is False


def test_clients_asking_for_a_format_get_it_unchanged(app_client):
    params = {"weightKg": "60", "cycle": "1", "day": "8"}
    plain = app_client.get("/queries/dose-on-day", params=params, headers={"Accept": JSON})
    assert plain.headers["content-type"].startswith(JSON)
    rows = plain.json()["results"]["bindings"]
    assert [(r["dose"]["value"], r["unit"]["value"]) for r in rows] == [("28", "ug/d")]
    # format= wins over a browser's Accept, as it always did.
    as_csv = app_client.get("/queries/dose-on-day", params={**params, "format": "csv"}, headers=BROWSER)
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text == app_client.get("/queries/dose-on-day", params={**params, "format": "csv"}).text
    # Without text/html, an XML Accept still gets SPARQL XML.
    as_xml = app_client.get("/queries/dose-on-day", params=params, headers={"Accept": "application/xml"})
    assert as_xml.headers["content-type"].startswith("application/sparql-results+xml")
    # Bad parameters stay plain-text 400s for clients.
    refused = app_client.get("/queries/dose-on-day", params={**params, "weightKg": "heavy"}, headers={"Accept": JSON})
    assert refused.status_code == 400 and refused.headers["content-type"].startswith("text/plain")
    assert json.loads(plain.content) == json.loads(app_client.get("/queries/dose-on-day", params=params).content)
    assert ox.parse_query_results(plain.content, format=ox.QueryResultsFormat.JSON) is not None
