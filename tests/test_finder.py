"""The finder ("Cases like mine") and the transfer page's table in a real Chromium, checked against Python.

The site is a synthetic collection whose cases began in varied situations and
carry varied transfer claims (more than the table draws at once), plus one
hostile case whose claim is written as markup. The finder's expectations come
from `generator.similarity` over the same content, the table's from the
site's own `data/transfer.json`: neither from the JSON the pages read.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from generator.build import build_site
from generator.finder import FIRST_ROWS, LIMIT
from generator.similarity import FEATURES, compare, features_of
from tests.bench import make_collection
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, local_tab, mkdocs_build, write_config

pytestmark = pytest.mark.slow

SIZE = 60  # synthetic cases, besides the fixture's two and the hostile one
PHASES = ("talks-stalled", "no-talks", "active-war", "talks-under-way", "unknown")
RELATIONS = ("strained", "none", "normal", "unknown")
KINDS = ("interstate", "intrastate", "internationalised")
GREAT_POWER = ("yes", "no", "unknown")
EVIDENCE = ("participant-account", "official-record", "independent-scholarship", "journalism")
CONFIDENCE = ("contested", "established", "probable", "unknown")
SECOND_CLAIM = """  - what: {what}
    from: the participants
    to: the ministers
    channel: {channel}
    effect: Second claim {number}.
    evidence: {evidence}
    confidence: {confidence}
    sources: [{{key: doe2001workshops}}]
reviewed: 2026-11-25
"""
HOSTILE_CLAIM = """transfer:
  - what: idea
    from: the participants
    to: 'ministers & co "&lt;b&gt;" &amp;'
    channel: indirect
    effect: "<img src=x onerror=alert(1)> was passed on."
    evidence: journalism
    confidence: probable
    sources: [{key: doe2001workshops}]
"""


def vary(root: Path) -> None:
    """Give the synthetic cases different situations, formats and claims (two each), and add the hostile case."""
    for number, path in enumerate(sorted((root / "cases").glob("benchmark-case-*.yml"))):
        text = path.read_text(encoding="utf-8")
        replacements = (
            ("  phase: talks-stalled", f"  phase: {PHASES[number % 5]}"),
            ("  relations: strained", f"  relations: {RELATIONS[number % 4]}"),
            ("  conflict_type: interstate", f"  conflict_type: {KINDS[number % 3]}"),
            ("  great_power_party: yes", f"  great_power_party: {GREAT_POWER[number % 3]}"),
            ("    evidence: participant-account", f"    evidence: {EVIDENCE[number % 4]}"),
            ("    confidence: contested", f"    confidence: {CONFIDENCE[number % 3]}"),
            ("reviewed: 2026-11-25\n", SECOND_CLAIM.format(
                what=("idea", "person", "relationship")[number % 3], channel=("direct", "indirect")[number % 2],
                evidence=EVIDENCE[(number + 1) % 4], confidence=CONFIDENCE[(number + 2) % 4], number=number)),
        )
        for old, new in replacements:
            assert old in text
            text = text.replace(old, new)
        if number % 3 == 0:
            text = text.replace("format: [problem-solving-workshop]", "format: [back-channel]")
        if number % 7 == 0:
            text = text.replace("  - lesson: small-groups-build-trust\n",
                                "  - lesson: small-groups-build-trust\n    stance: complicates\n")
        path.write_text(text, encoding="utf-8")
    hostile = (FIXTURE_CORPUS / "cases" / "second-example.yml").read_text(encoding="utf-8")
    for old, new in (("title: Second Example Channel", "title: Hostile Claim Channel"),
                     ("aliases: [second-example-channel]\n", ""),
                     ("identifiers: {wikidata: Q1, ucdp: 1, pax: [1]}\n", ""),
                     ("transfer: []\n", HOSTILE_CLAIM)):
        assert old in hostile
        hostile = hostile.replace(old, new)
    (root / "cases" / "hostile-claim.yml").write_text(hostile, encoding="utf-8")


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_collection(tmp_path_factory.mktemp("finder") / "content", SIZE)
    vary(root)
    return root


@pytest.fixture(scope="module")
def finder_site(content: Path) -> Path:
    project = write_config(content)
    result = mkdocs_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


@pytest.fixture(scope="module")
def linked(content: Path):
    return build_site(content, None, FIXTURE_TODAY)[0]


@pytest.fixture(scope="module")
def claims(finder_site: Path) -> list[dict]:
    return json.loads((finder_site / "data" / "transfer.json").read_text(encoding="utf-8"))


def closest(site, choice: dict[str, str]) -> list[tuple[str, list[str]]]:
    """The cases the finder should list for a choice, best first, each with the words of its match."""
    wanted = {name: frozenset({value}) for name, value in choice.items()}
    scored = []
    for position, case in enumerate(site.cases):
        score, matches = compare(wanted, features_of(case))
        if score:
            scored.append((-score, position, case, matches))
    scored.sort(key=lambda item: item[:2])
    return [(case.id, [worded(feature, values, site.vocabulary) for feature, values in matches])
            for _, _, case, matches in scored[:LIMIT]]


def worded(feature, values: tuple[str, ...], vocabulary) -> str:
    """How the finder words a matching feature: its phrase for the value, or `label (value's label)`."""
    (value,) = values  # the finder chooses one value per feature
    if feature.phrases and value in feature.phrases:
        return feature.phrases[value]
    return f"{feature.label} ({vocabulary[feature.section][value].label.lower()})"


def lessons_behind(site, ids: list[str]) -> list[str]:
    """The finder's list of lessons behind the cases listed, most supported first."""
    by_id = {case.id: case for case in site.cases}
    counts: dict[str, dict[str, int]] = {}
    for case_id in ids:
        for link in by_id[case_id].lessons:
            counts.setdefault(link.lesson, {"supports": 0, "complicates": 0})[link.stance] += 1
    order = sorted(counts, key=lambda lesson: (-counts[lesson]["supports"], counts[lesson]["complicates"]))
    titles = {lesson.id: lesson.title for lesson in site.lessons}
    return [f"{titles[lesson]}: supported by {counts[lesson]['supports']}"
            + (f", cut against by {counts[lesson]['complicates']}" if counts[lesson]["complicates"] else "")
            + " of these cases" for lesson in order]


@pytest.fixture
def page(browser, finder_site: Path, serve):
    with local_tab(browser, serve(finder_site)) as tab:
        yield tab


def open_finder(page, query: str = "") -> None:
    page.goto(page.base + "finder/" + query)
    page.wait_for_selector("#t2-finder[data-ready]", state="attached")


def open_transfer(page, query: str = "") -> None:
    page.goto(page.base + "transfer/" + query)
    page.wait_for_selector("#t2-filters[data-ready]", state="attached")


def listed(page) -> list[tuple[str, str]]:
    """The cases the finder lists, in order, each with its "why it matches" text."""
    return [(case_id, why) for case_id, why in page.locator("#t2-finder-results > li").evaluate_all(
        "items => items.map(item => [item.dataset.id, item.querySelector('.t2-why').textContent])")]


def rows(page) -> list[tuple[str, int]]:
    """Every claim the table lists, drawing the rest until none is left."""
    more = page.locator("#t2-more")
    while more.is_visible():
        more.click()
    return [(case, int(claim)) for case, claim in page.locator("#t2-explore tbody tr").evaluate_all(
        "rows => rows.map(row => [row.dataset.case, row.dataset.claim])")]


SITUATIONS = (
    {"phase": "talks-stalled"},
    {"phase": "active-war", "relations": "none", "great-power": "no"},
    {"relations": "normal", "conflict-type": "intrastate", "format": "back-channel"},
    {"great-power": "yes", "convenor-type": "academic"},
)


@pytest.mark.browser
@pytest.mark.parametrize("choice", SITUATIONS, ids=lambda choice: "&".join(f"{k}={v}" for k, v in choice.items()))
def test_the_finder_lists_the_cases_similarity_gives_in_python(page, linked, choice: dict[str, str]) -> None:
    want = closest(linked, choice)
    assert want
    open_finder(page)
    for feature in FEATURES:  # chosen in the form, in the form's order
        if feature.name in choice:
            page.locator(f'select[name="{feature.name}"]').select_option(choice[feature.name])
    assert listed(page) == [(case_id, "— matches " + ", ".join(why)) for case_id, why in want]
    shown = len(want)
    assert page.locator("#t2-finder-status").inner_text() == \
        f"The {shown} closest case{'s' if shown > 1 else ''}, best match first."
    assert page.locator("#t2-finder-lessons li").all_inner_texts() == lessons_behind(linked, [i for i, _ in want])
    assert page.locator("#t2-finder-first").is_hidden()


@pytest.mark.browser
def test_a_preset_link_chooses_the_situation_and_the_address_survives_a_reload_and_a_fresh_tab(
        page, browser, linked) -> None:
    choice = {"phase": "no-talks", "relations": "none"}
    open_finder(page, "?phase=no-talks&relations=none")
    assert page.locator('select[name="phase"]').input_value() == "no-talks"
    want = [case_id for case_id, _ in closest(linked, choice)]
    assert [case_id for case_id, _ in listed(page)] == want
    page.locator('select[name="format"]').select_option("back-channel")
    assert urlsplit(page.url).query == "phase=no-talks&relations=none&format=back-channel"
    choice["format"] = "back-channel"
    want = [case_id for case_id, _ in closest(linked, choice)]
    page.reload()
    page.wait_for_selector("#t2-finder[data-ready]", state="attached")
    assert [case_id for case_id, _ in listed(page)] == want
    fresh = browser.new_page()
    fresh.goto(page.url)
    fresh.wait_for_selector("#t2-finder[data-ready]", state="attached")
    assert fresh.locator('select[name="format"]').input_value() == "back-channel"
    assert [case_id for case_id, _ in listed(fresh)] == want
    fresh.close()
    # Starting again empties the address and brings back the first cases of the index.
    page.get_by_role("button", name="Start again").click()
    page.wait_for_url(lambda url: not urlsplit(url).query)
    assert page.locator("#t2-finder-results > li").count() == FIRST_ROWS
    assert page.locator("#t2-finder-first").is_visible() and page.locator("#t2-finder-lessons").is_hidden()


@pytest.mark.browser
def test_the_finder_shows_a_claim_written_as_markup_as_text(page) -> None:
    open_finder(page, "?convenor-type=academic&format=back-channel&phase=talks-stalled&conflict-type=interstate")
    item = page.locator('#t2-finder-results > li[data-id="hostile-claim"]')
    assert 'Idea to ministers & co "&lt;b&gt;" &amp;: journalism, probable' in item.inner_text()
    assert item.locator("b, img").count() == 0


def expected_claims(claims: list[dict], choice: dict[str, str]) -> list[tuple[str, int]]:
    return sorted((c["case"], c["claim"]) for c in claims if all(c[name] == value for name, value in choice.items()))


@pytest.mark.browser
@pytest.mark.parametrize("choice", [{}, {"evidence": "official-record"}, {"confidence": "probable", "what": "idea"},
                                    {"evidence": "journalism", "confidence": "established", "channel": "direct"}],
                         ids=lambda choice: "&".join(f"{k}={v}" for k, v in choice.items()) or "all")
def test_the_transfer_table_lists_the_claims_the_filters_give_over_the_open_data(page, claims,
                                                                                 choice: dict[str, str]) -> None:
    want = expected_claims(claims, choice)
    assert want or choice
    open_transfer(page)
    for name, value in choice.items():
        page.locator(f'select[name="{name}"]').select_option(value)
    found = rows(page)
    assert sorted(found) == want
    assert len(found) == len(set(found))
    noun = "claim" if len(want) == 1 else "claims"
    assert page.locator("#t2-shown").inner_text() == f"{len(want)} {noun}{' match' if choice else ''}."
    assert page.locator("#t2-claims-first").is_hidden()


@pytest.mark.browser
def test_the_transfer_table_draws_a_hundred_claims_at_a_time_and_keeps_its_filters_in_the_address(
        page, browser, claims) -> None:
    assert len(claims) > 100
    open_transfer(page)
    assert page.locator("#t2-explore tbody tr").count() == 100
    assert page.locator("#t2-more").is_visible()
    page.locator('select[name="confidence"]').select_option("contested")
    page.locator('select[name="what"]').select_option("text")
    assert urlsplit(page.url).query == "confidence=contested&what=text"
    want = expected_claims(claims, {"confidence": "contested", "what": "text"})
    fresh = browser.new_page()
    fresh.goto(page.url)
    fresh.wait_for_selector("#t2-filters[data-ready]", state="attached")
    assert fresh.locator('select[name="confidence"]').input_value() == "contested"
    assert sorted(rows(fresh)) == want
    fresh.close()
    hostile = page.locator("#t2-explore")
    page.get_by_role("button", name="Clear all filters").click()
    page.wait_for_url(lambda url: not urlsplit(url).query)
    page.locator('select[name="evidence"]').select_option("journalism")
    page.locator('select[name="what"]').select_option("idea")
    row = hostile.locator('tbody tr[data-case="hostile-claim"]')
    assert row.locator("td").nth(2).inner_text() == 'ministers & co "&lt;b&gt;" &amp;'
    assert row.locator("td").nth(4).inner_text().startswith("<img src=x onerror=alert(1)> was passed on.")
    assert row.locator("b, img").count() == 0


@pytest.mark.browser
def test_without_javascript_both_pages_list_their_first_rows_and_link_to_the_full_lists(browser, finder_site: Path,
                                                                                         serve, claims) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    base = serve(finder_site)
    tab.goto(base + "finder/")
    assert tab.locator("#t2-finder").is_hidden()
    assert tab.locator("#t2-finder-results > li").count() == FIRST_ROWS
    tab.get_by_role("link", name=f"All {SIZE + 3} cases in the index of cases").click()
    tab.wait_for_url("**/cases/")
    tab.goto(base + "transfer/")
    assert tab.locator("#t2-filters").is_hidden()
    assert tab.locator("#t2-explore tbody tr").count() == FIRST_ROWS
    assert tab.locator("#t2-shown").inner_text() == f"{len(claims)} claims."
    assert tab.locator("#t2-claims-first").get_by_role("link", name="transfer.csv").get_attribute("href") == \
        "../data/transfer.csv"
    context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("path", ["finder/", "finder/?phase=active-war&relations=none&great-power=no",
                                  "transfer/", "transfer/?evidence=journalism&what=idea"])
def test_finder_and_transfer_pass_axe(page, path: str, width: int) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": width, "height": 800})
    page.goto(page.base + path)
    page.wait_for_selector("[data-ready]", state="attached")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in Axe().run(page).response["violations"]]
    assert violations == []


def test_the_finder_and_transfer_pages_do_not_grow_with_the_collection(tmp_path: Path) -> None:
    smaller = build_site(make_collection(tmp_path / "smaller", 60), None, FIXTURE_TODAY)[1]
    larger = build_site(make_collection(tmp_path / "larger", 150), None, FIXTURE_TODAY)[1]
    for name in ("finder/index.md", "transfer/index.md"):
        # The same first rows; only the counts (more digits) and the first rows' titles differ.
        assert abs(len(larger[name]) - len(smaller[name])) < 200, name
    assert larger["finder/index.md"].count('<li>\n<a href="../cases/') == FIRST_ROWS
    assert larger["transfer/index.md"].count('<tr>\n<td><a href="../cases/') == FIRST_ROWS
    finder = json.loads(larger["finder/cases.json"])
    assert finder["total"] == len(finder["cases"]) == 152
    assert finder["features"] == [feature.name for feature in FEATURES]
    transfer = json.loads(larger["transfer/claims.json"])
    assert transfer["total"] == len(transfer["claims"]) == 151
