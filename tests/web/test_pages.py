"""The front door, the data page, the comparison page with its downloads,
the dose calculator and the HTML 404, on the service in this process. The
expected values are the graph's (the same ones the domain tests check)."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from therapykg.compare_output import TIDY_COLUMNS

HTML = {"accept": "text/html"}
FOUR = "blinatumomab,inotuzumab-ozogamicin,tisagenlecleucel,brexucabtagene-autoleucel"


class Page(HTMLParser):
    """The links, ids, headings and text of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.headings: list[str] = []
        self.text: list[str] = []
        self._in_heading = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        self._in_heading = tag in ("h1", "h2", "h3")
        if self._in_heading:
            self.headings.append("")

    def handle_endtag(self, tag):
        if tag in ("h1", "h2", "h3"):
            self._in_heading = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_heading:
            self.headings[-1] += data.strip()


def get(client, url, **headers):
    return client.get(url, headers={**HTML, **headers})


def test_front_door_lists_the_options_by_kind_and_links_everywhere(app_client):
    response = get(app_client, "/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.headings[0].startswith("Compare therapy options")
    for kind in ("Bispecific T-cell engager", "Antibody-drug conjugate", "CAR T-cell therapy", "Chemotherapy regimen"):
        assert kind in page.headings, kind
    for href in ("/therapies/blinatumomab", "/therapies/inotuzumab-ozogamicin", "/therapies/tisagenlecleucel",
                 "/therapies/brexucabtagene-autoleucel", "/therapies/flag-ida", "/therapies/allogeneic-hct",
                 "/dose", "/conflicts", "/sources", "/sparql", "/graphql", "/data", "/queries"):
        assert href in page.links, href
    assert "/therapies/fludarabine" not in page.links  # a drug named only as part of a regimen
    assert "not for clinical decisions" in response.text


def test_every_page_has_the_navigation_and_the_notice(app_client):
    for url in ("/", "/data", "/compare", "/dose", "/no-such-page", "/resource/blinatumomab", "/ontology/Therapy",
                "/sparql", "/graphql"):
        page = Page(get(app_client, url).text)
        assert {"/", "/compare", "/dose", "/conflicts", "/sources", "/sparql", "/graphql", "/data"} <= set(page.links), url
        assert "Research use only." in "".join(page.text), url


def test_data_page_links_every_download_that_exists(app_client):
    page = Page(get(app_client, "/data").text)
    downloads = [href for href in page.links if href.startswith("/download/")]
    assert "/download/therapykg.ttl" in downloads and "/download/therapykg.jsonld" in downloads
    for href in downloads:
        assert app_client.head(href).status_code == 200, href


def test_compare_page_shows_the_four_therapies_with_sources(app_client):
    response = get(app_client, f"/compare?ids={FOUR}")
    assert response.status_code == 200
    page = Page(response.text)
    text = " ".join(page.text)
    assert page.headings[0] == "Compare: blinatumomab, inotuzumab ozogamicin, tisagenlecleucel, brexucabtagene autoleucel"
    assert "80.7 % (95% CI 72.1-87.7) vs 29.4 % (95% CI 21.0-38.8)" in text  # INO-VATE, first 218
    assert "not reported in the sources (reported under a related endpoint: overall remission rate)" in text
    assert "not directly comparable: different trials" in text
    # Every source marker resolves to an item of the sources list, and each item links to the source's page.
    markers = {href for href in page.links if href.startswith("#source-")}
    assert markers and all(m[1:] in page.ids for m in markers)
    assert any(href.startswith("/sources/") for href in page.links)
    assert any(href.startswith("/conflicts#conflict-") for href in page.links)


def test_compare_accepts_the_form_s_repeated_ids_and_limits_scope(app_client):
    joined = get(app_client, "/compare?ids=blinatumomab,tisagenlecleucel&aspect=indications")
    repeated = get(app_client, "/compare?ids=blinatumomab&ids=tisagenlecleucel&aspect=indications")
    assert joined.status_code == repeated.status_code == 200
    assert Page(joined.text).headings[0] == Page(repeated.text).headings[0]
    adults = get(app_client, "/compare?ids=blinatumomab,inotuzumab-ozogamicin&aspect=indications&population=adult").text
    children = get(app_client, "/compare?ids=blinatumomab,inotuzumab-ozogamicin&aspect=indications&population=pediatric").text
    assert "pediatric patients 1 year and older" in children and "pediatric patients 1 year and older" not in adults


@pytest.mark.parametrize(("query", "reason"), [
    ("ids=blinatumomab", "choose between 2 and 8 therapies"),
    ("ids=blinatumomob,tisagenlecleucel", "not a therapy: tkgr:blinatumomob (the closest is blinatumomab)"),
    ("ids=blinatumomab,tisagenlecleucel&setting=elsewhere", "setting 'elsewhere' is not one of"),
    ("ids=blinatumomab,tisagenlecleucel&aspect=taste", "unknown aspect 'taste'"),
    ("ids=" + ",".join(["blinatumomab"] * 3 + [f"t{i}" for i in range(9)]), "choose between 2 and 8 therapies"),
    ("ids=%3Cscript%3Ealert(1)%3C/script%3E,blinatumomab", "is not a valid id"),
])
def test_compare_refuses_wrong_questions_with_the_reason(app_client, query, reason):
    response = get(app_client, "/compare?" + query)
    assert response.status_code == 400
    assert reason in response.text.replace("&#39;", "'")
    assert "<script>alert" not in response.text


def test_compare_downloads_are_the_same_comparison(app_client):
    query = "ids=blinatumomab,tisagenlecleucel&aspect=efficacy"
    tidy = get(app_client, f"/compare.csv?{query}")
    assert tidy.status_code == 200 and tidy.headers["content-type"].startswith("text/csv")
    assert 'filename="therapykg-comparison-blinatumomab-tisagenlecleucel.csv"' in tidy.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(tidy.text)))
    assert list(rows[0]) == TIDY_COLUMNS
    assert {r["therapy"] for r in rows} == {"tkgr:blinatumomab", "tkgr:tisagenlecleucel"}
    eliana = [r for r in rows if r["claim"] == "tkgr:eliana-median-os"]
    assert [(r["row"], r["value"]) for r in eliana] == [("median overall survival", "not reached")]
    data = json.loads(get(app_client, f"/compare.json?{query}").text)
    assert len([v for row in data["rows"] for c in row["cells"] for v in c["values"]]) == len([r for r in rows if r["status"] == "reported"])
    markdown = get(app_client, f"/compare.md?{query}").text
    assert markdown.startswith("| aspect | row | blinatumomab | tisagenlecleucel |")
    cached = get(app_client, f"/compare.csv?{query}")  # from the page cache: the same file, with its name
    assert cached.text == tidy.text and cached.headers["content-disposition"] == tidy.headers["content-disposition"]
    assert get(app_client, "/compare.xls?" + query).status_code == 404
    assert get(app_client, "/compare.csv?ids=blinatumomab").status_code == 400


def test_pages_are_cached_by_graph_version(app_client):
    first = get(app_client, f"/compare?ids={FOUR}")
    etag = first.headers["etag"]
    assert app_client.engine.version in etag
    again = get(app_client, f"/compare?ids={FOUR}", **{"if-none-match": etag})
    assert again.status_code == 304
    before = app_client.engine.executed
    assert get(app_client, f"/compare?ids={FOUR}").text == first.text
    assert app_client.engine.executed == before  # answered from the page cache


def test_dose_calculator_answers_per_source(app_client):
    """Blinatumomab, relapsed/refractory, 70 kg, cycle 1 day 8: 28 ug/d from each of three regimens."""
    response = get(app_client, "/dose?therapy=blinatumomab&setting=relapsed-refractory&weight=70&cycle=1&day=8")
    assert response.status_code == 200
    assert re.findall(r'<div class="amount">([^<]+)', response.text) == ["28 ug/d"] * 3
    assert "/regimens/blina-label-older-rr" in Page(response.text).links


def test_dose_calculator_computes_bsa_from_height(app_client):
    """Inotuzumab cycle 2 day 1 after CR/CRi: 0.5 mg/m2 x 1.82 m2 (170 cm, 70 kg, Mosteller) = 0.91 mg."""
    response = get(app_client, "/dose?therapy=inotuzumab-ozogamicin&setting=relapsed-refractory&weight=70&height=170"
                               "&cycle=2&day=1&response=cr-cri")
    assert response.status_code == 200
    assert re.findall(r'<div class="amount">([^<]+)', response.text)[0] == "0.91 mg"


def test_dose_calculator_says_why_there_is_no_dose(app_client):
    response = get(app_client, "/dose?therapy=blinatumomab&setting=relapsed-refractory&weight=70&cycle=1&day=35")
    assert response.status_code == 200
    assert "No dose" in response.text and "no dose on this day of the cycle" in response.text.lower()


@pytest.mark.parametrize(("query", "reason"), [
    ("therapy=blinatumomab&setting=relapsed-refractory&weight=abc&cycle=1&day=1", "weight 'abc' is not a number"),
    ("therapy=blinatumomab&setting=relapsed-refractory&weight=nan&cycle=1&day=1", "is not a finite number"),
    ("therapy=blinatumomab&setting=relapsed-refractory&weight=900&cycle=1&day=1", "not a plausible body weight"),
    ("therapy=blinatumomab&setting=relapsed-refractory&weight=70&cycle=1.5&day=1", "cycle '1.5' is not a whole number"),
    ("therapy=blinatumomab&setting=moon&weight=70&cycle=1&day=1", "setting 'moon' is not one of"),
    ("therapy=tkgr:trial-tower&setting=relapsed-refractory&weight=70&cycle=1&day=1", "not a therapy"),
    ("setting=relapsed-refractory&weight=70&cycle=1&day=1", "choose a therapy"),
])
def test_dose_calculator_refuses_wrong_input_with_the_reason(app_client, query, reason):
    response = get(app_client, "/dose?" + query)
    assert response.status_code == 400
    assert reason in response.text.replace("&#39;", "'")


def test_unknown_pages_are_html_404s_for_browsers_and_plain_for_software(app_client):
    page = get(app_client, "/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "/search" in page.text and 'name="q"' in page.text
    mistyped = get(app_client, "/therapy/blinatumomob")
    assert mistyped.status_code == 404 and "/therapies/blinatumomab" in Page(mistyped.text).links
    plain = app_client.get("/no-such-page", headers={"accept": "application/json"})
    assert plain.status_code == 404 and plain.headers["content-type"].startswith("text/plain")


def test_favicon_and_stylesheet_are_served(app_client):
    assert app_client.get("/static/favicon.svg").headers["content-type"].startswith("image/svg+xml")
    assert "@media print" in app_client.get("/static/site.css").text


def test_data_view_groups_what_refers_to_a_therapy(app_client):
    """The blinatumomab data view folds its incoming links by property (with counts) and links to the page for people."""
    response = get(app_client, "/resource/blinatumomab")
    assert response.status_code == 200
    assert "/therapies/blinatumomab" in Page(response.text).links
    groups = re.findall(r"<summary>([^<]+) <span class=muted>\((\d+)\)</span></summary>", response.text)
    counts = dict((label.strip(), int(n)) for label, n in groups)
    assert counts["for therapy"] > 100 and sum(counts.values()) > counts["for therapy"]


def test_compare_page_takes_brand_names_in_any_case(app_client):
    """BLINCYTO and kymriah name blinatumomab and tisagenlecleucel (their tkg:brandName), as on the command line."""
    response = get(app_client, "/compare?ids=BLINCYTO,kymriah&aspect=mechanism")
    assert response.status_code == 200
    assert Page(response.text).headings[0] == "Compare: blinatumomab, tisagenlecleucel"
