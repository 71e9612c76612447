"""The reader's way around the built site, in a real Chromium: the home page's figures, tabs,
breadcrumbs, link names, the 404 page, both colour schemes, print, phones."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build import build_site
from generator.home import collection_counts
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, PREFIX, serve_as_published

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 667}


@pytest.fixture(scope="module")
def base(fixture_site: Path) -> Iterator[str]:
    yield from serve_as_published(fixture_site)


@pytest.fixture(scope="module")
def real_base(real_site: Path) -> Iterator[str]:
    yield from serve_as_published(real_site)


def _open(browser, url: str, viewport: dict[str, int] = DESKTOP, scheme: str = "light"):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    external: list[str] = []
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith("http://127.0.0.1") and not request.url.startswith("data:") else None)
    page.goto(url)
    page.external = external
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_home_shows_the_collection_in_numbers_within_the_first_viewport(browser, base: str, viewport) -> None:
    site = build_site(FIXTURE_CORPUS, None, FIXTURE_TODAY)[0]
    expected = collection_counts(site)
    page = _open(browser, base, viewport)
    for name, count in expected.items():
        figure = page.locator(f'.t2-home-counts [data-count="{name}"]')
        assert figure.inner_text() == f"{count:,}", name
        box = figure.bounding_box()
        assert box is not None and box["y"] + box["height"] <= viewport["height"], (name, box)
    search = page.locator(".t2-home-search input").bounding_box()
    assert search is not None and search["y"] + search["height"] <= viewport["height"]
    assert page.get_by_role("link", name="Cases that began with no official relations").get_attribute(
        "href") == "finder/?relations=none"
    assert not page.external
    page.context.close()


def test_home_search_box_opens_the_search_with_the_query(browser, base: str) -> None:
    page = _open(browser, base)
    page.locator(".t2-home-search input").fill("Example University")
    page.locator(".t2-home-search button").click()
    page.locator('[data-md-component="search-result"] .md-search-result__item').first.wait_for(timeout=15000)
    assert page.locator('input[data-md-component="search-query"]').input_value() == "Example University"
    page.context.close()


@pytest.mark.parametrize(("path", "tab"), [
    ("cases/example-dialogue/", "Cases"), ("lessons/small-groups-build-trust/", "Lessons"),
    ("sources/doe2001workshops/", "Sources"), ("convenors/example-peace-institute/", "Browse"),
    ("conflicts/example-conflict/", "Browse"), ("cases/", "Cases")])
def test_the_right_tab_is_active(browser, base: str, path: str, tab: str) -> None:
    page = _open(browser, base + path)
    active = page.locator(".md-tabs__item--active")
    assert active.count() == 1
    assert active.inner_text().strip() == tab
    assert active.locator("a").get_attribute("aria-current") == "true"
    page.context.close()


def test_the_indexes_under_browse_keep_their_section_in_the_left_column(browser, base: str) -> None:
    page = _open(browser, base + "conflicts/")
    sidebar = page.locator(".md-sidebar--primary")
    assert sidebar.get_attribute("hidden") is None
    assert sidebar.get_by_role("link", name="Convenors", exact=True).is_visible()
    page.context.close()


@pytest.mark.parametrize(("path", "trail"), [
    ("cases/example-dialogue/", [("Cases", "cases/"), ("Example conflict", "conflicts/example-conflict/")]),
    ("lessons/small-groups-build-trust/", [("Lessons", "lessons/"), ("Design of the dialogue", "lessons/#design")]),
    ("convenors/example-peace-institute/", [("Convenors", "convenors/")]),
    ("sources/doe2001workshops/", [("Sources", "sources/")])])
def test_breadcrumb_leads_back_to_the_index(browser, base: str, path: str, trail) -> None:
    page = _open(browser, base + path)
    crumbs = page.locator("nav.t2-breadcrumb a")
    found = [(link.inner_text(), page.evaluate("href => new URL(href, location.href).href",
                                               link.get_attribute("href"))) for link in crumbs.all()]
    assert found == [(label, base + url) for label, url in trail]
    current = page.locator('nav.t2-breadcrumb [aria-current="page"]').inner_text()
    assert current == page.locator("h1").first.inner_text()
    assert page.locator(".md-sidebar--primary").get_attribute("hidden") is not None  # the empty column is gone
    page.context.close()


_LINK_NAMES = """() => [...document.querySelectorAll('a[href]')].filter(a => a.getClientRects().length)
  .map(a => [(a.getAttribute('aria-label') || a.innerText || a.getAttribute('title') || '').trim(), a.href,
             !!a.closest('article')])"""


@pytest.mark.parametrize("path", ["cases/example-dialogue/", "cases/second-example/", "lessons/small-groups-build-trust/",
                                  "sources/doe2001workshops/", "convenors/example-peace-institute/", "glossary/", ""])
def test_every_link_on_a_page_has_a_name_that_says_where_it_goes(browser, base: str, path: str) -> None:
    page = _open(browser, base + path)
    links = page.evaluate(_LINK_NAMES)
    assert links, "no links found"
    assert [href for name, href, _ in links if not name] == []
    # Within the page's own text, one name goes to one place. The tabs, the section's
    # navigation and the table of contents are landmarks of their own: "Conflicts" there
    # may be the index while the glossary's "Conflicts" heading is a section of the page.
    targets: dict[str, set[str]] = {}
    for name, href, in_article in links:
        if in_article:
            targets.setdefault(name.lower(), set()).add(href)
    assert {name: hrefs for name, hrefs in targets.items() if len(hrefs) > 1} == {}
    page.context.close()


def test_404_page_suggests_the_case_of_a_misspelt_address(browser, base: str) -> None:
    page = _open(browser, base + "cases/exmaple-dialouge/")
    suggestion = page.locator("#t2-not-found-suggestion")
    suggestion.locator("a").wait_for(timeout=10000)
    assert suggestion.inner_text() == "Did you mean Example Dialogue?"
    suggestion.locator("a").click()
    page.wait_for_url(base + "cases/example-dialogue/")
    assert page.locator("h1").first.inner_text() == "Example Dialogue"
    page.context.close()


def test_404_page_suggests_nothing_for_an_address_far_from_any_case(browser, base: str) -> None:
    page = _open(browser, base + "cases/zzzzzzzzzzzzzzzz/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#t2-not-found-suggestion").is_hidden()
    assert page.get_by_role("link", name="Lessons").first.get_attribute("href") == PREFIX + "lessons/"
    page.context.close()


def test_a_case_prints_without_the_site_around_it(browser, base: str) -> None:
    from pypdf import PdfReader

    page = _open(browser, base + "cases/example-dialogue/")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(page.pdf())).pages)
    words = " ".join(text.split())
    assert "Example Dialogue" in words and "What happened" in words and "Sources" in words
    for label in ("Cases like mine", "Explore", "Browse", "Search", "Table of contents", "Made with Material",
                  "Source page", "Report an error"):
        assert label not in words, label
    assert words.count("https://example.org/history") == 1  # the reference's address, printed once
    page.context.close()


def test_an_external_link_prints_with_its_full_address(browser, real_base: str) -> None:
    from pypdf import PdfReader

    page = _open(browser, real_base + "cases/cmi-aceh-helsinki/")  # it has links to other records
    href = page.locator(".t2-external a").first.get_attribute("href")
    text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(page.pdf())).pages)
    assert f"<{href}>" in text
    page.context.close()


@pytest.mark.parametrize("path", ["cases/example-dialogue/", "cases/second-example/"])
def test_facts_table_fits_a_phone(browser, base: str, path: str) -> None:
    page = _open(browser, base + path, PHONE)
    for facts in page.locator("dl.t2-facts").all():
        box = facts.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.context.close()
