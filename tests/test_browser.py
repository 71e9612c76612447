"""Browser smoke tests: the built site in a real Chromium, driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEARCH_INPUT = 'input[data-md-component="search-query"]'
SEARCH_RESULT = '[data-md-component="search-result"] .md-search-result__item'


@pytest.fixture
def page(browser, fixture_site: Path, serve):
    base = serve(fixture_site)
    context = browser.new_context()
    tab = context.new_page()
    external: list[str] = []
    tab.on("request", lambda request: external.append(request.url)
           if not request.url.startswith(base) and not request.url.startswith("data:") else None)
    tab.base = base
    yield tab
    context.close()
    assert not external, f"requests to other hosts: {external}"


def search(page, text: str) -> None:
    page.locator(SEARCH_INPUT).click()
    page.locator(SEARCH_INPUT).press_sequentially(text, delay=30)
    page.locator(SEARCH_RESULT).first.wait_for(timeout=15000)


def test_search_finds_a_case_by_its_convenor_and_opens_it(page) -> None:
    page.goto(page.base)
    search(page, "Example University")
    result = page.locator(SEARCH_RESULT).filter(has=page.locator("h1", has_text="Second Example Channel"))
    assert result.count() >= 1, page.locator(SEARCH_RESULT).all_inner_texts()
    result.first.locator("a").first.click()
    page.wait_for_url(re.compile(r".*/cases/second-example/([?#].*)?$"))
    assert page.locator("h1").first.inner_text() == "Second Example Channel"


def test_search_finds_a_lesson_by_a_word_of_its_title(page) -> None:
    page.goto(page.base)
    search(page, "trust")
    titles = page.locator(SEARCH_RESULT).all_inner_texts()
    assert any("Small groups build trust" in t for t in titles), titles


def test_case_page_links_to_its_lesson(page) -> None:
    page.goto(page.base + "cases/example-dialogue/")
    page.get_by_role("link", name="Small groups build trust").click()
    page.wait_for_url("**/lessons/small-groups-build-trust/")
    assert page.locator("h1").first.inner_text() == "Small groups build trust"


def test_citation_can_be_copied_and_downloaded(page) -> None:
    page.goto(page.base + "cases/example-dialogue/")
    bibtex = page.locator("pre.t2-bibtex")
    assert bibtex.locator('button[data-md-type="copy"]').count() == 1
    with page.expect_download() as download:
        page.locator(".t2-cite-case").get_by_role("link", name="RIS").click()
    assert download.value.suggested_filename == "example-dialogue.ris"
    with page.expect_download() as download:
        page.locator(".t2-downloads").get_by_role("link", name="BibTeX").click()
    assert download.value.suggested_filename == "example-dialogue-sources.bib"


def test_finder_ranks_cases_like_the_situation_chosen_and_keeps_it_in_the_address(page) -> None:
    page.goto(page.base + "finder/")
    results = page.locator("#t2-finder-results > li:not([hidden])")
    assert results.count() == 2  # nothing chosen yet: every case
    page.locator('select[name="great-power"]').select_option("yes")
    assert results.count() == 1
    assert results.first.locator("a").first.inner_text() == "Example Dialogue"
    assert "matches a great power among the parties" in results.first.inner_text()
    assert "great-power=yes" in page.url
    # The lessons behind the matches, and the match's transfer claim with its grade.
    lessons = page.locator("#t2-finder-lessons li")
    assert lessons.count() == 1
    assert lessons.first.inner_text() == "Small groups build trust: supported by 1 of these cases"
    assert "participant's account, contested" in results.first.inner_text()
    # Phase outweighs a great-power party, so both cases match and the better one comes first.
    page.goto(page.base + "finder/?phase=talks-stalled&great-power=yes")
    assert page.locator('select[name="phase"]').input_value() == "talks-stalled"
    assert [r.locator("a").first.inner_text() for r in results.all()] == ["Example Dialogue", "Second Example Channel"]
    assert page.locator("#t2-finder-status").inner_text() == "The 2 closest cases, best match first."


def test_transfer_page_filters_claims_by_evidence_and_confidence(page) -> None:
    page.goto(page.base + "transfer/")
    rows = page.locator("#t2-explore tbody tr:not([hidden])")
    assert rows.count() == 1
    page.locator('select[name="confidence"]').select_option("contested")
    assert page.locator("#t2-shown").inner_text() == "1 claim match."
    assert "confidence=contested" in page.url


def test_cite_this_case_names_the_release_and_the_day_the_reader_consulted_it(page, fixture_site: Path) -> None:
    from generator.bibliography import release

    built = (fixture_site / "cases" / "example-dialogue" / "index.html").read_text(encoding="utf-8")
    assert built.count("[the day you consulted it]") == 2  # a placeholder in each style, without JavaScript
    page.goto(page.base + "cases/example-dialogue/")
    today = page.evaluate(
        "new Date().toLocaleDateString('en-US', {year: 'numeric', month: 'long', day: 'numeric'})")
    assert re.fullmatch(r"[A-Z][a-z]+ \d{1,2}, \d{4}", today)
    chicago, apa = (page.locator(".t2-cite-case p").nth(index).inner_text() for index in (0, 1))
    assert f"Version {release()}. Track Two Casebook" in chicago
    assert f"Accessed {today}. https://track-two-casebook.github.io/casebook/cases/example-dialogue/" in chicago
    assert f"Retrieved {today}, from https://track-two-casebook.github.io/casebook/cases/example-dialogue/" in apa
    assert "[the day you consulted it]" not in page.locator(".t2-cite-case").inner_text()
