"""The explorers' data: for each case (or transfer claim) the values it can be filtered by, and each filter's options.

The filters come from the schema: every field declared with `x-facet` (its
URL parameter, label and position), plus the filters derived from other
fields, which are listed here: region (from the countries), convenor (the
organisation), lesson, track and decade of activity.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Case, Site
from .registry import CASE_SCHEMA, TermField, term_fields

# Filters that no single vocabulary field declares: (name, label, position).
_DERIVED = (("region", "Region", 2), ("convenor", "Convenor", 3), ("lesson", "Lesson", 8),
            ("track", "Track", 9), ("decade", "Active in", 10))
TRACK_LABELS = {"2": "Track 2 (unofficial)", "1.5": "Track 1.5 (semi-official)"}


@dataclass(frozen=True, slots=True)
class Facet:
    """One filter of the explorer: its name, label and (value, label, number of cases) options."""

    name: str
    label: str
    options: tuple[tuple[str, str, int], ...]


Row = tuple[Case, list[tuple[str, list[str]]]]


def explorer_data(site: Site) -> tuple[list[Facet], list[Row]]:
    """Return the explorer's filters and, for each case, the values it can be filtered by."""
    declared = [(field.facet.position, field.facet.name, field.facet.label, field)
                for field in term_fields(CASE_SCHEMA) if field.facet]
    filters = sorted(declared + [(position, name, label, None) for name, label, position in _DERIVED],
                     key=lambda item: item[0])
    rows: list[Row] = []
    for case in site.cases:
        # An ongoing case counts as active up to the year it was last reviewed.
        end = case.end if case.end is not None else max(case.start, int(case.reviewed[:4]))
        derived = {
            "region": list(site.case_regions[case.id]),
            "convenor": [part.convenor.slug for part in case.convenors],
            "lesson": [link.lesson for link in case.lessons],
            "track": [case.track],
            "decade": [f"{d}s" for d in range(case.start // 10 * 10, end // 10 * 10 + 1, 10)],
        }
        values = []
        for _, name, _, field in filters:
            if field is None:
                values.append((name, derived[name]))
            else:
                values.append((name, list(dict.fromkeys(t.term for t in case.terms if t.field == field.path))))
        rows.append((case, values))
    facets = []
    for _, name, label, field in filters:
        names = _labels(site, name, field)
        counts: dict[str, int] = {}
        for _, case_values in rows:
            for value in dict(case_values)[name]:
                counts[value] = counts.get(value, 0) + 1
        ordered = sorted(counts) if name == "decade" else sorted(counts, key=lambda v: (names.get(v) or v).lower())
        if ordered:  # a filter no case has a value for (e.g. a field not coded yet) is left out
            facets.append(Facet(name, label, tuple((v, names.get(v, v), counts[v]) for v in ordered)))
    shown = {facet.name for facet in facets}
    return facets, [(case, [(name, values) for name, values in case_values if name in shown])
                    for case, case_values in rows]


def _labels(site: Site, name: str, field: TermField | None) -> dict[str, str]:
    """Return the reader's label for each value of a filter."""
    if field is not None:
        return {k: t.label for k, t in site.vocabulary[field.section].items()}
    if name == "region":
        return {k: t.label for k, t in site.vocabulary["regions"].items()}
    if name == "convenor":
        return {slug: c.name for slug, c in site.convenors.items()}
    if name == "lesson":
        return {lesson.id: lesson.title for lesson in site.lessons}
    if name == "track":
        return TRACK_LABELS
    return {}


# The filters of the transfer page's table: (name, label, vocabulary section), each a field of a claim.
_TRANSFER_FILTERS = (("evidence", "Evidence", "evidence_grades"), ("confidence", "Confidence", "transfer_confidence"),
                     ("what", "What passed", "transfer_objects"), ("channel", "Channel", "transfer_channels"))


def transfer_facets(site: Site, claims: list) -> list[Facet]:
    """Return the filters of the transfer claims' table, with the number of claims for each value."""
    facets = []
    for name, label, section in _TRANSFER_FILTERS:
        counts: dict[str, int] = {}
        for _, claim in claims:
            value = getattr(claim, name)
            counts[value] = counts.get(value, 0) + 1
        options = tuple((value, term.label, counts[value]) for value, term in site.vocabulary[section].items()
                        if value in counts)
        if options:
            facets.append(Facet(name, label, options))
    return facets
