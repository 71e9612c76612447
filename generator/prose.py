"""Turn contributors' Markdown into safe HTML: citations linked, glossary terms linked, nothing else.

Content is untrusted. Narratives, lesson bodies and definitions are converted
with Python-Markdown and then sanitised with nh3 against an allowlist, so a
contributor's text can carry emphasis, lists and links to web pages, and
nothing that runs. `[@key, p. 12]` citations become author-date links to the
source pages, and the first lower-case mention of a term of a section marked
`x-glossary-links` links to its glossary entry.
"""

from __future__ import annotations

import functools
import html as html_module
import re
from dataclasses import dataclass
from typing import Any

import markdown
import nh3
from markupsafe import Markup, escape

from .bibliography import cite_label
from .citations import CITATION, find_citations
from .model import Site
from .registry import SECTIONS
from .urls import page_url, relative

_PROSE_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br",
               "h3", "h4", "abbr", "sup", "sub"}
_PROSE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
# Citations are swapped for tokens while Markdown is converted and sanitised, then
# swapped back. The tokens use private-use characters, removed from the input first,
# so no contributor text can imitate one.
_TOKEN = "\ue000{}\ue001"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def prose_html(text: str, site: Site, here: str) -> Markup:
    """Return contributor Markdown as sanitised HTML, with `[@key]` citations linked."""
    text = _PRIVATE_USE.sub("", text)
    citations = find_citations(text)
    labels = []
    for index, citation in enumerate(reversed(citations)):
        text = text[: citation.start] + _TOKEN.format(index) + text[citation.end:]
        labels.append(_citation_html(citation, site, here))
    html = _clean_html(text)
    for index, label in enumerate(labels):
        html = html.replace(_TOKEN.format(index), label)
    return Markup(html)


@functools.lru_cache(maxsize=8192)
def _clean_html(text: str) -> str:
    """Return Markdown text (its citations already tokens) as sanitised HTML.

    A pure function of the text, so it is kept: a rebuild under `mkdocs serve`
    converts only the texts that changed.
    """
    html = _converter(sane_lists=True).reset().convert(text)
    return nh3.clean(html, tags=_PROSE_TAGS, attributes=_PROSE_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")


@functools.cache
def _converter(*, sane_lists: bool) -> markdown.Markdown:
    """Return one Markdown converter, reset before each use: making one costs more than converting a paragraph."""
    return markdown.Markdown(extensions=["sane_lists"] if sane_lists else [], output_format="html")


@functools.lru_cache(maxsize=8192)
def plain_text(text: str) -> str:
    """Return contributor Markdown as plain text: no markup, citations reduced to nothing."""
    text = CITATION.sub("", text)
    html = _converter(sane_lists=False).reset().convert(text)
    return " ".join(html_module.unescape(nh3.clean(html, tags=set())).split())


_TAG = re.compile(r"(<[^>]+>)")


@dataclass(frozen=True, slots=True)
class GlossaryIndex:
    """The terms that link themselves from prose: built once per render, used on every page."""

    pattern: re.Pattern | None
    terms: dict[str, tuple[str, str, str]]  # lower-case label -> (section, id, plain definition)


# The vocabulary sections whose terms link themselves from prose; not e.g. conflicts and
# regions, linked from the facts atop each case page instead.
GLOSSARY_SECTIONS = tuple(section.name for section in SECTIONS if section.glossary_links)


def glossary_index(site: Site) -> GlossaryIndex:
    """Return the linkable terms of the site with their definitions as plain text.

    A pure function of the vocabulary's GLOSSARY_SECTIONS.
    """
    terms: dict[str, tuple[str, str, str]] = {}
    for kind in GLOSSARY_SECTIONS:
        for item in site.vocabulary[kind].values():
            terms.setdefault(item.label.lower(), (kind, item.id, plain_text(item.definition)))
    if not terms:
        return GlossaryIndex(None, terms)
    # Lower case only: a capitalised "Foundation" is usually part of a name ("Ford Foundation").
    pattern = re.compile(r"\b(" + "|".join(re.escape(label) for label in
                                           sorted(terms, key=len, reverse=True)) + r")\b")
    return GlossaryIndex(pattern, terms)


def link_glossary_terms(html: str, glossary: GlossaryIndex, here: str) -> str:
    """Link the first lower-case mention of each vocabulary term in sanitised HTML to its glossary entry.

    The definition goes in the link's title, so it shows on hover without JavaScript.
    Text inside existing links is left alone.
    """
    if glossary.pattern is None:
        return html
    done: set[str] = set()
    inside_link = 0
    parts = _TAG.split(html)
    for index, part in enumerate(parts):
        if part.startswith("<"):
            if re.match(r"<a[\s>]", part):
                inside_link += 1
            elif part.startswith("</a"):
                inside_link -= 1
            continue
        if inside_link:
            continue

        def replace(match: re.Match) -> str:
            label = match.group(1).lower()
            if label in done:
                return match.group(0)
            done.add(label)
            kind, term_id, definition = glossary.terms[label]
            href = relative(here, page_url("glossary") + f"#{kind}-{term_id}")
            # Named for where it goes: the same words elsewhere on a page may link to the term's own page.
            return (f'<a class="t2-term" href="{escape(href)}" aria-label="Glossary: {escape(match.group(0))}" '
                    f'title="{escape(definition)}">{match.group(0)}</a>')

        parts[index] = glossary.pattern.sub(replace, part)
    return "".join(parts)


def _citation_html(citation: Any, site: Site, here: str) -> str:
    parts = []
    for cite in citation.items:
        ref = site.references[cite.key]
        href = relative(here, page_url("source", cite.key))
        parts.append(f'<a href="{escape(href)}">{escape(cite_label(ref, cite.pages))}</a>')
    return f'<span class="t2-cite">({"; ".join(parts)})</span>'


