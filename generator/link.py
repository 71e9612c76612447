"""Build the frozen `Site` from validated content: the model objects and every cross-link.

Backlinks are computed once, in both directions, so templates only loop:
a lesson knows its cases, a convenor its cases, a source the cases and
lessons citing it, and each case its closest relatives with the reasons.
Everything is sorted with explicit keys, so output is deterministic.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from types import MappingProxyType
from typing import Any, NamedTuple

from .citations import find_citations
from .load import Document, RawContent
from .model import (
    Case,
    Coding,
    Confidentiality,
    Convenor,
    ConvenorRole,
    Evidence,
    Funder,
    GovernmentRelationship,
    Identifiers,
    InventoryEntry,
    Lesson,
    LessonLink,
    Mention,
    NotablePerson,
    Outcome,
    ParticipantSide,
    Related,
    Site,
    Situation,
    SourceRef,
    Term,
    TermLink,
    ThirdParty,
    TransferClaim,
)
from .registry import (
    CASE_SCHEMA,
    VOCABULARY_SECTIONS,
    codebook_fields,
    defaults,
    implied_track,
    term_fields,
    values_at,
)
from .similarity import RELATED_THRESHOLD, compare, features_of, reason, score
from .urls import convenor_slug

RELATED_LIMIT = 5


def link_site(raw: RawContent, settings: dict[str, str] | None = None) -> Site:
    """Return the linked Site for content that has passed validation."""
    settings = dict(settings or {})
    vocabulary = _vocabulary_of(raw.vocabulary) if raw.vocabulary else _vocabulary({})
    links_of = {links[0].id: links for links in (_case_links(doc, raw.vocabulary) for doc in raw.cases)}
    cases = tuple(sorted((links[0] for links in links_of.values()),
                         key=lambda c: (c.start, c.title.lower(), c.id)))
    lessons = tuple(sorted((_lesson(doc.stem, doc.path, doc.data) for doc in raw.lessons),
                           key=lambda lesson: lesson.id))
    references = dict(sorted(raw.references.items()))

    convenors: dict[str, Convenor] = {}
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    backlinks: dict[tuple[str, str], list[Mention]] = defaultdict(list)
    region_of = _regions_of(raw.vocabulary)
    case_refs = {case.id: links_of[case.id][1] for case in cases}
    for case in cases:
        _, _, case_evidence, case_mentions = links_of[case.id]
        for item in case_evidence:
            evidence[item.lesson].append(item.evidence)
        for target, mention in case_mentions:
            backlinks[target].append(mention)
        for part in case.convenors:
            known = convenors.setdefault(part.convenor.slug, part.convenor)
            if part.convenor.also_known_as:  # other names may be given in any of the convenor's cases
                names = tuple(dict.fromkeys(known.also_known_as + part.convenor.also_known_as))
                known = convenors[part.convenor.slug] = replace(known, also_known_as=names)
            # Country and website, like other names, may be given in any one case (validate: never two values).
            if (part.convenor.country and not known.country) or (part.convenor.website and not known.website):
                convenors[part.convenor.slug] = replace(known, country=known.country or part.convenor.country,
                                                        website=known.website or part.convenor.website)

    works_cited: dict[tuple[str, str], tuple[str, ...]] = {}
    for case in cases:
        works_cited[("case", case.id)] = tuple(dict.fromkeys(ref.key for ref in case_refs[case.id]))
    lessons_citing: dict[str, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        keys = tuple(dict.fromkeys([s.key for s in lesson.sources]
                                   + [c.key for cit in find_citations(lesson.body) for c in cit.items]))
        works_cited[("lesson", lesson.id)] = keys
        for key in keys:
            lessons_citing[key].append(lesson)
    inventory = tuple(sorted((inventory_from_data(doc.stem, doc.path, doc.data) for doc in raw.inventory),
                             key=lambda e: (e.start, e.name.lower(), e.id)))
    inventory_citing: dict[str, list[InventoryEntry]] = defaultdict(list)
    for entry in inventory:
        for key in dict.fromkeys(ref.key for ref in entry.sources):
            inventory_citing[key].append(entry)
    terms_citing: dict[str, list[Term]] = defaultdict(list)
    for section in vocabulary.values():
        for term in section.values():
            for key in dict.fromkeys([s.key for s in term.sources]
                                     + [c.key for cit in find_citations(term.definition) for c in cit.items]):
                terms_citing[key].append(term)

    return Site(
        cases=cases,
        lessons=lessons,
        vocabulary=vocabulary,
        references=MappingProxyType(references),
        convenors=MappingProxyType({slug: convenors[slug] for slug in sorted(convenors)}),
        evidence=_freeze({lesson: sorted(items, key=lambda e: e.stance != "supports")
                          for lesson, items in evidence.items()}),
        backlinks=_freeze(backlinks),
        case_citations=MappingProxyType({}),  # formatted later, by bibliography.format_citations
        last_changed=MappingProxyType(dict(raw.last_changed)),
        case_regions=MappingProxyType({case.id: tuple(dict.fromkeys(
            r for c in case.countries for r in region_of.get(c, ()))) for case in cases}),
        lessons_citing=_freeze(lessons_citing),
        terms_citing=_freeze(terms_citing),
        works_cited=MappingProxyType(works_cited),
        pages_citing=MappingProxyType({key: tuple(pages) for key, pages in sorted(raw.pages_citing.items())}),
        inventory=inventory,
        inventory_citing=_freeze(inventory_citing),
        related=MappingProxyType(_related_cases(cases, vocabulary)),
        lessons_by_id=MappingProxyType({lesson.id: lesson for lesson in lessons}),
        cases_by_id=MappingProxyType({case.id: case for case in cases}),
        settings=MappingProxyType(settings),
    )


class _LessonEvidence(NamedTuple):
    lesson: str
    evidence: Evidence


@functools.lru_cache(maxsize=20_000)
def _case_links(doc: Document, vocabulary: Document | None) -> tuple[
        Case, tuple[SourceRef, ...], tuple[_LessonEvidence, ...], tuple[tuple[tuple[str, str], Mention], ...]]:
    """Return a case with all it cites, its evidence for lessons and its mentions of other pages.

    Kept by the parsed file and vocabulary.yml, so that under `mkdocs serve`
    the Evidence and Mention objects of unchanged cases are the same from one
    build to the next, and the pages listing them are known unchanged at once.
    """
    case = _case_of(doc)
    refs = tuple(_case_refs(case))  # the narrative's citations are parsed once
    evidence = tuple(_LessonEvidence(link.lesson, Evidence(case, link.stance, link.note)) for link in case.lessons)
    mentions = tuple(((kind, item_id), Mention(case, detail))
                     for kind, item_id, detail in _mentions(case, _regions_of(vocabulary), refs))
    return case, refs, evidence, mentions


@functools.lru_cache(maxsize=4)
def _regions_of(vocabulary: Document | None) -> dict[str, tuple[str, ...]]:
    """Return the regions of each country code, as vocabulary.yml gives them."""
    return _regions_by_country(_vocabulary_of(vocabulary) if vocabulary else _vocabulary({}))


def _mentions(case: Case, region_of: dict[str, tuple[str, ...]],
              refs: Iterable[SourceRef]) -> list[tuple[str, str, str]]:
    """Return (kind, id, detail) for everything the case links to, one entry per target."""
    found: dict[tuple[str, str], list[str]] = {}

    def add(kind: str, item_id: str, detail: str = "") -> None:
        details = found.setdefault((kind, item_id), [])
        if detail and detail not in details:
            details.append(detail)

    for link in case.terms:
        add(link.section, link.term, link.detail)
    for part in case.convenors:
        add("convenor", part.convenor.slug, part.role)
    for country in case.countries:
        for region in region_of.get(country, ()):
            add("regions", region)
    for ref in refs:
        add("source", ref.key, ref.pages)
    return [(kind, item_id, "; ".join(details)) for (kind, item_id), details in found.items()]


def _freeze(groups: dict) -> MappingProxyType:
    return MappingProxyType({key: tuple(items) for key, items in sorted(groups.items())})


def _refs(items: Any) -> tuple[SourceRef, ...]:
    return tuple(SourceRef(str(item["key"]), str(item.get("pages", "") or ""))
                 for item in items or ())


@functools.lru_cache(maxsize=4)
def _vocabulary_of(doc: Document) -> MappingProxyType:
    """Return the vocabulary of a parsed vocabulary.yml: the same Term objects while the file is unchanged."""
    return _vocabulary(doc.data)


def _vocabulary(data: dict) -> MappingProxyType:
    sections = {}
    for section in VOCABULARY_SECTIONS:
        entries = data.get(section) or {}
        sections[section] = MappingProxyType({
            term_id: Term(kind=section, id=term_id, label=entry["label"],
                          definition=entry["definition"].strip(),
                          sources=_refs(entry.get("sources")),
                          countries=tuple(entry.get("countries") or ()),
                          identifiers=_identifiers(entry.get("identifiers")),
                          also_known_as=tuple(entry.get("also_known_as") or ()))
            for term_id, entry in entries.items()
        })
    return MappingProxyType(sections)


def inventory_from_data(entry_id: str, path: str, data: dict) -> InventoryEntry:
    """Return an inventory entry from its validated YAML data."""
    period = data["period"]
    return InventoryEntry(
        id=entry_id, path=path, name=data["name"].strip(),
        start=period["start"], end=period["end"], approximate=bool(period.get("approximate", False)),
        parties=tuple(data["parties"]), convenors=tuple(name.strip() for name in data["convenors"]),
        summary=" ".join(data["summary"].split()), sources=_refs(data["sources"]), reviewed=str(data["reviewed"]),
        track=data.get("track", ""), conflict=data.get("conflict", ""),
        also_known_as=tuple(data.get("also_known_as") or ()))


@functools.lru_cache(maxsize=20_000)
def _case_of(doc: Document) -> Case:
    """Return the case of a parsed file: the same Case object for the same Document (an unchanged file).

    Under `mkdocs serve`, unchanged cases are then the same objects from one
    build to the next, and what is derived from them needs no recomputing.
    """
    return _case(doc.stem, doc.path, doc.data)


def _case(case_id: str, path: str, data: dict) -> Case:
    period = data["period"]
    participants = data["participants"]
    return Case(
        id=case_id,
        path=path,
        title=data["title"].strip(),
        summary=" ".join(data["summary"].split()),
        start=period["start"],
        end=period["end"],
        approximate=bool(period.get("approximate", False)),
        track=data["track"],
        conflict=data["conflict"],
        countries=tuple(data["countries"]),
        convenors=tuple(ConvenorRole(Convenor(c["name"].strip(), c["type"], convenor_slug(c["name"]),
                                              tuple(c.get("also_known_as") or ()), c.get("country", ""),
                                              c.get("website", "")),
                                     c.get("role", "").strip())
                        for c in data["convenors"]),
        participant_types=tuple(participants["types"]),
        notable=tuple(NotablePerson(p["name"].strip(), p["role"].strip(), _refs(p.get("sources")))
                      for p in participants.get("notable") or ()),
        formats=tuple(data["format"]),
        narrative=data["narrative"].strip(),
        outcomes=tuple(Outcome(o["type"], " ".join(o["text"].split()),
                               o.get("certainty", "established"), _refs(o["sources"]))
                       for o in data["outcomes"]),
        lessons=tuple(LessonLink(link["lesson"], link.get("stance", "supports"), " ".join(link["note"].split()))
                      for link in data["lessons"]),
        sources=_refs(data["sources"]),
        reviewed=data["reviewed"],
        aliases=tuple(data.get("aliases") or ()),
        also_known_as=tuple(data.get("also_known_as") or ()),
        contributors=tuple(data.get("contributors") or ()),
        identifiers=_identifiers(data.get("identifiers")),
        terms=_term_links(data),
        coding=_coding(data),
        coded_values=MappingProxyType({field.name: _leaves(values_at(data, field.path))
                                       for field in codebook_fields()}),
    )


def _leaves(found: Iterable[tuple[tuple, Any]]) -> tuple[str, ...]:
    """Return the plain values found at a field path as text, lists flattened, maps by value."""
    values: list[str] = []
    for _, value in found:
        items = value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [value]
        values += [str(item) for item in items if not isinstance(item, (dict, list))]
    return tuple(values)


def _coding(data: dict) -> Coding:
    """Return the case's record under the codebook, from its validated YAML."""
    situation = data.get("situation")
    government = data.get("government_relationship")
    third = data.get("third_party")
    secrecy = data.get("confidentiality")
    funding = data.get("funding")
    transfer = data.get("transfer")
    return Coding(
        situation=Situation(situation["phase"], situation["relations"], situation["conflict_type"],
                            situation["great_power_party"], _refs(situation.get("sources"))) if situation else None,
        government=GovernmentRelationship(government["default"], MappingProxyType(dict(government.get("sides") or {})),
                                          _refs(government.get("sources"))) if government else None,
        sides=tuple(ParticipantSide(side["party"], tuple(side["who"]), side["distance"], _refs(side.get("sources")))
                    for side in data.get("participant_sides") or ()),
        funding=None if funding is None else () if funding == "unknown" else tuple(
            Funder(item["name"].strip(), item["type"], _refs(item["sources"])) for item in funding),
        third_party=ThirdParty(third["role"], third["seen_as_impartial"], _refs(third.get("sources")))
        if third else None,
        confidentiality=Confidentiality(secrecy["regime"], secrecy["existence_public"], _refs(secrecy.get("sources")))
        if secrecy else None,
        transfer=None if transfer is None else tuple(
            TransferClaim(what=claim["what"], source=" ".join(claim["from"].split()), to=" ".join(claim["to"].split()),
                          channel=claim["channel"], effect=" ".join(claim["effect"].split()),
                          evidence=claim["evidence"], confidence=claim["confidence"],
                          sources=_refs(claim["sources"]), when=claim.get("when"),
                          against=" ".join((claim.get("against") or "").split()))
            for claim in transfer),
        derived_track=implied_track([(side["distance"], side["who"]) for side in data.get("participant_sides") or ()]),
    )


def _term_links(data: dict) -> tuple[TermLink, ...]:
    """Return the values of every field the case schema declares as a vocabulary term, with their detail."""
    unset = defaults(CASE_SCHEMA)
    links = []
    for field in term_fields(CASE_SCHEMA):
        for where, term in values_at(data, field.path):
            holder = data
            for key in where[:-1]:
                holder = holder[key]
            # The first detail field is quoted; later ones follow in brackets unless at their default.
            words = []
            for position, name in enumerate(field.detail):
                value = holder.get(name, unset.get(field.parent + (name,)))
                if value is None or (position and value == unset.get(field.parent + (name,))):
                    continue
                text = " ".join(str(value).split())
                words.append(text if position == 0 else f" ({text})")
            links.append(TermLink(field.path, field.section, term, "".join(words)))
    return tuple(links)


def _identifiers(data: dict | None) -> Identifiers:
    data = data or {}
    return Identifiers(wikidata=data.get("wikidata", ""), ucdp=data.get("ucdp"),
                       pax=tuple(data.get("pax") or ()))


def _lesson(lesson_id: str, path: str, data: dict) -> Lesson:
    return Lesson(
        id=lesson_id,
        path=path,
        title=data["title"].strip(),
        theme=data["theme"],
        summary=" ".join(data["summary"].split()),
        body=data["body"].strip(),
        related=tuple(data.get("related") or ()),
        sources=_refs(data["sources"]),
    )


def _case_refs(case: Case) -> list[SourceRef]:
    """Return every citation in the case: sources, outcomes, participants and the narrative."""
    refs = list(case.sources)
    refs += [s for o in case.outcomes for s in o.sources]
    refs += [s for p in case.notable for s in p.sources]
    refs += [SourceRef(c.key, c.pages) for citation in find_citations(case.narrative) for c in citation.items]
    refs += list(case.coding.sources)
    return refs


def _regions_by_country(vocabulary: MappingProxyType) -> dict[str, tuple[str, ...]]:
    regions: dict[str, list[str]] = defaultdict(list)
    for term in vocabulary["regions"].values():
        for country in term.countries:
            regions[country].append(term.id)
    return {country: tuple(ids) for country, ids in regions.items()}


# How many cases on each side, in start-year order, are compared from each group
# of cases sharing a feature value (see `similarity`). Smaller groups are compared
# in full; larger ones only near the case in time, which keeps the work linear.
NEIGHBOURS = 15


def _candidates(cases: tuple[Case, ...], features: list[dict[str, frozenset[str]]]) -> list[list[int]]:
    """Return, for each case, the indexes of the cases that share a feature value and are near it in time."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, values in enumerate(features):  # cases are in start-year order
        for name, found in values.items():
            for value in found:
                groups[(name, value)].append(index)
    nearby: list[set[int]] = [set() for _ in cases]
    for members in groups.values():
        for position, index in enumerate(members):
            nearby[index].update(members[max(0, position - NEIGHBOURS): position + NEIGHBOURS + 1])
    return [sorted(found) for found in nearby]


def _related_cases(cases: tuple[Case, ...], vocabulary: MappingProxyType) -> dict[str, tuple[Related, ...]]:
    """Return, for each case, the closest other cases by the measure of `similarity`, with the reason."""
    features = [features_of(case) for case in cases]
    related = {}
    for index, nearby in enumerate(_candidates(cases, features)):
        mine = features[index]
        ranked = sorted((-points, cases[other].id, other) for other in nearby if other != index
                        if (points := score(mine, features[other])) >= RELATED_THRESHOLD)
        # Only the closest few are shown, so only theirs are explained.
        related[cases[index].id] = tuple(Related(cases[other], -points, (reason(compare(mine, features[other])[1],
                                                                                 vocabulary),))
                                         for points, _, other in ranked[:RELATED_LIMIT])
    return related
