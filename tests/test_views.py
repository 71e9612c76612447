"""The views of the whole collection (timeline, map, lessons and cases, statistics), from the model, escaped."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from generator.build import build_site, link_content
from generator.charts import MOST_BARS, bar_chart, statistics
from generator.feeds import feed_files
from generator.model import Site
from generator.timeline import PAGE_SIZE, WIDTH, timeline_pages, timeline_places
from generator.views import MATRIX_PAGE_SIZE, matrix_rows, view_pages
from generator.worldmap import country_counts, outlines, world_map
from tests.conftest import FIXTURE_CORPUS, FIXTURE_TODAY, REAL_TODAY, REPO

SVG = "{http://www.w3.org/2000/svg}"
SETTINGS = {"site_url": "https://example.org/casebook/"}
HOSTILE = "<script>alert(1)</script> & \"Co\" 'x' ]]>"


@pytest.fixture(scope="module")
def fixture_model() -> Site:
    return link_content(FIXTURE_CORPUS, SETTINGS, FIXTURE_TODAY)[0]


@pytest.fixture(scope="module")
def real_model() -> Site:
    return link_content(REPO, SETTINGS, REAL_TODAY)[0]


def with_cases(site: Site, count: int) -> Site:
    """Return the site with its first case copied `count` times under new ids, as a larger collection."""
    model = site.cases[0]
    cases = tuple(dataclasses.replace(model, id=f"case-{n:04d}", title=f"Case {n}", start=1950 + n % 70,
                                      end=None if n % 3 else 1950 + n % 70 + n % 9)
                  for n in range(count))
    return dataclasses.replace(site, cases=cases, cases_by_id={case.id: case for case in cases})


def svg_of(markup: str) -> etree._Element:
    """Parse an SVG drawing as XML: it must be well-formed on its own."""
    return etree.fromstring(str(markup).encode("utf-8"))


def test_the_timeline_has_one_linked_bar_per_case(real_model: Site) -> None:
    pages = timeline_pages(real_model)
    bars = [(a.get("href"), a.get("aria-label")) for page in pages for group in page
            for a in svg_of(group.svg).iter(f"{SVG}a")]
    assert len(bars) == len(real_model.cases)
    assert sorted(href.split("/")[-2] for href, _ in bars) == sorted(case.id for case in real_model.cases)
    ongoing = [label for _, label in bars if label.endswith(", ongoing") or ", ongoing," in label]
    assert len(ongoing) == sum(case.end is None for case in real_model.cases)


def test_an_ongoing_case_runs_to_its_review_year_with_an_open_end(fixture_model: Site) -> None:
    (group,) = timeline_pages(fixture_model)[0]
    drawing = svg_of(group.svg)
    links = {a.get("aria-label"): a for a in drawing.iter(f"{SVG}a")}
    ongoing = links["Second Example Channel, 2001–present, ongoing"]
    bar = ongoing.find(f"{SVG}rect[@class='t2-bar t2-bar-ongoing']")
    assert bar is not None
    assert ongoing.find(f"{SVG}path") is not None  # the open end
    ended = links["Example Dialogue, 1990–1995"]
    assert ended.find(f"{SVG}path") is None
    # Drawn to the review year (2026 for this case): the bar reaches the right end of the axis.
    assert float(bar.get("x")) + float(bar.get("width")) == pytest.approx(WIDTH - 12, abs=0.2)


def test_timeline_labels_fit_inside_their_drawing(real_model: Site) -> None:
    """The generous width estimate keeps every label inside the SVG (the browser test measures it too)."""
    for page in timeline_pages(real_model):
        for group in page:
            for text in svg_of(group.svg).iter(f"{SVG}text"):
                if text.get("class") == "t2-bar-label":
                    assert float(text.get("x")) >= 12
                    assert float(text.get("x")) + len(text.text) * 7.4 <= WIDTH - 12 + 0.1, text.text


def test_a_large_timeline_is_split_over_pages_of_at_most_page_size_cases(fixture_model: Site) -> None:
    site = with_cases(fixture_model, 1000)
    pages = timeline_pages(site)
    sizes = [sum(len(group.spans) for group in page) for page in pages]
    assert sum(sizes) == 1000 and max(sizes) == PAGE_SIZE and len(pages) == 10
    assert pages[1][0].continued  # one conflict's cases run on from the page before
    rendered = [url for url, template, _ in view_pages(site) if template == "timeline.md.j2"]
    assert rendered[:3] == ["timeline/", "timeline/page/2/", "timeline/page/3/"]


def test_each_conflict_page_links_to_where_its_cases_begin_on_the_timeline(fixture_model: Site) -> None:
    site = with_cases(fixture_model, 250)
    assert [group.conflict.id for group in timeline_pages(site)[2]] == ["example-conflict"]  # continued there
    assert timeline_places(site) == {"example-conflict": "timeline/#example-conflict"}  # linked where it begins
    conflict_page = build_site(FIXTURE_CORPUS, SETTINGS, FIXTURE_TODAY)[1]["conflicts/example-conflict/index.md"]
    assert '<a href="../../timeline/#example-conflict">These cases on the timeline</a>' in conflict_page


def test_the_matrix_cells_are_the_stances_the_cases_record(real_model: Site) -> None:
    rows = matrix_rows(real_model)
    assert [row.case.id for row in rows] == [case.id for case in real_model.cases]
    for row in rows:
        recorded = {link.lesson: link.stance for link in row.case.lessons}
        assert dict(zip([lesson.id for lesson in real_model.lessons], row.cells, strict=True)) == \
            {lesson.id: recorded.get(lesson.id, "") for lesson in real_model.lessons}
    assert Counter(cell for row in rows for cell in row.cells if cell) == \
        Counter(link.stance for case in real_model.cases for link in case.lessons)


def test_a_large_matrix_is_split_over_pages(fixture_model: Site) -> None:
    pages = [context for _, template, context in view_pages(with_cases(fixture_model, 1000))
             if template == "matrix.md.j2"]
    assert len(pages) == 1000 // MATRIX_PAGE_SIZE
    assert {len(context["rows"]) for context in pages} == {MATRIX_PAGE_SIZE}


def test_the_map_shades_and_links_every_country_with_cases(real_model: Site) -> None:
    countries = country_counts(real_model)
    expected = Counter(code for case in real_model.cases for code in case.countries)
    assert {country.code: len(country.cases) for country in countries} == expected
    drawing = svg_of(world_map(countries))
    links = {a.get("href"): a.get("aria-label") for a in drawing.iter(f"{SVG}a")}
    assert set(links) == {f"#country-{code.lower()}" for code in expected}
    most = max(expected.values())
    top = next(country for country in countries if len(country.cases) == most)
    assert links[f"#country-{top.code.lower()}"] == f"{top.name}: {most} cases"
    assert {country.shade for country in countries if len(country.cases) == most} == {5}
    assert {country.shade for country in countries if len(country.cases) == 1} == {1}


def test_the_simplified_map_is_small() -> None:
    (width, _), shapes = outlines()
    assert width == 1000 and len(shapes) > 200
    assert len(world_map([]).encode("utf-8")) < 40_000


def test_statistics_count_cases_from_the_model(real_model: Site) -> None:
    charts = {chart.id: chart for chart in statistics(real_model)}
    labels = {term.label: term.id for term in real_model.vocabulary["convenor_types"].values()}
    by_type = {labels[bar.label]: bar.count for bar in charts["convenor_types"].bars}
    assert by_type == Counter(kind for case in real_model.cases
                              for kind in {part.convenor.type for part in case.convenors})
    decades = {bar.label: bar.count for bar in charts["decade"].bars}
    assert decades == {f"{d}s": n for d, n in Counter(c.start // 10 * 10 for c in real_model.cases).items()}
    assert sum(bar.count for bar in charts["conflicts"].bars) == len(real_model.cases)
    assert "situation-phase" in charts and "confidentiality-regime" in charts
    for chart in charts.values():
        drawing = svg_of(bar_chart(chart))
        assert len(drawing.findall(f"{SVG}rect")) == min(len(chart.bars), MOST_BARS)
        assert drawing.get("role") == "img" and drawing.find(f"{SVG}title") is not None


def test_hostile_text_reaches_the_drawings_and_feeds_escaped(fixture_model: Site) -> None:
    """The schema refuses `<` in a title; the drawings escape it all the same, as every other text."""
    case = dataclasses.replace(fixture_model.cases[0], title=HOSTILE)
    conflicts = dict(fixture_model.vocabulary["conflicts"])
    conflicts["example-conflict"] = dataclasses.replace(conflicts["example-conflict"], label=HOSTILE)
    site = dataclasses.replace(fixture_model, cases=(case,) + fixture_model.cases[1:],
                               vocabulary={**fixture_model.vocabulary, "conflicts": conflicts})
    drawings = [group.svg for page in timeline_pages(site) for group in page] + \
        [world_map(country_counts(site))] + [bar_chart(chart) for chart in statistics(site)]
    for drawing in drawings:
        assert "<script>" not in str(drawing)
        svg_of(drawing)  # well-formed: nothing broke out of an attribute or an element
    timeline = svg_of(timeline_pages(site)[0][0].svg)
    assert any(HOSTILE in (a.get("aria-label") or "") for a in timeline.iter(f"{SVG}a"))
    feeds = feed_files(site)
    for path, xml in feeds.items():
        assert "<script>" not in xml, path
    for path in ("feed.xml", "conflicts/example-conflict/feed.xml"):  # the lessons' evidence keeps the old case
        root = etree.fromstring(feeds[path].encode("utf-8"))
        titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
        assert HOSTILE in titles, path
    assert f"cases in {HOSTILE}" in titles[0]


def test_rendered_views_are_deterministic(fixture_model: Site) -> None:
    assert view_pages(fixture_model) == view_pages(fixture_model)


@pytest.mark.slow
def test_the_real_views_and_feeds_are_built(real_site: Path) -> None:
    for page in ("timeline", "map", "matrix", "statistics"):
        assert (real_site / page / "index.html").is_file(), page
    assert (real_site / "feed.xml").is_file()
