"""The explorers' data: the facets cases are filtered by, and the JSON files the explorer and compare pages read.

The facets come from the schema: every field declared with `x-facet` (its
URL parameter, label and position), whether its values are vocabulary terms
or listed in the schema (yes / no / unknown), plus the facets derived from other
fields, which are listed here: region (from the countries), convenor (the
organisation), lesson (with the case's stance: supports or cuts against),
track and decade of activity. Values are ordered most common first (decades
in time order).

`explorer_files(site, country)` returns the files published under
`/explore/` (their format is described on the Data page, `docs/data.md`):

- `explore/index.json`: the facets with their values, and for each case the
  few fields the result list shows and its facet values (positions in the
  facet's value list), in the order of the index of cases;
- `explore/cases-<n>.json`: the cases in chunks of `CHUNK_SIZE`, in the same
  order, each with its rows for the compare page, its row of `cases.csv`
  and its record of `cases.json`, which the downloads are made from.

The explorer page itself lists only its first `FIRST_ROWS` cases, for
readers without JavaScript, so it does not grow with the collection.

The transfer page's table of claims is drawn the same way: the page carries
the filters (`transfer_facets`) and its first `FIRST_ROWS` claims, and
`transfer_files(site)` returns `transfer/claims.json`, every claim with what
its row shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .bibliography import cite_label
from .codebook import transfer_claims
from .model import Case, Site, TransferClaim
from .opendata import CASE_COLUMNS, case_csv_row, case_record
from .page_cache import Derive, compute
from .registry import CASE_SCHEMA, FacetDeclaration, TermField, term_fields, walk_schema
from .urls import page_url

# Facets that no single vocabulary field declares: (name, label, position).
_DERIVED = (("region", "Region", 2), ("convenor", "Convenor", 3), ("lesson", "Lesson", 8),
            ("track", "Track", 9), ("decade", "Active in", 10))
TRACK_LABELS = {"2": "Track 2 (unofficial)", "1.5": "Track 1.5 (semi-official)"}
# A lesson facet's value is the case's stance and the lesson, e.g. `supports:small-groups-build-trust`.
STANCE_LABELS = {"supports": "Supports", "complicates": "Cuts against"}
CHUNK_SIZE = 100  # cases in one file of details (compare rows, CSV row, record)
FIRST_ROWS = 25  # cases the explorer page lists for readers without JavaScript


@dataclass(frozen=True, slots=True)
class Facet:
    """One filter of an explorer: its name, label and (value, label, number of cases) options."""

    name: str
    label: str
    options: tuple[tuple[str, str, int], ...]


Row = tuple[Case, list[tuple[str, list[str]]]]


def explorer_data(site: Site) -> tuple[list[Facet], list[Row]]:
    """Return the explorer's facets and, for each case, the values it can be filtered by."""
    declared: list[tuple[int, str, str, TermField | str | None]] = [
        (field.facet.position, field.facet.name, field.facet.label, field)
        for field in term_fields(CASE_SCHEMA) if field.facet]
    declared += [(facet.position, facet.name, facet.label, coded) for facet, coded in _choice_facets()]
    filters = sorted(declared + [(position, name, label, None) for name, label, position in _DERIVED],
                     key=lambda item: item[0])
    rows: list[Row] = []
    for case in site.cases:
        # An ongoing case counts as active up to the year it was last reviewed.
        end = case.end if case.end is not None else max(case.start, int(case.reviewed[:4]))
        derived = {
            "region": list(site.case_regions[case.id]),
            "convenor": list(dict.fromkeys(part.convenor.slug for part in case.convenors)),
            "lesson": [f"{link.stance}:{link.lesson}" for link in case.lessons],
            "track": [case.track],
            "decade": [f"{d}s" for d in range(case.start // 10 * 10, end // 10 * 10 + 1, 10)],
        }
        values = []
        for _, name, _, field in filters:
            if field is None:
                values.append((name, derived[name]))
            elif isinstance(field, str):  # a codebook field whose values the schema lists (yes / no / unknown)
                values.append((name, list(dict.fromkeys(case.coded_values.get(field, ())))))
            else:
                values.append((name, list(dict.fromkeys(t.term for t in case.terms if t.field == field.path))))
        rows.append((case, values))
    facets = []
    by_name = [dict(case_values) for _, case_values in rows]
    for _, name, label, field in filters:
        names = _labels(site, name, field)
        counts: dict[str, int] = {}
        for case_values in by_name:
            for value in case_values[name]:
                counts[value] = counts.get(value, 0) + 1
        if name == "decade":
            ordered = sorted(counts)
        else:
            ordered = sorted(counts, key=lambda v: (-counts[v], (names.get(v) or v).lower(), v))
        if ordered:  # a facet no case has a value for (e.g. a field not coded yet) is left out
            facets.append(Facet(name, label, tuple((v, names.get(v, v), counts[v]) for v in ordered)))
    shown = {facet.name for facet in facets}
    return facets, [(case, [(name, values) for name, values in case_values if name in shown])
                    for case, case_values in rows]


def _choice_facets() -> list[tuple[FacetDeclaration, str]]:
    """Return the facets declared on fields whose values the schema lists, with each field's codebook name."""
    return [(FacetDeclaration(**node["x-facet"]), ".".join(path).replace(".*", "[]"))
            for path, node, _ in walk_schema(CASE_SCHEMA) if "x-facet" in node and "x-vocabulary" not in node]


def _labels(site: Site, name: str, field: TermField | str | None) -> dict[str, str]:
    """Return the reader's label for each value of a facet."""
    if isinstance(field, str):
        return {value: value.capitalize() for case in site.cases for value in case.coded_values.get(field, ())}
    if field is not None:
        return {k: t.label for k, t in site.vocabulary[field.section].items()}
    if name == "region":
        return {k: t.label for k, t in site.vocabulary["regions"].items()}
    if name == "convenor":
        return {slug: c.name for slug, c in site.convenors.items()}
    if name == "lesson":
        return {f"{stance}:{lesson.id}": f"{label}: {lesson.title}"
                for lesson in site.lessons for stance, label in STANCE_LABELS.items()}
    if name == "track":
        return TRACK_LABELS
    return {}


def chunk_url(number: int) -> str:
    """Return the site-relative URL of the `number`-th file of case details (from 1)."""
    return f"{page_url('explore')}cases-{number}.json"


def index_url() -> str:
    """Return the site-relative URL of the explorer's index of cases and facets."""
    return f"{page_url('explore')}index.json"


def explorer_files(site: Site, country: Callable[[str], str], derive: Derive = compute) -> dict[str, str]:
    """Return the explorer's JSON files by path: the index of cases and facets, and the chunks of details.

    Each chunk of details is made through `derive` (a PageCache keeps those whose cases did not change).
    """
    facets, rows = explorer_data(site)
    positions = [{value: index for index, (value, _, _) in enumerate(facet.options)} for facet in facets]
    cases = []
    for case, values in rows:
        found = dict(values)
        cases.append({
            "id": case.id, "url": page_url("case", case.id), "title": case.title,
            "also_known_as": list(case.also_known_as), "summary": case.summary, "period": case.period,
            "conflict": site.vocabulary["conflicts"][case.conflict].label,
            "convenors": [part.convenor.name for part in case.convenors],
            "outcomes": list(dict.fromkeys(site.vocabulary["outcome_types"][o.type].label for o in case.outcomes)),
            "facets": [[where[value] for value in found[facet.name]] for facet, where in zip(facets, positions,
                                                                                            strict=True)],
        })
    chunks = [chunk_url(n) for n in range(1, -(-len(cases) // CHUNK_SIZE) + 1)]
    index = {
        "total": len(cases), "chunk_size": CHUNK_SIZE, "chunks": chunks,
        "facets": [{"name": f.name, "label": f.label, "values": [[v, label, n] for v, label, n in f.options]}
                   for f in facets],
        "compare_fields": [label for label, _ in compare_rows(site.cases[0], site, country)] if site.cases else [],
        "csv_columns": [name for name, _ in CASE_COLUMNS],
        "cases": cases,
    }
    files = {index_url(): _compact(index)}
    for number in range(1, len(chunks) + 1):
        part = site.cases[(number - 1) * CHUNK_SIZE: number * CHUNK_SIZE]
        files[chunk_url(number)] = derive(chunk_url(number), _details_file, site, part, country)
    return files


def _details_file(site: Site, part: tuple[Case, ...], country: Callable[[str], str]) -> str:
    """Return one file of case details: what the compare page and the explorer's downloads need of each case."""
    details = []
    for case in part:
        record = case_record(case, site)
        details.append({"id": case.id, "compare": [values for _, values in compare_rows(case, site, country)],
                        "csv": case_csv_row(record), "record": record})
    return _compact(details)


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def compare_rows(case: Case, site: Site, country: Callable[[str], str]) -> list[tuple[str, list[str]]]:
    """Return what the compare page shows of a case: (row label, its values as text), the same rows for every case."""
    vocabulary = site.vocabulary

    def label(section: str, value: str) -> str:
        term = vocabulary.get(section, {}).get(value)
        return term.label if term else value

    coding = case.coding
    situation, government, third, secrecy = coding.situation, coding.government, coding.third_party, \
        coding.confidentiality
    rows = [
        ("Period", [case.period]),
        ("Track", [TRACK_LABELS.get(case.track, case.track)]),
        ("Conflict", [label("conflicts", case.conflict)]),
        ("Countries", [country(code) for code in case.countries]),
        ("Region", [label("regions", region) for region in site.case_regions[case.id]]),
        ("Convened by", [f"{part.convenor.name} ({label('convenor_types', part.convenor.type)})"
                         + (f": {part.role}" if part.role else "") for part in case.convenors]),
        ("Participants", [label("participant_types", kind) for kind in case.participant_types]),
        ("Notable participants", [f"{person.name}: {person.role}" for person in case.notable]),
        ("Format", [label("formats", kind) for kind in case.formats]),
        ("Phase when it began", [label("conflict_phases", situation.phase)] if situation else []),
        ("Official relations", [label("official_relations", situation.relations)] if situation else []),
        ("Conflict type", [label("conflict_types", situation.conflict_type)] if situation else []),
        ("A great power among the parties", [situation.great_power_party] if situation else []),
        ("Governments' relationship", [label("government_relationships", government.default)] + [
            f"{country(party)}: {label('government_relationships', value)}"
            for party, value in government.sides.items()] if government else []),
        ("At the table", [f"{country(side.party)}: "
                          + ", ".join(label("participant_types", who) for who in side.who)
                          + f" ({label('decision_distance', side.distance)})" for side in coding.sides]),
        ("Track, from who took part", [f"Track {coding.derived_track}"] if coding.derived_track else []),
        ("Funding", ["Unknown"] if coding.funding == () else [
            f"{funder.name} ({label('funder_types', funder.type)})" for funder in coding.funding or ()]),
        ("Third party's role", [label("third_party_roles", third.role)] if third else []),
        ("Third party seen as impartial", [third.seen_as_impartial] if third else []),
        ("Confidentiality", [label("confidentiality_regimes", secrecy.regime)] if secrecy else []),
        ("Existence of the talks public", [secrecy.existence_public] if secrecy else []),
        ("Outcomes", [f"{label('outcome_types', outcome.type)}: {outcome.text}" for outcome in case.outcomes]),
        ("Transfer claims", ["None shown by the sources"] if coding.transfer == () else [
            f"{label('transfer_objects', claim.what)} ({label('transfer_channels', claim.channel)}) to {claim.to}: "
            f"{claim.effect} Evidence: {label('evidence_grades', claim.evidence)}; "
            f"confidence: {label('transfer_confidence', claim.confidence)}." for claim in coding.transfer or ()]),
        ("Lessons", [f"{STANCE_LABELS.get(link.stance, link.stance)}: {site.lessons_by_id[link.lesson].title}"
                     for link in case.lessons if link.lesson in site.lessons_by_id]),
    ]
    return rows


# The filters of the transfer page's table: (name, label, vocabulary section), each a field of a claim.
_TRANSFER_FILTERS = (("evidence", "Evidence", "evidence_grades"), ("confidence", "Confidence", "transfer_confidence"),
                     ("what", "What passed", "transfer_objects"), ("channel", "Channel", "transfer_channels"))


def transfer_facets(site: Site, claims: list[tuple[Case, TransferClaim]]) -> list[Facet]:
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


def transfer_url() -> str:
    """Return the site-relative URL of the transfer page's claims."""
    return f"{page_url('transfer')}claims.json"


def transfer_files(site: Site) -> dict[str, str]:
    """Return the transfer page's JSON file by path: every claim, by case then claim order, as its row shows it."""
    claims = []
    number: dict[str, int] = {}
    for case, claim in transfer_claims(site):
        number[case.id] = number.get(case.id, 0) + 1
        claims.append({
            "case": case.id, "claim": number[case.id], "title": case.title, "url": page_url("case", case.id),
            "what": claim.what, "channel": claim.channel, "to": claim.to, "when": claim.when,
            "effect": claim.effect, "against": claim.against or None,
            "evidence": claim.evidence, "confidence": claim.confidence,
            "cites": [[page_url("source", ref.key), cite_label(site.references[ref.key], ref.pages)]
                      for ref in claim.sources],
        })
    data = {
        "total": len(claims), "codebook": page_url("codebook"),
        "labels": {name: {value: term.label for value, term in site.vocabulary[section].items()}
                   for name, _, section in _TRANSFER_FILTERS},
        "claims": claims,
    }
    return {transfer_url(): _compact(data)}
