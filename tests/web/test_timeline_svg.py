"""The regimen timeline as a standalone SVG and as a page, on the service in this process."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

SVG = "{http://www.w3.org/2000/svg}"


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def test_blinatumomab_svg_is_well_formed_with_its_doses(app_client):
    response = app_client.get("/regimens/blina-rr-adult/timeline.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)
    assert root.tag == SVG + "svg" and root.get("role") == "img" and root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert title is not None and "Blinatumomab, relapsed/refractory disease" in (title.text or "")
    assert desc is not None and "days 1-7: 9 ug/d" in (desc.text or "") and "days 29-42: no dose" in (desc.text or "")
    labels = texts(root)
    assert "9 ug/d" in labels and "28 ug/d" in labels
    assert {"Cycle 1", "Cycle 2", "Cycles 3-5"} <= set(labels)
    assert len([r for r in root.iter(SVG + "rect") if r.get("class") == "free"]) == 3  # days 29-42 of each block
    assert response.headers.get("etag")


def test_inotuzumab_svg_labels_each_dose(app_client):
    root = ET.fromstring(app_client.get("/regimens/ino-rr-adult/timeline.svg").content)
    labels = texts(root)
    assert labels.count("0.8 mg/m2") == 2 and labels.count("0.5 mg/m2") == 7  # cycle 1; later cycles, in CR/CRi and not
    assert len([r for r in root.iter(SVG + "rect") if r.get("class") == "dose"]) == 9


def test_car_t_svg_draws_the_lymphodepletion(app_client):
    root = ET.fromstring(app_client.get("/regimens/brexu-dose-all/timeline.svg").content)
    labels = texts(root)
    assert "fludarabine 25 mg/m2" in labels and "cyclophosphamide 900 mg/m2" in labels
    assert "1 \u00d710^6 cells/kg, max 1 \u00d710^8 cells" in labels


def test_regimen_page(app_client):
    response = app_client.get("/regimens/blina-rr-adult", headers={"accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert '<a href="/therapies/blinatumomab">blinatumomab</a>' in page
    assert "relapsed or refractory Ph-negative B-cell precursor ALL" in page and "adults weighing 45 kg or more" in page
    assert '<figure class="timeline">' in page and "<summary>Schedule as a table</summary>" in page
    assert '<table class="data">' in page and "<td>days 8-28</td>" in page and "<td>28 ug/d</td>" in page
    assert 'href="/regimens/blina-rr-adult/timeline.svg"' in page
    assert "/static/web-timeline.css" in page


@pytest.mark.parametrize("path", ["/regimens/no-such-regimen/timeline.svg", "/regimens/no-such-regimen",
                                  "/regimens/blinatumomab/timeline.svg"])
def test_unknown_regimen_is_404(app_client, path):
    response = app_client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert "no dosing regimen" in response.text


@pytest.mark.parametrize("path", ["/regimens/BLINA/timeline.svg", "/regimens/a%20b", "/regimens/x%3E%3Cscript%3E/timeline.svg",
                                  "/regimens/-x"])
def test_malformed_id_is_404_with_a_reason(app_client, path):
    response = app_client.get(path)
    assert response.status_code == 404
    assert "local part of its IRI" in response.text


def test_unknown_regimen_is_an_html_page_for_a_browser(app_client):
    response = app_client.get("/regimens/no-such-regimen", headers={"accept": "text/html"})
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    assert "Regimen not found" in response.text and "tkgr:no-such-regimen" in response.text
