"""The codebook's figures across the collection, computed from the coded fields and never from prose.

- `coverage(site)`: for each codebook field, in how many cases it is coded,
  how often it is `unknown`, and how often each value occurs;
- `transfer_claims(site)`: every transfer claim with its case, for the
  transfer page and the open data;
- `evidence_table(site)`: transfer claims counted by evidence grade and
  confidence;
- `lesson_transfer(site, lesson)`: the grades of the transfer claims of the
  cases behind a lesson;
- `selection(site)`: what the collection shows of itself: outcomes, cases with
  no visible or only contested results, and how sure the transfer claims are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .model import Case, Site, TransferClaim
from .registry import CodebookField, codebook_fields


@dataclass(frozen=True, slots=True)
class Coverage:
    """How fully one codebook field is coded across the collection."""

    field: CodebookField
    coded: int  # cases in which the field has a value
    unknown: int  # of those, cases whose only value is `unknown`
    cases: int  # cases in the collection
    counts: tuple[tuple[str, int], ...]  # value -> number of cases

    @property
    def unknown_share(self) -> str:
        """Return the share of coded cases that say `unknown`, as a whole percentage."""
        return f"{round(100 * self.unknown / self.coded)}%" if self.coded else "–"


def coverage(site: Site) -> list[Coverage]:
    """Return the coverage of every codebook field, in codebook order."""
    found = []
    for field in codebook_fields():
        counts: Counter[str] = Counter()
        coded = unknown = 0
        for case in site.cases:
            values = case.coded_values.get(field.name, ())
            if not values and not _is_coded_container(case, field):
                continue
            coded += 1
            if values and set(values) == {"unknown"}:
                unknown += 1
            counts.update(set(values))
        found.append(Coverage(field, coded, unknown, len(site.cases), _in_order(field, counts, site)))
    return found


def _is_coded_container(case: Case, field: CodebookField) -> bool:
    """A list field coded as empty (no transfer) or as unknown (funding) still counts as coded."""
    coding = case.coding
    return (field.name == "transfer" and coding.transfer is not None) or \
        (field.name == "funding" and coding.funding is not None) or \
        (field.name == "participant_sides" and bool(coding.sides))


def _in_order(field: CodebookField, counts: Counter[str], site: Site) -> tuple[tuple[str, int], ...]:
    order = list(field.choices) or list(site.vocabulary.get(field.section, {}))
    return tuple((value, counts[value]) for value in order if counts[value]) + tuple(
        (value, count) for value, count in sorted(counts.items()) if value not in order)


def transfer_claims(site: Site) -> list[tuple[Case, TransferClaim]]:
    """Return every transfer claim of the collection with its case, by case then claim order."""
    return [(case, claim) for case in site.cases for claim in case.coding.transfer or ()]


def evidence_table(site: Site) -> tuple[tuple[str, ...], list[tuple[str, list[int], int]]]:
    """Return the confidence levels and, for each evidence grade, the claims at each level and in all."""
    claims = [claim for _, claim in transfer_claims(site)]
    levels = tuple(site.vocabulary.get("transfer_confidence", {}))
    rows = []
    for grade in site.vocabulary.get("evidence_grades", {}):
        counts = [sum(1 for c in claims if c.evidence == grade and c.confidence == level) for level in levels]
        rows.append((grade, counts, sum(counts)))
    return levels, rows


@dataclass(frozen=True, slots=True)
class Selection:
    """What the collection shows about its own selection."""

    cases: int
    outcomes: tuple[tuple[str, int], ...]  # outcome type -> cases with it
    no_visible_result: int  # cases whose outcomes include no visible result
    without_transfer: int  # coded cases with no transfer claim
    only_weak_transfer: int  # cases whose claims are all contested or unknown
    transfer_coded: int  # cases whose transfer field is coded
    confidence: tuple[tuple[str, int], ...]  # confidence level -> claims
    contested_outcomes: int  # cases with an outcome marked disputed or unknown


def selection(site: Site) -> Selection:
    """Return the distribution of outcomes and of transfer confidence across the collection."""
    outcome_cases: Counter[str] = Counter()
    for case in site.cases:
        outcome_cases.update({outcome.type for outcome in case.outcomes})
    coded = [case for case in site.cases if case.coding.transfer is not None]
    weak = [case for case in coded if case.coding.transfer
            and all(claim.confidence in ("contested", "unknown") for claim in case.coding.transfer)]
    levels: Counter[str] = Counter(claim.confidence for _, claim in transfer_claims(site))
    return Selection(
        cases=len(site.cases),
        outcomes=tuple((kind, outcome_cases[kind]) for kind in site.vocabulary["outcome_types"] if outcome_cases[kind]),
        no_visible_result=sum(1 for case in site.cases
                              if any(outcome.type == "no-visible-result" for outcome in case.outcomes)),
        without_transfer=sum(1 for case in coded if not case.coding.transfer),
        only_weak_transfer=len(weak),
        transfer_coded=len(coded),
        confidence=tuple((level, levels[level]) for level in site.vocabulary.get("transfer_confidence", {})),
        contested_outcomes=sum(1 for case in site.cases
                               if any(outcome.certainty in ("disputed", "unknown") for outcome in case.outcomes)),
    )


@dataclass(frozen=True, slots=True)
class LessonTransfer:
    """The transfer claims of the cases that support a lesson, counted by evidence grade and confidence."""

    claims: tuple[TransferClaim, ...]
    evidence: tuple[tuple[str, int], ...]  # grade -> claims, in the codebook's order
    confidence: tuple[tuple[str, int], ...]


def lesson_transfer(site: Site, lesson_id: str) -> LessonTransfer:
    """Return the transfer claims of the cases supporting a lesson, with their grades counted."""
    claims = tuple(claim for item in site.evidence.get(lesson_id, ()) if item.stance == "supports"
                   for claim in item.case.coding.transfer or ())
    grades = Counter(claim.evidence for claim in claims)
    levels = Counter(claim.confidence for claim in claims)
    return LessonTransfer(
        claims,
        tuple((grade, grades[grade]) for grade in site.vocabulary.get("evidence_grades", {}) if grades[grade]),
        tuple((level, levels[level]) for level in site.vocabulary.get("transfer_confidence", {}) if levels[level]))
