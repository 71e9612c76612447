"""Documentation cannot drift: every error code, command and schema field is documented,
and every command, local URL and issue-form link in README and CONTRIBUTING works as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from generator.cli import _parser
from generator.model import PROBLEM_CODES, Problem
from generator.reference import BEGIN, CODES_BEGIN, CODES_END, END, code_table, field_reference
from tests.conftest import REAL_TODAY, REPO, epoch

CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = {"README.md": README, "CONTRIBUTING.md": CONTRIBUTING}
MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")
CASEBOOK = REPO / ".venv" / "bin" / "casebook"  # the command the docs tell readers to type


def _found(pattern: str) -> list[tuple[str, str]]:
    """Return (document, match) for every match of `pattern` in README and CONTRIBUTING."""
    return sorted({(name, match) for name, text in DOCS.items() for match in re.findall(pattern, text)})


@pytest.mark.parametrize(("document", "target"), _found(r"`make ([a-z]+)"))
def test_every_make_target_in_the_docs_exists(document: str, target: str) -> None:
    assert re.search(rf"^{target}:", MAKEFILE, re.M), f"{document} names `make {target}`"


DOCUMENTED_COMMANDS = _found(r"`\.venv/bin/(?:casebook|python -m generator) ([^`]*)`")


def test_the_docs_show_each_command() -> None:
    assert {shlex.split(command)[0] for _, command in DOCUMENTED_COMMANDS} >= {"check", "new", "docs", "export"}


@pytest.mark.parametrize(("document", "command"), DOCUMENTED_COMMANDS)
def test_every_documented_command_is_accepted(document: str, command: str) -> None:
    args = shlex.split(command)
    assert CASEBOOK.exists(), "the docs say .venv/bin/casebook: `make` must install it"
    _parser().parse_args(args)  # exits (SystemExit) if the documented words are not accepted
    result = subprocess.run([str(CASEBOOK), args[0], "--help"], capture_output=True, text=True,
                            cwd=REPO, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith(f"usage: casebook {args[0]}"), result.stderr


def test_documented_check_passes_on_the_real_content() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    result = subprocess.run([str(CASEBOOK), "check"], capture_output=True, text=True, cwd=REPO,
                            env=environment | {"SOURCE_DATE_EPOCH": epoch(REAL_TODAY)}, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1].endswith(": content is valid.")


@pytest.mark.slow
@pytest.mark.parametrize(("document", "url"), _found(r"http://127\.0\.0\.1:8000[^\s>)`]*"))
def test_every_local_url_in_the_docs_is_a_page_of_the_site(document: str, url: str, real_site: Path) -> None:
    path = urlsplit(url).path
    if path in ("", "/"):
        return  # `mkdocs serve` redirects the bare address to the site's path
    mount = urlsplit(yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).path
    assert path.startswith(mount), f"{document}: {url} is outside {mount}, where `make serve` puts the site"
    page = real_site / path.removeprefix(mount)
    assert (page / "index.html").is_file() or page.is_file(), f"{document}: {url} is not a page"


@pytest.mark.parametrize(("document", "url"), _found(r"https://github\.com/[^\s>)`]*/issues/new\?[^\s>)`]*"))
def test_every_issue_form_link_opens_a_form_of_this_repository(document: str, url: str) -> None:
    repo_url = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["repo_url"].rstrip("/")
    assert url.startswith(repo_url + "/issues/new?"), document
    template = parse_qs(urlsplit(url).query)["template"][0]
    assert (REPO / ".github" / "ISSUE_TEMPLATE" / template).is_file(), f"{document}: no form {template}"


def test_field_reference_in_contributing_is_current() -> None:
    block = CONTRIBUTING[CONTRIBUTING.index(BEGIN) + len(BEGIN): CONTRIBUTING.index(END)]
    assert block.strip() == field_reference().strip(), \
        "CONTRIBUTING.md is out of date: run `.venv/bin/casebook docs`"


def test_every_problem_code_is_registered_and_documented() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "generator").glob("*.py")
                     if p.name != "model.py")
    used = set(re.findall(r'"([EW]\d{3})"', source))
    assert used and used == set(PROBLEM_CODES)
    block = CONTRIBUTING[CONTRIBUTING.index(CODES_BEGIN) + len(CODES_BEGIN): CONTRIBUTING.index(CODES_END)]
    assert block.strip() == code_table().strip(), "CONTRIBUTING.md is out of date: run `.venv/bin/casebook docs`"
    assert set(re.findall(r"^\| ([EW]\d{3}) \|", CONTRIBUTING, re.M)) == set(PROBLEM_CODES)


def test_a_problem_with_an_unregistered_code_is_a_bug() -> None:
    with pytest.raises(ValueError, match="E999 is not in PROBLEM_CODES"):
        Problem("cases/x.yml", 1, 1, "E999", "message")


def test_every_command_is_documented() -> None:
    help_text = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True,
                               text=True, cwd=REPO).stdout
    names = re.findall(r"^    ([a-z]+) ", help_text, re.M)
    assert {"check", "new", "docs", "export"} <= set(names)
    for name in names:
        assert f"casebook {name}" in CONTRIBUTING + README or f"make {name}" in README, name


def test_quick_start_shows_the_two_commands() -> None:
    quick_start = README[README.index("## Quick start"): README.index("## Layout")]
    assert "make serve" in quick_start and "make test" in quick_start
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "CI=true" in ci


def test_the_codebook_cites_only_works_in_the_bibliography() -> None:
    from generator.load import load_content
    from generator.registry import codebook_fields

    references = load_content(REPO).references
    cited = {key for field in codebook_fields() for key in field.literature}
    assert cited and cited <= set(references), sorted(cited - set(references))
    assert all(field.rules for field in codebook_fields() if field.section or field.choices)


def test_the_citation_file_names_the_project_s_version() -> None:
    import tomllib

    version = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == version
    assert f"## {version}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
