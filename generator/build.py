"""Run the pipeline end to end: load → validate → link → format citations → render, stopping at any error."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from mkdocs.config import load_config
from mkdocs.exceptions import ConfigurationError

from . import link, load, prose, search, validate
from .bibliography import CitationFormatter, format_citations
from .link import inventory_from_data, link_site
from .load import load_content, load_yaml_file
from .model import ContentError, InventoryEntry, Problem, Severity, Site
from .page_cache import PageCache
from .registry import ID, INVENTORY_SCHEMA
from .render import make_environment_for_files, render_pages
from .urls import slugify
from .validate import schema_problems, validate_content


def read_settings(root: Path) -> dict[str, str]:
    """Return site_url, repo_url and edit_uri as MkDocs reads them from mkdocs.yml; {} without one.

    For commands run without MkDocs (`casebook export`). The file is read by
    MkDocs itself, so its YAML tags, defaults and validation apply; a file it
    refuses raises ValueError with MkDocs' reason.
    """
    path = Path(root) / "mkdocs.yml"
    if not path.is_file():
        return {}
    try:
        config = load_config(str(path))
    except (ConfigurationError, yaml.YAMLError, OSError) as error:
        raise ValueError(f"{path}: {error}") from None
    return settings_from_config(config)


def settings_from_config(config: Any) -> dict[str, str]:
    """Return the settings the pipeline reads from a loaded MkDocs configuration."""
    return {"site_url": config.site_url or "", "repo_url": config.repo_url or "", "edit_uri": config.edit_uri or "",
            "docs_dir": config.docs_dir or ""}


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the content is read, checked and linked.

    These stages build hundreds of thousands of small objects that live on
    (the parsed files, then the frozen model) and make next to no reference
    cycles, so the collector finds nothing; yet each full collection walks
    every object made so far, a third of `check`'s time at 1,000 cases.
    Reference counting frees everything as usual; the collector resumes after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _made_objects_frozen() -> Iterator[None]:
    """Keep the objects made so far (the linked model above all) out of the cyclic collector's walks, then return them.

    Formatting and rendering make short-lived objects by the million, and
    each of the collector's full passes would walk the whole model again (and,
    under `mkdocs serve`, everything kept from the build before); frozen, it
    is left out of them, at no cost in memory, unlike pausing the collector.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def check(root: Path, today: dt.date) -> tuple[Problem, ...]:
    """Return every problem (errors and warnings) in the content under `root`."""
    with _cyclic_gc_paused():
        return validate_content(load_content(root), today)


def link_content(root: Path, settings: dict[str, str] | None,
                 today: dt.date) -> tuple[Site, tuple[Problem, ...]]:
    """Return the linked site and any warnings; raise ContentError on errors."""
    with _cyclic_gc_paused():
        raw = load_content(root, Path(settings["docs_dir"]) if settings and settings.get("docs_dir") else None)
        problems = validate_content(raw, today)
        errors = tuple(p for p in problems if p.severity is Severity.ERROR)
        if errors:
            raise ContentError(errors)
        return link_site(raw, settings), tuple(p for p in problems if p.severity is not Severity.ERROR)


def build_site(root: Path, settings: dict[str, str] | None, today: dt.date,
               formatter: CitationFormatter | None = None,
               page_cache: PageCache | None = None,
               defer_formatting: bool = False) -> tuple[Site, dict[str, str], tuple[Problem, ...]]:
    """Return the linked and formatted site, its rendered files and any warnings; raise ContentError on errors.

    Pass the same `formatter` to successive builds to format only the references that changed,
    and the same `page_cache` to render only the pages whose inputs changed. With
    `defer_formatting`, the pages may hold placeholders for formatted references,
    formatted meanwhile in other processes: see `CitationFormatter.fill_in`.
    """
    site, warnings = link_content(root, settings, today)
    with _made_objects_frozen():
        site = format_citations(site, formatter, defer=defer_formatting)
        return site, render_pages(site, page_cache), warnings


def forget_kept_results(formatter: CitationFormatter | None = None) -> None:
    """Drop what the stages keep for a next build: parsed files, linked cases, checked schemas, converted prose.

    `mkdocs serve` rebuilds with them; after a one-off build they would only
    hold the whole model in memory while MkDocs does its own work on the pages.
    """
    for kept in (load._parse_yaml, load._parse_bibtex, link._case_of, link._case_links, link._regions_of,
                 link._vocabulary_of, validate.schema_problems, validate._case_problems,
                 validate._vocabulary_terms_of, prose._clean_html, prose.plain_text, search.fold):
        kept.cache_clear()
    if formatter is not None:
        formatter.made = {}


def scaffold_case(root: Path, title: str, today: dt.date, entry: InventoryEntry | None = None) -> Path:
    """Create cases/<slug>.yml from the commented template and return its path; never overwrite.

    From an inventory entry, the case takes the entry's id and what it knows
    (name, years, parties, convenors, sources); the rest is left to fill in.
    """
    title = " ".join(title.split())
    if len(title) < 3 or any(c in title for c in "<>[]`"):
        raise ValueError("give a plain-text title of at least 3 characters, without < > [ ] `")
    path = Path(root) / "cases" / f"{entry.id if entry else slugify(title)}.yml"
    text = make_environment_for_files().get_template("new_case.yml.j2").render(
        title=title, today=today.isoformat(), entry=entry)
    if path.exists():
        raise FileExistsError(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": fail if it exists
        handle.write(text)
    return path


def inventory_entry(root: Path, entry_id: str) -> InventoryEntry:
    """Return the inventory entry `entry_id`; raise ContentError if it is missing or not valid."""
    path = Path(root) / "inventory" / f"{entry_id}.yml"
    if not ID.fullmatch(entry_id) or not path.is_file():
        raise ContentError((Problem(f"inventory/{entry_id}.yml", 1, 1, "E001", "file is missing",
                                    "give the id of a file in inventory/ (its name without .yml)"),))
    problems: list[Problem] = []
    doc = load_yaml_file(Path(root), path, problems)
    if doc is not None:
        problems += schema_problems(doc, INVENTORY_SCHEMA)
    if problems or doc is None:
        raise ContentError(tuple(problems))
    return inventory_from_data(entry_id, doc.path, doc.data)
