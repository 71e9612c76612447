"""The quick ways through loading and validation give what the slow ways they stand in for give.

`load.parse_yaml` builds plain text, mappings and lists itself while it records
positions; `validate.schema_problems` asks a compiled schema before
jsonschema; BibTeX text without LaTeX skips the LaTeX decoder; links between
pages are made from the URLs' parts, not through `posixpath.relpath`. Each is held
here to the result of the general path, on the real content and on generated
input.
"""

from __future__ import annotations

import copy
import posixpath
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import load, urls, validate
from generator.registry import CASE_SCHEMA, INVENTORY_SCHEMA, LESSON_SCHEMA, VOCABULARY_SCHEMA

REPO = Path(__file__).resolve().parent.parent
CONTENT_FILES = sorted([*REPO.glob("cases/*.yml"), *REPO.glob("lessons/*.yml"), *REPO.glob("inventory/*.yml"),
                        REPO / "vocabulary.yml", *REPO.glob("tests/fixtures/corpus/**/*.yml")])


def loader_alone(text: str):
    return yaml.load(text, Loader=load._ContentLoader)  # noqa: S506 (the project's safe loader)


def parsed(text: str):
    problems: list = []
    document = load.parse_yaml("test.yml", text, problems)
    assert not problems, problems
    assert document is not None
    return document.data


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_each_content_file_reads_as_the_loader_alone_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert parsed(text) == loader_alone(text)


@pytest.mark.parametrize("text", [
    "a: !!set {x, y}\n", "a: !!omap [x: 1, y: 2]\n", "a: !!pairs [x: 1, x: 2]\n", "a: !!binary aGVsbG8=\n",
    "a: !!str 12\n", "a: !!int '12'\n", "a: !!float '1.5'\n", "1: one\nnull: none\ntrue: yes\n",
    "a: 2024-05-01\nb: yes\nc: No\nd: ~\ne: 0x1F\nf: 1_000\ng: .inf\nh: -.5e3\n",
    "a: |\n  two\n  lines\nb: >-\n  folded\n  text\n", "- [1, [2, [3]]]\n- {a: {b: {c: d}}}\n",
    "a: !!map {b: c}\nd: !!seq [e]\n",
])
def test_tagged_and_typed_values_read_as_the_loader_alone_reads_them(text: str) -> None:
    assert parsed(text) == loader_alone(text)


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(["yes", "no", "on", "off", "2020-01-01", "0o17", "1e3",
                                                           "null", "~", "True", "a: b", "- x", "#c", "FILL IN"]))
documents = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), children, max_size=4)),
    max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents, st.sampled_from([None, True, False]), st.sampled_from([None, '"', "'", "|"]))
def test_generated_yaml_reads_as_the_loader_alone_reads_it(data, flow: bool | None, style: str | None) -> None:
    text = yaml.safe_dump({"root": data}, default_flow_style=flow, default_style=style, allow_unicode=True)
    assert parsed(text) == loader_alone(text)


# --- the compiled schema -------------------------------------------------------

def _verdicts(schema: str, data) -> tuple[bool, bool]:
    """Return (compiled schema accepts, jsonschema accepts) for `data`."""
    full = not any(True for _ in validate._validator(schema).iter_errors(data))
    return validate._conforms(schema, data), full


REAL_CASES = [loader_alone(path.read_text(encoding="utf-8")) for path in sorted(REPO.glob("cases/*.yml"))]


@pytest.mark.parametrize(("schema", "pattern"), [(CASE_SCHEMA, "cases/*.yml"), (LESSON_SCHEMA, "lessons/*.yml"),
                                                 (INVENTORY_SCHEMA, "inventory/*.yml"),
                                                 (VOCABULARY_SCHEMA, "vocabulary.yml")])
def test_the_compiled_schema_accepts_the_real_content(schema: str, pattern: str) -> None:
    for path in sorted(REPO.glob(pattern)):
        assert _verdicts(schema, loader_alone(path.read_text(encoding="utf-8"))) == (True, True), path


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, path + (index,))


replacements = st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=6), scalars, max_size=2),
                         st.sampled_from(["unknown", "", "x\n", "2026-02-31", "2026-02-28", "1999", "supports", "IL",
                                          "example-dialogue", "a" * 400, ["unknown"], [], {}, -1, 0, 1996.0]))


def _near(value) -> st.SearchStrategy:
    """Values close to `value` that a schema may refuse: a final newline, too long, empty, repeated items."""
    if isinstance(value, str):
        return st.sampled_from([value + "\n", value * 80, "", value.upper(), " " + value, value.replace("-", "_")])
    if isinstance(value, list):
        return st.sampled_from([[], value + value, value[:1] * 2, [*value, None]])
    if isinstance(value, dict):
        return st.sampled_from([{}, {**value, "extra": 1}])
    return replacements


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_compiled_schema_and_jsonschema_agree_on_changed_cases(data) -> None:
    case = copy.deepcopy(data.draw(st.sampled_from(REAL_CASES)))
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from([p for p in _paths(case) if p]))
        parent = case
        for part in path[:-1]:
            parent = parent[part]
        original = parent[path[-1]]
        choice = data.draw(st.integers(0, 2))
        # Drawn values are copied: the strategies' own lists and dicts must never be changed by a later step.
        if choice == 0 and isinstance(parent, dict):
            del parent[path[-1]]
        elif choice == 1:
            parent[path[-1]] = copy.deepcopy(data.draw(_near(original)))
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(replacements))
        if data.draw(st.booleans()):
            case[data.draw(st.sampled_from(["extra", "notes", "track", "start"]))] = copy.deepcopy(
                data.draw(replacements))
    fast, full = _verdicts(CASE_SCHEMA, case)
    if validate._scan(load.Document("x.yml", case, {}, {}))[1]:
        return  # a document holding a float never takes the quick way (see validate._compiled)
    assert fast == full


@pytest.mark.parametrize("field", ["conflict", "reviewed", "countries"])
def test_a_final_newline_is_refused_by_both(field: str) -> None:
    case = copy.deepcopy(REAL_CASES[0])
    if isinstance(case[field], list):
        case[field] = [case[field][0] + "\n"]
    else:
        case[field] += "\n"
    assert _verdicts(CASE_SCHEMA, case) == (False, False)


def test_a_document_holding_a_float_goes_to_jsonschema(tmp_path: Path) -> None:
    """The compiled schema reads 1996.0 as a whole number; jsonschema, as this project defines it, does not."""
    text = (REPO / "tests/fixtures/corpus/cases/example-dialogue.yml").read_text(encoding="utf-8")
    text = text.replace("period: {start: 1990,", "period: {start: 1990.0,")
    assert "1990.0" in text
    problems: list = []
    document = load.parse_yaml("cases/example-dialogue.yml", text, problems)
    assert document is not None and not problems
    assert [p.format() for p in validate.schema_problems(document, CASE_SCHEMA)] == [
        "cases/example-dialogue.yml:4:17: error: 'period.start' must be a whole number, not a decimal number [E032]"]


# --- BibTeX without LaTeX ------------------------------------------------------

def test_references_read_the_same_with_every_field_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "references.bib").read_text(encoding="utf-8")
    quick = load.parse_bibtex("references.bib", text, [])
    monkeypatch.setattr(load, "_NEEDS_DECODING", re.compile(""))  # matches everything
    assert load.parse_bibtex("references.bib", text, []) == quick
    assert len(quick) > 1000


plain_text = st.lists(st.sampled_from(list("aZ 09.,;:'\"-!?`<>/@()[]*+=|\n\tçéøł–—“”’") + ["  ", "\n\n"]),
                      max_size=30).map("".join)


@settings(max_examples=2000, deadline=None)
@given(plain_text)
def test_text_the_decoder_is_skipped_for_is_its_own_decoding(text: str) -> None:
    if load._NEEDS_DECODING.search(text):
        return
    assert " ".join(load._LATEX.latex_to_text(text).split()) == " ".join(text.split())


# --- links between pages -------------------------------------------------------

def _relpath_link(from_url: str, to_url: str) -> str:
    """The link as `posixpath.relpath` makes it: what `urls.relative` stands in for."""
    target, _, fragment = to_url.partition("#")
    path = posixpath.relpath(target or ".", from_url or ".")
    path = "./" if path == "." else path + ("/" if target.endswith("/") else "")
    return f"{path}#{fragment}" if fragment else path


segment = st.sampled_from(["cases", "lessons", "sources", "a", "b", "page", "2", "oslo-back-channel", "data"])
site_url = st.lists(segment, max_size=4).map(lambda parts: "".join(f"{part}/" for part in parts))
target_url = st.tuples(st.lists(segment, max_size=4), st.sampled_from(["", "/", "/#x", "cases.json", "#top"])).map(
    lambda item: "/".join(item[0]) + (item[1] if item[0] or not item[1].startswith("/") else item[1][1:]))


@settings(max_examples=2000, deadline=None)
@given(site_url, target_url)
def test_a_relative_link_is_the_one_relpath_makes(from_url: str, to_url: str) -> None:
    assert urls.relative(from_url, to_url) == _relpath_link(from_url, to_url)
