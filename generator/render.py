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

import csv
import html as html_module
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import markdown
import nh3
import pycountry
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup, escape

from .bibliography import CASEBOOK, STYLES, case_csl_item, case_url, cite_label, to_bibtex, to_ris
from .citations import CITATION, find_citations
from .model import Case, Site
from .urls import external_links, page_url, relative, source_path
from .validate import EXTRA_COUNTRY_CODES, SCHEMA_FILES, load_schema

TEMPLATES = Path(__file__).parent / "templates"

_PROSE_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br",
               "h3", "h4", "abbr", "sup", "sub"}
_PROSE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
# Citations are swapped for tokens while Markdown is converted and sanitised, then
# swapped back. The tokens use private-use characters, removed from the input first,
# so no contributor text can imitate one.
_TOKEN = "\ue000{}\ue001"
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


# Vocabulary sections with a page per term: (section, title, singular, introduction).
TERM_PAGES = (
    ("conflicts", "Conflicts", "Conflict",
     "The conflicts and relationships the cases address, with the number of cases for each."),
    ("regions", "Regions", "Region",
     "World regions, placed by the countries whose people took part in each case."),
    ("convenor_types", "Convenor types", "Convenor type",
     "The kinds of body that convene Track Two dialogue."),
    ("participant_types", "Participant types", "Participant type",
     "The kinds of people who take part in Track Two dialogue."),
    ("formats", "Formats", "Format",
     "The ways a dialogue can be run."),
    ("outcome_types", "Outcomes", "Outcome type",
     "The kinds of result the cases had; each case page says what its outcomes were and cites them."),
)


DOWNLOAD_LABELS = {"bib": "BibTeX", "ris": "RIS", "json": "CSL-JSON"}


def render_pages(site: Site) -> dict[str, str]:
    """Return every generated page and data file as `{path: text}`, in a stable order."""
    env = make_environment(site)
    pages: dict[str, str] = {}

    def page(url: str, template: str, **context: Any) -> None:
        pages[source_path(url)] = env.get_template(template).render(here=url, site=site, **context)

    page(page_url("case"), "cases_index.md.j2")
    site_url = site.settings.get("site_url", "")
    for case in site.cases:
        url = page_url("case", case.id)
        item = case_csl_item(case, site_url)
        downloads = {f"{case.id}.bib": to_bibtex(item), f"{case.id}.ris": to_ris(item),
                     f"{case.id}.json": json.dumps([item], indent=2, ensure_ascii=False) + "\n"}
        page(url, "case.md.j2", case=case, regions=site.case_regions[case.id],
             citation=site.case_citations[case.id], bibtex=downloads[f"{case.id}.bib"],
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
        page(page_url("lesson", lesson.id), "lesson.md.j2", lesson=lesson)
    page(page_url("source"), "sources_index.md.j2")
    for ref in site.references.values():
        page(page_url("source", ref.key), "source.md.j2", ref=ref,
             mentions=site.backlinks.get(("source", ref.key), ()),
             lessons=site.lessons_citing.get(ref.key, ()))
    page(page_url("convenor"), "convenors_index.md.j2",
         items=[(c, len(site.backlinks[("convenor", slug)])) for slug, c in site.convenors.items()])
    for slug, convenor in site.convenors.items():
        page(page_url("convenor", slug), "convenor.md.j2", convenor=convenor,
             mentions=site.backlinks[("convenor", slug)])
    for kind, title, singular, intro in TERM_PAGES:
        terms = site.vocabulary[kind].values()
        context = {"kind": kind, "kind_title": title, "kind_title_singular": singular}
        page(page_url(kind), "terms_index.md.j2", kind_intro=intro, **context,
             items=[(t, len(site.backlinks.get((kind, t.id), ()))) for t in terms])
        for term in terms:
            page(page_url(kind, term.id), "term.md.j2", item=term, **context,
                 mentions=site.backlinks.get((kind, term.id), ()))
    facets, rows = _explorer(site)
    page(page_url("explore"), "explore.md.j2", facets=facets, rows=rows)
    page(page_url("glossary"), "glossary.md.j2", sections=[
        (kind, title, list(site.vocabulary[kind].values()), kind != "concepts")
        for kind, title, *_ in (("concepts", "Key concepts"),) + TERM_PAGES])
    for name in SCHEMA_FILES:
        pages[f"data/{name}"] = json.dumps(load_schema(name), indent=2, ensure_ascii=False) + "\n"
    pages.update(data_files(site))
    return pages


def case_record(case: Case, site: Site) -> dict[str, Any]:
    """Return a case as plain data for the open data files (JSON and CSV)."""
    return {
        "id": case.id,
        "url": case_url(case, site.settings.get("site_url", "")),
        "title": case.title,
        "summary": case.summary,
        "start": case.start,
        "end": case.end,
        "approximate": case.approximate,
        "track": case.track,
        "conflict": case.conflict,
        "countries": list(case.countries),
        "regions": list(site.case_regions[case.id]),
        "convenors": [{"name": c.name, "type": c.type, "role": c.role} for c in case.convenors],
        "participant_types": list(case.participant_types),
        "formats": list(case.formats),
        "outcomes": [{"type": o.type, "text": o.text, "certainty": o.certainty,
                      "sources": [r.key for r in o.sources]} for o in case.outcomes],
        "lessons": [{"lesson": link.lesson, "stance": link.stance, "note": link.note} for link in case.lessons],
        "sources": [r.key for r in case.sources],
        "reviewed": case.reviewed,
    }


def data_files(site: Site) -> dict[str, str]:
    """Return the open data set: cases as JSON and CSV, and the bibliography as BibTeX."""
    records = [case_record(case, site) for case in sorted(site.cases, key=lambda c: c.id)]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([_csv_cell(_flatten(record[column])) for column in CSV_COLUMNS])
    bibtex = "\n\n".join(ref.raw for ref in site.references.values()) + "\n"
    return {
        "data/cases.json": json.dumps(records, indent=2, ensure_ascii=False) + "\n",
        "data/cases.csv": table.getvalue(),
        "data/references.bib": bibtex,
    }


CSV_COLUMNS = ("id", "title", "start", "end", "track", "conflict", "countries", "regions",
               "convenors", "participant_types", "formats", "outcomes", "lessons", "sources",
               "reviewed", "url", "summary")


def _flatten(value: Any) -> str:
    """Return a list as `a; b` (convenors and outcomes by name or type) for one CSV cell."""
    if isinstance(value, list):
        return "; ".join(item.get("name") or item.get("type") or item.get("lesson", "")
                         if isinstance(item, dict) else str(item) for item in value)
    return "" if value is None else str(value)


def _csv_cell(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _citation_meta(case: Case, item: dict) -> list[list[str]]:
    """Return Highwire Press `citation_*` meta tags, which Zotero and Google Scholar read."""
    tags = [["citation_title", case.title]]
    tags += [["citation_author", a["literal"] if "literal" in a else f"{a['family']}, {a['given']}"]
             for a in item["author"]]
    tags += [["citation_publication_date", case.reviewed.replace("-", "/")],
             ["citation_publisher", CASEBOOK]]
    if item["URL"].startswith("http"):
        tags.append(["citation_public_url", item["URL"]])
    return tags


def _history_links(site: Site, case: Case) -> dict[str, str]:
    """Return the last-changed date and the edit, history and report-an-error links of a case, where known."""
    links = {"changed": site.last_changed.get(case.path, ""), "edit": "", "history": "", "report": ""}
    repo = site.settings.get("repo_url", "").rstrip("/")
    edit_uri = site.settings.get("edit_uri", "").strip("/")
    if repo.startswith("https://") and edit_uri:
        branch = edit_uri.split("/")[-1]
        links["edit"] = f"{repo}/{edit_uri}/{case.path}"
        links["history"] = f"{repo}/commits/{branch}/{case.path}"
    if repo.startswith("https://"):
        # GitHub fills an issue form's fields from query parameters named by their ids.
        page = site.settings.get("site_url", "").rstrip("/") + "/" + page_url("case", case.id)
        query = urlencode({"template": "report-an-error.yml", "title": f"Error in {case.title}",
                           "page": page})
        links["report"] = f"{repo}/issues/new?{query}"
    return links


@dataclass(frozen=True, slots=True)
class Facet:
    """One filter of the explorer: its name, label and (value, label, number of cases) options."""

    name: str
    label: str
    options: tuple[tuple[str, str, int], ...]


def _explorer(site: Site) -> tuple[list[Facet], list[tuple[Case, list[tuple[str, list[str]]]]]]:
    """Return the explorer's filters and, for each case, the values it can be filtered by."""
    rows = []
    for case in site.cases:
        # An ongoing case counts as active up to the year it was last reviewed.
        end = case.end if case.end is not None else max(case.start, int(case.reviewed[:4]))
        values = {
            "conflict": [case.conflict],
            "region": list(site.case_regions[case.id]),
            "convenor": [c.slug for c in case.convenors],
            "convenor-type": list(dict.fromkeys(c.type for c in case.convenors)),
            "participant": list(case.participant_types),
            "format": list(case.formats),
            "outcome": list(dict.fromkeys(o.type for o in case.outcomes)),
            "lesson": [link.lesson for link in case.lessons],
            "track": [case.track],
            "decade": [f"{d}s" for d in range(case.start // 10 * 10, end // 10 * 10 + 1, 10)],
        }
        rows.append((case, list(values.items())))
    labels = {
        "conflict": ("Conflict", {k: t.label for k, t in site.vocabulary["conflicts"].items()}),
        "region": ("Region", {k: t.label for k, t in site.vocabulary["regions"].items()}),
        "convenor": ("Convenor", {slug: c.name for slug, c in site.convenors.items()}),
        "convenor-type": ("Convenor type", {k: t.label for k, t in site.vocabulary["convenor_types"].items()}),
        "participant": ("Participants", {k: t.label for k, t in site.vocabulary["participant_types"].items()}),
        "format": ("Format", {k: t.label for k, t in site.vocabulary["formats"].items()}),
        "outcome": ("Outcome", {k: t.label for k, t in site.vocabulary["outcome_types"].items()}),
        "lesson": ("Lesson", {lesson.id: lesson.title for lesson in site.lessons}),
        "track": ("Track", {"2": "Track 2 (unofficial)", "1.5": "Track 1.5 (semi-official)"}),
        "decade": ("Active in", {}),
    }
    facets = []
    for name, (label, names) in labels.items():
        counts: dict[str, int] = {}
        for _, case_values in rows:
            for value in dict(case_values)[name]:
                counts[value] = counts.get(value, 0) + 1
        ordered = sorted(counts) if name == "decade" else sorted(counts, key=lambda v: (names.get(v) or v).lower())
        facets.append(Facet(name, label, tuple((v, names.get(v, v), counts[v]) for v in ordered)))
    return facets, rows


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
                      keep_trailing_newline=True)
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
        styles=STYLES,
        external_links=external_links,
        glossary=glossary_index(site),
    )
    env.filters.update(
        prose=_prose_filter,
        country=country_name,
        cite_label=cite_label,
        plain=plain_text,
        front_matter=front_matter_text,
        front_matter_data=yaml_string,
        count=lambda n, noun: f"{n} {noun}" if n == 1 else f"{n} {noun}s",
    )
    return env


@pass_context
def _link(context: Any, kind: str, item_id: str = "") -> str:
    """Return a relative link from the page being rendered to a page of the site."""
    return relative(context["here"], page_url(kind, item_id))


@pass_context
def _prose_filter(context: Any, text: str, glossary: bool = False) -> Markup:
    html = prose_html(text, context["site"], context["here"])
    return Markup(link_glossary_terms(html, context["glossary"], context["here"])) if glossary else html


def prose_html(text: str, site: Site, here: str) -> Markup:
    """Return contributor Markdown as sanitised HTML, with `[@key]` citations linked."""
    text = _PRIVATE_USE.sub("", text)
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


def plain_text(text: str) -> str:
    """Return contributor Markdown as plain text: no markup, citations reduced to nothing."""
    text = CITATION.sub("", text)
    html = markdown.markdown(text, output_format="html")
    return " ".join(html_module.unescape(nh3.clean(html, tags=set())).split())


# Sections whose terms link themselves from prose; conflicts and regions are
# linked from the facts at the top of each case page instead.
GLOSSARY_SECTIONS = ("formats", "participant_types", "convenor_types", "outcome_types")
_TAG = re.compile(r"(<[^>]+>)")


@dataclass(frozen=True, slots=True)
class GlossaryIndex:
    """The terms that link themselves from prose: built once per render, used on every page."""

    pattern: re.Pattern | None
    terms: dict[str, tuple[str, str, str]]  # lower-case label -> (section, id, plain definition)


def glossary_index(site: Site) -> GlossaryIndex:
    """Return the linkable terms of the site with their definitions as plain text."""
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
            return (f'<a class="t2-term" href="{escape(href)}" title="{escape(definition)}">'
                    f"{match.group(0)}</a>")

        parts[index] = glossary.pattern.sub(replace, part)
    return "".join(parts)


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
