"""The cross-linked graph: every link a case declares is answered by a backlink, over the real content."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build import build_site
from generator.link import link_site
from generator.load import load_content
from generator.urls import page_url, pager_of, source_path
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, REAL_TODAY, REPO


def declared_links(case) -> set[tuple[str, str]]:
    """Every page a case file points at, by (kind, id)."""
    links = {("conflicts", case.conflict)}
    links |= {("convenor", part.convenor.slug) for part in case.convenors}
    links |= {("convenor_types", part.convenor.type) for part in case.convenors}
    links |= {("participant_types", t) for t in case.participant_types}
    links |= {("formats", f) for f in case.formats}
    links |= {("outcome_types", o.type) for o in case.outcomes}
    links |= {("source", s.key) for s in case.sources}
    links |= {("lesson", link.lesson) for link in case.lessons}
    return links


@pytest.fixture(scope="module")
def real(real_formatter) -> tuple:
    site, pages, _ = build_site(REPO, None, REAL_TODAY, real_formatter)
    return site, pages


def test_real_content_is_valid_and_large_enough(real) -> None:
    site, _ = real
    assert len(site.cases) >= 30
    assert len({case.conflict for case in site.cases}) >= 10
    assert len(site.lessons) >= 12


def test_every_declared_link_is_answered_by_a_backlink(real) -> None:
    site, pages = real
    for case in site.cases:
        case_link = f'href="../../cases/{case.id}/"'
        for kind, item_id in declared_links(case):
            page = pages[source_path(page_url(kind, item_id))]
            assert case_link in page, f"{kind}/{item_id} does not link back to {case.id}"


def test_every_case_page_links_to_what_it_declares(real) -> None:
    site, pages = real
    for case in site.cases:
        page = pages[source_path(page_url("case", case.id))]
        for kind, item_id in declared_links(case):
            assert f'href="../../{page_url(kind, item_id)}' in page, (case.id, kind, item_id)


RAW = load_content(REPO)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(RAW.cases), min_size=1, max_size=6, unique_by=lambda d: d.path))
def test_backlinks_hold_for_any_subset_of_cases(keep) -> None:
    """Keep any subset of the real cases: the backlink property still holds for them."""
    cited = {ref["key"] for doc in keep for ref in doc.data["sources"]}
    references = {key: ref for key, ref in RAW.references.items() if key in cited}
    site = link_site(replace(RAW, cases=tuple(keep), references=references, problems=()))
    for case in site.cases:
        for kind, item_id in declared_links(case):
            if kind == "lesson":
                assert case in [e.case for e in site.evidence[item_id]]
            else:
                assert case in [m.case for m in site.backlinks[(kind, item_id)]]


def test_adding_a_case_changes_exactly_the_pages_it_touches(tmp_path: Path) -> None:
    before = build_site(FIXTURE_CORPUS, None, FIXTURE_TODAY)[1]
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    new_case = (FIXTURE_CORPUS / "cases" / "second-example.yml").read_text(encoding="utf-8")
    new_case = new_case.replace("Second Example Channel", "Third Example Meeting") \
                       .replace("aliases: [second-example-channel]\n", "") \
                       .replace("  - name: Example Peace Institute\n"
                                "    also_known_as: [EPI, Institut Exemple pour la Paix]\n    type: ngo\n", "") \
                       .replace("period: {start: 2001, end: null}", "period: {start: 2010, end: 2011}") \
                       .replace("lessons:\n  - lesson: small-groups-build-trust\n    stance: complicates\n"
                                "    note: The channel worked with a larger group than the lesson expects.\n",
                                "lessons: []\n")
    (root / "cases" / "third-example.yml").write_text(new_case, encoding="utf-8")
    after = build_site(root, None, FIXTURE_TODAY)[1]
    added = set(after) - set(before)
    # Search's word lists count every word of the collection, so a new case changes them.
    changed = {path for path in before if before[path] != after[path] and not path.startswith("search/words/")}
    assert added == {"cases/third-example/index.md", "cases/third-example/third-example.bib",
                     "cases/third-example/third-example.ris", "cases/third-example/third-example.json",
                     "cases/third-example/third-example-sources.bib", "cases/third-example/third-example-sources.ris"}
    assert changed == {
        "cases/index.md",                         # the list of cases
        "cases/ids.json",                         # the ids the 404 page suggests from
        "data/cases.json", "data/cases.csv",      # the open data
        "explore/index.md",                       # the explorer's count of cases and first rows
        "explore/index.json", "explore/cases-1.json",  # the explorer's data
        "codebook/index.md", "selection/index.md",  # the codebook's counts of cases
        "finder/index.md",                        # the finder's count and first cases
        "finder/cases.json",                      # the finder's data
        "cases/second-example/index.md",          # a new related case (same conflict)
        "cases/example-dialogue/index.md",        # likewise
        "convenors/index.md",                     # Example University's count
        "convenors/example-university/index.md",
        "convenor-types/index.md", "convenor-types/academic/index.md",
        "participants/index.md", "participants/scholars/index.md",
        "formats/index.md", "formats/back-channel/index.md",
        "outcomes/index.md", "outcomes/relationships-built/index.md",
        "conflicts/index.md", "conflicts/example-conflict/index.md",
        "regions/index.md", "regions/europe/index.md",
        "sources/exampleorg2020history/index.md", "sources/doe2001workshops/index.md",
        "timeline/index.md", "matrix/index.md",   # every case is a bar and a row
        "map/index.md", "statistics/index.md",    # the counts of cases
    }


def test_long_lists_are_split_over_pages_that_do_not_grow_with_the_collection(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    from generator import codebook, render
    from generator.render import PAGE_SIZE
    from tests.bench import make_collection

    gathered = []  # what reads every case behind a lesson is done once a lesson, not once a page of it
    monkeypatch.setattr(render, "lesson_transfer", lambda site, lesson: gathered.append(lesson) or
                        codebook.lesson_transfer(site, lesson))
    site, pages, _ = build_site(make_collection(tmp_path / "content", 2 * PAGE_SIZE + 20), None, FIXTURE_TODAY)
    assert sorted(gathered) == sorted(lesson.id for lesson in site.lessons)
    for url in ("conflicts/example-conflict/", "convenor-types/ngo/", "lessons/small-groups-build-trust/",
                "sources/doe2001workshops/"):
        # A lesson's cases that cut against it come on its first page, after the cases that support it.
        listed = [len(re.findall(r'<li><a href="[^"]*cases/', pages[f"{url}{part}index.md"].split("Cases that cut")[0]))
                  for part in ("", "page/2/", "page/3/")]
        assert listed[0] == listed[1] == PAGE_SIZE and 0 < listed[2] <= PAGE_SIZE
        assert f"{url}page/4/index.md" not in pages
        first = pages[f"{url}index.md"]
        assert '<span aria-current="page">1</span> · <a href="page/2/" aria-label="Page 2">2</a> · <a href="page/3/" aria-label="Page 3">3</a>' in first
        third = pages[f"{url}page/3/index.md"]
        assert '<a href="../../" aria-label="Page 1">1</a> · <a href="../2/" aria-label="Page 2">2</a> · <span aria-current="page">3</span>' in third
        assert "kind: index" in third  # continuation pages are left out of search
        assert re.search(r'<a href="\.\./\.\./\.\./\.\./cases/benchmark-case-\d+/">', third)
    lesson = [pages[f"lessons/small-groups-build-trust/{part}index.md"] for part in ("", "page/2/")]
    assert "## Cases that cut against it" in lesson[0] and "## Cases that cut against it" not in lesson[1]
    assert "## Explanation" in lesson[1]  # each page is the whole lesson, with its part of the lists
    from generator.render import INDEX_PAGE_SIZE

    for index, row in (("cases/", "<tr><td><a "), ("sources/", "<li id=")):
        rows = [pages[f"{index}{part}index.md"].count(row) for part in ("", "page/2/")]
        assert rows[0] == INDEX_PAGE_SIZE and 0 < rows[1] <= INDEX_PAGE_SIZE
        assert f"{index}page/3/index.md" not in pages
    assert "t2-pager" not in pages["convenors/benchmark-institute-0/index.md"]  # 5 cases: one page
    assert "convenors/benchmark-institute-0/page/2/index.md" not in pages


def test_a_pager_links_the_ends_and_the_neighbours_of_its_page_whatever_the_length_of_the_list() -> None:
    def numbers(number: int, count: int) -> list[int]:
        return [shown for shown, _ in pager_of("convenor", "x", number, count, 1)["links"]]

    assert numbers(1, 3) == [1, 2, 3]
    assert numbers(3, 3) == [1, 2, 3]
    assert numbers(7, 20) == list(range(1, 21))  # a short list: every page a click from each
    assert numbers(7, 21) == [1, 0, 5, 6, 7, 8, 9, 0, 21]
    assert numbers(1, 200) == [1, 2, 3, 0, 200]
    assert numbers(100, 200) == [1, 0, 98, 99, 100, 101, 102, 0, 200]
    assert numbers(5, 200) == [1, 2, 3, 4, 5, 6, 7, 0, 200]  # no gap stands for a single number
    assert numbers(6, 200) == [1, 0, 4, 5, 6, 7, 8, 0, 200]
    assert numbers(196, 200) == [1, 0, 194, 195, 196, 197, 198, 199, 200]
    assert numbers(200, 200) == [1, 0, 198, 199, 200]
    assert max(len(numbers(n, 200)) for n in range(1, 201)) == max(len(numbers(n, 20_000)) for n in range(1, 20_001))
    links = dict(pager_of("convenor", "x", 100, 200, 4951)["links"])
    assert links[200] == page_url("convenor", "x", 200) and links[1] == page_url("convenor", "x") and links[0] == ""


def test_each_conflict_links_its_ucdp_record_and_the_open_data_carries_it(real) -> None:
    import csv
    import io

    site, pages = real
    conflicts = site.vocabulary["conflicts"]
    with_ids = {term.id: term.identifiers.ucdp for term in conflicts.values() if term.identifiers.ucdp}
    assert len(with_ids) >= 30
    for conflict, ucdp in with_ids.items():
        page = pages[source_path(page_url("conflicts", conflict))]
        assert f'<a href="https://ucdp.uu.se/conflict/{ucdp}">UCDP conflict {ucdp}</a>' in page, conflict
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(pages["data/cases.csv"]))}
    for case in site.cases:
        expected = case.identifiers.ucdp or with_ids.get(case.conflict)
        assert rows[case.id]["conflict_ucdp"] == (str(expected) if expected else ""), case.id
        assert rows[case.id]["pax"] == "; ".join(str(n) for n in case.identifiers.pax), case.id
