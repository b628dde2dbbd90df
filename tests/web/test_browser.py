"""The researcher's web in headless Chromium (the Debian package, driven by
playwright) against a real server on loopback: the front door, search, a
therapy page, a four-therapy comparison built through the form with its CSV
downloaded, a regimen timeline, a dose; no request leaves 127.0.0.1, no
console error occurs, and axe-core (from npm) finds no serious or critical
accessibility violation. Screenshots at desktop and phone sizes are saved
under test-artifacts/screenshots/ for anyone to look at."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
FOUR = ["blinatumomab", "inotuzumab-ozogamicin", "tisagenlecleucel", "brexucabtagene-autoleucel"]


@pytest.fixture(scope="module")
def browser():
    assert CHROMIUM, "Chromium is needed for the page tests (Debian package chromium)"
    assert AXE.exists(), "axe-core is installed from npm when the package is built (frontend/package.json)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A browser page that records requests leaving the server and console errors."""

    def __init__(self, browser, server: str, size: str = "desktop"):
        self.context = browser.new_context(viewport=SIZES[size], accept_downloads=True)
        self.page: Page = self.context.new_page()
        self.server = server
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", self._request)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _request(self, request) -> None:
        url = request.url
        if not (url.startswith(self.server) or url.startswith("data:") or url.startswith("blob:")):
            self.outside.append(url)

    def check(self, name: str, size: str = "desktop") -> None:
        """No outside request, no console error, no serious accessibility violation; a screenshot."""
        assert self.outside == [], f"{name}: requests left the service: {self.outside}"
        # A 4xx page logs its own status as a console error; only other errors count.
        errors = [e for e in self.errors if "status of 4" not in e]
        assert errors == [], f"{name}: console errors: {errors}"
        self.page.add_script_tag(path=str(AXE))
        violations = self.page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
                                   target: v.nodes[0] && v.nodes[0].target.join(' ')}))""")
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{name}: accessibility violations: {serious}"
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}-{size}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, server):
    made: list[Watched] = []

    def make(size: str = "desktop") -> Watched:
        made.append(Watched(browser, server, size))
        return made[-1]

    yield make
    for w in made:
        w.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_front_door(watched, server, size):
    w = watched(size)
    w.page.goto(server + "/", wait_until="load")
    assert w.page.title().startswith("therapykg")
    assert w.page.locator("a[href='/therapies/blinatumomab']").count() == 1
    w.check("home", size)


def test_search_then_therapy_page(watched, server):
    w = watched()
    w.page.goto(server + "/", wait_until="load")
    w.page.fill("#q", "blincyto")
    w.page.press("#q", "Enter")
    w.page.wait_for_url("**/search?q=blincyto")
    w.check("search")
    w.page.click("main a[href='/therapies/blinatumomab']")
    w.page.wait_for_url("**/therapies/blinatumomab")
    assert "blinatumomab" in w.page.locator("h1").inner_text().lower()
    w.check("therapy")


@pytest.mark.parametrize("size", list(SIZES))
def test_therapy_page(watched, server, size):
    w = watched(size)
    w.page.goto(server + "/therapies/tisagenlecleucel", wait_until="load")
    assert "tisagenlecleucel" in w.page.locator("h1").inner_text().lower()
    w.check("therapy-tisagenlecleucel", size)


def test_compare_through_the_form_and_download_csv(watched, server):
    w = watched()
    w.page.goto(server + "/compare", wait_until="load")
    for therapy in FOUR:
        w.page.check(f"input[name=ids][value='{therapy}']")
    w.page.click("form.panel button[type=submit]")
    w.page.wait_for_selector("table.compare")
    headers = w.page.locator("table.compare thead th").all_inner_texts()
    assert sorted(headers[1:]) == ["blinatumomab", "brexucabtagene autoleucel", "inotuzumab ozogamicin", "tisagenlecleucel"]
    assert w.page.locator("td .not-reported").count() > 0
    w.check("compare")
    with w.page.expect_download() as download:
        w.page.click("a:has-text('CSV')")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert {r["therapy"] for r in rows} == {f"tkgr:{t}" for t in FOUR}


def test_compare_on_a_phone(watched, server):
    w = watched("phone")
    w.page.goto(server + "/compare?ids=" + ",".join(FOUR), wait_until="load")
    # The table scrolls inside its box; the page itself does not scroll sideways.
    assert w.page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    w.check("compare", "phone")


def test_regimen_timeline(watched, server):
    w = watched()
    w.page.goto(server + "/regimens/blina-rr-adult", wait_until="load")
    svg = w.page.locator("figure.timeline svg")
    assert svg.count() == 1 and "28 ug/d" in svg.text_content()
    w.check("timeline")
    response = w.page.goto(server + "/regimens/blina-rr-adult/timeline.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")


@pytest.mark.parametrize("size", list(SIZES))
def test_dose_through_the_form(watched, server, size):
    w = watched(size)
    w.page.goto(server + "/dose", wait_until="load")
    w.page.select_option("#therapy", "blinatumomab")
    w.page.select_option("#setting", "relapsed-refractory")
    w.page.fill("#weight", "70")
    w.page.fill("#cycle", "1")
    w.page.fill("#day", "8")
    w.page.click("form.panel button[type=submit]")
    w.page.wait_for_selector(".answers")
    assert w.page.locator(".answers .amount").all_inner_texts() == ["28 ug/d"] * 3
    w.check("dose", size)


@pytest.mark.parametrize(("path", "name"), [("/conflicts", "conflicts"), ("/sources", "sources"), ("/data", "data"),
                                            ("/no-such-page", "not-found")])
def test_other_pages(watched, server, path, name):
    w = watched()
    response = w.page.goto(server + path, wait_until="load")
    assert response.status == (404 if name == "not-found" else 200)
    w.check(name)
