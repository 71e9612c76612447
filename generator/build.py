"""Run the pipeline end to end: load → validate → link → render, stopping at any error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .link import link_site
from .load import load_content
from .model import ContentError, Problem, Site
from .render import render_pages
from .validate import validate_content


def check(root: Path, today: dt.date | None = None) -> tuple[Problem, ...]:
    """Return every problem (errors and warnings) in the content under `root`."""
    return validate_content(load_content(root), today)


def build_site(root: Path, settings: dict[str, str] | None = None,
               today: dt.date | None = None) -> tuple[Site, dict[str, str], tuple[Problem, ...]]:
    """Return the linked site, its rendered files and any warnings; raise ContentError on errors."""
    raw = load_content(root)
    problems = validate_content(raw, today)
    errors = tuple(p for p in problems if p.severity == "error")
    if errors:
        raise ContentError(errors)
    site = link_site(raw, settings)
    return site, render_pages(site), tuple(p for p in problems if p.severity != "error")
