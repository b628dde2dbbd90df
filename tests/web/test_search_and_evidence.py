"""The search, conflicts and sources pages, on the service in this process:
statuses, the content a researcher looks for, escaping, refusals of odd
input, and conditional requests."""

from __future__ import annotations

import re

import pytest

HTML = {"Accept": "text/html"}


def page(client, url: str, **headers):
    return client.get(url, headers={**HTML, **headers})


def test_an_empty_search_offers_examples(app_client):
    response = page(app_client, "/search")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'href="/search?q=NCT02013167"' in response.text
    assert "<h1>Search</h1>" in response.text


def test_search_lists_hits_best_first_with_their_kind(app_client):
    response = page(app_client, "/search?q=blinatumomab")
    assert response.status_code == 200
    hits = re.findall(r'<a class="hit-label" href="([^"]+)">([^<]+)</a> <span class="kind">([^<]+)</span>', response.text)
    assert hits[0] == ("/therapies/blinatumomab", "blinatumomab", "therapy")
    assert len(hits) > 10


def test_search_shows_the_synonym_that_matched(app_client):
    text = page(app_client, "/search?q=Blincyto").text
    first = text[text.index('<ol class="hits">'):].split("</li>", 1)[0]
    assert "/therapies/blinatumomab" in first and "<mark>BLINCYTO</mark>" in first and "brand name" in first
    trial = page(app_client, "/search?q=NCT02013167").text
    assert ">TOWER</a>" in trial and "<mark>NCT02013167</mark>" in trial


def test_search_escapes_the_query(app_client):
    response = page(app_client, "/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


@pytest.mark.parametrize("query", ["x" * 201, "a" * 10_000, "blin%00atumomab", "%1B[31m"])
def test_odd_search_input_is_refused_with_the_reason(app_client, query):
    response = page(app_client, f"/search?q={query}")
    assert response.status_code == 400
    assert "Search text not accepted" in response.text
    assert ("at most 200" in response.text) if len(query) > 200 else ("control" in response.text)


def test_a_repeated_request_is_not_modified(app_client):
    for url in ("/search?q=tower", "/conflicts", "/sources", "/sources/source-article"):
        first = page(app_client, url)
        etag = first.headers["etag"]
        again = page(app_client, url, **{"If-None-Match": etag})
        assert (first.status_code, again.status_code, again.content) == (200, 304, b"")


def test_conflicts_show_every_side_with_its_sources(app_client):
    response = page(app_client, "/conflicts")
    assert response.status_code == 200
    text = response.text
    assert text.count('<article class="conflict"') == 39
    start = text.index('id="conflict-ino-vate-sc-median-os"')
    article = text[start:text.index("</article>", start)]
    assert article.count('<li class="side">') == 3
    assert "6.7 mo" in article and "6.2 mo; 95% CI 4.7-8.3" in article
    assert 'href="/sources/source-besponsa-ie-efficacy"' in article and "Section: Efficacy" in article
    assert "different data cut or analysis population" in article


def test_conflicts_filtered_by_therapy(app_client):
    text = page(app_client, "/conflicts?therapy=tisagenlecleucel").text
    assert 'id="conflict-kymriah-crs-incidence"' in text
    assert 'id="conflict-ino-atc"' not in text
    assert '<option value="tisagenlecleucel" selected>' in text
    none = page(app_client, "/conflicts?therapy=nelarabine")
    assert none.status_code == 200 and "No conflict is recorded about nelarabine" in none.text


@pytest.mark.parametrize(("value", "status"), [("%3Cscript%3E", 400), ("no-such-therapy", 400)])
def test_a_wrong_therapy_filter_is_refused(app_client, value, status):
    response = page(app_client, f"/conflicts?therapy={value}")
    assert response.status_code == status
    assert "<script>" not in response.text


def test_sources_list_each_source_with_its_document_and_label_version(app_client):
    text = page(app_client, "/sources").text
    assert text.count('<tr id="') == 93
    row = text[text.index('<tr id="source-blincyto-label-older-120ty"'):]
    row = row[:row.index("</tr>")]
    assert 'href="https://www.120ty.net"' in row and "BLINCYTO US label, older version" in row
    article = text[text.index('<tr id="source-article"'):]
    article = article[:article.index("</tr>")]
    assert "<details>" in article and "150 statements" in article


def test_one_source_page(app_client):
    response = page(app_client, "/sources/source-pmc6618133")
    assert response.status_code == 200
    assert "INO-VATE ALL final report (PMC6618133)" in response.text
    assert 'href="https://pmc.ncbi.nlm.nih.gov/articles/PMC6618133"' in response.text
    assert "/resource/ino-vate-sc-median-os-final" in response.text
    assert "Efficacy outcome (5)" in response.text


@pytest.mark.parametrize(("path", "status"), [("/sources/source-nothing", 404), ("/sources/%3Cb%3E", 400)])
def test_an_unknown_source_is_an_error_page(app_client, path, status):
    response = page(app_client, path)
    assert response.status_code == status
    assert "<b>" not in response.text.split("<main", 1)[1]


def test_pages_request_nothing_from_outside(app_client):
    for url in ("/search?q=tower", "/conflicts", "/sources", "/sources/source-article"):
        text = page(app_client, url).text
        assert not re.search(r'<(script|img|link|iframe)[^>]+(src|href)="(https?:)?//', text), url
