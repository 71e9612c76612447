"""Render the linked Site into the site's pages, all in memory.

`render_pages(site)` returns `{path: text}` — Markdown pages such as
`cases/<id>/index.md`, each case's citation files, the open data files
of `opendata` and the spelling word lists of `search` — which the MkDocs hook hands to MkDocs as generated files.
Nothing is written to disk. The explorer's facets and JSON files come from
`explorer`; contributors' Markdown is turned into safe HTML by `prose`.

Safety: content is untrusted. Templates are autoescaped HTML blocks inside
Markdown pages (Python-Markdown passes block-level HTML through untouched, so
nothing a contributor writes is read as Markdown there), and front matter is
escaped here because Material prints titles and descriptions unescaped.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pycountry
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup, escape

from . import finder
from .az import az_index
from .bibliography import (
    CASEBOOK,
    STYLES,
    case_csl_item,
    cite_label,
    csl_item,
    exported_bibtex,
    plain_reference,
    to_bibtex,
    to_ris,
    with_access_date,
)
from .codebook import coverage, evidence_table, lesson_transfer, selection, transfer_claims
from .explorer import FIRST_ROWS, TRACK_LABELS, explorer_files, index_url, transfer_facets, transfer_files, transfer_url
from .feeds import feed_files, feed_link
from .model import Case, Reference, Site, SourceRef, Term
from .notfound import case_ids_file
from .opendata import CASE_COLUMNS, TRANSFER_COLUMNS, data_files
from .page_cache import PageCache, SiteReads, compute, folder_digest
from .prose import GLOSSARY_SECTIONS, glossary_index, link_glossary_terms, plain_text, prose_html
from .registry import (
    EXTRA_COUNTRY_CODES,
    PAGED_SECTIONS,
    SECTIONS,
    SECTIONS_BY_NAME,
    codebook_fields,
    codebook_release,
    codebook_version,
)
from .search import spelling_files
from .similarity import FEATURES
from .timeline import timeline_places
from .urls import external_links, page_url, pager_of, relative, source_path
from .views import view_pages

TEMPLATES = Path(__file__).parent / "templates"

DOWNLOAD_LABELS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}


def render_pages(site: Site, cache: PageCache | None = None) -> dict[str, str]:
    """Return every generated page and data file as `{path: text}`, in a stable order.

    With a `cache` (kept by `mkdocs serve` from one build to the next), a page
    whose inputs are all unchanged is served as last rendered (see page_cache.py).
    """
    env = make_environment(TEMPLATES)
    glossary = glossary_index(site)
    pages: dict[str, str] = {}
    derive = cache.derive if cache is not None else compute
    if cache is not None:
        cache.start_build()
        # What every page may read besides its own context and the site: the templates. (Pages that link
        # glossary terms read the vocabulary they come from: see _prose_filter.)
        constants = (folder_digest(TEMPLATES),)

    def page(url: str, template: str, **context: Any) -> None:
        path = source_path(url)
        if cache is None:
            pages[path] = env.get_template(template).render(here=url, site=site, glossary=glossary, **context)
            return
        key = cache.key(*constants, template, url, *sorted(context), *(context[name] for name in sorted(context)))
        text = cache.get(path, key, site)
        if text is None:
            reads: dict = {}
            text = env.get_template(template).render(here=url, site=SiteReads(site, reads), glossary=glossary,
                                                     **context)
            cache.put(path, key, reads, text)
        pages[path] = text

    for number, part, pager in _pages_of(site.cases, "case", "", INDEX_PAGE_SIZE):
        page(page_url("case", "", number), "cases_index.md.j2", rows=part, pager=pager, total=len(site.cases),
             feed=feed_link(site))
    site_url = site.settings.get("site_url", "")
    for case in site.cases:
        url = page_url("case", case.id)
        item = case_csl_item(case, site_url)
        downloads = {f"{case.id}.{kind}": derive(f"{url}{case.id}.{kind}", case_download, site, case, kind)
                     for kind in DOWNLOAD_LABELS}
        page(url, "case.md.j2", case=case, regions=site.case_regions[case.id],
             citation={style: with_access_date(text, style) for style, text in site.case_citations[case.id].items()},
             bibtex=downloads[f"{case.id}.bib"],
             downloads=[(name, DOWNLOAD_LABELS[name.rsplit(".", 1)[1]]) for name in downloads],
             meta_tags=_citation_meta(case, item),
             history=_history_links(site, case))
        for name, text in downloads.items():
            pages[url + name] = text
        for alias in case.aliases:
            pages[page_url("case", alias) + "index.html"] = env.get_template("redirect.html.j2").render(
                here=page_url("case", alias), target=relative(page_url("case", alias), url),
                title=case.title)
    page(page_url("lesson"), "lessons_index.md.j2", lesson_groups=_lesson_groups(site))
    for lesson in site.lessons:
        evidence = site.evidence.get(lesson.id, ())
        supports = tuple(item for item in evidence if item.stance == "supports")
        against = tuple(item for item in evidence if item.stance != "supports")
        transfer = lesson_transfer(site, lesson.id)  # reads every case behind the lesson: once, not once a page
        # Both lists are split at the same places, so that every page shows the cases that cut against it too.
        for number, _, pager in _pages_of(tuple(range(max(len(supports), len(against)))), "lesson", lesson.id):
            shown = slice(pager["first"] - 1, pager["first"] - 1 + PAGE_SIZE)
            page(page_url("lesson", lesson.id, number), "lesson.md.j2", lesson=lesson,
                 transfer=transfer, pager=pager, linked=bool(evidence),
                 supports=supports[shown], against=against[shown], totals=(len(supports), len(against)),
                 feed=feed_link(site, "lesson", lesson.id) if number == 1 else None)
    all_works = tuple(site.references.values())
    for number, part, pager in _pages_of(all_works, "source", "", INDEX_PAGE_SIZE):
        page(page_url("source", "", number), "sources_index.md.j2", rows=part, pager=pager, total=len(all_works))
    for ref in site.references.values():
        url = page_url("source", ref.key)
        mentions = site.backlinks.get(("source", ref.key), ())
        for number, part, pager in _pages_of(mentions, "source", ref.key):
            here = page_url("source", ref.key, number)
            page(here, "source.md.j2", ref=ref, bibtex=exported_bibtex(ref),
                 meta_tags=source_meta(ref) if number == 1 else [], mentions=part, pager=pager, total=len(mentions),
                 lessons=site.lessons_citing.get(ref.key, ()),
                 terms=[(term, SECTIONS_BY_NAME[term.kind].title, relative(here, _term_url(term)))
                        for term in site.terms_citing.get(ref.key, ())],
                 pages=site.pages_citing.get(ref.key, ()), inventory=site.inventory_citing.get(ref.key, ()))
        pages[f"{url}{ref.key}.bib"] = exported_bibtex(ref) + "\n"
        pages[f"{url}{ref.key}.ris"] = to_ris(csl_item(ref))
    for kind, item_id, url in [("case", case.id, page_url("case", case.id)) for case in site.cases] + \
            [("lesson", lesson.id, page_url("lesson", lesson.id)) for lesson in site.lessons]:
        for name in (f"{item_id}-sources.bib", f"{item_id}-sources.ris"):
            pages[url + name] = derive(url + name, sources_download, site, kind, item_id, name.rsplit(".", 1)[1])
    page(page_url("convenor"), "convenors_index.md.j2",
         items=[(c, len(site.backlinks[("convenor", slug)])) for slug, c in site.convenors.items()])
    for slug, convenor in site.convenors.items():
        for number, part, pager in _pages_of(site.backlinks[("convenor", slug)], "convenor", slug):
            page(page_url("convenor", slug, number), "convenor.md.j2", convenor=convenor,
                 mentions=part, pager=pager, total=len(site.backlinks[("convenor", slug)]))
    on_timeline = timeline_places(site)
    for section in PAGED_SECTIONS:
        kind = section.name
        terms = site.vocabulary[kind].values()
        context = {"kind": kind, "kind_title": section.title, "kind_title_singular": section.singular}
        page(page_url(kind), "terms_index.md.j2", kind_intro=section.intro, **context,
             items=[(t, len(site.backlinks.get((kind, t.id), ()))) for t in terms])
        for term in terms:
            mentions = site.backlinks.get((kind, term.id), ())
            for number, part, pager in _pages_of(mentions, kind, term.id):
                page(page_url(kind, term.id, number), "term.md.j2", item=term, **context,
                     mentions=part, pager=pager, total=len(mentions),
                     feed=feed_link(site, kind, term.id) if kind == "conflicts" and number == 1 else None,
                     timeline=on_timeline.get(term.id, "") if kind == "conflicts" else "")
    root = relative(page_url("explore"), "") + "/"
    page(page_url("explore"), "explore.md.j2", total=len(site.cases), rows=site.cases[:FIRST_ROWS],
         index=index_url(), root=root)
    page(page_url("compare"), "compare.md.j2", index=index_url(), root=root)
    pages.update(explorer_files(site, country_name, derive))
    glossary_sections = [(section.name, section.title, list(site.vocabulary[section.name].values()),
                          bool(section.folder)) for section in SECTIONS if section.name == "concepts" or section.folder]
    page(page_url("glossary"), "glossary.md.j2", sections=glossary_sections,
         az=az_index(term for _, _, terms, _ in glossary_sections for term in terms))
    fields = codebook_fields()
    page(page_url("codebook"), "codebook.md.j2", fields=fields, release=codebook_release(),
         coverage=coverage(site), case_columns=CASE_COLUMNS, transfer_columns=TRANSFER_COLUMNS,
         first_field={section: next(f.name for f in fields if f.section == section)
                      for section in {f.section for f in fields if f.section}},
         is_codebook_section=lambda name: SECTIONS_BY_NAME[name].codebook,
         section_title=lambda name: SECTIONS_BY_NAME[name].title)
    claims = transfer_claims(site)
    page(page_url("transfer"), "transfer.md.j2", claims=claims[:FIRST_ROWS], total=len(claims),
         facets=transfer_facets(site, claims), data=transfer_url(), root=relative(page_url("transfer"), "") + "/",
         csv=page_url("open-data") + "transfer.csv", json=page_url("open-data") + "transfer.json",
         cases_with_claims=len({case.id for case, _ in claims}), **dict(zip(("levels", "evidence_rows"),
                                                                            evidence_table(site), strict=True)))
    page(page_url("selection"), "selection.md.j2", selection=selection(site))
    page(page_url("finder"), "finder.md.j2", features=FEATURES, options=finder.finder_options(site),
         rows=finder.finder_rows(site, site.cases[:finder.FIRST_ROWS]), total=len(site.cases), limit=finder.LIMIT,
         data=finder.data_url(), root=relative(page_url("finder"), "") + "/")
    pages.update(finder.finder_files(site))
    pages.update(transfer_files(site))
    page(page_url("inventory"), "inventory.md.j2")
    for url, template, context in view_pages(site):
        page(url, template, **context)
    pages.update(data_files(site, derive))
    pages.update(feed_files(site))
    pages.update(spelling_files(site))
    pages.update(case_ids_file(site))
    if cache is not None:
        cache.end_build()
    return pages


def case_download(site: Site, case: Case, kind: str) -> str:
    """Return a case's citation as a download: BibTeX ("bib"), RIS ("ris") or CSL-JSON ("json")."""
    item = case_csl_item(case, site.settings.get("site_url", ""))
    if kind == "bib":
        return to_bibtex(item)
    if kind == "ris":
        return to_ris(item)
    return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


def sources_download(site: Site, kind: str, item_id: str, file_type: str) -> str:
    """Return every work a case or a lesson cites, as one BibTeX ("bib") or RIS ("ris") file."""
    works = [site.references[key] for key in site.works_cited.get((kind, item_id), ()) if key in site.references]
    if file_type == "bib":
        return "\n\n".join(exported_bibtex(ref) for ref in works) + "\n"
    return to_ris([csl_item(ref) for ref in works])


PAGE_SIZE = 50  # cases listed on one page of a term, a convenor, a lesson or a source; the rest on numbered pages
INDEX_PAGE_SIZE = 100  # rows on one page of the index of cases or of sources


def _pages_of(items: tuple, kind: str, item_id: str, size: int = PAGE_SIZE) -> list[tuple[int, tuple, dict[str, Any]]]:
    """Split a long list over numbered pages: (number, its items, the pager of that page).

    The pager (`urls.pager_of`) links to the first, last and nearby pages, so
    that a page never grows with the collection.
    """
    count = max(1, -(-len(items) // size))
    return [(number, tuple(items[(number - 1) * size: number * size]),
             pager_of(kind, item_id, number, count, (number - 1) * size + 1))
            for number in range(1, count + 1)]


def _citation_meta(case: Case, item: dict) -> list[list[str]]:
    """Return the Highwire Press `citation_*` tags of a case page, for Zotero and Google Scholar.

    Zotero's Embedded Metadata translator types a page with
    `citation_technical_report_institution` as a report, whose institution is the
    casebook; with `citation_title` alone it would guess a journal article. A
    `citation_author` is split into given and family name, so the collective
    "contributors" credit is left out rather than turned into a person; credited
    contributors are given as "Family, Given".
    """
    tags = [["citation_title", case.title]]
    tags += [["citation_author", f"{a['family']}, {a['given']}"] for a in item["author"] if "literal" not in a]
    tags += [["citation_publication_date", case.reviewed.replace("-", "/")],
             ["citation_technical_report_institution", CASEBOOK]]
    if item["URL"].startswith("http"):
        tags.append(["citation_public_url", item["URL"]])
    return tags


# Zotero's Embedded Metadata translator types a page by these tags (its `init`):
# the first that a kind of work can carry decides, and the work is saved as itself.
_SOURCE_TYPE_TAGS = {"article-journal": "citation_journal_title", "chapter": "citation_book_title",
                     "report": "citation_technical_report_institution",
                     "thesis": "citation_dissertation_institution",
                     "paper-conference": "citation_conference_title"}


def source_meta(ref: Reference) -> list[list[str]]:
    """Return Highwire Press tags describing a work on its source page, so a reference manager saves the work.

    Only kinds of work the tags can type correctly get them: journal articles,
    chapters, reports, theses, conference papers, and books with an ISBN. A web
    page or a book without one would be saved as a journal article, so those
    pages carry no tags and offer the .bib and .ris files instead.
    """
    item = csl_item(ref)
    kind = item["type"]
    type_tag = _SOURCE_TYPE_TAGS.get(kind)
    container = item.get("container-title", "")
    if not (type_tag and (container or kind in ("report", "thesis")) or (kind == "book" and item.get("ISBN"))):
        return []
    tags = [["citation_title", item.get("title", "")]]
    tags += [["citation_author", f"{a['family']}, {a['given']}" if "given" in a else a["literal"]]
             for a in item.get("author", ())]
    tags += [["citation_editor", f"{a['family']}, {a['given']}" if "given" in a else a["literal"]]
             for a in item.get("editor", ())]
    date = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if date:
        tags.append(["citation_publication_date", "/".join(str(part) for part in date)])
    if type_tag:
        tags.append([type_tag, container or item.get("publisher", "")])
    for csl_name, tag in (("volume", "citation_volume"), ("issue", "citation_issue"),
                          ("publisher", "citation_publisher"), ("ISBN", "citation_isbn"), ("DOI", "citation_doi"),
                          ("URL", "citation_public_url")):
        if item.get(csl_name) and not (tag == "citation_publisher" and kind in ("report", "thesis")):
            tags.append([tag, str(item[csl_name])])
    if item.get("page"):
        first, _, last = str(item["page"]).partition("-")
        tags.append(["citation_firstpage", first])
        if last:
            tags.append(["citation_lastpage", last])
    return tags


def _history_links(site: Site, case: Case) -> dict[str, str]:
    """Return the last-changed date and the edit, history, this-version and report-an-error links of a case."""
    revision = site.last_changed.get(case.path)
    links = {"changed": revision.date if revision else "", "commit": revision.commit[:12] if revision else "",
             "edit": "", "history": "", "version": "", "report": ""}
    repo = site.settings.get("repo_url", "").rstrip("/")
    edit_uri = site.settings.get("edit_uri", "").strip("/")
    if repo.startswith("https://") and edit_uri:
        branch = edit_uri.split("/")[-1]
        links["edit"] = f"{repo}/{edit_uri}/{case.path}"
        links["history"] = f"{repo}/commits/{branch}/{case.path}"
    if repo.startswith("https://") and revision:
        links["version"] = f"{repo}/blob/{revision.commit}/{case.path}"  # the file as it stood, for good
    if repo.startswith("https://"):
        # GitHub fills an issue form's fields from query parameters named by their ids.
        page = site.settings.get("site_url", "").rstrip("/") + "/" + page_url("case", case.id)
        query = urlencode({"template": "report-an-error.yml", "title": f"Error in {case.title}",
                           "page": page})
        links["report"] = f"{repo}/issues/new?{query}"
    return links


def _lesson_groups(site: Site) -> list[tuple[Any, list[tuple[Any, int, int]]]]:
    """Return lessons grouped by theme (vocabulary order), most-supported first within each."""
    groups = []
    for theme in site.vocabulary["lesson_themes"].values():
        ranked = []
        for lesson in site.lessons:
            if lesson.theme == theme.id:
                stances = [e.stance for e in site.evidence.get(lesson.id, ())]
                ranked.append((lesson, stances.count("supports"), len(stances) - stances.count("supports")))
        ranked.sort(key=lambda item: (-item[1], item[0].title.lower()))
        if ranked:
            groups.append((theme, ranked))
    return groups


def make_environment_for_files() -> Environment:
    """Return a strict environment for templates that need no site: the case scaffold, notices.

    Only `.html.j2` templates are HTML-escaped; the scaffold is YAML.
    """
    env = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                      autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["yaml_string"] = yaml_string
    return env


def yaml_string(value: Any) -> Markup:
    """Return a value as a YAML flow scalar or sequence (JSON, with Unicode kept as is)."""
    return Markup(json.dumps(value, ensure_ascii=False))


def front_matter_text(value: Any) -> Markup:
    """Return text for a page's title or description in its front matter.

    Material puts these into the page without escaping them (the header, the
    meta description) and unescapes the title for `<title>`, so the text is
    HTML-escaped here and angle brackets, which no title needs, become ‹ ›.
    """
    text = str(value).replace("<", "‹").replace(">", "›")
    return yaml_string(str(escape(text)))


@functools.cache
def make_environment(templates: Path = TEMPLATES) -> Environment:
    """Return the one Jinja2 environment: strict, autoescaping, with the site's filters.

    It holds nothing of a site (templates read the site from their context), so
    one environment serves every build of a process and compiles each template
    once; Jinja reloads a template whose file changed.
    """
    env = Environment(
        loader=FileSystemLoader(templates),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        link=_link,
        relative_link=_relative_link,
        term=_term,
        references=_references,
        styles=STYLES,
        external_links=external_links,
        codebook_version=codebook_version(),
        track_labels=TRACK_LABELS,
        value_label=_value_label,
        literature_refs=_literature_refs,
    )
    env.filters.update(
        prose=_prose_filter,
        country=country_name,
        cite_label=cite_label,
        plain=plain_text,
        plain_reference=plain_reference,
        front_matter=front_matter_text,
        front_matter_data=yaml_string,
        count=lambda n, noun: f"{n} {noun}" if n == 1 else f"{n} {noun}s",
        markdown_text=markdown_text,
    )
    return env


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")  # what Python-Markdown lets a backslash escape


def markdown_text(value: Any) -> Markup:
    """Return content text for a Markdown heading: HTML-escaped, every Markdown character backslash-escaped.

    Headings stay Markdown so that they get permalinks and a place in the table
    of contents; escaping keeps a label from becoming a link, emphasis or attributes.
    """
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", str(escape(" ".join(str(value).split())))))


def _term_url(term: Term) -> str:
    """Return where a vocabulary term is defined: its own page, the codebook, or the glossary."""
    section = SECTIONS_BY_NAME[term.kind]
    if section.folder:
        return page_url(term.kind, term.id)
    if section.codebook:
        return page_url("codebook") + f"#{term.kind}-{term.id}"
    if term.kind == "lesson_themes":  # the lessons index groups the lessons under their themes
        return page_url("lesson") + f"#{term.id}"
    return page_url("glossary") + f"#{term.kind}-{term.id}"


# The globals that read the site read it from the page's context, so that under a
# PageCache they read it through the SiteReads view that notes what each page read.
@pass_context
def _term(context: Any, kind: str, term_id: str) -> Term:
    return context["site"].vocabulary[kind][term_id]


@pass_context
def _references(context: Any, refs: tuple[SourceRef, ...]) -> list[tuple[Reference, str]]:
    return [(context["site"].references[r.key], r.pages) for r in refs]


@pass_context
def _value_label(context: Any, field: Any, value: str) -> str:
    vocabulary = context["site"].vocabulary
    return vocabulary[field.section][value].label if field.section and value in vocabulary.get(field.section, {}) \
        else value


@pass_context
def _literature_refs(context: Any, keys: list[str]) -> list[SourceRef]:
    """The codebook's literature is named in the schema; another content root may lack some of it."""
    return [SourceRef(key) for key in keys if key in context["site"].references]


@pass_context
def _relative_link(context: Any, url: str) -> str:
    """Return a relative link from the page being rendered to a site-relative URL."""
    return relative(context["here"], url)


@pass_context
def _link(context: Any, kind: str, item_id: str = "") -> str:
    """Return a relative link from the page being rendered to a page of the site."""
    return relative(context["here"], page_url(kind, item_id))


@pass_context
def _prose_filter(context: Any, text: str, glossary: bool = False) -> Markup:
    html = prose_html(text, context["site"], context["here"])
    if not glossary:
        return html
    for kind in GLOSSARY_SECTIONS:  # what the glossary is made of, read whole so that a PageCache notes it
        context["site"].vocabulary[kind].items()
    return Markup(link_glossary_terms(html, context["glossary"], context["here"]))


def country_name(code: str) -> str:
    """Return the common English name of an ISO 3166-1 alpha-2 code."""
    if code in EXTRA_COUNTRY_CODES:
        return EXTRA_COUNTRY_CODES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
