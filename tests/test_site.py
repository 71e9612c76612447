"""The real site, built strictly: no broken links or anchors, no dead ends, search that works."""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.slow


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])


def parse_site(site: Path) -> dict[str, _Page]:
    pages = {}
    for path in site.rglob("*.html"):
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages["/" + path.relative_to(site).as_posix()] = page
    return pages


def resolve(page_path: str, href: str) -> tuple[str, str] | None:
    """Return (file path, fragment) for an internal link, or None for an external one."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("mailto:"):
        return None
    target = urljoin(page_path, unquote(parts.path)) if parts.path else page_path
    if target.endswith("/"):
        target += "index.html"
    return target, parts.fragment


@pytest.fixture(scope="module")
def pages(real_site: Path) -> dict[str, _Page]:
    return parse_site(real_site)


def test_no_broken_internal_link_or_anchor(pages: dict[str, _Page], real_site: Path) -> None:
    broken = []
    for path, page in pages.items():
        if path == "/404.html":  # links there are absolute, under site_url, by design
            continue
        for href in page.links:
            resolved = resolve(path, href)
            if resolved is None:
                continue
            target, fragment = resolved
            if target not in pages:
                if not (real_site / target.lstrip("/")).exists():
                    broken.append(f"{path} -> {href}")
            elif fragment and fragment not in pages[target].ids:
                broken.append(f"{path} -> {href} (no anchor)")
    assert not broken, "\n".join(broken[:30])


def test_every_page_is_within_three_clicks_of_home(pages: dict[str, _Page]) -> None:
    depth = {"/index.html": 0}
    queue = deque(["/index.html"])
    while queue:
        path = queue.popleft()
        if depth[path] == 3:
            continue
        for href in pages[path].links:
            resolved = resolve(path, href)
            if resolved and resolved[0] in pages and resolved[0] not in depth:
                depth[resolved[0]] = depth[path] + 1
                queue.append(resolved[0])
    content = {p for p in pages if p not in ("/404.html",)}
    unreachable = sorted(content - set(depth))
    assert not unreachable, unreachable[:20]
    assert len(content) > 300


def test_case_pages_cite_and_link_their_sources(real_site: Path) -> None:
    html = (real_site / "cases" / "dartmouth-conference" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Dartmouth Conference</h1>" in html
    assert re.search(r'href="\.\./\.\./convenors/kettering-foundation/"', html)
    assert re.search(r'href="\.\./\.\./lessons/sustained-dialogue-builds-trust/"', html)
    assert re.search(r'href="\.\./\.\./sources/voorhees1998dartmouth/"', html)


@pytest.mark.browser
def test_search_finds_a_real_case_by_its_convenor(browser, real_site: Path, serve) -> None:
    base = serve(real_site)
    page = browser.new_page()
    page.goto(base)
    box = page.locator('input[data-md-component="search-query"]')
    box.click()
    box.press_sequentially("Kettering", delay=30)
    results = page.locator('[data-md-component="search-result"] .md-search-result__item')
    results.first.wait_for(timeout=15000)
    case = results.filter(has=page.locator("h1", has_text="Dartmouth Conference"))
    assert case.count() >= 1, results.all_inner_texts()[:5]
    case.first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/cases/dartmouth-conference/([?#].*)?$"))
    assert page.locator("h1").first.inner_text() == "Dartmouth Conference"
    page.close()
