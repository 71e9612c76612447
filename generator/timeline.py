"""The timeline: every case as a bar over its years, one SVG per conflict, drawn at build time.

`timeline_pages(site)` returns the pages of the timeline, each a list of
`Group`s (a conflict and its cases, by the year each began) with its SVG;
`timeline_places(site)` says where each conflict's group is, for its page. All
groups share one axis, from the decade of the earliest start to the latest
year drawn, so bars compare across groups. A case still going on (`end:
null`) is drawn up to the year of its review and left open at its end; a
case with approximate years is drawn with a dashed outline and its years
begin with "c.". Each row, label and bar, is a link to its case with an accessible name. The
codebook records no dates of official talks or agreements, so the timeline
shows none. A page holds at most `PAGE_SIZE` cases: groups are packed onto
numbered pages in order, and a conflict with more cases continues on the next.
Every text is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from .model import Case, Site, Term
from .urls import page_url, relative

PAGE_SIZE = 100  # bars on one page of the timeline
WIDTH = 720  # px; the SVG scrolls sideways inside its box on a narrow screen
PAD = 12
ROW = 36  # px per case: its label, then its bar
AXIS = 24  # px above the first row for the decades
LABEL_SIZE = 13
CHAR_WIDTH = 7.4  # px per character of a 13 px sans-serif label, a generous estimate


@dataclass(frozen=True, slots=True)
class Span:
    """The years a case's bar covers."""

    case: Case
    first: int
    last: int  # the end year, or the review year for a case still going on
    ongoing: bool

    @property
    def name(self) -> str:
        """Return the accessible name of the bar: the case, its years, and whether it goes on."""
        state = ", ongoing" if self.ongoing else ""
        approximate = ", years approximate" if self.case.approximate else ""
        return f"{self.case.title}, {self.case.period}{state}{approximate}"


@dataclass(frozen=True, slots=True)
class Group:
    """One conflict's cases on one page of the timeline, with the drawing of their bars."""

    conflict: Term
    spans: tuple[Span, ...]
    continued: bool  # the conflict's earlier cases are on the page before
    svg: Markup


def spans_of(site: Site) -> list[Span]:
    """Return every case's span, in the order of the site's cases (by the year each began)."""
    return [Span(case, case.start, case.end if case.end is not None else max(case.start, int(case.reviewed[:4])),
                 case.end is None) for case in site.cases]


def timeline_pages(site: Site) -> list[list[Group]]:
    """Return the timeline's pages, each a list of groups of at most `PAGE_SIZE` cases in all."""
    spans = spans_of(site)
    if not spans:
        return [[]]
    first = min(span.first for span in spans) // 10 * 10
    last = max(span.last for span in spans) + 1
    by_conflict: dict[str, list[Span]] = {}
    for span in spans:
        by_conflict.setdefault(span.case.conflict, []).append(span)
    # Conflicts in the order of their first case, then by name.
    conflicts = site.vocabulary["conflicts"]
    ordered = sorted(by_conflict.items(), key=lambda item: (item[1][0].first, conflicts[item[0]].label))
    pages: list[list[Group]] = [[]]
    room = PAGE_SIZE
    for conflict_id, members in ordered:
        conflict = conflicts[conflict_id]
        continued = False
        while members:
            if room == 0:
                pages.append([])
                room = PAGE_SIZE
            part, members = members[:room], members[room:]
            room -= len(part)
            number = len(pages)
            here = page_url("timeline", "", number)
            pages[-1].append(Group(conflict, tuple(part), continued,
                                   _draw(conflict, tuple(part), first, last, here)))
            continued = True
    return pages


def timeline_places(site: Site) -> dict[str, str]:
    """Return where each conflict's cases begin on the timeline: its page's URL with the group's anchor."""
    places: dict[str, str] = {}
    for number, groups in enumerate(timeline_pages(site), 1):
        for group in groups:
            places.setdefault(group.conflict.id, f"{page_url('timeline', '', number)}#{group.conflict.id}")
    return places


def _x(year: float, first: int, last: int) -> float:
    return round(PAD + (year - first) * (WIDTH - 2 * PAD) / (last - first), 1)


def _fit(text: str, width: float) -> str:
    most = int(width // CHAR_WIDTH)
    return text if len(text) <= most else text[: max(1, most - 1)].rstrip() + "…"


def _draw(conflict: Term, spans: tuple[Span, ...], first: int, last: int, here: str) -> Markup:
    """Return the SVG of one group: a decade axis, then each case's label and bar, each a link to the case."""
    height = AXIS + ROW * len(spans) + 4
    parts = [f'<svg class="t2-timeline" width="{WIDTH}" height="{height}" '
             f'viewBox="0 0 {WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
             '<g class="t2-axis" aria-hidden="true">']
    for decade in range(first, last + 1, 10):
        x = _x(decade, first, last)
        anchor = "start" if decade == first else "end" if x > WIDTH - 30 else "middle"
        parts.append(f'<line x1="{x}" y1="{AXIS - 6}" x2="{x}" y2="{height}"/>'
                     f'<text x="{x}" y="{AXIS - 10}" text-anchor="{anchor}">{decade}</text>')
    parts.append("</g>")
    for row, span in enumerate(spans):
        top = AXIS + row * ROW
        x1, x2 = _x(span.first, first, last), _x(span.last + 1, first, last)
        text = _fit(f"{span.case.title} ({span.case.period})", WIDTH - 2 * PAD)
        estimate = len(text) * CHAR_WIDTH
        label_x = round(max(PAD, min(x1, WIDTH - PAD - estimate)), 1)
        classes = "t2-bar" + (" t2-bar-approximate" if span.case.approximate else "") + \
            (" t2-bar-ongoing" if span.ongoing else "")
        bar = f'<rect x="{x1}" y="{top + 19}" width="{round(x2 - x1, 1)}" height="11" class="{classes}"/>'
        if span.ongoing:  # an open end: the bar fades into an arrow pointing on
            bar += (f'<path d="M{x2} {top + 16}l8 8.5-8 8.5z" class="t2-bar-arrow"/>')
        parts.append(f'<a href="{escape(relative(here, page_url("case", span.case.id)))}" '
                     f'aria-label="{escape(span.name)}"><title>{escape(span.name)}</title>'
                     f'<rect x="0" y="{top + 1}" width="{WIDTH}" height="{ROW - 2}" class="t2-row"/>'
                     f'<text x="{label_x}" y="{top + 14}" class="t2-bar-label">{escape(text)}</text>{bar}</a>')
    parts.append("</svg>")
    return Markup("".join(parts))
