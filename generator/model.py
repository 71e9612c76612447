"""The frozen data model every stage shares: content items, problems and the linked site.

Authored fields (what a contributor writes in YAML or BibTeX) live on `Case`,
`Lesson`, `Term` and `Reference`. Derived fields, computed once by
`link.link_site`, live only on `Site`:

- `Site.evidence`: for each lesson, its cases with their notes, supporting first;
- `Site.backlinks[(kind, id)]`: every case linking to a convenor, vocabulary
  term, region or source, with what it says there (role, outcome, pages);
- `Site.lessons_citing`, `Site.terms_citing`, `Site.pages_citing`: for each
  source, the lessons, vocabulary terms and handwritten pages citing it;
- `Site.works_cited[(kind, id)]`: the keys of every work a case or lesson cites;
- `Site.convenors`: every convenor named by a case, keyed by its slug;
- `Site.related`: for each case, the closest other cases and why;
- `Site.case_citations`: each case formatted as a citable work, by CSL style
  (filled in, like `Reference.formatted`, by `bibliography.format_citations`);
- `Site.last_changed`: the last commit touching each content file, with its date;
- `Reference.formatted`: the reference rendered by the citation engine, by
  CSL style (Chicago author-date first, then APA).

Templates read these objects and never see raw YAML.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Severity(StrEnum):
    """How bad a problem is: an error stops the build, a warning does not."""

    ERROR = "error"
    WARNING = "warning"


# Every problem the checker can report, by its stable code, with what CONTRIBUTING.md says of it.
# A Problem's code must be one of these (a test checks every code used is here, and documented).
PROBLEM_CODES: Mapping[str, str] = MappingProxyType({
    'E001': 'a required file (`vocabulary.yml`, `references.bib`) is missing',
    'E002': 'YAML syntax error',
    'E003': 'the file is not UTF-8',
    'E004': 'a tab in the indentation',
    'E005': 'the file is empty',
    'E006': 'the same field twice in one mapping',
    'E007': 'YAML anchors, aliases or merge keys',
    'E008': 'a field name that is not plain text',
    'E009': 'values nested more than 20 levels deep',
    'E010': 'a content file ending in `.yaml` instead of `.yml`',
    'E011': 'a file name that is not a valid id',
    'E012': 'a content file that is a symbolic link',
    'E013': 'a file over the size limit: 1 MB for a YAML content file, 10 MB for `references.bib`',
    'E020': 'a BibTeX key used twice (also when the two differ only in case)',
    'E021': 'a malformed BibTeX entry',
    'E022': 'a `crossref` to a key that is not in `references.bib`',
    'E023': 'a `url` in `references.bib` that is not an http(s) address',
    'E024': 'a BibTeX key with characters other than letters, digits and `- _ : .`',
    'E025': 'a BibTeX `year` that is not a four-digit year',
    'E030': 'a required field is missing',
    'E031': 'an unknown field (often a typo; the message suggests the right name)',
    'E032': 'a value of the wrong kind (text for a number, one value for a list, …)',
    'E033': 'a value outside the allowed list',
    'E034': 'a value of the wrong form (id, country code, page range, plain-text title)',
    'E035': 'text too short or too long',
    'E036': 'a list with too few entries',
    'E037': 'the same entry twice in a list',
    'E038': 'a date that does not exist or is not written YYYY-MM-DD',
    'E039': 'any other schema rule',
    'E040': 'a `FILL IN` placeholder left in',
    'E101': 'a vocabulary term that `vocabulary.yml` does not define',
    'E110': 'a country code that is not ISO 3166-1 alpha-2',
    'E120': 'a period that ends before it starts',
    'E121': 'a period in the future',
    'E122': 'a review date in the future',
    'E130': 'a lesson id with no file in `lessons/`',
    'E131': 'a lesson related to itself',
    'E132': 'the same lesson linked twice from one case',
    'E140': 'a source key missing from `references.bib`',
    'E141': 'a work cited in the text but not listed under `sources`',
    'E142': 'a malformed inline citation',
    'E150': 'a named participant of a confidential meeting without a source',
    'E160': 'an alias that is the id of a live case',
    'E161': 'an alias claimed by two cases',
    'E170': 'one convenor spelled two ways',
    'E171': 'one convenor given two types',
    'E172': 'one convenor given two countries or two websites',
    'E180': 'a coded value other than unknown with no source',
    'E181': 'a party that is not one of the case\'s countries',
    'W203': 'a stated track that the coded participants do not bear out',
    'W204': 'a book or article cited in the text without a page',
    'W205': 'an inventory entry already written up as a case',
    'W201': 'a lesson no case links to',
    'W202': 'a vocabulary term nothing uses',
})


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the content, located in a file."""

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        if self.code not in PROBLEM_CODES:  # a bug in the generator, not in the content
            raise ValueError(f"{self.code} is not in PROBLEM_CODES")

    def format(self) -> str:
        """Return the problem as `FILE:LINE:COL: severity: message [CODE]`."""
        text = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"
        if self.hint:
            text += f"; {self.hint}"
        return f"{text} [{self.code}]"

    def format_github(self) -> str:
        """Return the problem as a GitHub Actions workflow command (annotation)."""
        command = self.severity.value
        text = self.message + (f"; {self.hint}" if self.hint else "") + f" [{self.code}]"
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        path = (self.path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                .replace(",", "%2C").replace(":", "%3A"))
        return f"::{command} file={path},line={self.line},col={self.col}::{text}"


class ContentError(Exception):
    """Raised at the edges (CLI, MkDocs hook) when the content has errors."""

    def __init__(self, problems: tuple[Problem, ...]):
        self.problems = problems
        super().__init__(summarise(problems))


def summarise(problems: tuple[Problem, ...] | list[Problem]) -> str:
    """Return a one-line count such as `3 errors in 2 files`."""
    errors = [p for p in problems if p.severity is Severity.ERROR]
    warnings = [p for p in problems if p.severity is not Severity.ERROR]
    parts = []
    if errors:
        files = len({p.path for p in errors})
        parts.append(f"{_plural(len(errors), 'error')} in {_plural(files, 'file')}")
    if warnings:
        parts.append(_plural(len(warnings), "warning"))
    return ", ".join(parts) if parts else "no problems"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True, slots=True)
class Revision:
    """The last commit that changed a content file: a version of it readers can cite."""

    date: str  # YYYY-MM-DD
    commit: str  # the full commit hash


@dataclass(frozen=True, slots=True)
class SourceRef:
    """A citation of a work in references.bib, optionally with pages."""

    key: str
    pages: str = ""


@dataclass(frozen=True, slots=True)
class Identifiers:
    """Identifiers of a case or conflict in other records: Wikidata, UCDP, PA-X."""

    wikidata: str = ""
    ucdp: int | None = None
    pax: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Term:
    """A controlled vocabulary term (convenor type, format, region, conflict, …)."""

    kind: str
    id: str
    label: str
    definition: str
    sources: tuple[SourceRef, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: Identifiers = Identifiers()
    also_known_as: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Convenor:
    """An organisation (or person) that convenes cases: one name, one type and one page across all its cases."""

    name: str
    type: str
    slug: str  # its identity: `urls.convenor_slug(name)`
    also_known_as: tuple[str, ...] = ()  # on the site, merged from every case naming the convenor
    country: str = ""  # ISO 3166-1 code, where a case records it (merged like also_known_as)
    website: str = ""  # https:// address, where a case records it


@dataclass(frozen=True, slots=True)
class ConvenorRole:
    """A convenor's part in one case."""

    convenor: Convenor
    role: str = ""


@dataclass(frozen=True, slots=True)
class NotablePerson:
    """A participant named by a source."""

    name: str
    role: str
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What came of a case, typed by the outcome vocabulary."""

    type: str
    text: str
    certainty: str
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class LessonLink:
    """A case's claim that it illustrates (or cuts against) a lesson."""

    lesson: str
    stance: str
    note: str


@dataclass(frozen=True, slots=True)
class Situation:
    """The codebook's situation when an effort began (each value a term id, or `unknown`)."""

    phase: str
    relations: str
    conflict_type: str
    great_power_party: str  # yes | no | unknown
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class GovernmentRelationship:
    """How the parties' governments stood to an effort: one value for all, and any side that differs."""

    default: str
    sides: Mapping[str, str] = field(default_factory=dict)  # country code -> relationship
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ParticipantSide:
    """Who sat at the table for one party, and how far they stood from the decision makers."""

    party: str
    who: tuple[str, ...]
    distance: str
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Funder:
    """Who paid for an effort."""

    name: str
    type: str
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ThirdParty:
    """The outside party's role in the talks, and whether the parties saw it as impartial."""

    role: str
    seen_as_impartial: str  # yes | no | contested | unknown
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Confidentiality:
    """The rule the talks were held under, and whether their existence was public."""

    regime: str
    existence_public: str  # yes | no | later | unknown
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class TransferClaim:
    """A claim that something passed from an effort to the official track or the public, with its evidence."""

    what: str
    source: str  # `from` in the YAML: who or what it passed from
    to: str
    channel: str
    effect: str
    evidence: str
    confidence: str
    sources: tuple[SourceRef, ...]
    when: int | None = None
    against: str = ""


@dataclass(frozen=True, slots=True)
class Coding:
    """A case's record under the codebook. None (or, for transfer, None) means not coded yet."""

    situation: Situation | None = None
    government: GovernmentRelationship | None = None
    sides: tuple[ParticipantSide, ...] = ()
    funding: tuple[Funder, ...] | None = None  # () when coded as unknown
    third_party: ThirdParty | None = None
    confidentiality: Confidentiality | None = None
    transfer: tuple[TransferClaim, ...] | None = None  # () when the sources show no transfer
    derived_track: str = ""  # "1.5" or "2" as the coded participants imply; "" when no side is coded

    @property
    def coded(self) -> bool:
        """Return True when any block of the codebook has been filled in."""
        return any(value is not None for value in (self.situation, self.government, self.funding,
                                                    self.third_party, self.confidentiality, self.transfer)) \
            or bool(self.sides)

    @property
    def sources(self) -> tuple[SourceRef, ...]:
        """Return every work the coding cites."""
        blocks = [self.situation, self.government, self.third_party, self.confidentiality,
                  *self.sides, *(self.funding or ()), *(self.transfer or ())]
        return tuple(ref for block in blocks if block is not None for ref in block.sources)


@dataclass(frozen=True, slots=True)
class TermLink:
    """A vocabulary term a case or lesson uses, through a field the schema declares (`x-vocabulary`)."""

    field: tuple[str, ...]  # the field's path in the schema, e.g. ("convenors", "*", "type")
    section: str
    term: str
    detail: str = ""  # what the term's page quotes for this use (a convenor's name, an outcome)


@dataclass(frozen=True, slots=True)
class Case:
    """One Track Two case study, as authored in cases/<id>.yml."""

    id: str
    path: str
    title: str
    summary: str
    start: int
    end: int | None
    approximate: bool
    track: str
    conflict: str
    countries: tuple[str, ...]
    convenors: tuple[ConvenorRole, ...]
    participant_types: tuple[str, ...]
    notable: tuple[NotablePerson, ...]
    formats: tuple[str, ...]
    narrative: str
    outcomes: tuple[Outcome, ...]
    lessons: tuple[LessonLink, ...]
    sources: tuple[SourceRef, ...]
    reviewed: str
    aliases: tuple[str, ...] = ()
    also_known_as: tuple[str, ...] = ()
    contributors: tuple[str, ...] = ()
    identifiers: Identifiers = Identifiers()
    terms: tuple[TermLink, ...] = ()  # every declared term field's values, in schema order
    coding: Coding = Coding()
    coded_values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # codebook field -> its values

    @property
    def period(self) -> str:
        """Return the period as text, e.g. `1960–1990`, `1993–present`, `c. 1987`."""
        return period_text(self.start, self.end, self.approximate)


def period_text(start: int, end: int | None, approximate: bool) -> str:
    """Return years as text, e.g. `1960–1990`, `1993–present`, `c. 1987`."""
    prefix = "c. " if approximate else ""
    if end is None:
        return f"{prefix}{start}–present"
    if end == start:
        return f"{prefix}{start}"
    return f"{prefix}{start}–{end}"


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    """A known dialogue not yet written up as a case, as authored in inventory/<id>.yml."""

    id: str
    path: str
    name: str
    start: int
    end: int | None
    approximate: bool
    parties: tuple[str, ...]
    convenors: tuple[str, ...]
    summary: str
    sources: tuple[SourceRef, ...]
    reviewed: str
    track: str = ""
    conflict: str = ""
    also_known_as: tuple[str, ...] = ()

    @property
    def period(self) -> str:
        return period_text(self.start, self.end, self.approximate)


@dataclass(frozen=True, slots=True)
class Lesson:
    """A lesson learned across cases, as authored in lessons/<id>.yml."""

    id: str
    path: str
    title: str
    theme: str
    summary: str
    body: str
    related: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Reference:
    """One entry of references.bib, with LaTeX decoded."""

    key: str
    entry_type: str
    fields: Mapping[str, str]
    authors: tuple[tuple[str, str], ...]  # (family or literal name, given names)
    line: int
    raw: str
    editors: tuple[tuple[str, str], ...] = ()
    formatted: Mapping[str, str] = field(default_factory=dict)  # HTML by citation style, once formatted
    year_suffix: str = ""  # "a", "b", … when the same authors have several works in one year

    @property
    def text(self) -> str:
        """Return the reference formatted in the default style (the first of `bibliography.STYLES`)."""
        return next(iter(self.formatted.values()), "")

    @property
    def base_year(self) -> str:
        """Return the year of the work as the reference list prints it (`2004` for 2004/05), or `n.d.`."""
        found = re.search(r"\d{4}", self.fields.get("date", "") or self.fields.get("year", ""))
        return found.group(0) if found else "n.d."

    @property
    def year(self) -> str:
        """Return the year of the work with its suffix (`2004a`, `n.d.-b`): the same in text and list."""
        if not self.year_suffix:
            return self.base_year
        return f"{self.base_year}-{self.year_suffix}" if self.base_year == "n.d." else self.base_year + self.year_suffix

    @property
    def link(self) -> str:
        """Return the DOI link, else the web URL, else an empty string."""
        if self.fields.get("doi"):
            return "https://doi.org/" + self.fields["doi"]
        url = self.fields.get("url", "")
        return url if url.startswith(("https://", "http://")) else ""


@dataclass(frozen=True, slots=True)
class Related:
    """Another case close to this one, with the reason shown to readers."""

    case: Case
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Evidence:
    """A case behind a lesson, with the case's own note on how it bears on it."""

    case: Case
    stance: str
    note: str


@dataclass(frozen=True, slots=True)
class Mention:
    """A case that links to a page, with what it says there (a role, an outcome, pages cited)."""

    case: Case
    detail: str


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the templates need: authored content plus derived cross-links."""

    cases: tuple[Case, ...]
    lessons: tuple[Lesson, ...]
    vocabulary: Mapping[str, Mapping[str, Term]]
    references: Mapping[str, Reference]
    convenors: Mapping[str, Convenor]
    evidence: Mapping[str, tuple[Evidence, ...]]
    backlinks: Mapping[tuple[str, str], tuple[Mention, ...]]
    lessons_citing: Mapping[str, tuple[Lesson, ...]]
    case_regions: Mapping[str, tuple[str, ...]]
    case_citations: Mapping[str, Mapping[str, str]]
    last_changed: Mapping[str, Revision]
    related: Mapping[str, tuple[Related, ...]]
    lessons_by_id: Mapping[str, Lesson]
    cases_by_id: Mapping[str, Case]
    settings: Mapping[str, str]
    terms_citing: Mapping[str, tuple[Term, ...]] = field(default_factory=dict)  # source -> vocabulary terms citing it
    works_cited: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (kind, id) -> keys
    pages_citing: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)  # key -> handwritten pages
    inventory: tuple[InventoryEntry, ...] = ()  # by the year each began
    inventory_citing: Mapping[str, tuple[InventoryEntry, ...]] = field(default_factory=dict)  # key -> entries
