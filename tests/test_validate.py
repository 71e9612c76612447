"""Validation: one invalid fixture per mistake, each with its exact messages; the CLI around it."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import check, read_settings, scaffold_case
from generator.cli import main
from generator.load import parse_bibtex, parse_yaml
from tests.conftest import FIXTURE_CORPUS, REPO, epoch
from tests.conftest import FIXTURE_TODAY as TODAY

INVALID = REPO / "tests" / "fixtures" / "invalid"

# Every fixture in tests/fixtures/invalid/ (cases at the top, references/ and
# lessons/ below), with every message `check` must print for it, in order.
EXPECTED = {
    'Bad_File_Name.yml': [
        "cases/Bad_File_Name.yml:1:1: error: file name 'Bad_File_Name.yml' is not a valid id; rename it to bad-file-name.yml: lowercase letters, digits and hyphens [E011]",
    ],
    'alias-of-live-case.yml': [
        "cases/alias-of-live-case.yml:3:11: error: alias 'second-example' is the id of a live case; an alias must be an old id no case uses now [E160]",
    ],
    'alias-with-newline.yml': [
        "cases/alias-with-newline.yml:3:11: error: 'example-talks\\n' is not a valid id in 'aliases[0]'; use lowercase letters, digits and hyphens, e.g. 'example-talks' [E034]",
    ],
    'bad-wikidata-id.yml': [
        "cases/bad-wikidata-id.yml:39:25: error: 'wd:12345' in 'identifiers.wikidata' is not a Wikidata item id; write the id from the item's page, e.g. Q42 [E034]",
    ],
    'blank-contributor.yml': [
        "cases/blank-contributor.yml:3:16: error: 'contributors[0]' must be plain text; write some text, without the characters < > [ ] { } ` or line breaks [E034]",
    ],
    'braces-in-title.yml': [
        "cases/braces-in-title.yml:2:8: error: 'title' must be plain text; write some text, without the characters < > [ ] { } ` or line breaks [E034]",
    ],
    'book-cited-without-page.yml': [
        "cases/book-cited-without-page.yml:20:62: warning: 'doe2001workshops' is a paginated work cited without a page; write [@doe2001workshops, p. 12] with the page you read, if you read it [W204]",
    ],
    'cited-not-listed.yml': [
        "cases/cited-not-listed.yml:21:39: error: 'exampleorg2020history' is cited but not listed under 'sources'; add '- {key: exampleorg2020history}' to sources [E141]",
        "cases/cited-not-listed.yml:36:3: error: 'sources' needs at least 2 entries; add the missing entries [E036]",
    ],
    'confidential-named-without-source.yml': [
        "cases/confidential-named-without-source.yml:16:13: error: 'Jane Doe' is named although the meetings were confidential; give a source showing their participation is public, or remove the name [E150]",
    ],
    'convenor-spelled-differently.yml': [
        "cases/convenor-spelled-differently.yml:9:11: error: convenor 'Example peace institute' is spelled 'Example Peace Institute' in cases/example-dialogue.yml; use one spelling, so that both cases share the convenor's page [E170]",
    ],
    'convenor-type-synonym.yml': [
        "cases/convenor-type-synonym.yml:10:11: error: unknown convenor type 'university'; did you mean 'academic'? (or add 'university' to the convenor_types section of vocabulary.yml) [E101]",
    ],
    'country-code-alpha-3.yml': [
        "cases/country-code-alpha-3.yml:7:13: error: 'USA' in 'countries[0]' is not an ISO 3166-1 alpha-2 country code; did you mean 'US' (United States)? [E034]",
    ],
    'field-dedented.yml': [
        "cases/field-dedented.yml:6:2: error: YAML syntax error: did not find expected key; 'end:' starts in column 2 but 'start:' above it in column 3; line up the fields of one block in one column (a field inside a block starts further right than the block's name) [E002]",
    ],
    'convenor-typed-differently.yml': [
        "cases/convenor-typed-differently.yml:10:11: error: convenor 'Example Peace Institute' has type 'academic' here but 'ngo' in cases/example-dialogue.yml; an organisation has one type in every case: use the same one [E171]",
    ],
    'convenor-website-not-https.yml': [
        "cases/convenor-website-not-https.yml:11:14: error: 'javascript:alert(1)' in 'convenors[0].website' is not an https:// address; give the full address, starting with https:// [E034]",
    ],
    'other-country-for-convenor.yml': [
        "cases/other-country-for-convenor.yml:11:14: error: convenor 'Example Peace Institute' has country 'FR' here but 'US' in cases/example-dialogue.yml; give the convenor's country once, or the same in every case [E172]",
    ],
    'coded-without-source.yml': [
        "cases/coded-without-source.yml:38:1: error: 'situation' codes values other than unknown without a source; add the works that show them under its 'sources', or write unknown [E180]",
    ],
    'party-not-among-countries.yml': [
        "cases/party-not-among-countries.yml:40:11: error: 'FR' is not one of the case's countries (NO, US); use the code of a party listed under 'countries', or add it there [E181]",
    ],
    'track-not-borne-out.yml': [
        'cases/track-not-borne-out.yml:5:8: warning: track is "2" but the coded participants make it "1.5"; check \'participant_sides\' and \'track\': decision makers or official negotiators at the table make it 1.5 [W203]',
    ],
    'funding-not-a-list.yml': [
        "cases/funding-not-a-list.yml:38:10: error: 'funding' must be unknown or a list of funders; write 'funding: unknown', or one '- name: …' entry per funder, each with its type and sources [E039]",
    ],
    'unknown-evidence-grade.yml': [
        "cases/unknown-evidence-grade.yml:44:15: error: unknown evidence grade 'rumour'; choose one of: official-record, independent-scholarship, journalism, participant-account (the codebook's values are listed on the Codebook page) [E101]",
    ],
    'countries-not-a-list.yml': [
        "cases/countries-not-a-list.yml:7:12: error: 'countries' must be a list, not text; write a list, e.g. [a, b] or one '- item' per line [E032]",
    ],
    'duplicate-key.yml': [
        "cases/duplicate-key.yml:3:1: error: duplicate field 'title' (first on line 2); keep one of them; YAML would silently drop the first [E006]",
    ],
    'empty-file.yml': [
        'cases/empty-file.yml:1:1: error: the file is empty; fill it in, or delete it [E005]',
    ],
    'invalid-country-code.yml': [
        "cases/invalid-country-code.yml:7:17: error: 'UK' is not an ISO 3166-1 country code; did you mean 'GB' (United Kingdom)? [E110]",
    ],
    'lesson-listed-twice.yml': [
        "cases/lesson-listed-twice.yml:35:13: error: lesson 'small-groups-build-trust' is listed twice; merge the two notes into one entry [E132]",
    ],
    'lowercase-country-code.yml': [
        "cases/lowercase-country-code.yml:7:13: error: 'us' in 'countries[0]' is not an ISO 3166-1 alpha-2 country code; did you mean 'US' (United States)? [E034]",
    ],
    'malformed-citation.yml': [
        "cases/malformed-citation.yml:21:39: error: malformed citation '[@, p. 4]'; write [@key] or [@key, p. 12]; several as [@a; @b] [E142]",
    ],
    'many-mistakes.yml': [
        "cases/many-mistakes.yml:2:1: error: missing required field 'convenors'; add 'convenors:', the organisations (or people) that convened the dialogue [E030]",
        'cases/many-mistakes.yml:4:28: error: the period ends (1990) before it starts (1995); swap the years, or correct the one that is wrong [E120]',
        "cases/many-mistakes.yml:7:17: error: 'UK' is not an ISO 3166-1 country code; did you mean 'GB' (United Kingdom)? [E110]",
        "cases/many-mistakes.yml:8:1: error: unknown field 'convenor'; did you mean 'convenors'? [E031]",
        'cases/many-mistakes.yml:38:11: error: the review date 2999-01-01 is in the future; use the day you checked the sources, at the latest 2026-11-25 [E122]',
    ],
    'missing-summary.yml': [
        "cases/missing-summary.yml:2:1: error: missing required field 'summary'; add 'summary:', two or three sentences in your own words: what the case was and why it matters [E030]",
    ],
    'not-utf8.yml': [
        'cases/not-utf8.yml:20:43: error: the file is not UTF-8 (byte 0xe9); save the file as UTF-8 in your editor [E003]',
    ],
    'one-source-only.yml': [
        "cases/one-source-only.yml:21:39: error: 'exampleorg2020history' is cited but not listed under 'sources'; add '- {key: exampleorg2020history}' to sources [E141]",
        "cases/one-source-only.yml:36:3: error: 'sources' needs at least 2 entries; add the missing entries [E036]",
    ],
    'pages-with-prefix.yml': [
        'cases/pages-with-prefix.yml:36:36: error: \'p. 1-30\' in \'sources[0].pages\' is not a page or page range; write pages like "12", "24-30" or "xi-xii" [E034]',
    ],
    'period-in-future.yml': [
        "cases/period-in-future.yml:4:28: error: the period end (2999) is in the future; use null for 'end' while the dialogue continues [E121]",
    ],
    'period-reversed.yml': [
        'cases/period-reversed.yml:4:28: error: the period ends (1990) before it starts (1995); swap the years, or correct the one that is wrong [E120]',
    ],
    'placeholder-left.yml': [
        "cases/placeholder-left.yml:6:11: error: 'conflict' still holds the placeholder; replace FILL IN (see the comment beside it) [E040]",
    ],
    'reviewed-in-future.yml': [
        'cases/reviewed-in-future.yml:38:11: error: the review date 2999-01-01 is in the future; use the day you checked the sources, at the latest 2026-11-25 [E122]',
    ],
    'reviewed-not-a-date.yml': [
        "cases/reviewed-not-a-date.yml:38:11: error: 'reviewed' is not a valid date; write the date as YYYY-MM-DD, e.g. 2026-11-25 [E038]",
    ],
    'summary-too-short.yml': [
        "cases/summary-too-short.yml:3:10: error: 'summary' is too short; write at least 20 characters [E035]",
    ],
    'tab-indentation.yml': [
        'cases/tab-indentation.yml:13:1: error: tab character in indentation; indent with spaces, never tabs [E004]',
    ],
    'title-with-html.yml': [
        "cases/title-with-html.yml:2:8: error: 'title' must be plain text; write some text, without the characters < > [ ] { } ` or line breaks [E034]",
    ],
    'unknown-certainty.yml': [
        "cases/unknown-certainty.yml:30:16: error: 'sure' is not allowed for 'outcomes[1].certainty'; choose one of: approximate, disputed, established, unknown [E033]",
    ],
    'unknown-citation-key.yml': [
        "cases/unknown-citation-key.yml:21:39: error: unknown source key 'exampleorg2020histroy': references.bib has no such entry; did you mean 'exampleorg2020history'? (or add the work to references.bib) [E140]",
    ],
    'unknown-conflict.yml': [
        "cases/unknown-conflict.yml:6:11: error: unknown conflict 'example-war'; did you mean 'example-conflict'? (or add 'example-war' to the conflicts section of vocabulary.yml) [E101]",
    ],
    'unknown-convenor-type.yml': [
        "cases/unknown-convenor-type.yml:10:11: error: unknown convenor type 'charity'; known terms: academic, ngo (or add 'charity' to the convenor_types section of vocabulary.yml) [E101]",
    ],
    'unknown-field-typo.yml': [
        "cases/unknown-field-typo.yml:2:1: error: missing required field 'convenors'; add 'convenors:', the organisations (or people) that convened the dialogue [E030]",
        "cases/unknown-field-typo.yml:8:1: error: unknown field 'convenor'; did you mean 'convenors'? [E031]",
    ],
    'unknown-format.yml': [
        "cases/unknown-format.yml:18:10: error: unknown format 'workshop'; did you mean 'problem-solving-workshop'? (or add 'workshop' to the formats section of vocabulary.yml) [E101]",
    ],
    'unknown-lesson.yml': [
        "cases/unknown-lesson.yml:33:13: error: unknown lesson 'small-group-builds-trust'; did you mean 'small-groups-build-trust'? (or create lessons/small-group-builds-trust.yml) [E130]",
    ],
    'unknown-outcome-type.yml': [
        "cases/unknown-outcome-type.yml:25:11: error: unknown outcome type 'friendship'; known terms: draft-agreement, relationships-built (or add 'friendship' to the outcome_types section of vocabulary.yml) [E101]",
    ],
    'unknown-participant-type.yml': [
        "cases/unknown-participant-type.yml:13:11: error: unknown participant type 'scholar'; did you mean 'scholars'? (or add 'scholar' to the participant_types section of vocabulary.yml) [E101]",
    ],
    'unknown-source-key.yml': [
        "cases/unknown-source-key.yml:21:39: error: 'exampleorg2020history' is cited but not listed under 'sources'; add '- {key: exampleorg2020history}' to sources [E141]",
        "cases/unknown-source-key.yml:37:11: error: unknown source key 'exampleorg2021history': references.bib has no such entry; did you mean 'exampleorg2020history'? (or add the work to references.bib) [E140]",
    ],
    'unknown-track.yml': [
        "cases/unknown-track.yml:5:8: error: '3' is not allowed for 'track'; choose one of: 1.5, 2 [E033]",
    ],
    'wrong-extension.yaml': [
        'cases/wrong-extension.yaml:1:1: error: content files must end in .yml; rename it to wrong-extension.yml [E010]',
    ],
    'yaml-anchor-alias.yml': [
        'cases/yaml-anchor-alias.yml:36:5: error: YAML anchors and aliases (& and *) are not allowed; write the value out in full [E007]',
    ],
    'yaml-syntax-error.yml': [
        "cases/yaml-syntax-error.yml:16:24: error: YAML syntax error: mapping values are not allowed in this context; a value containing ': ' must be quoted, or written as a block with '>-' [E002]",
    ],
    'year-in-quotes.yml': [
        "cases/year-in-quotes.yml:4:17: error: 'period.start' must be a whole number, not text; write the number without quotes [E032]",
    ],
    'year-with-decimals.yml': [
        "cases/year-with-decimals.yml:4:28: error: 'period.end' must be a whole number or null, not a decimal number [E032]",
    ],
    'references/duplicate-key.bib': [
        "references.bib:16:1: error: duplicate BibTeX key 'doe2001workshops'; merge the two entries or give one a new key [E020]",
    ],
    'references/malformed-entry.bib': [
        'references.bib:16:1: error: malformed BibTeX entry: unexpectedly reached end of file; check the braces, commas and quotes of this entry [E021]',
    ],
    'references/year-not-a-year.bib': [
        "references.bib:4:1: error: the year of 'doe2001workshops' is '2000/01', not a year; write the year of publication as four digits, e.g. year = {2005}; a journal's volume label or season goes in `volume` or `issue` [E025]",
    ],
    'lessons/small-groups-build-trust.yml': [
        "lessons/small-groups-build-trust.yml:3:8: error: unknown lesson theme 'desgin'; did you mean 'design'? (or add 'desgin' to the lesson_themes section of vocabulary.yml) [E101]",
        "vocabulary.yml:55:3: warning: no case or lesson uses lesson_themes term 'design'; use it or remove it [W202]",
    ],
    'vocabulary/vocabulary.yml': [
        "vocabulary.yml:14:31: error: YAML syntax error: mapping values are not allowed in this context; a value containing ': ' must be quoted, or written as a block with '>-' [E002]",
    ],
}


def _destination(name: str) -> str:
    if name.startswith("references/"):
        return "references.bib"
    if name.startswith("vocabulary/"):
        return "vocabulary.yml"
    if name.startswith("lessons/"):
        return name
    return f"cases/{name}"


def _corpus_with(tmp_path: Path, fixture: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    shutil.copy(INVALID / fixture, root / _destination(fixture))
    return root


def test_every_invalid_fixture_has_expected_messages() -> None:
    on_disk = {p.relative_to(INVALID).as_posix() for p in INVALID.rglob("*") if p.is_file()}
    assert on_disk == set(EXPECTED)
    assert len(on_disk) >= 30


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_invalid_fixture_gives_exact_messages(fixture: str, tmp_path: Path) -> None:
    root = _corpus_with(tmp_path, fixture)
    original = (root / _destination(fixture)).read_bytes()
    assert [p.format() for p in check(root, TODAY)] == EXPECTED[fixture]
    assert (root / _destination(fixture)).read_bytes() == original  # nothing rewritten


def test_fixture_corpus_is_valid() -> None:
    assert [p.format() for p in check(FIXTURE_CORPUS, TODAY)] == []


def run_cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the command line in this process, as `casebook ARGS` in `cwd` would, and return what it did.

    "Today" is pinned to the fixtures' day unless `env` says otherwise.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GITHUB_ACTIONS", raising=False)
        for name, value in ({"SOURCE_DATE_EPOCH": epoch(TODAY)} | (env or {})).items():
            patch.setenv(name, value)
        patch.chdir(cwd)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's own errors and --help
                code = exit_.code if isinstance(exit_.code, int) else 1
    return subprocess.CompletedProcess(["casebook", *args], code, stdout.getvalue(), stderr.getvalue())


def test_the_module_entry_point_runs_the_command_line() -> None:
    result = subprocess.run([sys.executable, "-m", "generator", "--today", TODAY.isoformat(), "check"],
                            cwd=FIXTURE_CORPUS, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and result.stderr == "no problems: content is valid.\n"


def test_check_exits_1_and_prints_every_problem(tmp_path: Path) -> None:
    root = _corpus_with(tmp_path, "many-mistakes.yml")
    result = run_cli("--today", TODAY.isoformat(), "check", cwd=root)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[:-1] == EXPECTED["many-mistakes.yml"]
    assert lines[-1] == "5 errors in 1 file: failed."
    assert "Traceback" not in result.stderr


def test_check_exits_0_on_valid_content() -> None:
    result = run_cli("--today", TODAY.isoformat(), "check", cwd=FIXTURE_CORPUS)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "no problems: content is valid."


def test_check_emits_github_annotations(tmp_path: Path) -> None:
    root = _corpus_with(tmp_path, "unknown-track.yml")
    result = run_cli("check", cwd=root, env={"GITHUB_ACTIONS": "true"})
    assert result.returncode == 1
    assert result.stdout.strip() == (
        "::error file=cases/unknown-track.yml,line=5,col=8::'3' is not allowed for 'track'; "
        "choose one of: 1.5, 2 [E033]")


def test_new_scaffolds_a_case_that_passes_once_filled(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    result = run_cli("--today", TODAY.isoformat(), "new", "Quiet Talks in Oslo", cwd=root)
    assert result.returncode == 0, result.stderr
    path = root / "cases" / "quiet-talks-in-oslo.yml"
    text = path.read_text(encoding="utf-8")
    assert f"reviewed: {TODAY.isoformat()}" in text
    assert text.startswith("# yaml-language-server: $schema=../generator/schema/case.schema.json\n")
    unfilled = [p.format() for p in check(root, TODAY)]
    assert unfilled and all("[E040]" in line for line in unfilled)
    fills = iter([
        "A fictional scaffolded case, filled in by the test suite.", "1999", "2001",
        "example-conflict", "FR", "Example University", "academic", "Host", "scholars",
        "back-channel", "Example University hosted quiet talks [@doe2001workshops, p. 4]. " * 3,
        "relationships-built", "People met.", "doe2001workshops", "small-groups-build-trust",
        "Small meetings, as the lesson says.", "doe2001workshops", "exampleorg2020history", "[]",
    ])
    filled = []
    for line in text.splitlines():
        if "FILL IN" in line and not line.startswith("#"):
            before, _, after = line.partition("FILL IN")
            after = after.split("#")[0]
            after = "" if after.strip().startswith(("two", "what", "one", "how", "the")) else after
            filled.append(before + next(fills) + after.rstrip())
        else:
            filled.append(line)
    path.write_text("\n".join(filled) + "\n", encoding="utf-8")
    assert [p.format() for p in check(root, TODAY)] == []


def test_today_comes_from_the_option_then_source_date_epoch(tmp_path: Path) -> None:
    root = _corpus_with(tmp_path, "reviewed-in-future.yml")
    by_epoch = run_cli("check", cwd=root, env={"SOURCE_DATE_EPOCH": epoch(dt.date(2030, 6, 1))})
    assert "at the latest 2030-06-01 [E122]" in by_epoch.stderr
    by_option = run_cli("--today", "2031-02-03", "check", cwd=root,
                        env={"SOURCE_DATE_EPOCH": epoch(dt.date(2030, 6, 1))})
    assert "at the latest 2031-02-03 [E122]" in by_option.stderr
    assert "2999-01-01 is in the future" in by_option.stderr


@pytest.mark.parametrize(("args", "env", "message"), [
    (("--today", "25/11/2026"), {}, "--today '25/11/2026' is not a date; write it as YYYY-MM-DD"),
    ((), {"SOURCE_DATE_EPOCH": "yesterday"},
     "SOURCE_DATE_EPOCH='yesterday' is not a number of seconds since 1970"),
])
def test_a_malformed_today_is_a_clear_error(args: tuple, env: dict, message: str) -> None:
    result = run_cli(*args, "check", cwd=FIXTURE_CORPUS, env=env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    existing = root / "cases" / "example-dialogue.yml"
    before = existing.read_bytes()
    result = run_cli("new", "Example Dialogue", cwd=root)
    assert result.returncode == 1
    assert "already exists" in result.stderr
    assert existing.read_bytes() == before
    with pytest.raises(FileExistsError):
        scaffold_case(root, "Example Dialogue", TODAY)


def test_help_lists_every_command() -> None:
    result = run_cli("--help", cwd=REPO)
    for command in ("check", "new", "export"):
        assert command in result.stdout


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_yaml_text_gives_problems_not_exceptions(text: str) -> None:
    problems: list = []
    document = parse_yaml("cases/fuzz.yml", text, problems)
    assert (document is None) == bool(problems) or document is not None


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="@{}=,\"\\ \nabc123%", max_size=300))
def test_any_bibtex_text_gives_problems_not_exceptions(text: str) -> None:
    problems: list = []
    references = parse_bibtex("references.bib", text, problems)
    assert all(p.code in ("E020", "E021", "E022", "E023", "E024", "E025") for p in problems)
    assert isinstance(references, Mapping)


def test_yaml_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    problems: list = []
    assert parse_yaml("cases/bomb.yml", bomb, problems) is None
    assert problems[0].code == "E007"


def test_python_tags_are_not_executed() -> None:
    problems: list = []
    assert parse_yaml("cases/evil.yml", "title: !!python/object/apply:os.system ['true']\n", problems) is None
    assert problems[0].code == "E002"


def test_export_writes_the_open_data_files(tmp_path: Path) -> None:
    result = run_cli("--root", str(FIXTURE_CORPUS), "export", str(tmp_path / "out"), cwd=REPO)
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["case.schema.json", "cases.csv", "cases.json", "inventory.csv", "inventory.json",
                       "inventory.schema.json", "lesson.schema.json", "references.bib", "transfer.csv",
                       "transfer.json", "vocabulary.schema.json"]
    import json
    cases = json.loads((tmp_path / "out" / "cases.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in cases] == ["example-dialogue", "second-example"]


def test_settings_are_read_as_mkdocs_reads_them(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Test\nsite_url: https://example.org/casebook/\nrepo_url: https://github.com/example/casebook\n"
        "edit_uri: edit/main/\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n", encoding="utf-8")
    assert read_settings(tmp_path) == {"site_url": "https://example.org/casebook/",
                                       "repo_url": "https://github.com/example/casebook", "edit_uri": "edit/main/",
                                       "docs_dir": str(tmp_path / "docs")}


def test_export_reports_an_unreadable_mkdocs_yml(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    (root / "mkdocs.yml").write_text("site_name: [unclosed\n", encoding="utf-8")
    result = run_cli("export", str(tmp_path / "out"), cwd=root)
    assert result.returncode == 1
    assert result.stderr.startswith("error: mkdocs.yml: MkDocs encountered an error parsing the configuration file")
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_csv_cells_cannot_run_as_formulas() -> None:
    from generator.opendata import _csv_cell
    assert _csv_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert _csv_cell("@SUM(A1)") == "'@SUM(A1)"
    assert _csv_cell("Dartmouth Conference") == "Dartmouth Conference"


def test_tab_inside_a_block_of_text_is_allowed() -> None:
    problems: list = []
    document = parse_yaml("cases/x.yml", "narrative: |\n  line\n  \tindented code\n", problems)
    assert problems == [] and document.data == {"narrative": "line\n\tindented code\n"}


def test_deep_nesting_is_a_problem_not_a_crash() -> None:
    problems: list = []
    assert parse_yaml("cases/deep.yml", "title: " + "[" * 600 + "]" * 600 + "\n", problems) is None
    assert problems[0].code == "E009"


def test_github_annotation_escapes_the_file_name() -> None:
    from generator.model import Problem
    line = Problem("cases/x,line=9.yml", 3, 4, "E034", "bad").format_github()
    assert line == "::error file=cases/x%2Cline=9.yml,line=3,col=4::bad [E034]"


def _pad(path: Path, size: int) -> bytes:
    """Write `path` as YAML/BibTeX comment lines of exactly `size` bytes; return the bytes."""
    line = b"% " + b"x" * 97 + b"\n" if path.suffix == ".bib" else b"# " + b"x" * 97 + b"\n"
    data = (line * (size // len(line) + 1))[: size - 1] + b"\n"
    path.write_bytes(data)
    return data


def test_content_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    from generator.load import MAX_YAML_BYTES
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    data = _pad(root / "cases" / "pasted.yml", 1_200_000)
    _pad(root / "cases" / "at-the-limit.yml", MAX_YAML_BYTES)
    assert [p.format() for p in check(root, TODAY)] == [
        "cases/at-the-limit.yml:1:1: error: the file is empty; fill it in, or delete it [E005]",
        "cases/pasted.yml:1:1: error: the file is 1.2 MB, over the 1 MB limit for a content file; "
        "split it into several cases, or remove what was pasted in by mistake [E013]"]
    assert (root / "cases" / "pasted.yml").read_bytes() == data


def test_references_bib_over_its_size_limit_is_refused_unread(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    bib = root / "references.bib"
    data = bib.read_bytes() + _pad(tmp_path / "padding.bib", 10_000_001)
    bib.write_bytes(data)
    problems = [p for p in check(root, TODAY) if p.path == "references.bib"]
    assert [p.format() for p in problems] == [
        "references.bib:1:1: error: the file is 10.1 MB, over the 10 MB limit for references.bib; "
        "remove what does not belong in it (abstracts, full texts, entries nothing cites) [E013]"]
    assert bib.read_bytes() == data


def test_malformed_codebook_blocks_are_problems_not_tracebacks(tmp_path: Path) -> None:
    root = _corpus_with(tmp_path, "unknown-format.yml")
    case = root / "cases" / "unknown-format.yml"
    text = case.read_text(encoding="utf-8").replace("countries: [US, NO]", "countries: [[US], NO]")
    text = text.replace("participant_sides: []", "participant_sides:\n  - {party: NO, who: 5, distance: close}")
    case.write_text(text, encoding="utf-8")
    found = [p.format() for p in check(root, TODAY)]
    assert any("'countries[0]' must be text" in line for line in found), found
    assert any("'participant_sides[0].who' must be a list" in line for line in found), found


def test_a_work_cited_in_a_coded_block_must_be_listed_under_sources(tmp_path: Path) -> None:
    root = _corpus_with(tmp_path, "unknown-format.yml")
    case = root / "cases" / "unknown-format.yml"
    case.write_text(case.read_text(encoding="utf-8").replace(
        "third_party: {role: unknown, seen_as_impartial: unknown}",
        "third_party: {role: host, seen_as_impartial: unknown, sources: [{key: jones1999chapter}]}"), encoding="utf-8")
    found = [p.format() for p in check(root, TODAY)]
    assert any("'jones1999chapter' is cited but not listed under 'sources'" in line and "[E141]" in line
               for line in found), found


def test_new_from_inventory_starts_the_case_with_what_the_entry_knows(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    result = run_cli("--today", TODAY.isoformat(), "new", "--from-inventory", "example-harbour-talks", cwd=root)
    assert result.returncode == 0, result.stderr
    case = yaml.safe_load((root / "cases" / "example-harbour-talks.yml").read_text(encoding="utf-8"))
    assert case["title"] == "Example Harbour Talks"
    assert case["also_known_as"] == ["Harbour Dialogue"]
    assert case["period"] == {"start": 1999, "end": 2001, "approximate": True}
    assert (case["track"], case["conflict"], case["countries"]) == ("2", "example-conflict", ["US", "NO"])
    assert [c["name"] for c in case["convenors"]] == ["Example Peace Institute"]
    assert case["sources"] == [{"key": "exampleorg2020history"}, {"key": "FILL IN"}]
    problems = [p.format() for p in check(root, TODAY)]
    # What the entry did not know is left to fill in, and the entry now asks to be removed.
    assert all("[E040]" in line or "[W205]" in line for line in problems)
    assert ("inventory/example-harbour-talks.yml:1:1: warning: 'example-harbour-talks' is written up as "
            "cases/example-harbour-talks.yml; remove this inventory entry: the case replaces it [W205]") in problems
    again = run_cli("new", "--from-inventory", "example-harbour-talks", cwd=root)
    assert again.returncode == 1 and "already exists" in again.stderr


@pytest.mark.parametrize(("entry_id", "message"), [
    ("no-such-entry", "inventory/no-such-entry.yml:1:1: error: file is missing"),
    ("../cases/example-dialogue", "file is missing"),
])
def test_new_from_a_missing_inventory_entry_is_a_clear_error(tmp_path: Path, entry_id: str, message: str) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    result = run_cli("new", "--from-inventory", entry_id, cwd=root)
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in (root / "cases").iterdir()) == ["example-dialogue.yml", "second-example.yml"]


def test_a_broken_inventory_entry_gets_file_line_and_fix(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    (root / "inventory" / "broken-entry.yml").write_text(
        "name: Broken talks\nperiod: {start: 1850, end: 1990}\nparties: [ZZ]\nconvenors: [Someone]\n"
        "summary: A broken entry that the checker must explain.\nsources: [{key: nosuchkey}]\n"
        "reviewed: 2026-11-25\ncolour: red\n", encoding="utf-8")
    problems = [p.format() for p in check(root, TODAY)]
    assert problems == [
        "inventory/broken-entry.yml:2:17: error: 'period.start' must be at least 1900; check the number [E039]",
        "inventory/broken-entry.yml:3:11: error: 'ZZ' is not an ISO 3166-1 country code; "
        "see the ISO 3166-1 alpha-2 list [E110]",
        "inventory/broken-entry.yml:6:17: error: unknown source key 'nosuchkey': references.bib has no such entry; "
        "keys are listed in the documentation (or add the work to references.bib) [E140]",
        "inventory/broken-entry.yml:8:1: error: unknown field 'colour'; allowed fields: also_known_as, conflict, "
        "convenors, name, parties, period, reviewed, sources, summary, track [E031]",
    ]


def test_an_online_article_numbered_by_eid_needs_no_page_but_one_with_pages_does() -> None:
    from generator.validate import _paginated

    problems: list = []
    references = parse_bibtex("references.bib", "\n".join(
        f"@article{{{key},\n  author = {{Doe, Jane}},\n  title = {{T}},\n  journal = {{J}},\n  year = {{2019}},\n{extra}}}"
        for key, extra in (("online2019", "  eid = {5238},\n"), ("printed2019", "  pages = {1--9},\n"),
                           ("both2019", "  eid = {12},\n  pages = {1--9},\n"))), problems)
    assert not problems
    assert [_paginated(references[key]) for key in ("online2019", "printed2019", "both2019")] == [False, True, True]


def test_a_second_check_in_one_process_sees_every_edit_of_what_a_case_depends_on(tmp_path: Path) -> None:
    # Each case's problems are kept by its parsed file, the vocabulary, the references and the lesson ids:
    # an edit of any of them must show in the next check, as `mkdocs serve` runs it.
    root = tmp_path / "content"
    shutil.copytree(FIXTURE_CORPUS, root)
    assert check(root, TODAY) == ()
    edits = [
        ("references.bib", "@online{exampleorg2020history,", "@online{exampleorg2020renamed,", "E140"),
        ("vocabulary.yml", "  talks-stalled:\n", "  talks-frozen:\n", "E101"),
        ("lessons/small-groups-build-trust.yml", None, None, "E130"),
    ]
    for name, old, new, code in edits:
        path = root / name
        original = path.read_text(encoding="utf-8")
        if old is None:
            path.rename(path.with_name("renamed-lesson.yml"))
        else:
            assert old in original, f"the text to edit is no longer in {name}"
            path.write_text(original.replace(old, new, 1), encoding="utf-8")
        found = [p for p in check(root, TODAY) if p.path == "cases/example-dialogue.yml"]
        assert code in {p.code for p in found}, f"{name}: {[p.format() for p in found]}"
        if old is None:
            path.with_name("renamed-lesson.yml").rename(path)
        else:
            path.write_text(original, encoding="utf-8")
        assert check(root, TODAY) == (), f"{name}: the problem outlived the edit that made it"
