"""Documentation cannot drift: every error code, command and schema field is documented."""

from __future__ import annotations

import re
import subprocess
import sys

from generator.reference import BEGIN, END, field_reference
from tests.conftest import REPO

CONTRIBUTING = (REPO / "CONTRIBUTING.md").read_text(encoding="utf-8")
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_field_reference_in_contributing_is_current() -> None:
    block = CONTRIBUTING[CONTRIBUTING.index(BEGIN) + len(BEGIN): CONTRIBUTING.index(END)]
    assert block.strip() == field_reference().strip(), \
        "CONTRIBUTING.md is out of date: run `.venv/bin/python -m generator docs`"


def test_every_problem_code_is_documented() -> None:
    source = "".join(p.read_text(encoding="utf-8") for p in (REPO / "generator").glob("*.py"))
    codes = set(re.findall(r'"([EW]\d{3})"', source))
    documented = set(re.findall(r"^\| ([EW]\d{3}) \|", CONTRIBUTING, re.M))
    assert codes and codes == documented


def test_every_command_is_documented() -> None:
    help_text = subprocess.run([sys.executable, "-m", "generator", "--help"], capture_output=True,
                               text=True, cwd=REPO).stdout
    names = re.findall(r"^    ([a-z]+) ", help_text, re.M)
    assert {"check", "new", "docs", "export"} <= set(names)
    for name in names:
        assert f"python -m generator {name}" in CONTRIBUTING + README or f"make {name}" in README, name


def test_quick_start_shows_the_two_commands() -> None:
    quick_start = README[README.index("## Quick start"): README.index("## Layout")]
    assert "make serve" in quick_start and "make test" in quick_start
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "CI=true" in ci
