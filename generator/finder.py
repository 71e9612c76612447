"""The finder's data ("Cases like mine"): its choices, the lines it shows of each case, and the JSON it scores.

The finder's page carries the form (one choice per feature of `similarity`,
with the feature's weight, so the measure is defined once, there), the
explanation, and its first `FIRST_ROWS` cases for readers without
JavaScript; `finder/cases.json` (its format is described on the Data page,
`docs/data.md`) holds, for every case in the order of the index of cases,
what the script compares and shows. The script scores every case as
`similarity.compare` does and lists the `LIMIT` closest, ties in the order
of the index, so the page does not grow with the collection.
"""

from __future__ import annotations

import json

from .model import Case, Site
from .similarity import FEATURES, features_of
from .urls import page_url

FIRST_ROWS = 25  # cases the finder page lists for readers without JavaScript
LIMIT = 10  # the closest cases the finder lists for a situation


def data_url() -> str:
    """Return the site-relative URL of the finder's cases."""
    return f"{page_url('finder')}cases.json"


def finder_options(site: Site) -> dict[str, list[tuple[str, str]]]:
    """Return, for each feature, the values a reader can choose: (value, label), never `unknown`."""
    return {feature.name: [(term.id, term.label) for term in site.vocabulary.get(feature.section, {}).values()
                           if term.id != "unknown"] or [("yes", "Yes"), ("no", "No")]
            for feature in FEATURES}


def situation_line(case: Case, site: Site) -> tuple[str, str, str] | None:
    """Return how the finder states a case's situation: the phase, where the phase is defined ("" if unknown), the rest.

    `("Talks stalled or broken off", "codebook/#conflict_phases-talks-stalled",
    "; strained relations; interstate conflict")`; None where the situation is not coded.
    """
    situation = case.coding.situation
    if situation is None:
        return None
    vocabulary = site.vocabulary
    if situation.phase == "unknown":
        phase, where = "Phase unknown", ""
    else:
        phase = vocabulary["conflict_phases"][situation.phase].label
        where = f"{page_url('codebook')}#conflict_phases-{situation.phase}"
    relations = ("official relations unknown" if situation.relations == "unknown"
                 else vocabulary["official_relations"][situation.relations].label.lower())
    kind = ("type of conflict unknown" if situation.conflict_type == "unknown"
            else f"{vocabulary['conflict_types'][situation.conflict_type].label.lower()} conflict")
    return phase, where, f"; {relations}; {kind}"


def claim_lines(case: Case, site: Site) -> list[str] | None:
    """Return one line per transfer claim of a case (`Text to the mediators: participant's account, contested`).

    An empty list where the case is coded as having none, None where its transfer is not coded.
    """
    if case.coding.transfer is None:
        return None
    vocabulary = site.vocabulary
    return [f"{vocabulary['transfer_objects'][claim.what].label} to {claim.to}: "
            f"{vocabulary['evidence_grades'][claim.evidence].label.lower()}, "
            f"{vocabulary['transfer_confidence'][claim.confidence].label.lower()}"
            for claim in case.coding.transfer]


Row = tuple[Case, tuple[str, str, str] | None, list[str] | None]


def finder_rows(site: Site, cases: tuple[Case, ...]) -> list[Row]:
    """Return what the finder lists of each case: the case, its situation line and its claim lines."""
    return [(case, situation_line(case, site), claim_lines(case, site)) for case in cases]


def finder_files(site: Site) -> dict[str, str]:
    """Return the finder's JSON file by path: every case's feature values, lessons and lines shown."""
    cases = []
    for case, situation, claims in finder_rows(site, site.cases):
        values = features_of(case)
        cases.append({
            "id": case.id, "url": page_url("case", case.id), "title": case.title, "period": case.period,
            "features": [sorted(values[feature.name]) for feature in FEATURES],
            "supports": [link.lesson for link in case.lessons if link.stance == "supports"],
            "complicates": [link.lesson for link in case.lessons if link.stance == "complicates"],
            "situation": list(situation) if situation else None,
            "claims": claims,
        })
    data = {
        "total": len(cases), "limit": LIMIT, "features": [feature.name for feature in FEATURES],
        "lessons": {lesson.id: [lesson.title, page_url("lesson", lesson.id)] for lesson in site.lessons},
        "cases": cases,
    }
    return {data_url(): json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"}
