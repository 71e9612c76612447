"""Find inline citations such as `[@agha2003track, p. 12]` in Markdown text.

Shared by the validator (every key must exist) and the renderer (each
citation becomes an author-date link to the source's page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A bracket holding one or more `@key` items separated by semicolons.
CITATION = re.compile(r"\[(@[^\[\]]+?)\]")
_ITEM = re.compile(r"^@(?P<key>[A-Za-z0-9_:.-]+)\s*(?:,\s*(?P<locator>.+))?$")
_PAGE_PREFIX = re.compile(r"^(?:pp?\.|pages?)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Cite:
    """One cited work inside a citation bracket."""

    key: str
    pages: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A citation bracket found in text: where it is and what it cites."""

    start: int
    end: int
    items: tuple[Cite, ...]
    error: str = ""


def find_citations(text: str) -> list[Citation]:
    """Return every citation bracket in `text`, with an error message for malformed ones."""
    found = []
    for match in CITATION.finditer(text):
        items = []
        error = ""
        for part in " ".join(match.group(1).split()).split(";"):
            item = _ITEM.match(part.strip())
            if not item:
                error = f"malformed citation '{match.group(0)}'"
                break
            pages = _PAGE_PREFIX.sub("", (item.group("locator") or "").strip())
            items.append(Cite(item.group("key"), pages))
        found.append(Citation(match.start(), match.end(), tuple(items), error))
    return found
