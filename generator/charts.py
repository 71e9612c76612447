"""The statistics page's figures: cases counted by each categorical field, each drawn as an SVG bar chart.

`statistics(site)` returns one `Chart` per field, in a fixed order: the
vocabulary sections with a page per term (convenor type, outcome, format,
region, …), the decade each case began, its track, and every categorical
field of the codebook. Counts are of cases (a case with two convenors of one
type counts once) and come from the model (`Site.backlinks`, the coded
values), never from prose. `bar_chart(chart)` draws a chart as static SVG,
every text escaped; the template puts the data table beside it as its text
alternative.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from markupsafe import Markup, escape

from .codebook import coverage
from .model import Site
from .registry import PAGED_SECTIONS
from .urls import page_url

CHART_WIDTH = 340  # px: the chart fits a 375 px phone without scrolling
ROW_HEIGHT = 34
LABEL_SIZE = 13
CHAR_WIDTH = 7.4  # px per character of a 13 px sans-serif label, a generous estimate
MOST_BARS = 20  # bars drawn in one chart; the table lists every value


@dataclass(frozen=True, slots=True)
class Bar:
    """One value of a field and the number of cases that have it."""

    label: str
    count: int
    url: str = ""  # site-relative page of the value, if it has one


@dataclass(frozen=True, slots=True)
class Chart:
    """Cases counted by the values of one field."""

    id: str  # the anchor of the chart on the page
    title: str
    bars: tuple[Bar, ...]
    note: str = ""  # what is counted, where it is not one value per case


def statistics(site: Site) -> list[Chart]:
    """Return the charts of the statistics page, each value with its count of cases."""
    charts = []
    for section in PAGED_SECTIONS:
        terms = site.vocabulary[section.name].values()
        bars = []
        for term in terms:
            count = len({mention.case.id for mention in site.backlinks.get((section.name, term.id), ())})
            if count:
                bars.append(Bar(term.label, count, page_url(section.name, term.id)))
        bars.sort(key=lambda bar: -bar.count)  # stable: vocabulary order among equal counts
        charts.append(Chart(section.name, f"Cases by {section.singular.lower()}", tuple(bars),
                            "" if section.name == "conflicts" else
                            f"A case counts once under each {section.singular.lower()} it has."))
    decades = Counter(case.start // 10 * 10 for case in site.cases)
    charts.append(Chart("decade", "Cases by the decade they began",
                        tuple(Bar(f"{decade}s", decades[decade]) for decade in sorted(decades))))
    tracks = Counter(case.track for case in site.cases)
    charts.append(Chart("track", "Cases by track", tuple(Bar(f"Track {track}", tracks[track])
                                                         for track in sorted(tracks))))
    for field in coverage(site):
        if not (field.field.section or field.field.choices):
            continue
        labels = site.vocabulary.get(field.field.section, {})
        values = tuple(Bar(labels[value].label if value in labels else value.capitalize(), count)
                       for value, count in field.counts)
        charts.append(Chart(field.field.anchor, f"Codebook: {field.field.name}", values,
                            f"{field.coded} of {field.cases} cases coded; {field.field.description}"))
    return [chart for chart in charts if chart.bars]


def _summary(chart: Chart, bars: tuple[Bar, ...]) -> str:
    """Return the accessible name of a chart: its title, and each value drawn with its count."""
    more = len(chart.bars) - len(bars)
    return f"{chart.title}: " + "; ".join(f"{bar.label} {bar.count}" for bar in bars) + \
        (f"; {more} more in the table" if more else "")


def _fit(text: str, width: float) -> str:
    """Return text cut to fit `width` px at the label size, with an ellipsis when cut."""
    most = int(width // CHAR_WIDTH)
    return text if len(text) <= most else text[: max(1, most - 1)].rstrip() + "…"


def bar_chart(chart: Chart) -> Markup:
    """Return a chart as an SVG image: each value's label above its bar, the count after the bar.

    The `MOST_BARS` largest values are drawn, so a chart keeps its size as the vocabulary grows.
    """
    bars = chart.bars[:MOST_BARS]
    most = max(bar.count for bar in bars)
    room = CHART_WIDTH - 8 - 40  # the longest bar leaves room for its count
    height = ROW_HEIGHT * len(bars) + 4
    title_id = f"chart-{chart.id}-title"
    parts = [f'<svg class="t2-chart" role="img" aria-labelledby="{escape(title_id)}" width="{CHART_WIDTH}" '
             f'height="{height}" viewBox="0 0 {CHART_WIDTH} {height}" xmlns="http://www.w3.org/2000/svg">',
             f'<title id="{escape(title_id)}">{escape(_summary(chart, bars))}</title>']
    for row, bar in enumerate(bars):
        top = row * ROW_HEIGHT
        length = max(2, round(room * bar.count / most))
        label = escape(_fit(bar.label, CHART_WIDTH - 8))
        parts.append(f'<text x="4" y="{top + 14}" class="t2-chart-label">{label}</text>'
                     f'<rect x="4" y="{top + 19}" width="{length}" height="11" class="t2-chart-bar"/>'
                     f'<text x="{4 + length + 5}" y="{top + 29}" class="t2-chart-count">{bar.count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
