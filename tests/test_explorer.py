"""The explorer and compare pages in a real Chromium, checked against the published open data.

The site is a synthetic collection (the fixture corpus plus varied copies of
its cases, more than one page of results) and one hostile case whose cells
would run as spreadsheet formulas. Every expectation is computed here, in
Python, from the site's own `data/cases.json` and `data/cases.csv`, not from
the explorer's JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from generator.build import build_site
from generator.explorer import FIRST_ROWS
from tests.bench import make_collection
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, local_tab, mkdocs_build, write_config

pytestmark = pytest.mark.slow

SIZE = 60  # synthetic cases, besides the fixture's two and the hostile one: two pages of results
# Made from the fixture's second case: a convenor and another name that a spreadsheet would run as formulas.
HOSTILE_EDITS = (
    ("title: Second Example Channel", "title: Rød-Larsen Back Channel\nalso_known_as: ['@SUM(1+1)']"),
    ("aliases: [second-example-channel]\n", ""),
    ("identifiers: {wikidata: Q1, ucdp: 1, pax: [1]}\n", ""),
    ("  - name: Example University\n", "  - name: '=HYPERLINK(\"https://evil.example/\") Trust'\n"),
    ("  types: [scholars]", "  types: [former-officials]"),
)


def vary(root: Path) -> None:
    """Give the synthetic cases different formats, participants, tracks and stances, and add the hostile case."""
    for number, path in enumerate(sorted((root / "cases").glob("benchmark-case-*.yml"))):
        text = path.read_text(encoding="utf-8")
        if number % 3 == 0:
            text = text.replace("format: [problem-solving-workshop]", "format: [back-channel, problem-solving-workshop]")
        elif number % 3 == 1:
            text = text.replace("format: [problem-solving-workshop]", "format: [back-channel]")
        if number % 4 == 0:
            text = text.replace("types: [scholars, former-officials]", "types: [scholars]")
        if number % 5 == 0:
            text = text.replace('track: "2"', 'track: "1.5"')
        if number % 7 == 0:
            text = text.replace("  - lesson: small-groups-build-trust\n",
                                "  - lesson: small-groups-build-trust\n    stance: complicates\n")
        path.write_text(text, encoding="utf-8")
    hostile = (FIXTURE_CORPUS / "cases" / "second-example.yml").read_text(encoding="utf-8")
    for old, new in HOSTILE_EDITS:
        assert old in hostile
        hostile = hostile.replace(old, new)
    (root / "cases" / "hostile-cell.yml").write_text(hostile, encoding="utf-8")


@pytest.fixture(scope="module")
def explorer_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = make_collection(tmp_path_factory.mktemp("explorer") / "content", SIZE)
    vary(content)
    project = write_config(content)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def records(explorer_site: Path) -> list[dict]:
    return json.loads((explorer_site / "data" / "cases.json").read_text(encoding="utf-8"))


def facet_values(record: dict) -> dict[str, list[str]]:
    """The values a published record has for the facets these tests use, read from its plain fields."""
    return {
        "format": record["formats"],
        "participant": record["participant_types"],
        "convenor-type": [c["type"] for c in record["convenors"]],
        "track": [record["track"]],
        "lesson": [f"{link['stance']}:{link['lesson']}" for link in record["lessons"]],
        "confidentiality": [record["confidentiality"]["regime"]] if record["confidentiality"] else [],
        "great-power": [record["situation"]["great_power_party"]] if record["situation"] else [],
        "funder": [funder["type"] for funder in record["funding"]] if isinstance(record["funding"], list) else [],
    }


def matches(record: dict, choice: dict[str, list[str]], skip: str = "") -> bool:
    values = facet_values(record)
    return all(any(v in values[name] for v in wanted) for name, wanted in choice.items() if wanted and name != skip)


def expected_ids(records: list[dict], choice: dict[str, list[str]]) -> set[str]:
    return {r["id"] for r in records if matches(r, choice)}


def expected_count(records: list[dict], choice: dict[str, list[str]], name: str, value: str) -> int:
    return sum(1 for r in records if matches(r, choice, skip=name) and value in facet_values(r)[name])


@pytest.fixture
def page(browser, explorer_site: Path, serve):
    with local_tab(browser, serve(explorer_site), accept_downloads=True) as tab:
        yield tab


def open_explorer(page, query: str = "") -> None:
    page.goto(page.base + "explore/" + query)
    page.wait_for_selector("#t2-explorer[data-ready]", state="attached")


def tick(page, facet: str, value: str) -> None:
    box = page.locator(f'details[data-facet="{facet}"]')
    if not box.evaluate("node => node.open"):
        box.locator("summary").click()
    box.locator(f'input[value="{value}"]').check()


def page_ids(page) -> list[str]:
    """The cases on the page of results shown."""
    return page.locator("#t2-results li").evaluate_all("items => items.map(item => item.dataset.id)")


def shown_ids(page) -> list[str]:
    """Every case the explorer lists, over all its pages of results."""
    ids = page.locator("#t2-results li").evaluate_all("items => items.map(item => item.dataset.id)")
    while page.get_by_role("button", name="Next page").count() and page.get_by_role("button", name="Next page").is_enabled():
        page.get_by_role("button", name="Next page").click()
        ids += page.locator("#t2-results li").evaluate_all("items => items.map(item => item.dataset.id)")
    while page.get_by_role("button", name="Previous page").count() and page.get_by_role("button", name="Previous page").is_enabled():
        page.get_by_role("button", name="Previous page").click()
    return ids


def count_shown(page, facet: str, value: str) -> int:
    text = page.locator(f'details[data-facet="{facet}"] input[value="{value}"] ~ .t2-facet-count').text_content()
    return int(text.strip("()").replace(",", ""))


@pytest.mark.browser
def test_the_page_itself_lists_a_first_page_of_cases_and_links_to_the_index(browser, explorer_site: Path,
                                                                             serve) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(serve(explorer_site) + "explore/")
    assert tab.locator("#t2-explorer").is_hidden()
    assert tab.locator("#t2-static tbody tr").count() == FIRST_ROWS
    tab.get_by_role("link", name=f"All {SIZE + 3} cases in the index of cases").click()
    tab.wait_for_url("**/cases/")
    context.close()


@pytest.mark.browser
def test_facets_show_the_cases_the_published_data_gives_with_counts_given_the_other_facets(page, records) -> None:
    open_explorer(page)
    assert len(shown_ids(page)) == len(records) == SIZE + 3
    choice = {"format": ["back-channel", "problem-solving-workshop"], "participant": ["former-officials"],
              "track": ["2"]}
    for name, values in choice.items():
        for value in values:
            tick(page, name, value)
    want = expected_ids(records, choice)
    assert 0 < len(want) < len(records)
    assert sorted(shown_ids(page)) == sorted(want)
    assert page.locator("#t2-status").inner_text().startswith(f"{len(want)} case")
    for name in ("format", "participant", "track", "convenor-type", "lesson", "confidentiality", "great-power",
                 "funder"):
        for value in page.locator(f'details[data-facet="{name}"] input').evaluate_all(
                "inputs => inputs.map(input => input.value)"):
            assert count_shown(page, name, value) == expected_count(records, choice, name, value), (name, value)
            box = page.locator(f'details[data-facet="{name}"] input[value="{value}"]')
            assert box.is_disabled() == (expected_count(records, choice, name, value) == 0 and not box.is_checked())
    # The lesson facet tells supporting cases from those that cut against the lesson.
    tick(page, "lesson", "complicates:small-groups-build-trust")
    choice["lesson"] = ["complicates:small-groups-build-trust"]
    assert sorted(shown_ids(page)) == sorted(expected_ids(records, choice))
    assert expected_ids(records, choice) < want


@pytest.mark.browser
def test_words_filter_the_title_other_names_and_summary(page, records) -> None:
    # Material's own search reads `q` from the address; the explorer's words are `text`.
    open_explorer(page, "?text=zedland")
    assert page.locator(".md-search__input").input_value() == ""
    want = {r["id"] for r in records if any("zedland" in name.lower() for name in r["also_known_as"])}
    assert 1 < len(want) < len(records)
    assert sorted(shown_ids(page)) == sorted(want)
    page.locator("#t2-q").fill("rod-larsen")  # accents, and letters such as ø, need not be typed
    expect(page.locator("#t2-results li")).to_have_count(1)
    assert shown_ids(page) == ["hostile-cell"]
    # Content is shown as text, never run as markup.
    assert page.locator('#t2-results li[data-id="hostile-cell"] .t2-aka').inner_text() == \
        "Also known as: @SUM(1+1)"


@pytest.mark.browser
def test_an_old_link_to_a_lesson_chooses_both_stances(page, records) -> None:
    open_explorer(page, "?lesson=small-groups-build-trust")
    for stance in ("supports", "complicates"):
        assert page.locator(f'details[data-facet="lesson"] input[value="{stance}:small-groups-build-trust"]').is_checked()
    assert page.url.count("lesson=") == 2
    assert len(shown_ids(page)) == len(records)


@pytest.mark.browser
def test_the_address_keeps_the_choice_across_a_reload_and_a_fresh_tab(page, browser) -> None:
    open_explorer(page)
    tick(page, "format", "back-channel")
    tick(page, "format", "problem-solving-workshop")
    tick(page, "participant", "scholars")
    page.locator("#t2-q").fill("benchmark")  # every synthetic case: two pages of results
    page.get_by_role("button", name="Next page").click()
    url = page.url
    assert "format=back-channel" in url and "participant=scholars" in url and "text=benchmark" in url
    rows = page_ids(page)
    assert len(rows) == SIZE - 50
    page.reload()
    page.wait_for_selector("#t2-explorer[data-ready]", state="attached")
    assert page_ids(page) == rows
    fresh = browser.new_page()
    fresh.goto(url)
    fresh.wait_for_selector("#t2-explorer[data-ready]", state="attached")
    assert fresh.locator('details[data-facet="format"] input[value="back-channel"]').is_checked()
    assert fresh.locator('details[data-facet="format"] input[value="problem-solving-workshop"]').is_checked()
    assert "Page 2 of 2" in fresh.locator("#t2-pages").inner_text()
    assert fresh.locator('details[data-facet="participant"] input[value="scholars"]').is_checked()
    assert fresh.locator("#t2-q").input_value() == "benchmark"
    assert page_ids(fresh) == rows
    fresh.close()


def gains_of(records: list[dict], choice: dict[str, list[str]]) -> dict[str, int]:
    """The number of cases each facet's choice, dropped, would give."""
    return {name: len(expected_ids(records, {k: v for k, v in choice.items() if k != name})) for name in choice}


@pytest.mark.browser
def test_an_empty_result_names_the_choice_to_drop(page, records) -> None:
    choice = {"track": ["2"], "confidentiality": ["secret"], "format": ["problem-solving-workshop"]}
    assert not expected_ids(records, choice)
    assert len(set(gains_of(records, choice).values())) > 1  # one choice to drop is better than the others
    gains = gains_of(records, choice)
    best = max(gains, key=lambda name: gains[name])
    open_explorer(page, "?" + "&".join(f"{k}={v[0]}" for k, v in choice.items()))
    assert page.locator("#t2-status").inner_text() == "No case matches all of these choices."
    label = page.locator(f'details[data-facet="{best}"] input[value="{choice[best][0]}"] + span').inner_text()
    assert f"gives {gains[best]} case" in page.locator("#t2-suggest").inner_text()
    assert label in page.locator("#t2-suggest").inner_text()
    page.locator("#t2-drop").click()
    del choice[best]
    assert sorted(shown_ids(page)) == sorted(expected_ids(records, choice))


@pytest.mark.browser
def test_compare_shows_the_chosen_cases_side_by_side_with_differences_marked(page) -> None:
    open_explorer(page, "?text=example")
    page.locator('#t2-results li[data-id="example-dialogue"] input.t2-pick').check()
    page.locator('#t2-results li[data-id="second-example"] input.t2-pick').check()
    assert "compare=example-dialogue%2Csecond-example" in page.url
    page.locator("#t2-compare-link").click()
    page.wait_for_url(re.compile(r".*/compare/\?cases=example-dialogue,second-example$"))
    page.wait_for_selector("#t2-compare[data-ready]", state="attached")
    headers = page.locator(".t2-compare-table thead th a")
    assert headers.all_inner_texts() == ["Example Dialogue", "Second Example Channel"]
    track = page.locator(".t2-compare-table tbody tr").filter(has=page.locator("th", has_text=re.compile("^Track")))
    assert "t2-differs" in track.first.get_attribute("class")
    assert track.first.locator("td").all_inner_texts() == ["Track 2 (unofficial)", "Track 1.5 (semi-official)"]
    same = page.locator(".t2-compare-table tbody tr").filter(has=page.locator("th", has_text="Conflict type"))
    assert same.get_attribute("class") == "t2-same"
    lessons = page.locator(".t2-compare-table tbody tr").filter(has=page.locator("th", has_text="Lessons"))
    assert lessons.locator("td").all_inner_texts() == ["Supports: Small groups build trust",
                                                        "Cuts against: Small groups build trust"]
    page.locator("#t2-only-differences").check()
    assert same.is_hidden() and track.first.is_visible()
    headers.nth(1).click()
    page.wait_for_url("**/cases/second-example/")


@pytest.mark.browser
def test_a_case_page_offers_a_comparison(page) -> None:
    page.goto(page.base + "cases/example-dialogue/")
    page.locator(".t2-compare-with").get_by_role("link", name="other cases, chosen in the explorer").click()
    page.wait_for_selector("#t2-explorer[data-ready]", state="attached")
    assert "Chosen to compare: Example Dialogue." in page.locator("#t2-compare-bar").inner_text()
    page.locator("#t2-q").fill("second example")
    page.locator('#t2-results li[data-id="second-example"] input.t2-pick').check()
    page.locator("#t2-compare-link").click()
    page.wait_for_url(re.compile(r".*/compare/\?cases=example-dialogue,second-example$"))


@pytest.mark.browser
def test_downloads_hold_exactly_the_filtered_cases(page, explorer_site: Path, records) -> None:
    choice = {"format": ["back-channel"], "participant": ["former-officials"]}
    open_explorer(page, "?format=back-channel&participant=former-officials")
    want = sorted(expected_ids(records, choice))
    assert "hostile-cell" in want
    with page.expect_download() as download:
        page.locator("#t2-download-csv").click()
    assert download.value.suggested_filename == "casebook-cases.csv"
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    published = list(csv.reader(io.StringIO((explorer_site / "data" / "cases.csv").read_text(encoding="utf-8"))))
    header, rows = published[0], {row[0]: row for row in published[1:]}
    assert list(csv.reader(io.StringIO(text))) == [header] + [rows[i] for i in want]
    hostile = dict(zip(header, rows["hostile-cell"], strict=True))
    assert hostile["convenors"].startswith("'=HYPERLINK(")
    assert hostile["also_known_as"].startswith("'@SUM")
    assert "Rød-Larsen Back Channel" in text
    with page.expect_download() as download:
        page.locator("#t2-download-json").click()
    assert download.value.suggested_filename == "casebook-cases.json"
    by_id = {r["id"]: r for r in records}
    assert json.loads(Path(download.value.path()).read_text(encoding="utf-8")) == [by_id[i] for i in want]


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", ["explore/?format=back-channel&track=1.5&compare=example-dialogue",
                                  "explore/?track=1.5&confidentiality=chatham-house",
                                  "compare/?cases=example-dialogue,second-example,hostile-cell"])
def test_explorer_and_compare_pass_axe(page, path: str, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": width, "height": 800})
    page.goto(page.base + path)
    page.wait_for_selector("[data-ready]", state="attached")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in Axe().run(page).response["violations"]]
    assert violations == []


@pytest.mark.browser
def test_controls_are_large_enough_to_touch_on_a_phone(page) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    open_explorer(page, "?format=back-channel")
    tick(page, "convenor", "benchmark-institute-0")
    page.locator('details[data-facet="convenor"] .t2-facet-more').click()
    controls = page.locator("#t2-explorer summary, #t2-explorer ul.t2-facet-values label, #t2-explorer .t2-pick-label,"
                            " #t2-explorer button, #t2-explorer input[type=search]")
    small = [(c.inner_text()[:30], box["height"]) for c in controls.all() if c.is_visible()
             for box in [c.bounding_box()] if box and box["height"] < 44]
    assert controls.count() > 20
    assert small == []
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375


def test_the_explorer_page_does_not_grow_with_the_collection(tmp_path: Path) -> None:
    small = build_site(FIXTURE_CORPUS, None, FIXTURE_TODAY)[1]
    large = build_site(make_collection(tmp_path / "content", 150), None, FIXTURE_TODAY)[1]
    for name in ("explore/index.md", "compare/index.md"):
        assert len(large[name]) < 2 * len(small[name]) + 4000, name
    assert large["explore/index.md"].count('<tr><td><a href="../cases/') == FIRST_ROWS
    assert sorted(name for name in large if name.startswith("explore/cases-")) == \
        ["explore/cases-1.json", "explore/cases-2.json"]
    index = json.loads(large["explore/index.json"])
    assert [c["id"] for c in index["cases"]] == [case["id"] for part in ("explore/cases-1.json", "explore/cases-2.json")
                                                 for case in json.loads(large[part])]
