"""The HTML query editor works offline: headless Chromium loads it from the
service (no CDN), completes names, runs queries, shares, reloads and
downloads in it, and every request the page makes goes to the service."""

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from therapykg.namespaces import PREFIXES
from therapykg.store.formats import GRAPH_FORMATS, RESULT_FORMATS

# Headless Chromium against the live server.
pytestmark = pytest.mark.live

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags from this machine's notes: no background traffic to the closed network.
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

SELECT_QUERY = ("SELECT ?therapy ?kind WHERE {\n  VALUES ?therapy { tkgr:blinatumomab }\n"
                "  ?therapy a ?kind .\n} ORDER BY ?kind")
CONSTRUCT_QUERY = "CONSTRUCT { tkgr:blinatumomab ?p ?o } WHERE { tkgr:blinatumomab ?p ?o }"


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium, driven by playwright."""
    assert CHROMIUM, "Chromium is needed for the editor test (Debian package chromium)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@dataclass
class Editor:
    """A page on the editor, and every URL it (and any page opened from it) requested."""

    page: Page
    server: str
    requests: list[str] = field(default_factory=list)

    def open(self, url: str | None = None) -> Page:
        page = self.page.context.new_page() if url else self.page
        page.goto(url or self.server + "/sparql", wait_until="load")
        page.wait_for_function("window.therapykgEditor !== undefined")
        return page

    def set_query(self, text: str, page: Page | None = None) -> None:
        (page or self.page).evaluate("text => { window.therapykgEditor.getTab().setQuery(text); }", text)

    def query(self, page: Page | None = None) -> str:
        return (page or self.page).evaluate("() => window.therapykgEditor.getTab().getQuery()")

    def run(self, text: str) -> None:
        self.set_query(text)
        self.page.evaluate("() => { window.therapykgEditor.getTab().query(); }")

    def type_at_end(self, text: str) -> None:
        self.page.click(".CodeMirror")
        self.page.keyboard.press("Control+End")
        self.page.keyboard.type(text, delay=30)

    def hints(self) -> list[str]:
        self.page.keyboard.press("Control+Space")
        self.page.wait_for_selector(".CodeMirror-hints li", timeout=10000)
        return self.page.eval_on_selector_all(".CodeMirror-hints li",
                                              "els => els.map(e => e.getAttribute('data-text') || e.textContent)")

    def outside(self) -> list[str]:
        def local(url: str) -> bool:
            return (url.startswith(self.server + "/") or url.startswith("data:")
                    or url.startswith("blob:" + self.server + "/"))
        return [u for u in self.requests if not local(u)]


@pytest.fixture
def editor(browser, server):
    """The editor in a fresh browser context (its own localStorage); at the
    end, no request of any of its pages may have left the service."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1300, "height": 1000})
    context.on("request", lambda r: found.requests.append(r.url))
    found = Editor(context.new_page(), server)
    found.open()
    yield found
    context.close()
    assert found.outside() == [], f"the editor reached outside the service: {found.outside()}"


def test_editor_page_runs_a_query(editor):
    assert editor.page.title() == "therapykg SPARQL endpoint"
    editor.run('PREFIX tkg: <https://w3id.org/therapykg/ontology/> '
               'SELECT ?id WHERE { ?t a tkg:ClinicalTrial ; tkg:registryId ?id } ORDER BY ?id')
    editor.page.wait_for_selector("text=NCT02013167", timeout=15000)
    table = editor.page.inner_text(".yasr")
    for nct in ("NCT01207388", "NCT01564784", "NCT02003222", "NCT02013167", "NCT02435849", "NCT02614066"):
        assert nct in table


def test_editor_is_prefilled_with_library_queries(editor):
    options = editor.page.eval_on_selector_all("#examples option", "els => els.map(e => e.textContent)")
    assert "Dose on a given day of a given cycle" in options
    assert "SELECT" in editor.query()


def test_a_prefixed_class_name_is_completed_by_the_service(editor):
    editor.set_query("SELECT * WHERE {\n  ?t a ")
    editor.type_at_end("tkg:Ther")
    hints = editor.hints()
    assert hints[0] == "tkg:Therapy"
    assert "tkg:TherapeuticRole" in hints
    # Each suggestion shows its label.
    assert "therapy" in editor.page.inner_text(".CodeMirror-hints li[data-text='tkg:Therapy'] .tkg-hint-label")
    assert any("/sparql/complete?" in u and "kind=class" in u for u in editor.requests)
    editor.page.keyboard.press("Enter")
    assert editor.query().endswith("?t a tkg:Therapy")


def test_properties_and_resources_are_completed_too(editor):
    editor.set_query("SELECT * WHERE {\n  ?regimen ")
    editor.type_at_end("tkg:hasDoseSt")
    assert "tkg:hasDoseStep" in editor.hints()
    editor.page.keyboard.press("Escape")
    editor.set_query("SELECT * WHERE {\n  ?step tkg:stepDrug ")
    editor.type_at_end("tkgr:blina")
    hints = editor.hints()
    assert hints[0] == "tkgr:blinatumomab"
    assert any("kind=resource" in u for u in editor.requests)


def test_prefix_completion_offers_the_predeclared_prefixes(editor):
    editor.set_query("")
    editor.type_at_end("PREFIX tk")
    hints = editor.hints()
    assert f"tkg: <{PREFIXES['tkg']}>" in hints
    assert f"tkgr: <{PREFIXES['tkgr']}>" in hints


def test_predeclared_prefixes_are_not_marked_undefined(editor):
    editor.set_query("SELECT ?t WHERE { ?t a tkg:Therapy ; rdfs:label ?l ; tkg:hasMechanism tkgr:x }")
    assert editor.page.query_selector(".parseErrorIcon") is None
    assert editor.page.evaluate("() => window.therapykgEditor.getTab().getYasqe().queryValid")
    # An undeclared prefix still is.
    editor.set_query("SELECT ?t WHERE { ?t a foo:Therapy }")
    editor.page.hover(".parseErrorIcon")
    assert "Prefix 'foo' is not defined" in editor.page.inner_text(".yasqe_tooltip")
    # The page lists every predeclared prefix.
    editor.page.click("#prefixes summary")
    listed = editor.page.inner_text("#prefixes table")
    for prefix, namespace in PREFIXES.items():
        assert f"{prefix}:" in listed and namespace in listed


def test_results_show_prefixed_names_labels_and_local_links(editor):
    editor.run(SELECT_QUERY)
    editor.page.wait_for_selector(".yasr .tkg-label", timeout=15000)
    cells = editor.page.eval_on_selector_all(
        ".yasr td a.iri",
        "els => els.map(e => ({text: e.textContent, href: e.getAttribute('href'), target: e.getAttribute('target'),"
        " label: (e.parentNode.querySelector('.tkg-label') || {}).textContent}))")
    blina = next(c for c in cells if c["text"] == "tkgr:blinatumomab")
    assert blina == {"text": "tkgr:blinatumomab", "href": "/resource/blinatumomab", "target": None,
                     "label": "blinatumomab"}
    classes = [c for c in cells if c["text"].startswith("tkg:")]
    assert classes and all(c["href"] == "/ontology/" + c["text"][4:] and c["target"] is None for c in classes)
    ARTIFACTS.mkdir(exist_ok=True)
    editor.page.screenshot(path=str(ARTIFACTS / "sparql-editor.png"), full_page=True)
    # The link opens this service's page in the same tab.
    editor.page.click(".yasr td a.iri >> text=tkgr:blinatumomab")
    editor.page.wait_for_url(editor.server + "/resource/blinatumomab")
    assert len(editor.page.context.pages) == 1


def test_a_share_link_restores_the_query(editor):
    editor.set_query(SELECT_QUERY)
    editor.page.click(".yasqe_share")
    link = editor.page.input_value(".yasqe_sharePopup input")
    assert link.startswith(editor.server + "/sparql#")
    shared = editor.open(link)
    assert editor.query(shared) == SELECT_QUERY
    # And runs it.
    shared.wait_for_selector(".yasr td >> text=tkgr:blinatumomab", timeout=15000)


def test_the_query_and_the_history_survive_a_reload(editor):
    editor.run(SELECT_QUERY)
    editor.page.wait_for_selector(".yasr td >> text=tkgr:blinatumomab", timeout=15000)
    editor.page.reload(wait_until="load")
    editor.page.wait_for_function("window.therapykgEditor !== undefined")
    assert editor.query() == SELECT_QUERY
    # The results are kept too, still linked to this service.
    editor.page.wait_for_selector(".yasr td a.iri[href='/resource/blinatumomab']", timeout=15000)
    editor.page.select_option("#examples", index=1)
    assert editor.query() != SELECT_QUERY
    titles = editor.page.eval_on_selector_all("#history option", "els => els.map(e => e.title)")
    assert SELECT_QUERY in titles
    editor.page.select_option("#history", index=titles.index(SELECT_QUERY))
    assert editor.query() == SELECT_QUERY


def _download_each(editor, formats):
    offered = editor.page.eval_on_selector_all("#download-format option", "els => els.map(e => e.value)")
    assert offered == [f.name for f in formats]
    files = {}
    for fmt in formats:
        editor.page.select_option("#download-format", fmt.name)
        def asked(response, name=fmt.name):
            return (response.url == editor.server + "/sparql" and response.request.method == "POST"
                    and f"format={name}" in (response.request.post_data or ""))
        with editor.page.expect_response(asked) as answer, editor.page.expect_download() as started:
            editor.page.click("#download")
        assert answer.value.status == 200
        assert answer.value.headers["content-type"].split(";")[0] == fmt.media_type
        download = started.value
        files[fmt.name] = (download.suggested_filename, Path(download.path()).read_text(encoding="utf-8"))
    return files


def test_every_result_format_can_be_downloaded(editor):
    editor.set_query(SELECT_QUERY)
    files = _download_each(editor, RESULT_FORMATS)
    assert files["json"][0] == "query-results.json"
    assert json.loads(files["json"][1])["head"]["vars"] == ["therapy", "kind"]
    assert "<sparql" in files["xml"][1] and files["xml"][0] == "query-results.xml"
    assert files["csv"][1].splitlines()[0] == "therapy,kind"
    assert files["tsv"][1].splitlines()[0] == "?therapy\t?kind"
    for _, text in files.values():
        assert "blinatumomab" in text


def test_every_graph_format_can_be_downloaded(editor):
    editor.set_query(CONSTRUCT_QUERY)
    files = _download_each(editor, GRAPH_FORMATS)
    assert files["turtle"][0] == "query-results.ttl"
    assert "tkgr:blinatumomab" in files["turtle"][1] or "<https://w3id.org/therapykg/resource/blinatumomab>" in files["turtle"][1]
    assert files["ntriples"][1].startswith("<https://w3id.org/therapykg/resource/blinatumomab>")
    assert json.loads(files["jsonld"][1])
    assert "rdf:RDF" in files["rdfxml"][1] and files["rdfxml"][0] == "query-results.rdf"


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
