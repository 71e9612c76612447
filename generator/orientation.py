"""Where a reader is: the top tab of every page, the left column of generated pages, named permalinks.

Generated pages are left out of `nav:` on purpose (see mkdocs.yml), so
Material highlights no tab on them. `tabs_by_folder(nav)` maps each URL
folder to the title of the top-level nav item whose pages live there
(`cases` -> Cases, `conflicts` -> Browse), and the tabs partial of
`overrides/` marks that tab active on every page of the folder. Generated
pages outside the nav's sections (cases, lessons, sources, convenors, terms)
have nothing in the left navigation column either, so it is hidden there
(their breadcrumb, from the templates, says where they stand); the indexes
under Browse and About keep it, listing their section.
`name_permalinks(html)` gives each heading's permalink (the ¶ after it) an
accessible name saying which section it links to, so that no two links
named "¶" go to different places.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# Python-Markdown's toc extension writes `<hN id="x">Text<a class="headerlink" href="#x" title="…">¶</a></hN>`.
_HEADING = re.compile(r'(<h([1-6]) id="([^"]+)"[^>]*>)(.*?)<a class="headerlink" href="#\3"', re.S)
_TAG = re.compile(r"<[^>]+>")


def _pages(item: Any) -> Iterable[Any]:
    """Yield the pages under a nav item, itself included when it is a page."""
    if getattr(item, "children", None):
        for child in item.children:
            yield from _pages(child)
    elif getattr(item, "is_page", False):
        yield item


def tabs_by_folder(nav: Any) -> dict[str, str]:
    """Return {first URL folder: title of the top-level nav item} for the pages of the nav (first item wins)."""
    tabs: dict[str, str] = {}
    for item in nav.items:
        for page in _pages(item):
            folder = page.url.split("/", 1)[0]
            if folder:
                tabs.setdefault(folder, item.title)
    return tabs


def is_generated(file: Any, docs_dir: str) -> bool:
    """Return True for a generated page: made in memory, or (under `serve --dirty`) written outside docs/."""
    if file.generated_by or not file.src_dir:
        return True
    return Path(file.src_dir).resolve() != Path(docs_dir).resolve()


def hide_navigation(meta: dict[str, Any]) -> None:
    """Hide the (empty) left navigation column of a generated page, keeping what its front matter hides."""
    hidden = list(meta.get("hide") or ())
    if "navigation" not in hidden:
        meta["hide"] = [*hidden, "navigation"]


def name_permalinks(output: str) -> str:
    """Return the page with an aria-label on every heading permalink naming the section it links to."""
    def named(match: re.Match[str]) -> str:
        text = " ".join(html_lib.unescape(_TAG.sub("", match.group(4))).split())
        label = html_lib.escape(f"Link to this section: {text}", quote=True)
        return f'{match.group(1)}{match.group(4)}<a class="headerlink" aria-label="{label}" href="#{match.group(3)}"'
    return _HEADING.sub(named, output)
