"""How alike two situations are: the features compared, their weights, the score and the reasons.

One measure serves both the "Related cases" of each case page (computed in
`link`) and the "Cases like mine" finder, whose script reads the same weights
from the page. It compares the coded situation first (phase, official
relations, conflict type, a great power among the parties), then the kind of
convenor and the format. A value of `unknown` never counts as a match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .model import Case, Term
from .registry import codebook_fields


@dataclass(frozen=True, slots=True)
class Feature:
    """One thing compared: its URL parameter, how it reads in a reason, its weight and where its values are."""

    name: str
    label: str
    weight: int
    field: str  # a codebook field (`situation.phase`), or a case field: `convenor-type`, `format`
    section: str = ""  # the vocabulary section of its values, for their labels
    phrases: Mapping[str, str] | None = None  # a value's whole phrase in a reason, where "label (value)" reads badly


def _section(field: str) -> str:
    """Return the vocabulary section a codebook field draws its values from, as its schema declares."""
    return next((f.section for f in codebook_fields() if f.name == field), "")


FEATURES = (
    Feature("phase", "phase", 3, "situation.phase", _section("situation.phase")),
    Feature("relations", "official relations", 2, "situation.relations", _section("situation.relations")),
    Feature("conflict-type", "conflict type", 2, "situation.conflict_type", _section("situation.conflict_type")),
    Feature("great-power", "great power among the parties", 1, "situation.great_power_party",
            phrases={"yes": "a great power among the parties", "no": "no great power among the parties"}),
    Feature("convenor-type", "convenor type", 1, "convenor-type", "convenor_types"),
    Feature("format", "format", 1, "format", "formats"),
)
# Related cases need at least this score: more than a shared format or convenor type.
RELATED_THRESHOLD = 3


def features_of(case: Case) -> dict[str, frozenset[str]]:
    """Return each feature's known values for a case (never `unknown`)."""
    found = {}
    for feature in FEATURES:
        if feature.field == "convenor-type":
            values = {part.convenor.type for part in case.convenors}
        elif feature.field == "format":
            values = set(case.formats)
        else:
            values = set(case.coded_values.get(feature.field, ()))
        found[feature.name] = frozenset(values - {"unknown"})
    return found


def compare(wanted: Mapping[str, frozenset[str]], other: Mapping[str, frozenset[str]]
            ) -> tuple[int, tuple[tuple[Feature, tuple[str, ...]], ...]]:
    """Return the score of `other` against `wanted` and, for each feature that matches, the shared values."""
    score = 0
    matches = []
    for feature in FEATURES:
        shared = tuple(sorted(wanted.get(feature.name, frozenset()) & other.get(feature.name, frozenset())))
        if shared:
            score += feature.weight
            matches.append((feature, shared))
    return score, tuple(matches)


def score(wanted: Mapping[str, frozenset[str]], other: Mapping[str, frozenset[str]]) -> int:
    """Return the score `compare` gives, without collecting the shared values (to rank many cases fast)."""
    return sum(feature.weight for feature in FEATURES
               if not wanted.get(feature.name, _NONE).isdisjoint(other.get(feature.name, _NONE)))


_NONE: frozenset[str] = frozenset()
REASON_PARTS = 3  # features named in a related case's reason; the rest are counted


def reason(matches: tuple[tuple[Feature, tuple[str, ...]], ...],
           vocabulary: Mapping[str, Mapping[str, Term]]) -> str:
    """Return one short line saying why two cases are alike: `same phase (active war), format and 1 more`.

    The features come heaviest first; only the first names its shared value, and
    past REASON_PARTS the rest are counted, so the line stays short.
    """
    parts = []
    for feature, values in matches[:REASON_PARTS]:
        if feature.phrases and len(values) == 1 and values[0] in feature.phrases:
            parts.append(feature.phrases[values[0]])
        elif not parts:
            terms = vocabulary.get(feature.section, {})
            labels = ", ".join(terms[v].label.lower() if v in terms else v for v in values)
            parts.append(f"{feature.label} ({labels})")
        else:
            parts.append(feature.label)
    if not parts:
        return ""
    rest = len(matches) - len(parts)
    if rest:
        parts.append(f"{rest} more")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return "same " + listed
