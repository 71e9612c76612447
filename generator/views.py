"""The views of the whole collection: timeline, map, lesson × case matrix and statistics.

`view_pages(site)` returns `(url, template, context)` for each of their pages,
which `render.render_pages` renders like any other page. The drawings come
from `timeline`, `worldmap` and `charts`; the matrix is computed here, from
the stance each case records on its link to a lesson. Long views are split
over numbered pages (`…/page/2/`) so that no page grows with the collection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .charts import bar_chart, statistics
from .model import Case, Lesson, Site, Term
from .timeline import timeline_pages
from .urls import page_url, pager_of
from .worldmap import MAP_LICENCE, country_counts, shade_ranges, world_map

MATRIX_PAGE_SIZE = 50  # cases (rows) on one page of the matrix
MAP_LIST_SIZE = 20  # cases listed under one country on the map page; the rest through its region
CELL_WORDS = {"supports": "supports", "complicates": "cuts against"}


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """A case and its stance on each lesson, in the order of the matrix's columns ("" for no link)."""

    case: Case
    cells: tuple[str, ...]


def matrix_rows(site: Site) -> list[MatrixRow]:
    """Return a row per case, with the stance its link to each lesson records, in the order of `site.lessons`."""
    rows = []
    for case in site.cases:
        stances = {link.lesson: link.stance for link in case.lessons}
        rows.append(MatrixRow(case, tuple(stances.get(lesson.id, "") for lesson in site.lessons)))
    return rows


def view_pages(site: Site) -> list[tuple[str, str, dict[str, Any]]]:
    """Return every page of the views as (site-relative URL, template, context)."""
    pages = []
    timeline = timeline_pages(site)
    first = 1
    for number, groups in enumerate(timeline, 1):
        shown = sum(len(group.spans) for group in groups)
        pages.append((page_url("timeline", "", number), "timeline.md.j2",
                      {"groups": groups, "pager": pager_of("timeline", "", number, len(timeline), first),
                       "shown": shown, "total": len(site.cases)}))
        first += shown
    rows = matrix_rows(site)
    parts = [rows[start:start + MATRIX_PAGE_SIZE] for start in range(0, len(rows), MATRIX_PAGE_SIZE)] or [[]]
    for number, part in enumerate(parts, 1):
        pages.append((page_url("matrix", "", number), "matrix.md.j2",
                      {"rows": part, "lessons": site.lessons, "words": CELL_WORDS, "total": len(rows),
                       "pager": pager_of("matrix", "", number, len(parts), (number - 1) * MATRIX_PAGE_SIZE + 1),
                       "counts": _stance_counts(site)}))
    countries = country_counts(site)
    pages.append((page_url("map"), "map.md.j2",
                  {"svg": world_map(countries), "countries": countries, "shades": shade_ranges(countries),
                   "licence": MAP_LICENCE, "list_size": MAP_LIST_SIZE, "regions": _regions_of(site, countries)}))
    charts = statistics(site)
    pages.append((page_url("statistics"), "statistics.md.j2",
                  {"charts": [(chart, bar_chart(chart)) for chart in charts], "total": len(site.cases)}))
    return pages


def _stance_counts(site: Site) -> list[tuple[Lesson, int, int]]:
    """Return each lesson with its number of supporting cases and of cases cutting against it."""
    counts = []
    for lesson in site.lessons:
        stances = [item.stance for item in site.evidence.get(lesson.id, ())]
        counts.append((lesson, stances.count("supports"), len(stances) - stances.count("supports")))
    return counts


def _regions_of(site: Site, countries: list) -> dict[str, tuple[Term, ...]]:
    """Return the regions each country belongs to, by country code."""
    return {country.code: tuple(region for region in site.vocabulary["regions"].values()
                                if country.code in region.countries) for country in countries}
