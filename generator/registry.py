"""The schema registry: every fact about the shape of the content, read once from the JSON Schemas.

The schemas in `generator/schema/` are the single source of what a field is.
Besides standard JSON Schema they carry a few keywords of our own, which every
stage reads from here instead of restating them:

- `x-vocabulary: SECTION` on a field whose value is a term of vocabulary.yml;
  `x-detail: [FIELD, …]` names the sibling fields a term's page quotes for the
  case, and `x-facet: {name, label, position}` makes the field a filter of the
  explorer (on a field whose values the schema lists, such as yes / no /
  unknown, too);
- `x-bibtex-key: true` on a field whose value is a key of references.bib;
- `x-hint: {message, fix}` on a node with a `pattern`, the words of the
  problem reported when a value does not match (`{value!r}`, `{field}` and
  `{slug}` are filled in), and `x-country-code: true` on ISO 3166-1 codes,
  which are checked against the list of countries;
- on each section of vocabulary.schema.json: `x-title`, `x-page: {folder,
  singular, intro}` for sections with a page per term, `x-glossary-links`
  for sections whose terms link themselves from prose, and `x-codebook` for
  the closed value sets of the codebook;
- on the codebook's fields of case.schema.json: `x-codebook: {rules,
  edge_cases, literature}` (how to code the field, and the BibTeX keys of the
  works it follows), `x-coded: true` on a block whose values need a source
  unless they are all `unknown`, and on the schema's root
  `x-codebook-release: {version, changelog}`.

Validation, cross-linking, the explorer, the glossary and the field
reference in CONTRIBUTING.md all derive from these declarations, so a new
vocabulary-backed field is: its schema, its terms in vocabulary.yml, and a
template line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent / "schema"
SCHEMA_FILES = ("case.schema.json", "lesson.schema.json", "vocabulary.schema.json", "inventory.schema.json")
CASE_SCHEMA, LESSON_SCHEMA, VOCABULARY_SCHEMA, INVENTORY_SCHEMA = SCHEMA_FILES

# Codes in common use that ISO 3166-1 reserves rather than assigns.
EXTRA_COUNTRY_CODES = {"XK": "Kosovo"}

# A key path into a YAML document; "*" stands for every item of a list.
FieldPath = tuple[str, ...]


@cache
def load_schema(name: str) -> dict:
    """Return the parsed JSON Schema `name` from generator/schema/."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def _pattern(definition: str) -> re.Pattern:
    return re.compile(load_schema(CASE_SCHEMA)["$defs"][definition]["pattern"])


ID = _pattern("id")
BIBTEX_KEY = _pattern("bibtexKey")
COUNTRY_CODE = _pattern("countryCode")


@dataclass(frozen=True, slots=True)
class Section:
    """A section of vocabulary.yml: how its terms are titled, paged and linked."""

    name: str
    title: str
    description: str
    folder: str = ""  # where each term has a page: `<folder>/<term>/`; empty for no pages
    singular: str = ""
    intro: str = ""
    glossary_links: bool = False
    codebook: bool = False  # a closed set of codebook values: listed on /codebook/, never "unused"


def _sections() -> tuple[Section, ...]:
    found = []
    for name, node in load_schema(VOCABULARY_SCHEMA)["properties"].items():
        page = node.get("x-page", {})
        found.append(Section(name, node.get("x-title", name.replace("_", " ").capitalize()),
                             node.get("description", ""), page.get("folder", ""),
                             page.get("singular", ""), page.get("intro", ""),
                             bool(node.get("x-glossary-links")), bool(node.get("x-codebook"))))
    return tuple(found)


# The sections of vocabulary.yml in their order (the glossary's order).
SECTIONS = _sections()
VOCABULARY_SECTIONS = tuple(section.name for section in SECTIONS)
SECTIONS_BY_NAME = {section.name: section for section in SECTIONS}
PAGED_SECTIONS = tuple(section for section in SECTIONS if section.folder)


@dataclass(frozen=True, slots=True)
class FacetDeclaration:
    """How a field filters the explorer: its URL parameter, its label and its place among the filters."""

    name: str
    label: str
    position: int


@dataclass(frozen=True, slots=True)
class TermField:
    """A field of a case or lesson file that takes a vocabulary term."""

    path: FieldPath  # e.g. ("convenors", "*", "type")
    section: str
    detail: tuple[str, ...] = ()  # sibling fields quoted on the term's page
    facet: FacetDeclaration | None = None

    @property
    def parent(self) -> FieldPath:
        """Return the path of the object holding the field (where its detail fields are)."""
        return self.path[:-1]


def _resolve(node: dict, document: dict) -> tuple[dict, dict]:
    """Follow `$ref` (local, or into another schema file); return the merged node and its document."""
    ref = node.get("$ref")
    if not ref:
        return node, document
    file_name, _, pointer = ref.partition("#")
    base = load_schema(file_name) if file_name else document
    target = base
    for part in pointer.strip("/").split("/"):
        target = target[part]
    resolved, base = _resolve(target, base)
    merged = dict(resolved)
    merged.update({key: value for key, value in node.items() if key != "$ref"})
    return merged, base


def _branches(node: dict, document: dict) -> list[tuple[dict, dict]]:
    """Return the node itself, or each alternative of an `anyOf`/`oneOf` (e.g. `unknown` or a list)."""
    alternatives = node.get("anyOf") or node.get("oneOf")
    if not alternatives:
        return [(node, document)]
    return [_resolve(alternative, document) for alternative in alternatives]


def walk_schema(schema_name: str) -> Iterator[tuple[FieldPath, dict, bool]]:
    """Yield (path, resolved node, required) for every field of a schema, depth first, in order."""
    root = load_schema(schema_name)

    def walk(node: dict, document: dict, path: FieldPath) -> Iterator[tuple[FieldPath, dict, bool]]:
        required = set(node.get("required", ()))
        for name, child in node.get("properties", {}).items():
            child, base = _resolve(child, document)
            yield path + (name,), child, name in required
            for branch, branch_base in _branches(child, base):
                yield from walk(branch, branch_base, path + (name,))
                yield from members(branch, branch_base, path + (name,))

    def members(node: dict, document: dict, path: FieldPath) -> Iterator[tuple[FieldPath, dict, bool]]:
        # The items of a list, or the entries of a map such as a vocabulary section, as "*".
        for keyword in ("items", "additionalProperties"):
            if isinstance(node.get(keyword), dict):
                member, base = _resolve(node[keyword], document)
                yield path + ("*",), member, False
                yield from walk(member, base, path + ("*",))
                yield from members(member, base, path + ("*",))

    yield from walk(root, root, ())


@cache
def term_fields(schema_name: str) -> tuple[TermField, ...]:
    """Return every field of a schema declared with `x-vocabulary`, in schema order."""
    fields = []
    for path, node, _ in walk_schema(schema_name):
        if "x-vocabulary" in node:
            facet = node.get("x-facet")
            fields.append(TermField(path, node["x-vocabulary"], tuple(node.get("x-detail", ())),
                                    FacetDeclaration(**facet) if facet else None))
    return tuple(fields)


@cache
def bibtex_key_fields(schema_name: str) -> tuple[FieldPath, ...]:
    """Return the paths of every field of a schema whose value is a key of references.bib."""
    return tuple(path for path, node, _ in walk_schema(schema_name) if node.get("x-bibtex-key"))


@cache
def country_code_fields(schema_name: str) -> tuple[FieldPath, ...]:
    """Return the paths of every field of a schema whose value is an ISO 3166-1 country code."""
    return tuple(path for path, node, _ in walk_schema(schema_name) if node.get("x-country-code"))


@cache
def coded_blocks(schema_name: str) -> tuple[FieldPath, ...]:
    """Return the paths of the codebook's blocks (`x-coded`): their values need a source unless unknown."""
    return tuple(path for path, node, _ in walk_schema(schema_name) if node.get("x-coded"))


def implied_track(sides: Iterable[tuple[Any, Any]]) -> str:
    """Return the track ("1.5" or "2") that the coded participants imply, or "" when no side is coded.

    `sides` gives each side's (distance, participant types). Track 1.5 when someone at
    the table decides for a side or negotiates for it in an official capacity. Officials
    taking part in a private capacity do not make it official (Track Two's usual
    definition), nor does a government's encouragement or briefing: the track is read
    from who sat at the table.
    """
    sides = list(sides)
    if not sides:
        return ""
    official = any(distance == "decision-makers" or "official-negotiators" in (who or ()) for distance, who in sides)
    return "1.5" if official else "2"


@dataclass(frozen=True, slots=True)
class CodebookField:
    """A field of the codebook: where it is, what it means, its values and how to code it."""

    path: FieldPath
    description: str
    section: str = ""  # the vocabulary section of its values, if any
    choices: tuple[str, ...] = ()  # its values, when the schema lists them (yes / no / unknown)
    rules: str = ""
    edge_cases: tuple[str, ...] = ()
    literature: tuple[str, ...] = ()  # BibTeX keys

    @property
    def anchor(self) -> str:
        """Return the id of the field's entry on the codebook page, e.g. `situation-phase`."""
        return "-".join(part for part in self.path if part != "*").replace("_", "-")

    @property
    def name(self) -> str:
        """Return the field as a contributor writes it, e.g. `situation.phase`, `transfer[].what`."""
        return ".".join(self.path).replace(".*", "[]")


@cache
def codebook_fields() -> tuple[CodebookField, ...]:
    """Return the fields of the codebook (`x-codebook`), in schema order."""
    fields = []
    for path, node, _ in walk_schema(CASE_SCHEMA):
        if "x-codebook" in node and path[-1] != "*":
            notes = node["x-codebook"]
            member = node.get("items") or node.get("additionalProperties")
            item: dict = member if isinstance(member, dict) else {}
            section = str(node.get("x-vocabulary") or item.get("x-vocabulary") or "")
            fields.append(CodebookField(
                path, node.get("description", ""), section,
                tuple(node.get("enum", ())), notes.get("rules", ""), tuple(notes.get("edge_cases", ())),
                tuple(notes.get("literature", ()))))
    return tuple(fields)


def codebook_release() -> dict:
    """Return the codebook's version and changelog, from the case schema."""
    return load_schema(CASE_SCHEMA)["x-codebook-release"]


def codebook_version() -> str:
    """Return the version of the codebook."""
    return codebook_release()["version"]


@cache
def defaults(schema_name: str) -> dict[FieldPath, Any]:
    """Return the schema's `default` values by field path."""
    return {path: node["default"] for path, node, _ in walk_schema(schema_name) if "default" in node}


def values_at(data: Any, path: FieldPath, where: tuple = ()) -> list[tuple[tuple, Any]]:
    """Return (key path, value) for every value at a field path in parsed YAML, in document order.

    `*` matches each list item (or each mapping value). Walked level by level
    rather than recursively: validation calls this for every declared field of
    every file.
    """
    found: list[tuple[tuple, Any]] = [(where, data)]
    for head in path:
        deeper: list[tuple[tuple, Any]] = []
        if head == "*":
            for at, value in found:
                if isinstance(value, list):
                    deeper += [(at + (index,), item) for index, item in enumerate(value)]
                elif isinstance(value, dict):
                    deeper += [(at + (key,), item) for key, item in value.items()]
        else:
            deeper = [(at + (head,), value[head]) for at, value in found if isinstance(value, dict) and head in value]
        if not deeper:
            return []
        found = deeper
    return found
