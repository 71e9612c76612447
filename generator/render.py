"""Render the linked Site into page sources and data files, all in memory.

`render_pages(site)` returns `{path: text}` — Markdown pages such as
`cases/<id>/index.md` and data files such as `data/case.schema.json` — which
the MkDocs hook hands to MkDocs as generated files. Nothing is written to disk.

Safety: content is untrusted. Templates are autoescaped HTML blocks inside
Markdown pages (Python-Markdown passes block-level HTML through untouched, so
nothing a contributor writes is read as Markdown there). Contributors' own
Markdown (narratives, lesson bodies, definitions) is converted here and then
sanitised with nh3 against an allowlist before it reaches a page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import markdown
import nh3
import pycountry
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup, escape

from .bibliography import cite_label
from .citations import find_citations
from .model import Site
from .urls import page_url, relative, source_path
from .validate import EXTRA_COUNTRY_CODES, SCHEMA_FILES, load_schema

TEMPLATES = Path(__file__).parent / "templates"

_PROSE_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br",
               "h3", "h4", "abbr", "sup", "sub"}
_PROSE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
_TOKEN = "qzcitationqz{}qz"


def render_pages(site: Site) -> dict[str, str]:
    """Return every generated page and data file as `{path: text}`, in a stable order."""
    env = make_environment(site)
    pages: dict[str, str] = {}

    def page(url: str, template: str, **context: Any) -> None:
        pages[source_path(url)] = env.get_template(template).render(here=url, site=site, **context)

    page(page_url("case"), "cases_index.md.j2")
    for case in site.cases:
        page(page_url("case", case.id), "case.md.j2", case=case)
    page(page_url("lesson"), "lessons_index.md.j2", lesson_groups=_lesson_groups(site))
    for lesson in site.lessons:
        page(page_url("lesson", lesson.id), "lesson.md.j2", lesson=lesson)
    page(page_url("source"), "sources_index.md.j2")
    for ref in site.references.values():
        page(page_url("source", ref.key), "source.md.j2", ref=ref)
    for name in SCHEMA_FILES:
        pages[f"data/{name}"] = json.dumps(load_schema(name), indent=2, ensure_ascii=False) + "\n"
    return pages


def _lesson_groups(site: Site) -> list[tuple[Any, list[tuple[Any, int]]]]:
    """Return lessons grouped by theme (vocabulary order), most-supported first within each."""
    groups = []
    for theme in site.vocabulary["lesson_themes"].values():
        ranked = [(lesson, sum(1 for e in site.evidence.get(lesson.id, ()) if e.stance == "supports"))
                  for lesson in site.lessons if lesson.theme == theme.id]
        ranked.sort(key=lambda pair: (-pair[1], pair[0].title.lower()))
        if ranked:
            groups.append((theme, ranked))
    return groups


def make_environment_for_files() -> Environment:
    """Return a strict environment for text files (no HTML escaping), e.g. the case scaffold."""
    return Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                       autoescape=False, keep_trailing_newline=True)


def make_environment(site: Site) -> Environment:
    """Return the one Jinja2 environment: strict, autoescaping, with the site's filters."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        link=_link,
        term=lambda kind, term_id: site.vocabulary[kind][term_id],
        references=lambda refs: [(site.references[r.key], r.pages) for r in refs],
    )
    env.filters.update(
        prose=_prose_filter,
        country=country_name,
        cite_label=cite_label,
        count=lambda n, noun: f"{n} {noun}" if n == 1 else f"{n} {noun}s",
    )
    return env


@pass_context
def _link(context: Any, kind: str, item_id: str = "") -> str:
    """Return a relative link from the page being rendered to a page of the site."""
    return relative(context["here"], page_url(kind, item_id))


@pass_context
def _prose_filter(context: Any, text: str) -> Markup:
    return prose_html(text, context["site"], context["here"])


def prose_html(text: str, site: Site, here: str) -> Markup:
    """Return contributor Markdown as sanitised HTML, with `[@key]` citations linked."""
    citations = find_citations(text)
    labels = []
    for index, citation in enumerate(reversed(citations)):
        text = text[: citation.start] + _TOKEN.format(index) + text[citation.end:]
        labels.append(_citation_html(citation, site, here))
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    html = nh3.clean(html, tags=_PROSE_TAGS, attributes=_PROSE_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    for index, label in enumerate(labels):
        html = html.replace(_TOKEN.format(index), label)
    return Markup(html)


def _citation_html(citation: Any, site: Site, here: str) -> str:
    parts = []
    for cite in citation.items:
        ref = site.references[cite.key]
        href = relative(here, page_url("source", cite.key))
        parts.append(f'<a href="{escape(href)}">{escape(cite_label(ref, cite.pages))}</a>')
    return f'<span class="t2-cite">({"; ".join(parts)})</span>'


def country_name(code: str) -> str:
    """Return the common English name of an ISO 3166-1 alpha-2 code."""
    if code in EXTRA_COUNTRY_CODES:
        return EXTRA_COUNTRY_CODES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
