"""The home page's way in: what the collection holds, in numbers, and where to start, by need.

The home page is handwritten (`docs/index.md`: the essay on Track One and
Track Two), but its top part has to follow the content: the counts of cases,
lessons, conflicts and sources, the lessons most backed by cases, the cases
reviewed last. `home_section(site)` renders that part from the linked `Site`,
and the MkDocs hook puts it in place of the `HOME_MARKER` comment of the home
page's Markdown before it is converted. A marker in the handwritten page keeps
the essay editable as plain Markdown and the figures computed, never typed in;
generating the whole home page would move the essay into a template, and a
snippet file would have to be written into the repository by every build.
"""

from __future__ import annotations

from typing import Any

from .model import Case, Lesson, Site
from .render import TEMPLATES, make_environment
from .urls import page_url

HOME_MARKER = "<!-- casebook: home -->"
SHOWN = 3  # lessons, recent cases and featured cases listed on the home page


def collection_counts(site: Site) -> dict[str, int]:
    """Return how many cases, lessons, conflicts (those with a case) and sources the collection holds."""
    return {"cases": len(site.cases), "lessons": len(site.lessons),
            "conflicts": len({case.conflict for case in site.cases}), "sources": len(site.references)}


def _top_lessons(site: Site) -> list[tuple[Lesson, int]]:
    """Return the lessons with the most supporting cases, with that count."""
    counted = [(lesson, sum(1 for e in site.evidence.get(lesson.id, ()) if e.stance == "supports"))
               for lesson in site.lessons]
    counted.sort(key=lambda item: (-item[1], item[0].title.lower()))
    return counted[:SHOWN]


def _recent_cases(site: Site) -> list[Case]:
    """Return the cases reviewed last (newest review date first, then by title)."""
    return sorted(site.cases, key=lambda case: (_negated(case.reviewed), case.title.lower()))[:SHOWN]


def _negated(day: str) -> tuple[int, ...]:
    return tuple(-int(part) for part in day.split("-") if part.isdigit())


def _featured_cases(site: Site) -> list[tuple[Case, int]]:
    """Return the most fully sourced cases: the most works cited, then the most lessons, then by title."""
    counted = [(case, len(site.works_cited.get(("case", case.id), ()))) for case in site.cases]
    counted.sort(key=lambda item: (-item[1], -len(item[0].lessons), item[0].title.lower()))
    return counted[:SHOWN]


def home_context(site: Site) -> dict[str, Any]:
    """Return what the home section shows, computed from the model."""
    return {"counts": collection_counts(site), "top_lessons": _top_lessons(site),
            "recent": _recent_cases(site), "featured": _featured_cases(site),
            # The situation finder takes its choices from the address (finder.js).
            "no_talks_url": page_url("finder") + "?relations=none"}


def home_section(site: Site) -> str:
    """Return the home page's top part as an HTML block for the home page's Markdown."""
    return make_environment(TEMPLATES).get_template("home.md.j2").render(here="", site=site, **home_context(site))


def insert_home_section(markdown: str, section: str) -> str:
    """Return the home page's Markdown with the section in place of its marker (unchanged without one)."""
    return markdown.replace(HOME_MARKER, section, 1)
