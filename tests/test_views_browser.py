"""The views of the whole collection in a real Chromium, at desktop width and on a 375 px phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import link_content
from generator.charts import statistics
from generator.views import matrix_rows
from tests.conftest import REAL_TODAY, REPO

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {"desktop": (1280, 900), "phone": (375, 740)}


@pytest.fixture(scope="module")
def model():
    return link_content(REPO, {"site_url": "https://track-two-casebook.github.io/casebook/"}, REAL_TODAY)[0]


@pytest.fixture(scope="module")
def base(real_site: Path, serve) -> str:
    return serve(real_site)


def open_page(browser, base: str, path: str, width: str):
    """Open a page; return it with the console errors and the requests to other hosts it made."""
    viewport_width, height = WIDTHS[width]
    context = browser.new_context(viewport={"width": viewport_width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    external: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("request", lambda request: external.append(request.url)
            if not request.url.startswith(base) and not request.url.startswith("data:") else None)
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    return context, page, errors, external


def test_the_timeline_has_a_link_per_case_and_labels_that_neither_clip_nor_overlap(browser, base: str,
                                                                                    model) -> None:
    context, page, _, _ = open_page(browser, base, "timeline/", "phone")
    assert page.locator("svg.t2-timeline a").count() == len(model.cases)
    names = page.locator("svg.t2-timeline a").evaluate_all("links => links.map(a => a.getAttribute('aria-label'))")
    assert all(name for name in names)
    problems = page.evaluate("""() => {
        const found = [];
        for (const svg of document.querySelectorAll('svg.t2-timeline')) {
            const width = svg.viewBox.baseVal.width;
            const boxes = [...svg.querySelectorAll('text.t2-bar-label')].map(t => [t.textContent, t.getBBox()]);
            for (const [text, box] of boxes) {
                if (box.x < 0 || box.x + box.width > width) found.push('clipped: ' + text);
            }
            for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const [a, b] = [boxes[i][1], boxes[j][1]];
                if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height)
                    found.push('overlap: ' + boxes[i][0] + ' / ' + boxes[j][0]);
            }
        }
        return found;
    }""")
    # Each drawing keeps its width and scrolls sideways inside its box on the phone.
    scrolls = page.locator(".t2-scroll").first.evaluate("box => box.scrollWidth > box.clientWidth")
    page.locator("svg.t2-timeline a").first.click()
    page.wait_for_url("**/cases/**")
    context.close()
    assert problems == []
    assert scrolls


def test_the_map_links_each_country_with_cases_to_its_list(browser, base: str, model) -> None:
    countries = {code for case in model.cases for code in case.countries}
    context, page, _, _ = open_page(browser, base, "map/", "desktop")
    links = page.locator("svg.t2-map a")
    assert links.count() == len(countries)
    assert page.locator(".t2-map-table tbody tr").count() == len(countries)
    link = page.locator('svg.t2-map a[href="#country-us"]')
    label = link.get_attribute("aria-label")
    link.dispatch_event("click")
    page.wait_for_url("**/map/#country-us")
    row = page.locator("#country-us").inner_text()
    context.close()
    us_cases = sum("US" in case.countries for case in model.cases)
    assert label == f"United States: {us_cases} cases"
    assert row.startswith("United States") and f"\t{us_cases}\t" in row


def test_the_matrix_cells_equal_the_stances_of_the_model(browser, base: str, model) -> None:
    context, page, _, _ = open_page(browser, base, "matrix/", "desktop")
    cells = page.locator("table.t2-matrix tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.querySelectorAll('td')].map(td => td.dataset.stance || ''))")
    headers = page.locator("table.t2-matrix thead th[scope=col]").count()
    context.close()
    expected = [list(row.cells) for row in matrix_rows(model)][:50]
    assert cells == expected
    assert headers == len(model.lessons) + 1


def test_statistics_draw_each_chart_with_its_table(browser, base: str, model) -> None:
    charts = statistics(model)
    context, page, _, _ = open_page(browser, base, "statistics/", "phone")
    assert page.locator("svg.t2-chart").count() == len(charts)
    assert page.locator("table.t2-chart-table").count() == len(charts)
    first = page.locator("table.t2-chart-table").first.locator("tbody tr").all_inner_texts()
    context.close()
    assert first == [f"{bar.label}\t{bar.count}" for bar in charts[0].bars]
