"""What the 404 page needs to suggest a case for a renamed or misspelt address: the published list of case ids.

`overrides/404.html` loads `docs/assets/not-found.js`, which compares the
missing address with this list (`cases/ids.json`: every case id and former id
with the case's current id and title) and offers the nearest case.
"""

from __future__ import annotations

import json

from .model import Site
from .urls import page_url

IDS_FILE = page_url("case") + "ids.json"


def case_ids_file(site: Site) -> dict[str, str]:
    """Return `{path: JSON}`: `[[id or former id, current id, title], …]` for every case, sorted by id."""
    rows = sorted([case.id, case.id, case.title] for case in site.cases)
    rows += sorted([alias, case.id, case.title] for case in site.cases for alias in case.aliases)
    return {IDS_FILE: json.dumps(rows, ensure_ascii=False, separators=(",", ":")) + "\n"}
