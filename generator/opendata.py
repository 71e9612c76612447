"""The open data set: every case as JSON and CSV, the bibliography as BibTeX, and the JSON Schemas.

`data_files(site)` returns `{path: text}` for the files the site publishes
under `/data/` and `casebook export` writes into a folder. Text from content
reaches a CSV cell only through `_csv_cell`, which keeps spreadsheets from
running it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .bibliography import case_url
from .model import Case, Site
from .registry import SCHEMA_FILES, load_schema


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
        "convenors": [{"name": part.convenor.name, "type": part.convenor.type, "role": part.role}
                      for part in case.convenors],
        "participant_types": list(case.participant_types),
        "formats": list(case.formats),
        "outcomes": [{"type": o.type, "text": o.text, "certainty": o.certainty,
                      "sources": [r.key for r in o.sources]} for o in case.outcomes],
        "lessons": [{"lesson": link.lesson, "stance": link.stance, "note": link.note} for link in case.lessons],
        "sources": [r.key for r in case.sources],
        "reviewed": case.reviewed,
    }


def data_files(site: Site) -> dict[str, str]:
    """Return the open data set by path: cases as JSON and CSV, the bibliography as BibTeX, the schemas."""
    records = [case_record(case, site) for case in sorted(site.cases, key=lambda c: c.id)]
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        writer.writerow([_csv_cell(_flatten(record[column])) for column in CSV_COLUMNS])
    bibtex = "\n\n".join(ref.raw for ref in site.references.values()) + "\n"
    files = {f"data/{name}": json.dumps(load_schema(name), indent=2, ensure_ascii=False) + "\n"
             for name in SCHEMA_FILES}
    files.update({
        "data/cases.json": json.dumps(records, indent=2, ensure_ascii=False) + "\n",
        "data/cases.csv": table.getvalue(),
        "data/references.bib": bibtex,
    })
    return files


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


