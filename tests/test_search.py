"""Search in a real browser: ranking over the real collection, spelling, other names, kinds, safety.

The query set is the contract for ranking: each query is something a reader
types (a convenor, a participant, a place, a conflict, a lesson's words, a
year) with the page that must come among the first three results.
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from pathlib import Path

import pytest
from playwright.sync_api import expect

from generator.search import INDEX_FOLDER, INDEXES_FILE, WORDS_KIND, fold, index_site, spelling_files

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SEARCH_INPUT = 'input[data-md-component="search-query"]'
RESULT_LINKS = '[data-md-component="search-result"] .md-search-result__item > a.md-search-result__link'
STATUS = "[data-t2-search-status]"

# (query, pages any of which must be among the first three results)
QUERY_SET = [
    # convenors and notable participants
    ("Saunders", ["cases/inter-tajik-dialogue/"]),
    ("Hirschfeld", ["cases/oslo-back-channel/"]),
    ("Sant Egidio", ["cases/sant-egidio-mozambique/"]),
    ("Rotblat", ["cases/pugwash-conferences/"]),
    ("Norman Cousins", ["cases/dartmouth-conference/"]),
    ("Kettering", ["cases/dartmouth-conference/", "convenors/kettering-foundation/"]),
    ("Esalen", ["cases/esalen-soviet-american-exchanges/"]),
    ("Alec Reid", ["cases/clonard-monastery-northern-ireland/"]),
    ("Mbeki", ["cases/mells-park-talks/"]),
    ("Consolidated Gold Fields", ["cases/mells-park-talks/"]),
    ("Lutheran World Federation", ["cases/guatemala-oslo-consultations/"]),
    ("Dhlakama", ["cases/sant-egidio-mozambique/"]),
    ("Hasjim Djalal", ["cases/south-china-sea-workshops/"]),
    ("Conciliation Resources", ["convenors/conciliation-resources/"]),
    ("Koo Chen-fu", ["cases/koo-wang-talks/"]),
    ("Wang Daohan", ["cases/koo-wang-talks/"]),
    ("Fafo", ["cases/oslo-back-channel/"]),
    ("Abu Ala", ["cases/oslo-back-channel/"]),
    ("Desmond Ball", ["cases/cscap/"]),
    ("Susan Shirk", ["cases/neacd/"]),
    ("Olof Palme", ["cases/beilin-abu-mazen-understandings/"]),
    ("Abu Mazen", ["cases/beilin-abu-mazen-understandings/"]),
    ("Tahir-Kheli", ["cases/balusa-group/"]),
    ("Abed Rabbo", ["cases/geneva-initiative/"]),
    ("Pickering", ["cases/us-iran-track-two/"]),
    ("Ahtisaari", ["cases/cmi-aceh-helsinki/"]),
    ("Jinnah Institute", ["cases/chaophraya-dialogue/"]),
    ("Henry Dunant Centre", ["cases/hd-centre-aceh/"]),
    ("Kelman", ["cases/kelman-problem-solving-workshops/"]),
    ("Burton", ["cases/burton-controlled-communication/"]),
    # names of efforts
    ("Neemrana", ["cases/neemrana-dialogue/"]),
    ("CSCAP", ["cases/cscap/"]),
    ("NEACD", ["cases/neacd/"]),
    ("ACRS", ["cases/acrs-track-two/"]),
    ("BALUSA", ["cases/balusa-group/"]),
    ("Schlaining", ["cases/schlaining-process/"]),
    ("Wunlit", ["cases/wunlit-people-to-people-peace/"]),
    ("Geneva Initiative", ["cases/geneva-initiative/"]),
    ("Chaophraya", ["cases/chaophraya-dialogue/"]),
    ("Helsinki MoU", ["cases/cmi-aceh-helsinki/"]),
    # places and conflicts
    ("Tajikistan", ["cases/inter-tajik-dialogue/", "conflicts/tajikistan-civil-war/"]),
    ("Belfast", ["cases/clonard-monastery-northern-ireland/", "convenors/clonard-monastery-redemptorists-belfast/"]),
    ("Mindanao", ["cases/mindanao-international-contact-group/", "conflicts/mindanao-conflict/"]),
    ("Transnistria", ["cases/moldova-transdniestria-dialogue/", "conflicts/transnistria/"]),
    ("Abkhaz", ["cases/schlaining-process/", "conflicts/georgia-abkhazia/"]),
    ("Dinka Nuer", ["cases/wunlit-people-to-people-peace/"]),
    ("Konfrontasi", ["cases/burton-controlled-communication/", "conflicts/konfrontasi/"]),
    ("Cyprus", ["cases/cyprus-bicommunal-workshops/", "conflicts/cyprus/"]),
    ("Nagorno-Karabakh", ["cases/nagorno-karabakh-civil-dialogues/", "conflicts/nagorno-karabakh/"]),
    # years
    ("1965 workshop", ["cases/burton-controlled-communication/"]),
    ("Oslo 1993", ["cases/oslo-back-channel/"]),
    # lessons, by the words of their titles and statements
    ("access to decision makers", ["lessons/access-to-decision-makers/"]),
    ("off-the-record", ["lessons/confidentiality-enables-exploration/"]),
    ("funding independence", ["lessons/funding-and-independence/"]),
    ("small groups candour", ["lessons/small-groups/"]),
    ("risks to participants", ["lessons/risks-to-participants/"]),
    ("unofficial drafts reference points", ["lessons/unofficial-texts-as-reference/"]),
    ("repeated meetings over years", ["lessons/sustained-dialogue-builds-trust/"]),
    ("individuals not representatives", ["lessons/personal-capacity/"]),
    # misspellings, one or two edits away
    ("Pugwosh", ["cases/pugwash-conferences/", "convenors/pugwash-conferences-on-science-and-world-affairs/"]),
    ("Dartmoth", ["cases/dartmouth-conference/"]),
    ("Kelmen", ["cases/kelman-problem-solving-workshops/"]),
    ("Ache", ["cases/cmi-aceh-helsinki/", "cases/hd-centre-aceh/", "conflicts/aceh-conflict/"]),
    # stemming
    ("confidentiality", ["lessons/confidentiality-enables-exploration/"]),
]


def open_search(browser, base: str):
    page = browser.new_page()
    page.goto(base)
    page.locator(SEARCH_INPUT).click()
    return page


def ask(page, query: str) -> list[str]:
    """Run a query as a reader does (Material reads the box on keyup); return the result URLs in order."""
    box = page.locator(SEARCH_INPUT)
    box.fill(query)
    box.press("End")
    page.locator(f'{STATUS}[data-query="{query}"]').wait_for(state="attached", timeout=15000)
    return page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")


def _path(url: str, base: str) -> str:
    return url.split("?")[0].split("#")[0].removeprefix(base)


def _query_set_misses(browser, site: Path, serve) -> list[tuple[str, list[str], list[str]]]:
    """Run the query set on `site`; return each query whose pages are not among its first three results."""
    base = serve(site)
    page = open_search(browser, base)
    misses = []
    for query, expected in QUERY_SET:
        found = [_path(url, base) for url in ask(page, query)]
        if not set(found[:3]) & set(expected):
            misses.append((query, expected, found[:5]))
    page.close()
    return misses


def test_each_query_of_the_set_finds_its_page_among_the_first_three(browser, real_site: Path, serve) -> None:
    assert len(QUERY_SET) >= 40
    assert _query_set_misses(browser, real_site, serve) == []


def test_source_pages_rank_below_the_cases_citing_them(browser, real_site: Path, serve) -> None:
    base = serve(real_site)
    page = open_search(browser, base)
    found = [_path(url, base) for url in ask(page, "Waage")]
    page.close()
    assert found[0] == "cases/oslo-back-channel/"
    first_source = next(i for i, path in enumerate(found) if path.startswith("sources/"))
    assert first_source > found.index("cases/oslo-back-channel/")


@pytest.fixture
def search_page(browser, fixture_site: Path, serve):
    base = serve(fixture_site)
    page = open_search(browser, base)
    page.base = base
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    page.close()


def test_a_misspelt_name_is_searched_as_the_nearest_word_and_the_page_says_so(search_page) -> None:
    found = [_path(url, search_page.base) for url in ask(search_page, "Zedlnad")]
    assert found[0] == "cases/example-dialogue/"
    assert "No match for “Zedlnad”; showing results for “zedland”" in search_page.locator(STATUS).inner_text()


def test_other_names_find_the_case_the_convenor_and_the_conflict(search_page) -> None:
    assert _path(ask(search_page, "Zedland Talks")[0], search_page.base) == "cases/example-dialogue/"
    assert "convenors/example-peace-institute/" in [
        _path(url, search_page.base) for url in ask(search_page, "Institut Exemple pour la Paix")][:3]
    assert _path(ask(search_page, "Exampleland")[0], search_page.base) == "conflicts/example-conflict/"


def test_results_can_be_narrowed_to_one_kind_with_counts(search_page) -> None:
    everything = ask(search_page, "example")
    sources_button = search_page.get_by_role("button", name="Sources")
    count = int(sources_button.locator(".t2-count").inner_text())
    sources_button.click()
    expect(search_page.locator(".md-search-result__item")).to_have_count(count)
    found = [_path(url, search_page.base) for url in
             search_page.eval_on_selector_all(RESULT_LINKS, "links => links.map(a => a.href)")]
    assert found and all(path.startswith("sources/") for path in found)
    assert len(found) < len(everything)
    assert sources_button.get_attribute("aria-pressed") == "true"
    kinds = search_page.locator(".md-search-result__item .t2-result-kind").all_inner_texts()
    assert set(kinds) == {"Source"}
    search_page.get_by_role("button", name="All").click()
    expect(search_page.locator(".md-search-result__item")).to_have_count(len(everything))


def test_hostile_text_in_content_is_shown_as_text_in_results(search_page) -> None:
    found = ask(search_page, "onerror")
    assert _path(found[0], search_page.base) == "cases/example-dialogue/"
    results = search_page.locator('[data-md-component="search-result"]')
    assert results.locator("script, img[src=x]").count() == 0
    assert "<img src=x onerror=alert(2)>" in results.inner_text()
    search_page.wait_for_timeout(300)  # time for an injected handler to have fired
    assert search_page.dialogs == []


def test_slash_opens_search_and_the_open_dialog_passes_axe(browser, fixture_site: Path, serve) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page = browser.new_page()
    page.goto(serve(fixture_site) + "cases/example-dialogue/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.matches('[data-md-component=search-query]')")
    page.keyboard.type("workshop")
    page.locator(f'{STATUS}[data-query="workshop"]').wait_for(state="attached", timeout=15000)
    page.keyboard.press("ArrowDown")  # Material moves the focus into the results
    assert page.evaluate("document.activeElement.classList.contains('md-search-result__link')")
    violations = [(v["id"], [n["target"] for n in v["nodes"]][:3])
                  for v in Axe().run(page).response["violations"]]
    page.close()
    assert violations == []


def test_word_lists_hold_every_word_of_the_collection_folded_to_ascii(fixture_site: Path) -> None:
    from generator.build import link_content
    from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY

    site, _ = link_content(FIXTURE_CORPUS, None, FIXTURE_TODAY)
    files = spelling_files(site)
    assert '"zedland":1' in files["search/words/z.json"]
    assert "exampleland" in files["search/words/e.json"]
    assert all(path.startswith("search/words/") and len(Path(path).stem) == 1 for path in files)
    assert fold("Rød-Larsen, Gonçalves") == ("rod", "larsen", "goncalves")
    assert (fixture_site / "search" / "words" / "z.json").read_text(encoding="utf-8") == files["search/words/z.json"]


def test_an_inventory_entry_is_found_by_its_name_and_labelled_as_not_written_up(search_page) -> None:
    found = ask(search_page, "Harbour")
    address = urllib.parse.urlsplit(found[0])
    assert (address.path, address.fragment) == ("/inventory/", "example-harbour-talks")
    first = search_page.locator(".md-search-result__item").first
    assert first.locator("h1").inner_text() == "Example Harbour Talks Not yet written up"
    assert first.locator(".t2-result-kind").inner_text() == "Not yet written up"


def _kind_counts(page) -> dict[str, str]:
    """The counts on the search dialog's kind buttons, by kind ("all" for the first)."""
    buttons = page.locator("[data-t2-search-kinds] button")
    return {button.get_attribute("data-kind") or "all": button.locator(".t2-count").inner_text()
            for button in buttons.all() if button.is_visible()}


def _indexed_in_parts(site: Path, destination: Path, pages_per_index: int) -> Path:
    """Copy a built site to `destination` and index it again in parts of at most `pages_per_index` pages."""
    shutil.copytree(site, destination)
    index_site(destination, pages_per_index=pages_per_index)
    folders = json.loads((destination / INDEXES_FILE).read_text(encoding="utf-8"))
    assert len(folders) >= 3
    counts = [json.loads((destination / folder / "pagefind-entry.json").read_text(encoding="utf-8"))
              ["languages"]["en"]["page_count"] for folder in folders]
    indexed = [path for path in site.rglob("*.html") if b"data-pagefind-body" in path.read_bytes()]
    assert sum(counts) == len(indexed) + len(folders)  # each part's pages, and its page of the words it lacks
    assert max(counts) <= pages_per_index + 1
    assert sorted(path.name for path in destination.iterdir() if INDEX_FOLDER in path.name) == \
        sorted(folder.rstrip("/") for folder in folders)  # no scratch folder is left behind
    return destination


_COMPARED_QUERIES = ("Exampleland", "workshop", "Müller", "Jörg Müller", "example dialogue", "Zedlnad")


def _answers(browser, serve, site: Path) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Run _COMPARED_QUERIES on `site`; return each query's result paths in order, and its counts by kind."""
    base = serve(site)
    page = open_search(browser, base)
    answers = {query: ([_path(url, base) for url in ask(page, query)], _kind_counts(page))
               for query in _COMPARED_QUERIES}
    page.close()
    return answers


def test_the_index_fed_page_by_page_answers_as_pagefind_run_over_the_site(browser, fixture_site: Path, serve,
                                                                         tmp_path: Path) -> None:
    """The build gives Pagefind each page as it is finished; Pagefind reading the built folder must agree.

    Pages of equal score come in the order they were indexed, which differs
    (MkDocs' order against the folder's), so beyond the best result the
    pages are compared as sets.
    """
    shutil.copytree(fixture_site, tmp_path / "whole")
    index_site(tmp_path / "whole")
    fed, whole = _answers(browser, serve, fixture_site), _answers(browser, serve, tmp_path / "whole")
    assert {query: (found[:1], sorted(found), counts) for query, (found, counts) in fed.items()} == \
        {query: (found[:1], sorted(found), counts) for query, (found, counts) in whole.items()}
    assert sum(int(counts["all"]) for _, counts in fed.values()) >= 20


def test_a_site_indexed_in_parts_answers_as_one_index(browser, fixture_site: Path, serve, tmp_path: Path) -> None:
    """Each part knows every word: a word some parts lack must not bring in their loose partial matches."""
    parted = _indexed_in_parts(fixture_site, tmp_path / "parted", pages_per_index=7)
    answers = {site: {query: (sorted(found), counts) for query, (found, counts) in _answers(browser, serve, site).items()}
               for site in (fixture_site, parted)}
    # The same counts by kind, and the same pages where the dialog shows them all (its first 10):
    # beyond those, each part weighs a word by its own pages, so the order of the best may differ.
    assert {query: counts for query, (_, counts) in answers[parted].items()} == \
        {query: counts for query, (_, counts) in answers[fixture_site].items()}
    compared = [query for query, (_, counts) in answers[fixture_site].items() if int(counts["all"]) <= 10]
    assert len(compared) >= 4
    assert {query: answers[parted][query][0] for query in compared} == \
        {query: answers[fixture_site][query][0] for query in compared}
    assert not any("search/words" in path for found, _ in answers[parted].values() for path in found)
    assert WORDS_KIND not in {kind for _, counts in answers[parted].values() for kind in counts}


def test_the_query_set_holds_for_the_real_site_indexed_in_parts(browser, real_site: Path, serve,
                                                                tmp_path: Path) -> None:
    parted = _indexed_in_parts(real_site, tmp_path / "parted", pages_per_index=500)
    assert _query_set_misses(browser, parted, serve) == []
