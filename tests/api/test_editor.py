"""The HTML query editor works offline: headless Chromium loads it from the
service (no CDN) and runs a query in it."""

import shutil

import pytest
from playwright.sync_api import sync_playwright

# Headless Chromium against the live server.
pytestmark = pytest.mark.live

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags from this machine's notes: no background traffic to the closed network.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, driven by playwright."""
    assert CHROMIUM, "Chromium is needed for the editor test (Debian package chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def test_editor_page_runs_a_query(browser, server):
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) and not r.url.startswith("data:") else None)
    page.goto(server + "/sparql", wait_until="load")
    assert page.title() == "therapykg SPARQL endpoint"
    page.wait_for_function("window.therapykgEditor !== undefined")
    page.evaluate("""() => {
        const tab = window.therapykgEditor.getTab();
        tab.setQuery('PREFIX tkg: <https://w3id.org/therapykg/ontology/> SELECT ?id WHERE { ?t a tkg:ClinicalTrial ; tkg:registryId ?id } ORDER BY ?id');
        tab.query();
    }""")
    page.wait_for_selector("text=NCT02013167", timeout=15000)
    table = page.inner_text(".yasr")
    for nct in ("NCT01207388", "NCT01564784", "NCT02003222", "NCT02013167", "NCT02435849", "NCT02614066"):
        assert nct in table
    assert outside == [], f"the editor reached outside the service: {outside}"


def test_editor_is_prefilled_with_library_queries(browser, server):
    page = browser.new_page()
    page.goto(server + "/sparql", wait_until="load")
    page.wait_for_function("window.therapykgEditor !== undefined")
    options = page.eval_on_selector_all("#examples option", "els => els.map(e => e.textContent)")
    assert "Dose on a given day of a given cycle" in options
    first = page.evaluate("() => window.therapykgEditor.getTab().getQuery()")
    assert "SELECT" in first


def test_graphiql_runs_a_query_offline(browser, server):
    page = browser.new_page()
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) and not r.url.startswith("data:") else None)
    page.goto(server + "/graphql", wait_until="load")
    page.wait_for_function("window.therapykgGraphiQLReady === true")
    page.wait_for_selector(".graphiql-execute-button", timeout=15000)
    page.click(".graphiql-execute-button")
    page.wait_for_function("(document.querySelector('.graphiql-response') || {}).innerText.includes('compareTherapies')",
                           timeout=15000)
    response = page.inner_text(".graphiql-response")
    assert '"tkgr:blinatumomab"' in response and '"tkgr:inotuzumab-ozogamicin"' in response
    assert outside == [], f"GraphiQL reached outside the service: {outside}"
