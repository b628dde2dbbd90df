"""The therapy page, GET /therapies/{id}: the profile of a therapy as HTML,
every value with numbered source markers that resolve to the Sources list,
conflict badges that link to the conflict, and a 404 with suggestions."""

from __future__ import annotations

import re

import pytest

HTML = {"Accept": "text/html"}
MAIN = {
    "blinatumomab": ("BLINCYTO", "CD19", "neurological toxicity"),
    "inotuzumab-ozogamicin": ("BESPONSA", "CD22", "sinusoidal obstruction syndrome"),
    "tisagenlecleucel": ("KYMRIAH", "CD19", "cytokine release syndrome"),
    "brexucabtagene-autoleucel": ("TECARTUS", "CD19", "cytokine release syndrome"),
}
SECTIONS = ("overview", "indications", "regimens", "adverse-reactions", "monitoring", "safety", "dose-modification",
            "alternatives", "trials", "sources")


def _page(app_client, local: str) -> str:
    response = app_client.get(f"/therapies/{local}", headers=HTML)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


@pytest.mark.parametrize("local", sorted(MAIN))
def test_the_page_of_each_main_therapy(app_client, local):
    text = _page(app_client, local)
    brand, target, event = MAIN[local]
    assert brand in text and target in text and event in text
    for section in SECTIONS:
        assert f'id="{section}"' in text and f'href="#{section}"' in text, section
    assert f'href="/resource/{local}"' in text
    # Nothing is fetched from elsewhere: stylesheets and scripts are the site's own.
    assert not re.search(r'<(?:link|script|img)[^>]+(?:href|src)="https?:', text)


def test_source_markers_resolve_to_the_sources_list(app_client):
    text = _page(app_client, "blinatumomab")
    markers = set(re.findall(r'<sup class="src"><a href="#src-(\d+)"', text))
    items = set(re.findall(r'<li id="src-(\d+)"', text))
    assert markers and markers == items
    assert items == {str(n) for n in range(1, len(items) + 1)}
    # The article's entry gives its reference numbers and links to the sources page.
    entries = re.findall(r'<li id="src-\d+"[^>]*><span class="value">What are the indications.*?</li>', text, re.DOTALL)
    assert entries and all('href="/sources#source-article"' in e for e in entries)
    assert any("article reference 1" in e and "Section: Critical Monitoring Requirements" in e for e in entries)


def test_a_disputed_value_has_a_badge_linking_to_its_conflict(app_client):
    text = _page(app_client, "blinatumomab")
    badge = re.search(r'<a class="conflict" href="/conflicts#conflict-blina-neuro-incidence"[^>]*>'
                      r'<span class="badge-conflict">disputed</span></a>', text)
    assert badge is not None
    # The other side's value is on the page, in the details after it.
    after = text[badge.end():badge.end() + 4000]
    assert "<details" in after and "about 65% (label)" in after


def test_the_adverse_reaction_table_gives_incidences(app_client):
    text = _page(app_client, "inotuzumab-ozogamicin")
    table = text[text.index('<table class="data adverse">'):]
    table = table[:table.index("</table>")]
    for header in ("Any grade", "Grade ≥ 3", "Serious", "n/N", "Population / trial"):
        assert header in table
    row = re.search(r"<th scope=\"row\">sinusoidal obstruction syndrome.*?</tr>", table, re.DOTALL)
    assert row is not None
    assert "23/164" in table and "INO-VATE ALL" in table


def test_rules_regimens_alternatives_and_compare_links(app_client):
    text = _page(app_client, "blinatumomab")
    assert 'href="/regimens/blina-rr-adult"' in text
    assert "restart at 9 ug/day" in text and "discontinue permanently" in text
    assert 'href="/therapies/tisagenlecleucel"' in text
    assert 'href="/compare?ids=blinatumomab,tisagenlecleucel"' in text
    assert "BLINCYTO US label, current version" in text  # the boxed warning's label version
    assert 'class="badge-unverified"' in text  # RXNORM:1597258


def test_an_unknown_therapy_is_a_404_with_the_closest(app_client):
    response = app_client.get("/therapies/blinatumomob", headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Did you mean" in response.text and 'href="/therapies/blinatumomab"' in response.text


@pytest.mark.parametrize("path", ["/therapies/bad%20id", "/therapies/trial-tower", "/therapies/a/b"])
def test_a_malformed_or_non_therapy_id_is_a_404(app_client, path):
    response = app_client.get(path, headers=HTML)
    assert response.status_code == 404
    assert "Therapy not found" in response.text


def test_the_resource_page_links_to_the_therapy_page(app_client):
    response = app_client.get("/resource/blinatumomab", headers=HTML)
    assert response.status_code == 200
    assert 'href="/therapies/blinatumomab"' in response.text
    trial = app_client.get("/resource/trial-tower", headers=HTML)
    assert trial.status_code == 200 and "/therapies/" not in trial.text


def test_each_regimen_has_its_timeline(app_client):
    pytest.importorskip("therapykg.domain.timeline")
    pytest.importorskip("therapykg.api.web.timeline_svg")
    text = _page(app_client, "blinatumomab")
    regimens = text[text.index('id="regimens"'):text.index('id="adverse-reactions"')]
    # Each regimen's item holds its own figure (the item runs to the next regimen's link).
    items = regimens.split('<a class="title" href="/regimens/')[1:]
    assert len(items) == 10
    for item in items:
        local = item[:item.index('"')]
        assert item.count('<figure class="timeline">') == 1, local
        assert f'href="/regimens/{local}/timeline.svg"' in item, local
