"""Build every page URL of the site in one place, so links and files always agree.

URLs are permanent (students cite them): `cases/<id>/`, `lessons/<id>/`,
`convenors/<slug>/`, `participants/<type>/`, `outcomes/<type>/`,
`formats/<type>/`, `conflicts/<id>/`, `regions/<id>/`, `sources/<key>/`,
plus an index page per kind (`cases/`, `lessons/`, …), `glossary/`, `explore/` and `compare/`; a
long list (a term's or convenor's cases, the indexes of cases and sources)
continues on `…/page/2/`, `…/page/3/`. The Atom feeds are `feed.xml` (every
case) and `lessons/<id>/feed.xml`, `conflicts/<id>/feed.xml`; the views of the
whole collection are `timeline/`, `map/`, `matrix/` and `statistics/`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from .registry import PAGED_SECTIONS

# Page kind -> URL folder. A vocabulary section with a page per term names its
# folder in vocabulary.schema.json (`x-page`).
FOLDERS = {
    "case": "cases",
    "lesson": "lessons",
    "convenor": "convenors",
    "source": "sources",
    "glossary": "glossary",
    "explore": "explore",
    "compare": "compare",
    "codebook": "codebook",
    "transfer": "transfer",
    "selection": "selection",
    "finder": "finder",
    "inventory": "inventory",
    "timeline": "timeline",
    "map": "map",
    "matrix": "matrix",
    "statistics": "statistics",
    "method": "method",  # handwritten pages in docs/
    "contributing": "contributing",
    "open-data": "data",
} | {section.name: section.folder for section in PAGED_SECTIONS}


def page_url(kind: str, item_id: str = "", number: int = 1) -> str:
    """Return the site-relative URL of a page (`cases/dartmouth-conference/`), or of an index.

    A long list is split over numbered pages: page 1 keeps the plain URL,
    page 2 is `…/page/2/`, and so on.
    """
    folder = FOLDERS[kind]
    url = f"{folder}/{item_id}/" if item_id else f"{folder}/"
    return url if number == 1 else f"{url}page/{number}/"


PAGER_NEIGHBOURS = 2  # numbered links either side of the current page
PAGER_WHOLE = 20  # a list of up to this many pages links them all, so every page is a click from each


def pager_of(kind: str, item_id: str, number: int, count: int, first: int) -> dict[str, Any]:
    """Return what page `number` of `count` pages of a list links to, for `pager_nav` (`_macros.md.j2`).

    Every page, as (number, URL), for a list of up to PAGER_WHOLE pages;
    for a longer one the first and the last page and PAGER_NEIGHBOURS pages
    either side of this one, with (0, "") where two or more numbers are
    skipped: a pager that listed every page would make each page of a long
    list of n pages grow with n, and the list's pages together with n
    squared. `first` is the number of the page's first item.
    """
    near = range(1, count + 1) if count <= PAGER_WHOLE else range(
        max(1, number - PAGER_NEIGHBOURS), min(count, number + PAGER_NEIGHBOURS) + 1)
    links: list[tuple[int, str]] = []
    for shown in sorted({1, count, *near}):
        if links and shown == links[-1][0] + 2:  # a gap would stand for one number: give the number
            links.append((shown - 1, page_url(kind, item_id, shown - 1)))
        elif links and shown > links[-1][0] + 2:
            links.append((0, ""))
        links.append((shown, page_url(kind, item_id, shown)))
    return {"current": number, "count": count, "links": links, "first": first}


def feed_url(kind: str = "", item_id: str = "") -> str:
    """Return the site-relative URL of an Atom feed: `feed.xml` for every case, else beside its page."""
    return f"{page_url(kind, item_id)}feed.xml" if kind else "feed.xml"


def absolute(site_url: str, url: str) -> str:
    """Return the public address of a site-relative URL (relative still when there is no site_url)."""
    return f"{site_url.rstrip('/')}/{url}" if site_url else url


def source_path(url: str) -> str:
    """Return the Markdown file path MkDocs serves at `url` (`cases/x/` -> `cases/x/index.md`)."""
    return f"{url}index.md" if url else "index.md"


def relative(from_url: str, to_url: str) -> str:
    """Return a link from the page at `from_url` to `to_url`, both site-relative directory URLs.

    The same as `posixpath.relpath` (a test holds them equal) for the clean
    URLs `page_url` makes, without its filesystem work: every link of every
    page goes through here.
    """
    target, _, fragment = to_url.partition("#")
    here = [part for part in from_url.split("/") if part]
    there = [part for part in target.split("/") if part]
    common = 0
    while common < len(here) and common < len(there) and here[common] == there[common]:
        common += 1
    path = "/".join([".."] * (len(here) - common) + there[common:])
    path = "./" if not path else path + ("/" if target.endswith("/") else "")
    return f"{path}#{fragment}" if fragment else path


def convenor_slug(name: str) -> str:
    """Return the identity of a convenor, and its page's id: two names with one slug are one convenor."""
    return slugify(name.strip())


def slugify(text: str) -> str:
    """Return a URL slug: ASCII lowercase words joined by hyphens (`Sant'Egidio` -> `santegidio`).

    Names written wholly in another script keep their letters (`和平中心` -> `和平中心`).
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if not slug:  # a name in a non-Latin script keeps its own letters rather than becoming "unnamed"
        slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", text).lower()).strip("-")
    return slug or "unnamed"


def external_links(identifiers) -> list[tuple[str, str]]:
    """Return (label, URL) for each identifier of a case or conflict in another record."""
    links = []
    if identifiers.wikidata:
        links.append((f"Wikidata {identifiers.wikidata}",
                      f"https://www.wikidata.org/wiki/{identifiers.wikidata}"))
    if identifiers.ucdp:
        links.append((f"UCDP conflict {identifiers.ucdp}", f"https://ucdp.uu.se/conflict/{identifiers.ucdp}"))
    for agreement in identifiers.pax:
        links.append((f"PA-X peace agreement {agreement}",
                      f"https://pax.peaceagreements.org/agreements/{agreement}"))
    return links
