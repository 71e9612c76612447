"""Check loaded content against the schemas and against itself; return every problem found.

`validate_content(raw, today)` never raises on a content mistake and never
stops at the first one. It checks, in order:

1. the JSON Schemas in `generator/schema/` (fields, types, formats, unknown fields),
   with the words of each pattern's problem taken from the schema's `x-hint`;
2. references between files, found through the schema's declarations
   (`x-vocabulary`, `x-bibtex-key`, `x-country-code`; see `registry`):
   vocabulary terms, BibTeX keys, ISO country codes; then lesson ids,
   inline `[@key]` citations and aliases;
3. sense: period start before end and not in the future, file names that
   are valid ids, participant safety for confidential meetings;
4. the codebook: a source for every coded value other than unknown (E180),
   parties among the case's countries (E181), every work cited in a coded
   block listed under `sources` (E141), and a warning when the stated track
   differs from the one the coded participants imply (W203);
5. warnings for lessons and vocabulary terms nothing uses, and for books and
   articles cited without a page (W204).

Each problem carries a stable code; CONTRIBUTING.md documents every one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import pycountry
from referencing import Registry, Resource

from .citations import find_citations
from .load import Document, RawContent
from .model import Problem, Reference, Severity
from .registry import (
    CASE_SCHEMA,
    COUNTRY_CODE,
    EXTRA_COUNTRY_CODES,
    ID,
    INVENTORY_SCHEMA,
    LESSON_SCHEMA,
    SCHEMA_FILES,
    SECTIONS_BY_NAME,
    VOCABULARY_SCHEMA,
    VOCABULARY_SECTIONS,
    bibtex_key_fields,
    coded_blocks,
    country_code_fields,
    implied_track,
    load_schema,
    term_fields,
    values_at,
)
from .urls import convenor_slug, slugify

# BibTeX entry types whose text has pages, so that a citation of them should give one.
PAGINATED = frozenset({"book", "article", "incollection", "inbook", "inproceedings", "phdthesis", "mastersthesis"})


def _paginated(ref: Reference) -> bool:
    """Whether a work has pages a citation should give: not an online article numbered by `eid` alone."""
    return ref.entry_type in PAGINATED and not ("eid" in ref.fields and "pages" not in ref.fields)


# The scaffold made by `casebook new` marks every value to fill in with this.
PLACEHOLDER = "FILL IN"


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    registry = Registry().with_resources(
        (schema_name, Resource.from_contents(load_schema(schema_name)))
        for schema_name in SCHEMA_FILES
    )
    schema = load_schema(name)
    base = jsonschema.validators.validator_for(schema)
    cls = jsonschema.validators.extend(
        base,
        validators={"pattern": _pattern},
        # YAML's 1996.0 is not a year: JSON Schema's "integer" would accept it.
        type_checker=base.TYPE_CHECKER.redefine(
            "integer", lambda checker, value: isinstance(value, int) and not isinstance(value, bool)),
    )
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


@cache
def _compiled(name: str) -> Callable[[Any], Any]:
    """Return the schema compiled to Python by fastjsonschema: the fast test of a document that has no problem.

    jsonschema explains every problem (with the paths the messages need) but is
    slow; most documents have none. `schema_problems` asks this validator first
    and only asks jsonschema when it refuses. For that, it must refuse whatever
    jsonschema refuses. Its schema is the same one rewritten for the draft-07
    this library implements: every `$ref` (local, or into another schema
    file) is replaced by its target and, beside other keywords, sits in an
    `allOf` with them (how draft 2020-12 reads it); formats are checked by
    jsonschema's own checker. (fastjsonschema reads a pattern's final `$` as
    ECMA-262 does, refusing a final newline, as `_pattern` makes jsonschema
    do.) It reads 1996.0 as an integer, so `_conforms` never gives it a
    document holding a float. A property test holds the two validators to
    the same verdict.

    The targets are copied in place rather than kept as definitions: the code
    fastjsonschema makes for a call to a definition costs more than the check
    itself. The vocabulary, one document, keeps definitions, as its sections
    would otherwise repeat the same term schema twenty times over.
    """
    definitions: dict[str, Any] = {}
    formats: set[str] = set()
    schema = _for_draft7(load_schema(name), name, definitions if name == VOCABULARY_SCHEMA else None, formats)
    schema.pop("$defs", None)
    schema.update({"$schema": "http://json-schema.org/draft-07/schema#", "definitions": definitions})
    checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
    return fastjsonschema.compile(
        schema, use_default=False,
        formats={fmt: functools.partial(checker.conforms, format=fmt) for fmt in sorted(formats)})


def _for_draft7(node: Any, file_name: str, definitions: dict[str, Any] | None, formats: set[str]) -> Any:
    """Return a schema node rewritten as `_compiled` describes.

    With `definitions`, a `$ref` becomes a reference into that table (filled
    here); without, its target is copied in its place.
    """
    if isinstance(node, list):
        return [_for_draft7(item, file_name, definitions, formats) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref":
            continue
        if key == "format" and isinstance(value, str):
            formats.add(value)
        result[key] = _for_draft7(value, file_name, definitions, formats)
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return result
    target_file, _, pointer = ref.partition("#")
    target_file = target_file or file_name
    target: Any = load_schema(target_file)
    for part in pointer.strip("/").split("/"):
        target = target[part]
    if definitions is None:
        replacement = _for_draft7(target, target_file, None, formats)
    else:
        name = re.sub(r"[^A-Za-z0-9]+", "_", f"{target_file}{pointer}")
        if name not in definitions:
            definitions[name] = {}  # reserved first, so that a schema referring to itself ends
            definitions[name] = _for_draft7(target, target_file, definitions, formats)
        replacement = {"$ref": f"#/definitions/{name}"}
    if all(key in _ANNOTATIONS or key.startswith("x-") for key in result):
        return replacement
    return {"allOf": [replacement, result]}


_ANNOTATIONS = frozenset({"description", "title", "examples", "default", "$comment"})


def _conforms(name: str, data: Any) -> bool:
    """Return True when the compiled schema accepts `data`; False sends it to jsonschema for the reasons.

    The caller has made sure that `data` holds no float (see `_scan`).
    """
    try:
        _compiled(name)(data)
    except Exception:  # noqa: BLE001 - a refusal, or data it cannot read (e.g. a number as a key): ask jsonschema
        return False
    return True


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict) -> Iterable[Any]:
    """JSON Schema `pattern` as ECMA-262 reads it: `$` does not match before a final newline."""
    if not isinstance(instance, str):
        return
    match = re.search(pattern, instance)
    if match is None or (pattern.endswith("$") and instance.endswith("\n")):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


def validate_content(raw: RawContent, today: dt.date) -> tuple[Problem, ...]:
    """Return every problem in the content, load problems first, sorted by file and line."""
    problems: list[Problem] = list(raw.problems)
    vocabulary = _vocabulary_terms_of(raw.vocabulary)
    lesson_ids = frozenset(doc.stem for doc in raw.lessons)
    case_ids = {doc.stem for doc in raw.cases}
    references = _Same(raw.references)
    used_terms: set[tuple[str, str]] = set()
    used_lessons: set[str] = set()

    if raw.vocabulary is not None:
        problems += schema_problems(raw.vocabulary, VOCABULARY_SCHEMA)
        problems += _declared_references(raw.vocabulary, VOCABULARY_SCHEMA, vocabulary, raw.references, used_terms)
        problems += _check_vocabulary(raw.vocabulary, raw.references)
    for doc in raw.lessons:
        problems += _check_file_name(doc)
        problems += schema_problems(doc, LESSON_SCHEMA)
        problems += _declared_references(doc, LESSON_SCHEMA, vocabulary, raw.references, used_terms)
        problems += _check_lesson(doc, lesson_ids, raw.references)
    aliases_seen: dict[str, str] = {}
    for doc in raw.cases:
        problems += _check_file_name(doc)
        problems += schema_problems(doc, CASE_SCHEMA)
        found, terms, lessons = _case_problems(doc, raw.vocabulary, references, lesson_ids, today)
        problems += found
        used_terms |= terms
        used_lessons |= lessons
        problems += _check_aliases(doc, case_ids, aliases_seen)
    for doc in raw.inventory:
        problems += _check_file_name(doc)
        problems += schema_problems(doc, INVENTORY_SCHEMA)
        problems += _declared_references(doc, INVENTORY_SCHEMA, vocabulary, raw.references, used_terms)
        if doc.stem in case_ids:
            problems.append(Problem(doc.path, 1, 1, "W205", f"'{doc.stem}' is written up as cases/{doc.stem}.yml",
                                    "remove this inventory entry: the case replaces it", Severity.WARNING))
    problems += _check_convenors(raw.cases, vocabulary)
    problems += _unused(raw, vocabulary, used_terms, used_lessons)
    return tuple(sorted(problems, key=lambda p: (p.path, p.line, p.col, p.code)))


class _Same:
    """A value compared and hashed by identity, as part of the key of a kept result.

    The content loaded is made of objects that stay the same while their file
    is unchanged (see load.py), so a result kept by them stays true; the key
    holds the object, so its identity cannot pass to another while kept.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.value is self.value


@functools.lru_cache(maxsize=20_000)
def _case_problems(doc: Document, vocabulary: Document | None, references: _Same, lesson_ids: frozenset[str],
                   today: dt.date) -> tuple[tuple[Problem, ...], frozenset[tuple[str, str]], frozenset[str]]:
    """Return a case file's problems with what it uses (terms, lessons): a pure function of its inputs, so kept.

    A rebuild under `mkdocs serve` then checks again only the cases that
    changed, unless the vocabulary, the references or the lessons did.
    """
    used_terms: set[tuple[str, str]] = set()
    used_lessons: set[str] = set()
    problems = _declared_references(doc, CASE_SCHEMA, _vocabulary_terms_of(vocabulary), references.value, used_terms)
    problems += _check_case(doc, lesson_ids, references.value, today, used_lessons)
    return tuple(problems), frozenset(used_terms), frozenset(used_lessons)


# --- schema -----------------------------------------------------------------

@functools.lru_cache(maxsize=20_000)
def schema_problems(doc: Document, schema_name: str) -> tuple[Problem, ...]:
    """Return the problems of one document against one of the JSON Schemas, with file, line and fix.

    A pure function of the parsed file (one Document per text, see load.py), so
    kept: a rebuild under `mkdocs serve` checks only the files that changed.
    """
    return tuple(_schema_problems(doc, schema_name))


def _schema_problems(doc: Document, schema_name: str) -> list[Problem]:
    problems, holds_float = _scan(doc)
    if not holds_float and _conforms(schema_name, doc.data):
        return problems
    validator = _validator(schema_name)
    missing_reported: set[tuple] = set()
    for error in validator.iter_errors(doc.data):
        if error.validator == "required":
            # One error per missing field, all on the same object: report them together, once.
            path = tuple(error.absolute_path)
            if path not in missing_reported:
                missing_reported.add(path)
                problems += _missing_fields(doc, error)
        elif not _is_placeholder(error.instance):  # already reported as a placeholder
            problems += _explain(doc, error)
    return problems


def _missing_fields(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    schema: dict = error.schema if isinstance(error.schema, dict) else {}
    present = error.instance if isinstance(error.instance, dict) else {}
    path = tuple(error.absolute_path)
    field = _field_name(path)
    line, col = doc.where(path)
    problems = []
    for name in schema.get("required", ()):
        if name in present:
            continue
        description = schema.get("properties", {}).get(name, {}).get("description", "")
        hint = f"add '{name}:'" + (f", {description.split('. ')[0].rstrip('.').lower()}" if description else "")
        problems.append(Problem(doc.path, line, col, "E030",
                                f"missing required field '{name}'" + (f" in {field}" if path else ""), hint))
    return problems


def _is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and PLACEHOLDER in value


def _scan(doc: Document) -> tuple[list[Problem], bool]:
    """Return the placeholders left in a document, and whether it holds a decimal number (see `_compiled`).

    One pass over the values alone; the paths of placeholders are looked for
    only in a document that has one (a fresh scaffold), which is rare.
    """
    holds_float = has_placeholder = False
    stack: list[Any] = [doc.data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            has_placeholder = has_placeholder or PLACEHOLDER in value
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, float):
            holds_float = True
    return (_placeholders(doc) if has_placeholder else []), holds_float


def _placeholders(doc: Document) -> list[Problem]:
    problems = []
    stack: list[tuple[tuple, Any]] = [((), doc.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if PLACEHOLDER in value:
                line, col = doc.where(path)
                problems.append(Problem(doc.path, line, col, "E040",
                                        f"'{_field_name(path)}' still holds the placeholder",
                                        f"replace {PLACEHOLDER} (see the comment beside it)"))
        elif isinstance(value, dict):
            stack.extend((path + (key,), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((path + (index,), item) for index, item in enumerate(value))
    return problems


def _field_name(path: Iterable[Any]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "the file"


def _type_name(value: Any) -> str:
    return {type(None): "empty (null)", bool: "true/false", int: "a number", float: "a decimal number",
            str: "text", list: "a list", dict: "a set of fields"}.get(type(value), type(value).__name__)


_EXPECTED = {"string": "text", "integer": "a whole number", "number": "a number",
             "boolean": "true or false", "array": "a list", "object": "a set of fields",
             "null": "null"}


def _explain(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    schema: dict = error.schema if isinstance(error.schema, dict) else {}
    validator_value: Any = error.validator_value
    path = tuple(error.absolute_path)
    field = _field_name(path)
    line, col = doc.where(path)
    validator = error.validator
    if validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        problems = []
        for name in sorted(set(error.instance) - set(allowed), key=str):
            kline, kcol = doc.where(path + (name,), key=True)
            problems.append(Problem(doc.path, kline, kcol, "E031",
                                    f"unknown field '{name}'" + (f" in {field}" if path else ""),
                                    _did_you_mean(str(name), allowed, "allowed fields")))
        return problems
    if validator == "type":
        expected = validator_value
        expected = [expected] if isinstance(expected, str) else expected
        wanted = " or ".join(_EXPECTED.get(t, t) for t in expected)
        hint = ""
        if "integer" in expected and isinstance(error.instance, str):
            hint = "write the number without quotes"
        elif "string" in expected and not isinstance(error.instance, (list, dict)):
            hint = "put the value in quotes"
        elif "array" in expected:
            hint = "write a list, e.g. [a, b] or one '- item' per line"
        return [Problem(doc.path, line, col, "E032",
                        f"'{field}' must be {wanted}, not {_type_name(error.instance)}", hint)]
    if validator == "enum":
        choices = [str(c) for c in validator_value]
        return [Problem(doc.path, line, col, "E033",
                        f"'{error.instance}' is not allowed for '{field}'",
                        _did_you_mean(str(error.instance), choices, "choose one of"))]
    if validator == "pattern":
        return [Problem(doc.path, line, col, "E034", *_hint_message(field, error.instance, schema))]
    if validator in ("anyOf", "oneOf"):
        if "x-hint" in schema:
            return [Problem(doc.path, line, col, "E039", *_hint_message(field, error.instance, schema))]
        best = jsonschema.exceptions.best_match(error.context or ())
        if best is not None:
            return _explain(doc, best)
    if validator in ("minLength", "maxLength"):
        size = "short" if validator == "minLength" else "long"
        limit = validator_value
        return [Problem(doc.path, line, col, "E035", f"'{field}' is too {size}",
                        f"write {'at least' if size == 'short' else 'at most'} {limit} characters")]
    if validator in ("minItems", "maxItems", "minProperties"):
        return [Problem(doc.path, line, col, "E036", f"'{field}' needs at least {validator_value} "
                        f"{'entry' if validator_value == 1 else 'entries'}",
                        "add the missing entries")]
    if validator == "uniqueItems":
        return [Problem(doc.path, line, col, "E037", f"'{field}' lists the same entry twice",
                        "remove the repeated entry")]
    if validator == "format" and validator_value == "date":
        return [Problem(doc.path, line, col, "E038", f"'{field}' is not a valid date",
                        "write the date as YYYY-MM-DD, e.g. 2026-11-25")]
    if validator == "minimum":
        return [Problem(doc.path, line, col, "E039",
                        f"'{field}' must be at least {validator_value}", "check the number")]
    return [Problem(doc.path, line, col, "E039", f"'{field}': {error.message}", "")]


def _hint_message(field: str, value: Any, schema: dict) -> tuple[str, str]:
    """Return the message and fix for a value that does not match its pattern, from the schema's `x-hint`."""
    hint = schema.get("x-hint")
    if not hint:
        return (f"{value!r} is not valid for '{field}'", f"it must match {schema.get('pattern')}")
    words = {"{value!r}": repr(value), "{field}": field, "{slug}": slugify(str(value))}

    def fill(text: str) -> str:
        for placeholder, replacement in words.items():
            text = text.replace(placeholder, replacement)
        return text

    fix = fill(hint["fix"])
    if schema.get("x-country-code"):
        fix = _country_suggestion(str(value)) or fix
    return fill(hint["message"]), fix


def _country_suggestion(value: str) -> str:
    """Return 'did you mean …?' for a three-letter code, a lower-case code or a country's name."""
    try:
        country = pycountry.countries.lookup(value.strip())
    except LookupError:
        return ""
    return f"did you mean '{country.alpha_2}' ({country.name})?"


def _did_you_mean(value: str, choices: Iterable[str], label: str) -> str:
    choices = sorted(set(choices))
    close = difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    if len(choices) <= 12:
        return f"{label}: " + ", ".join(choices)
    return f"{label} are listed in the documentation"


# --- references between files ----------------------------------------------

# Each vocabulary section's term ids, each with its synonyms; the works of references.bib by key.
Terms = Mapping[str, Mapping[str, tuple[str, ...]]]
References = Mapping[str, Reference]


@functools.lru_cache(maxsize=4)
def _vocabulary_terms_of(doc: Document | None) -> Terms | None:
    """`_vocabulary_terms`, kept for the same parsed file."""
    return _vocabulary_terms(doc)


def _vocabulary_terms(doc: Document | None) -> Terms | None:
    """Return each section's term ids with their synonyms, or None when vocabulary.yml could not be read."""
    if doc is None or not isinstance(doc.data, dict):
        return None  # its own problem is reported; checking terms against nothing would drown it
    terms: dict[str, dict[str, tuple[str, ...]]] = {section: {} for section in VOCABULARY_SECTIONS}
    for section in VOCABULARY_SECTIONS:
        entries = doc.data.get(section)
        if isinstance(entries, dict):
            for term_id, entry in entries.items():
                synonyms = _get(entry, "synonyms")
                terms[section][str(term_id)] = tuple(
                    str(word) for word in synonyms if isinstance(word, str)) if isinstance(synonyms, list) else ()
    return terms


def _suggest_term(value: str, terms: Mapping[str, tuple[str, ...]], label: str) -> str:
    """Return a hint naming the term meant by `value`: by synonym, by spelling, or by a shared word."""
    wanted = slugify(value)
    by_synonym = sorted(term for term, synonyms in terms.items()
                        if wanted in {slugify(word) for word in synonyms})
    if by_synonym:
        return "did you mean " + " or ".join(f"'{term}'" for term in by_synonym) + "?"
    spelled = _did_you_mean(value, terms, label)
    if spelled.startswith("did you mean"):
        return spelled
    words = set(wanted.split("-"))
    sharing = sorted(term for term in terms if words & set(term.split("-")))
    if 0 < len(sharing) <= 3:
        return "did you mean " + " or ".join(f"'{term}'" for term in sharing) + "?"
    return spelled


def _get(data: Any, *path: Any) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _items(value: Any) -> list[tuple[int, Any]]:
    return list(enumerate(value)) if isinstance(value, list) else []


def _term(doc: Document, path: tuple, value: Any, section: str,
          vocabulary: Terms | None, used: set[tuple[str, str]]) -> list[Problem]:
    if vocabulary is None or not isinstance(value, str) or not ID.match(value):
        return []  # the schema reports a malformed id; a broken vocabulary.yml reports itself
    used.add((section, value))
    if value in vocabulary[section]:
        return []
    line, col = doc.where(path)
    hint = _suggest_term(value, vocabulary[section], "known terms")
    if SECTIONS_BY_NAME[section].codebook:
        if not hint.startswith("did you mean"):
            hint = "choose one of: " + ", ".join(vocabulary[section])
        hint += " (the codebook's values are listed on the Codebook page)"
    else:
        hint += f" (or add '{value}' to the {section} section of vocabulary.yml)"
    return [Problem(doc.path, line, col, "E101", f"unknown {section.replace('_', ' ').rstrip('s')} '{value}'", hint)]


def _declared_references(doc: Document, schema_name: str, vocabulary: Terms | None,
                         references: References, used_terms: set) -> list[Problem]:
    """Check every value the schema declares to be a term, a BibTeX key or a country code."""
    problems = []
    for field in term_fields(schema_name):
        for where, value in values_at(doc.data, field.path):
            problems += _term(doc, where, value, field.section, vocabulary, used_terms)
    for path in bibtex_key_fields(schema_name):
        for where, key in values_at(doc.data, path):
            if isinstance(key, str) and key not in references and not _is_placeholder(key):
                line, col = doc.where(where)
                problems.append(_unknown_key(doc.path, line, col, key, references))
    for path in country_code_fields(schema_name):
        for where, code in values_at(doc.data, path):
            problems += _country(doc, where, code)
    return problems


def _unknown_key(display: str, line: int, col: int, key: str, references: References) -> Problem:
    return Problem(display, line, col, "E140", f"unknown source key '{key}': references.bib has no such entry",
                   _did_you_mean(key, references, "keys") + " (or add the work to references.bib)")


def _inline_citations(doc: Document, path: tuple, references: References,
                      listed: set[str] | None = None) -> list[Problem]:
    text = _get(doc.data, *path)
    if not isinstance(text, str):
        return []
    base_line, base_col = doc.where(path)
    problems = []
    for citation in find_citations(text):
        # The citation's own line and column: text lines map one to one onto the
        # file's lines in a literal block (|), the form narratives are written in.
        line = base_line + text.count("\n", 0, citation.start)
        col = base_col + citation.start - (text.rfind("\n", 0, citation.start) + 1)
        if citation.error:
            problems.append(Problem(doc.path, line, col, "E142", citation.error,
                                    "write [@key] or [@key, p. 12]; several as [@a; @b]"))
            continue
        for cite in citation.items:
            if cite.key not in references:
                problems.append(_unknown_key(doc.path, line, col, cite.key, references))
                continue
            if not cite.pages and _paginated(references[cite.key]):
                problems.append(Problem(doc.path, line, col, "W204",
                                        f"'{cite.key}' is a paginated work cited without a page",
                                        f"write [@{cite.key}, p. 12] with the page you read, if you read it",
                                        severity=Severity.WARNING))
            if listed is not None and cite.key not in listed:
                problems.append(Problem(doc.path, line, col, "E141",
                                        f"'{cite.key}' is cited but not listed under 'sources'",
                                        f"add '- {{key: {cite.key}}}' to sources"))
    return problems


def _check_file_name(doc: Document) -> list[Problem]:
    if ID.match(doc.stem):
        return []
    return [Problem(doc.path, 1, 1, "E011", f"file name '{Path(doc.path).name}' is not a valid id",
                    f"rename it to {slugify(doc.stem)}.yml: lowercase letters, digits and hyphens")]


def _check_vocabulary(doc: Document, references: References) -> list[Problem]:
    problems = []
    for section in VOCABULARY_SECTIONS:
        entries = _get(doc.data, section)
        if isinstance(entries, dict):
            for term_id in entries:
                problems += _inline_citations(doc, (section, term_id, "definition"), references)
    return problems


def _check_lesson(doc: Document, lesson_ids: frozenset[str], references: References) -> list[Problem]:
    problems = []
    for index, other in _items(_get(doc.data, "related")):
        if isinstance(other, str) and other not in lesson_ids:
            line, col = doc.where(("related", index))
            problems.append(Problem(doc.path, line, col, "E130", f"unknown lesson '{other}'",
                                    _did_you_mean(other, lesson_ids, "lessons")))
        elif other == doc.stem:
            line, col = doc.where(("related", index))
            problems.append(Problem(doc.path, line, col, "E131", "a lesson cannot be related to itself",
                                    "remove it from 'related'"))
    listed = {_get(ref, "key") for _, ref in _items(_get(doc.data, "sources"))}
    problems += _inline_citations(doc, ("body",), references, listed)
    return problems


def _country(doc: Document, path: tuple, code: Any) -> list[Problem]:
    if not isinstance(code, str) or not COUNTRY_CODE.fullmatch(code):
        return []  # the schema reports it
    if code in EXTRA_COUNTRY_CODES or pycountry.countries.get(alpha_2=code):
        return []
    line, col = doc.where(path)
    hint = {"UK": "did you mean 'GB' (United Kingdom)?", "SU": "use 'RU' for the Soviet Union's "
            "Russian side and say so in the narrative"}.get(code, "see the ISO 3166-1 alpha-2 list")
    return [Problem(doc.path, line, col, "E110", f"'{code}' is not an ISO 3166-1 country code", hint)]


def _check_case(doc: Document, lesson_ids: frozenset[str], references: References,
                today: dt.date, used_lessons: set) -> list[Problem]:
    data = doc.data
    problems = []
    seen_lessons: set[str] = set()
    for index, link in _items(_get(data, "lessons")):
        lesson = _get(link, "lesson")
        if not isinstance(lesson, str) or _is_placeholder(lesson):
            continue
        line, col = doc.where(("lessons", index, "lesson"))
        if lesson in seen_lessons:
            problems.append(Problem(doc.path, line, col, "E132", f"lesson '{lesson}' is listed twice",
                                    "merge the two notes into one entry"))
        seen_lessons.add(lesson)
        used_lessons.add(lesson)
        if lesson not in lesson_ids:
            problems.append(Problem(doc.path, line, col, "E130", f"unknown lesson '{lesson}'",
                                    _did_you_mean(lesson, lesson_ids, "lessons")
                                    + f" (or create lessons/{lesson}.yml)"))

    listed = {_get(ref, "key") for _, ref in _items(_get(data, "sources"))}
    problems += _inline_citations(doc, ("narrative",), references, listed)
    for block in coded_blocks(CASE_SCHEMA) + (("funding", "*"), ("transfer", "*")):
        for where, key in values_at(doc.data, block + ("sources", "*", "key")):
            if isinstance(key, str) and key in references and key not in listed:
                line, col = doc.where(where)
                problems.append(Problem(doc.path, line, col, "E141",
                                        f"'{key}' is cited but not listed under 'sources'",
                                        f"add '- {{key: {key}}}' to sources"))
    problems += _check_coded(doc)
    problems += _check_period(doc, today)
    problems += _check_reviewed(doc, today)
    problems += _check_confidential(doc)
    return problems


def _check_coded(doc: Document) -> list[Problem]:
    """The codebook's rules beyond the schema: sources for every known value, parties among the
    case's countries, and a stated track that the coded participants bear out."""
    problems = []
    for path in coded_blocks(CASE_SCHEMA):
        for where, block in values_at(doc.data, path):
            if not isinstance(block, dict) or _get(block, "sources"):
                continue
            known = [value for key, value in block.items() if key != "sources" and _has_known_value(value)]
            if known:
                line, col = doc.where(where, key=True)
                problems.append(Problem(doc.path, line, col, "E180",
                                        f"'{_field_name(where)}' codes values other than unknown without a source",
                                        "add the works that show them under its 'sources', or write unknown"))
    countries = {code for _, code in values_at(doc.data, ("countries", "*")) if isinstance(code, str)}
    parties = [(where, code) for where, code in values_at(doc.data, ("participant_sides", "*", "party"))]
    sides = _get(doc.data, "government_relationship", "sides")
    parties += [(("government_relationship", "sides", code), code) for code in sides] if isinstance(sides, dict) else []
    for where, code in parties:
        if isinstance(code, str) and countries and code not in countries:
            line, col = doc.where(where, key=where[-1] == code)
            problems.append(Problem(doc.path, line, col, "E181",
                                    f"'{code}' is not one of the case's countries ({', '.join(sorted(countries))})",
                                    "use the code of a party listed under 'countries', or add it there"))
    sides = [(side.get("distance"), [w for w in side.get("who") or () if isinstance(w, str)]
              if isinstance(side.get("who"), list) else ())
             for _, side in values_at(doc.data, ("participant_sides", "*")) if isinstance(side, dict)]
    derived = implied_track(sides)
    stated = _get(doc.data, "track")
    if derived and stated in ("2", "1.5") and derived != stated:
        line, col = doc.where(("track",))
        problems.append(Problem(doc.path, line, col, "W203",
                                f"track is \"{stated}\" but the coded participants make it \"{derived}\"",
                                "check 'participant_sides' and 'track': decision makers or official negotiators "
                                "at the table make it 1.5",
                                severity=Severity.WARNING))
    return problems


def _has_known_value(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_known_value(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_known_value(item) for item in value)
    return value is not None and value != "unknown"


def _check_period(doc: Document, today: dt.date) -> list[Problem]:
    start, end = _get(doc.data, "period", "start"), _get(doc.data, "period", "end")
    problems = []
    if isinstance(start, int) and isinstance(end, int) and not isinstance(end, bool) and start > end:
        line, col = doc.where(("period", "end"))
        problems.append(Problem(doc.path, line, col, "E120",
                                f"the period ends ({end}) before it starts ({start})",
                                "swap the years, or correct the one that is wrong"))
    for name, year in (("start", start), ("end", end)):
        if isinstance(year, int) and not isinstance(year, bool) and year > today.year:
            line, col = doc.where(("period", name))
            problems.append(Problem(doc.path, line, col, "E121",
                                    f"the period {name} ({year}) is in the future",
                                    "use null for 'end' while the dialogue continues"))
    return problems


def _check_reviewed(doc: Document, today: dt.date) -> list[Problem]:
    value = _get(doc.data, "reviewed")
    try:
        reviewed = dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return []  # the schema reports it
    if reviewed and reviewed > today:
        line, col = doc.where(("reviewed",))
        return [Problem(doc.path, line, col, "E122", f"the review date {value} is in the future",
                        f"use the day you checked the sources, at the latest {today.isoformat()}")]
    return []


def _check_confidential(doc: Document) -> list[Problem]:
    if _get(doc.data, "participants", "confidential") is not True:
        return []
    problems = []
    for index, person in _items(_get(doc.data, "participants", "notable")):
        if not _get(person, "sources"):
            line, col = doc.where(("participants", "notable", index, "name"))
            name = _get(person, "name")
            problems.append(Problem(doc.path, line, col, "E150",
                                    f"'{name}' is named although the meetings were confidential",
                                    "give a source showing their participation is public, or remove the name"))
    return problems


def _check_aliases(doc: Document, case_ids: set[str], seen: dict[str, str]) -> list[Problem]:
    problems = []
    for index, alias in _items(_get(doc.data, "aliases")):
        if not isinstance(alias, str):
            continue
        line, col = doc.where(("aliases", index))
        if alias in case_ids:
            problems.append(Problem(doc.path, line, col, "E160",
                                    f"alias '{alias}' is the id of a live case",
                                    "an alias must be an old id no case uses now"))
        elif alias in seen:
            problems.append(Problem(doc.path, line, col, "E161",
                                    f"alias '{alias}' is already claimed by {seen[alias]}",
                                    "an old id can redirect to one case only"))
        else:
            seen[alias] = doc.path
    return problems


def _check_convenors(cases: tuple[Document, ...], vocabulary: Terms | None) -> list[Problem]:
    """A convenor is one organisation across cases: report the less common spellings, types, countries and websites.

    Only known types are compared: an unknown one is reported as such already.
    """
    known_types = vocabulary["convenor_types"] if vocabulary is not None else {}
    spellings: dict[str, dict[str, list[tuple[Document, int]]]] = {}
    types: dict[str, dict[str, list[tuple[Document, int]]]] = {}
    facts: dict[tuple[str, str], dict[str, list[tuple[Document, int]]]] = {}  # (slug, country|website)
    for doc in cases:
        for index, convenor in _items(_get(doc.data, "convenors")):
            name, kind = _get(convenor, "name"), _get(convenor, "type")
            if isinstance(name, str):
                spellings.setdefault(convenor_slug(name), {}).setdefault(name.strip(), []).append((doc, index))
                if isinstance(kind, str) and kind in known_types:
                    types.setdefault(convenor_slug(name), {}).setdefault(kind, []).append((doc, index))
                for field in ("country", "website"):
                    value = _get(convenor, field)
                    if isinstance(value, str):
                        facts.setdefault((convenor_slug(name), field), {}).setdefault(value, []).append((doc, index))
    problems = []
    for variants in spellings.values():
        for name, usual, where, doc, index in _less_common(variants):
            line, col = doc.where(("convenors", index, "name"))
            problems.append(Problem(doc.path, line, col, "E170",
                                    f"convenor '{name}' is spelled '{usual}' in {where}",
                                    "use one spelling, so that both cases share the convenor's page"))
    for variants in types.values():
        for kind, usual, where, doc, index in _less_common(variants):
            line, col = doc.where(("convenors", index, "type"))
            name = _get(doc.data, "convenors", index, "name")
            problems.append(Problem(doc.path, line, col, "E171",
                                    f"convenor '{name}' has type '{kind}' here but '{usual}' in {where}",
                                    "an organisation has one type in every case: use the same one"))
    for (_, field), variants in facts.items():
        for value, usual, where, doc, index in _less_common(variants):
            line, col = doc.where(("convenors", index, field))
            name = _get(doc.data, "convenors", index, "name")
            problems.append(Problem(doc.path, line, col, "E172",
                                    f"convenor '{name}' has {field} '{value}' here but '{usual}' in {where}",
                                    f"give the convenor's {field} once, or the same in every case"))
    return problems


def _less_common(variants: dict[str, list[tuple[Document, int]]]) -> Iterable[tuple[str, str, str, Document, int]]:
    """Yield (variant, usual variant, file of the usual one, doc, index) for each use of a less common variant."""
    if len(variants) < 2:
        return
    usual = max(variants, key=lambda value: len(variants[value]))  # ties: the first seen
    where = variants[usual][0][0].path
    for value, places in variants.items():
        if value != usual:
            for doc, index in places:
                yield value, usual, where, doc, index


def _unused(raw: RawContent, vocabulary: Terms | None, used_terms: set, used_lessons: set) -> list[Problem]:
    problems = []
    for doc in raw.lessons:
        if doc.stem not in used_lessons and ID.match(doc.stem):
            problems.append(Problem(doc.path, 1, 1, "W201", f"no case illustrates lesson '{doc.stem}'",
                                    "link it from a case's 'lessons' field", severity=Severity.WARNING))
    if vocabulary is not None and raw.vocabulary is not None:
        # Only sections that some field takes terms from; concepts and regions
        # describe the field and the world, not the cases.
        declared = {field.section for name in (CASE_SCHEMA, LESSON_SCHEMA) for field in term_fields(name)
                    if not SECTIONS_BY_NAME[field.section].codebook}
        for section in [s for s in VOCABULARY_SECTIONS if s in declared]:
            for term in sorted(vocabulary[section]):
                if (section, term) not in used_terms:
                    line, col = raw.vocabulary.where((section, term), key=True)
                    problems.append(Problem(raw.vocabulary.path, line, col, "W202",
                                            f"no case or lesson uses {section} term '{term}'",
                                            "use it or remove it", severity=Severity.WARNING))
    return problems
