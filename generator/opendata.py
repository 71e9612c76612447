"""The open data set: every case as JSON and CSV, the transfer claims as JSON and CSV, the
bibliography as BibTeX, and the JSON Schemas.

`data_files(site)` returns `{path: text}` for the files the site publishes
under `/data/` and `casebook export` writes into a folder. Every record
carries the version of the codebook it was coded under. The CSV files flatten
the coded fields into the columns of `CASE_COLUMNS` and `TRANSFER_COLUMNS`,
each described there (the codebook page lists them). Text from content
reaches a CSV cell only through `_csv_cell`, which keeps spreadsheets from
running it as a formula.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .bibliography import case_url, exported_bibtex
from .model import Case, Coding, InventoryEntry, Site, TransferClaim
from .page_cache import Derive, compute
from .registry import SCHEMA_FILES, codebook_version, load_schema
from .urls import absolute, page_url


def case_record(case: Case, site: Site) -> dict[str, Any]:
    """Return a case as plain data for the open data files (JSON and CSV)."""
    return {
        "id": case.id,
        "url": case_url(case, site.settings.get("site_url", "")),
        "title": case.title,
        "also_known_as": list(case.also_known_as),
        "summary": case.summary,
        "start": case.start,
        "end": case.end,
        "approximate": case.approximate,
        "track": case.track,
        "conflict": case.conflict,
        "conflict_ucdp": _conflict_ucdp(case, site),
        "identifiers": {"wikidata": case.identifiers.wikidata or None, "ucdp": case.identifiers.ucdp,
                        "pax": list(case.identifiers.pax)},
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
        "codebook_version": codebook_version(),
        **_coding_record(case.coding),
    }


def _conflict_ucdp(case: Case, site: Site) -> int | None:
    """Return the UCDP conflict id of the case's conflict (the case's own, where it gives one)."""
    if case.identifiers.ucdp:
        return case.identifiers.ucdp
    term = site.vocabulary.get("conflicts", {}).get(case.conflict)
    return term.identifiers.ucdp if term else None


def _keys(refs) -> list[str]:
    return [ref.key for ref in refs]


def _coding_record(coding: Coding) -> dict[str, Any]:
    """Return the coded fields as plain data (None where a block is not coded yet)."""
    situation, government = coding.situation, coding.government
    return {
        "situation": None if situation is None else {
            "phase": situation.phase, "relations": situation.relations, "conflict_type": situation.conflict_type,
            "great_power_party": situation.great_power_party, "sources": _keys(situation.sources)},
        "government_relationship": None if government is None else {
            "default": government.default, "sides": dict(government.sides), "sources": _keys(government.sources)},
        "participant_sides": [{"party": side.party, "who": list(side.who), "distance": side.distance,
                               "sources": _keys(side.sources)} for side in coding.sides],
        "derived_track": coding.derived_track or None,
        "funding": None if coding.funding is None else "unknown" if not coding.funding else [
            {"name": funder.name, "type": funder.type, "sources": _keys(funder.sources)} for funder in coding.funding],
        "third_party": None if coding.third_party is None else {
            "role": coding.third_party.role, "seen_as_impartial": coding.third_party.seen_as_impartial,
            "sources": _keys(coding.third_party.sources)},
        "confidentiality": None if coding.confidentiality is None else {
            "regime": coding.confidentiality.regime, "existence_public": coding.confidentiality.existence_public,
            "sources": _keys(coding.confidentiality.sources)},
        "transfer": None if coding.transfer is None else [_claim_record(claim) for claim in coding.transfer],
    }


def _claim_record(claim: TransferClaim) -> dict[str, Any]:
    return {"what": claim.what, "from": claim.source, "to": claim.to, "channel": claim.channel, "when": claim.when,
            "effect": claim.effect, "evidence": claim.evidence, "confidence": claim.confidence,
            "against": claim.against or None, "sources": _keys(claim.sources)}


def transfer_records(site: Site) -> list[dict[str, Any]]:
    """Return every transfer claim as a record of its own, with its case."""
    return [{"case": case.id, "case_url": case_url(case, site.settings.get("site_url", "")),
             "claim": index, **_claim_record(claim), "codebook_version": codebook_version()}
            for case in sorted(site.cases, key=lambda c: c.id)
            for index, claim in enumerate(case.coding.transfer or (), start=1)]


def data_files(site: Site, derive: Derive = compute) -> dict[str, str]:
    """Return the open data set by path: cases as JSON and CSV, the bibliography as BibTeX, the schemas.

    Each case's part of cases.json and cases.csv is made through `derive` (a
    PageCache keeps those of unchanged cases); the files are as `json.dumps`
    and `csv` write the whole list.
    """
    cases = sorted(site.cases, key=lambda c: c.id)
    claims = transfer_records(site)
    bibtex = "\n\n".join(exported_bibtex(ref) for ref in site.references.values()) + "\n"
    files = {f"data/{name}": json.dumps(load_schema(name), indent=2, ensure_ascii=False) + "\n"
             for name in SCHEMA_FILES}
    records_json = ",\n".join(derive(f"data/cases.json#{case.id}", _case_json, site, case) for case in cases)
    header = _csv([], CASE_COLUMNS)
    files.update({
        "data/cases.json": f"[\n{records_json}\n]\n" if cases else "[]\n",
        "data/cases.csv": header + "".join(derive(f"data/cases.csv#{case.id}", _case_csv_line, site, case)
                                           for case in cases),
        "data/transfer.json": json.dumps(claims, indent=2, ensure_ascii=False) + "\n",
        "data/transfer.csv": _csv(claims, TRANSFER_COLUMNS),
        "data/references.bib": bibtex,
    })
    entries = [inventory_record(entry, site) for entry in sorted(site.inventory, key=lambda e: e.id)]
    files["data/inventory.json"] = json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
    files["data/inventory.csv"] = _csv(entries, INVENTORY_COLUMNS)
    return files


def _case_json(site: Site, case: Case) -> str:
    """Return a case's record as it stands, indented, in the list of cases.json."""
    return "\n".join("  " + line for line in json.dumps(case_record(case, site), indent=2,
                                                       ensure_ascii=False).split("\n"))


def _case_csv_line(site: Site, case: Case) -> str:
    """Return a case's row of cases.csv."""
    table = io.StringIO()
    csv.writer(table, lineterminator="\n").writerow(case_csv_row(case_record(case, site)))
    return table.getvalue()


def inventory_record(entry: InventoryEntry, site: Site) -> dict[str, Any]:
    """Return an inventory entry as plain data for the open data files."""
    return {
        "id": entry.id,
        "url": absolute(site.settings.get("site_url", ""), f"{page_url('inventory')}#{entry.id}"),
        "name": entry.name,
        "also_known_as": list(entry.also_known_as),
        "start": entry.start,
        "end": entry.end,
        "approximate": entry.approximate,
        "track": entry.track or None,
        "conflict": entry.conflict or None,
        "parties": list(entry.parties),
        "convenors": list(entry.convenors),
        "summary": entry.summary,
        "sources": [ref.key for ref in entry.sources],
        "reviewed": entry.reviewed,
    }


# The columns of inventory.csv: (name, what it holds). Lists are joined with "; ".
INVENTORY_COLUMNS = (
    ("id", "the entry's id, which a case written from it takes"),
    ("name", "the dialogue's name"),
    ("also_known_as", "other names of it"),
    ("start", "the year it began"),
    ("end", "the year it ended; empty while it continues or when not known"),
    ("approximate", "true when the sources give the years only approximately"),
    ("track", "2 or 1.5 where a source says which; else empty"),
    ("conflict", "the conflict's id, where one fits"),
    ("parties", "ISO 3166-1 alpha-2 codes of the parties"),
    ("convenors", "who convened it"),
    ("summary", "one sentence on it"),
    ("sources", "BibTeX keys of its sources (data/references.bib)"),
    ("reviewed", "the day it was last checked against its sources"),
    ("url", "its entry on the site"),
)


# The columns of cases.csv: (name, what it holds). Lists are joined with "; ".
CASE_COLUMNS = (
    ("id", "the case's id, also the last part of its URL"),
    ("title", "the case's title"),
    ("also_known_as", "other names of the case"),
    ("start", "the year the effort began"),
    ("end", "the year it ended; empty while it continues"),
    ("track", "the track as filed: 2 (unofficial) or 1.5 (semi-official)"),
    ("conflict", "the conflict's id (see the conflicts pages)"),
    ("conflict_ucdp", "the conflict's id in the UCDP/PRIO Armed Conflict Dataset, where it is one conflict there"),
    ("wikidata", "the case's Wikidata item, where one exists"),
    ("pax", "ids of agreements in the PA-X Peace Agreements Database the case fed into"),
    ("countries", "ISO 3166-1 alpha-2 codes of the parties"),
    ("regions", "the regions of those countries"),
    ("convenors", "the convenors' names"),
    ("participant_types", "the kinds of people who took part"),
    ("formats", "how the dialogue was run"),
    ("outcomes", "the outcome types"),
    ("lessons", "the ids of the lessons the case bears on"),
    ("sources", "BibTeX keys of the case's sources (data/references.bib)"),
    ("reviewed", "the day the claims were last checked against the sources"),
    ("url", "the case page"),
    ("summary", "two or three sentences on the case"),
    ("codebook_version", "the version of the codebook the case is coded under"),
    ("situation_phase", "situation.phase: the conflict phase when the effort began"),
    ("situation_relations", "situation.relations: the parties' official relations"),
    ("situation_conflict_type", "situation.conflict_type: interstate, intrastate or internationalised"),
    ("situation_great_power_party", "situation.great_power_party: yes, no or unknown"),
    ("government_relationship", "government_relationship.default: how the governments stood to the effort"),
    ("government_sides", "government_relationship.sides, as party: relationship"),
    ("participant_sides", "participant_sides, as party: participant types (distance from decision makers)"),
    ("derived_track", "the track the coded participants imply"),
    ("funding", "funding, as name (funder type), or unknown"),
    ("third_party_role", "third_party.role"),
    ("third_party_seen_as_impartial", "third_party.seen_as_impartial"),
    ("confidentiality_regime", "confidentiality.regime"),
    ("confidentiality_existence_public", "confidentiality.existence_public"),
    ("transfer_claims", "the number of transfer claims (data/transfer.csv has them); empty if not coded"),
)

# The columns of transfer.csv, one row per transfer claim.
TRANSFER_COLUMNS = (
    ("case", "the case's id"),
    ("claim", "the claim's number within its case"),
    ("what", "transfer[].what: idea, text, person or relationship"),
    ("from", "who or what it passed from"),
    ("to", "who it passed to"),
    ("channel", "direct or indirect"),
    ("when", "the year it passed, where known"),
    ("effect", "its effect on official talks or outcomes"),
    ("evidence", "the kind of source the claim rests on"),
    ("confidence", "established, probable, contested or unknown"),
    ("against", "counter-evidence, where there is any"),
    ("sources", "BibTeX keys of the works behind the claim"),
    ("case_url", "the case page"),
    ("codebook_version", "the version of the codebook the claim is coded under"),
)


def _csv(records: list[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> str:
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow([name for name, _ in columns])
    for record in records:
        writer.writerow(case_csv_row(record) if "situation" in record else _csv_row(record, columns))
    return table.getvalue()


def case_csv_row(record: dict[str, Any]) -> list[str]:
    """Return the cells of a case's row of cases.csv (also what the explorer's download writes)."""
    return _csv_row(_flat_case(record), CASE_COLUMNS)


def _csv_row(cells: dict[str, Any], columns: tuple[tuple[str, str], ...]) -> list[str]:
    return [_csv_cell(_flatten(cells.get(name))) for name, _ in columns]


def _flat_case(record: dict[str, Any]) -> dict[str, Any]:
    """Return a case record with its coded blocks spread over the flat columns of cases.csv."""
    situation = record["situation"] or {}
    government = record["government_relationship"] or {}
    third = record["third_party"] or {}
    secrecy = record["confidentiality"] or {}
    funding = record["funding"]
    return record | {
        "wikidata": record["identifiers"]["wikidata"],
        "pax": record["identifiers"]["pax"],
        "situation_phase": situation.get("phase"),
        "situation_relations": situation.get("relations"),
        "situation_conflict_type": situation.get("conflict_type"),
        "situation_great_power_party": situation.get("great_power_party"),
        "government_relationship": government.get("default"),
        "government_sides": [f"{party}: {value}" for party, value in (government.get("sides") or {}).items()],
        "participant_sides": [f"{side['party']}: {', '.join(side['who'])} ({side['distance']})"
                              for side in record["participant_sides"]],
        "funding": funding if not isinstance(funding, list) else [f"{f['name']} ({f['type']})" for f in funding],
        "third_party_role": third.get("role"),
        "third_party_seen_as_impartial": third.get("seen_as_impartial"),
        "confidentiality_regime": secrecy.get("regime"),
        "confidentiality_existence_public": secrecy.get("existence_public"),
        "transfer_claims": None if record["transfer"] is None else len(record["transfer"]),
    }


def _flatten(value: Any) -> str:
    """Return a list as `a; b` (convenors and outcomes by name or type) for one CSV cell."""
    if isinstance(value, list):
        return "; ".join(item.get("name") or item.get("type") or item.get("lesson", "")
                         if isinstance(item, dict) else str(item) for item in value)
    return "" if value is None else str(value)


def _csv_cell(text: str) -> str:
    """Keep spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


