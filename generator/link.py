"""Build the frozen `Site` from validated content: the model objects and every cross-link.

Backlinks are computed once, in both directions, so templates only loop:
a lesson knows its cases, a convenor its cases, a source the cases and
lessons citing it, and each case its closest relatives with the reasons.
Everything is sorted with explicit keys, so output is deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from types import MappingProxyType
from typing import Any, Iterable

from .bibliography import format_references
from .citations import find_citations
from .load import RawContent
from .model import (Case, Convenor, Evidence, Lesson, LessonLink, NotablePerson, Outcome, Related, Site,
                    SourceRef, Term)
from .urls import slugify
from .validate import VOCABULARY_SECTIONS

RELATED_LIMIT = 5


def link_site(raw: RawContent, settings: dict[str, str] | None = None) -> Site:
    """Return the linked Site for content that has passed validation."""
    vocabulary = _vocabulary(raw.vocabulary.data if raw.vocabulary else {})
    cases = tuple(sorted((_case(doc.stem, doc.path, doc.data) for doc in raw.cases),
                         key=lambda c: (c.start, c.title.lower(), c.id)))
    lessons = tuple(sorted((_lesson(doc.stem, doc.path, doc.data) for doc in raw.lessons),
                           key=lambda l: l.id))
    formatted = format_references(raw.references.values())
    references = {key: replace(ref, formatted=formatted.get(key, ""))
                  for key, ref in sorted(raw.references.items())}

    by_lesson: dict[str, list[Case]] = defaultdict(list)
    by_convenor: dict[str, list[Case]] = defaultdict(list)
    by_term: dict[tuple[str, str], list[Case]] = defaultdict(list)
    citing: dict[str, list[Case]] = defaultdict(list)
    convenors: dict[str, Convenor] = {}
    region_of = _regions_by_country(vocabulary)
    evidence: dict[str, list[Evidence]] = defaultdict(list)
    for case in cases:
        for link in case.lessons:
            by_lesson[link.lesson].append(case)
            evidence[link.lesson].append(Evidence(case, link.stance, link.note))
        for convenor in case.convenors:
            convenors.setdefault(convenor.slug, convenor)
            _add_once(by_convenor[convenor.slug], case)
            _add_once(by_term[("convenor_types", convenor.type)], case)
        by_term[("conflicts", case.conflict)].append(case)
        for kind, values in (("participant_types", case.participant_types),
                             ("formats", case.formats),
                             ("outcome_types", [o.type for o in case.outcomes]),
                             ("regions", [r for c in case.countries for r in region_of.get(c, ())])):
            for value in dict.fromkeys(values):
                by_term[(kind, value)].append(case)
        for key in _case_keys(case):
            citing[key].append(case)

    lessons_citing: dict[str, list[Lesson]] = defaultdict(list)
    for lesson in lessons:
        for key in dict.fromkeys([s.key for s in lesson.sources]
                                 + [c.key for cit in find_citations(lesson.body) for c in cit.items]):
            lessons_citing[key].append(lesson)

    return Site(
        cases=cases,
        lessons=lessons,
        vocabulary=vocabulary,
        references=MappingProxyType(references),
        convenors=MappingProxyType({slug: convenors[slug] for slug in sorted(convenors)}),
        cases_by_lesson=_freeze(by_lesson),
        evidence=_freeze({lesson: sorted(items, key=lambda e: e.stance != "supports")
                          for lesson, items in evidence.items()}),
        cases_by_convenor=_freeze(by_convenor),
        cases_by_term=_freeze(by_term),
        cases_citing=_freeze(citing),
        lessons_citing=_freeze(lessons_citing),
        related=MappingProxyType({case.id: _related(case, cases) for case in cases}),
        lessons_by_id=MappingProxyType({lesson.id: lesson for lesson in lessons}),
        cases_by_id=MappingProxyType({case.id: case for case in cases}),
        settings=MappingProxyType(dict(settings or {})),
    )


def _add_once(items: list[Case], case: Case) -> None:
    if not items or items[-1] is not case:
        items.append(case)


def _freeze(groups: dict) -> MappingProxyType:
    return MappingProxyType({key: tuple(items) for key, items in sorted(groups.items())})


def _refs(items: Any) -> tuple[SourceRef, ...]:
    return tuple(SourceRef(str(item["key"]), str(item.get("pages", "") or ""))
                 for item in items or ())


def _vocabulary(data: dict) -> MappingProxyType:
    sections = {}
    for section in VOCABULARY_SECTIONS:
        entries = data.get(section) or {}
        sections[section] = MappingProxyType({
            term_id: Term(kind=section, id=term_id, label=entry["label"],
                          definition=entry["definition"].strip(),
                          sources=_refs(entry.get("sources")),
                          countries=tuple(entry.get("countries") or ()))
            for term_id, entry in entries.items()
        })
    return MappingProxyType(sections)


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
        convenors=tuple(Convenor(c["name"].strip(), c["type"], slugify(c["name"]), c.get("role", "").strip())
                        for c in data["convenors"]),
        participant_types=tuple(participants["types"]),
        notable=tuple(NotablePerson(p["name"].strip(), p["role"].strip(), _refs(p.get("sources")))
                      for p in participants.get("notable") or ()),
        formats=tuple(data["format"]),
        narrative=data["narrative"].strip(),
        outcomes=tuple(Outcome(o["type"], " ".join(o["text"].split()),
                               o.get("certainty", "established"), _refs(o["sources"]))
                       for o in data["outcomes"]),
        lessons=tuple(LessonLink(l["lesson"], l.get("stance", "supports"), " ".join(l["note"].split()))
                      for l in data["lessons"]),
        sources=_refs(data["sources"]),
        reviewed=data["reviewed"],
    )


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


def _case_keys(case: Case) -> Iterable[str]:
    keys = [s.key for s in case.sources]
    keys += [s.key for o in case.outcomes for s in o.sources]
    keys += [s.key for p in case.notable for s in p.sources]
    keys += [c.key for citation in find_citations(case.narrative) for c in citation.items]
    return dict.fromkeys(keys)


def _regions_by_country(vocabulary: MappingProxyType) -> dict[str, tuple[str, ...]]:
    regions: dict[str, list[str]] = defaultdict(list)
    for term in vocabulary["regions"].values():
        for country in term.countries:
            regions[country].append(term.id)
    return {country: tuple(ids) for country, ids in regions.items()}


def _related(case: Case, cases: tuple[Case, ...]) -> tuple[Related, ...]:
    """Return the closest other cases by shared lessons, convenors, conflict, participants, format."""
    mine_lessons = {l.lesson for l in case.lessons}
    mine_convenors = {c.slug for c in case.convenors}
    scored = []
    for other in cases:
        if other.id == case.id:
            continue
        reasons = []
        score = 0
        shared = sorted(mine_lessons & {l.lesson for l in other.lessons})
        if shared:
            score += 3 * len(shared)
            reasons.append(_count(len(shared), "lesson"))
        shared_convenors = mine_convenors & {c.slug for c in other.convenors}
        if shared_convenors:
            score += 3 * len(shared_convenors)
            reasons.append("same convenor")
        if other.conflict == case.conflict:
            score += 3
            reasons.append("same conflict")
        shared_formats = set(case.formats) & set(other.formats)
        if shared_formats:
            score += len(shared_formats)
            reasons.append(_count(len(shared_formats), "format"))
        shared_types = set(case.participant_types) & set(other.participant_types)
        score += len(shared_types) // 2
        if score >= 3:
            scored.append(Related(other, score, tuple(reasons)))
    scored.sort(key=lambda r: (-r.score, r.case.id))
    return tuple(scored[:RELATED_LIMIT])


def _count(number: int, noun: str) -> str:
    return f"shares {number} {noun}" + ("" if number == 1 else "s")
