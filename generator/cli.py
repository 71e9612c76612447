"""The command line: check the content, scaffold a new case, export the data files.

    casebook [--root DIR] [--today YYYY-MM-DD] check [--format text|github]
    casebook [--root DIR] [--today YYYY-MM-DD] new "Title of the case"
    casebook [--root DIR] docs
    casebook [--root DIR] [--today YYYY-MM-DD] export DIR

`casebook` is the console script that `make` installs into .venv/bin;
`python -m generator` is the same program.

Only this module and the MkDocs hook turn problems into output and exit codes.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .build import check, inventory_entry, link_content, read_settings, scaffold_case
from .clock import resolve_today
from .model import ContentError, Problem, Severity, summarise
from .opendata import data_files
from .reference import update_contributing


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        args.today = resolve_today(args.today)
    except ValueError as error:
        parser.error(str(error))
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casebook",
        description="Validate and build the Track Two Casebook content. "
                    "Installed as .venv/bin/casebook by any make target; "
                    "`python -m generator` is the same program.",
    )
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="the repository folder holding cases/, lessons/, vocabulary.yml "
                             "and references.bib (default: the current folder)")
    parser.add_argument("--today", metavar="YYYY-MM-DD", default=None,
                        help="the date to treat as today when checking for future dates and "
                             "scaffolding (default: SOURCE_DATE_EPOCH when set, else the system date)")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    check_cmd = commands.add_parser(
        "check", help="validate every content file and report all problems at once",
        description="Validate every case, lesson, the vocabulary and references.bib. "
                    "Prints FILE:LINE:COL: error: MESSAGE for each problem; exits 1 on any error.")
    check_cmd.add_argument("--format", choices=("text", "github"), default=None,
                           help="'github' also prints ::error annotations for pull requests "
                                "(default: github under GitHub Actions, else text)")
    check_cmd.set_defaults(run=_check)

    new_cmd = commands.add_parser(
        "new", help="create cases/<id>.yml from a commented template",
        description="Create cases/<id>.yml, with the id made from the title, from a commented "
                    "template. Replace every FILL IN, then run check. Never overwrites a file. "
                    "With --from-inventory ID, start from inventory/ID.yml instead: the case takes "
                    "its id, name, years, parties, convenors and sources.")
    new_cmd.add_argument("title", nargs="?", help='the title of the case, e.g. "Dartmouth Conference" '
                                                  "(from an inventory entry: its name, unless given)")
    new_cmd.add_argument("--from-inventory", metavar="ID", dest="from_inventory",
                         help="the id of an entry of inventory/ (its file name without .yml)")
    new_cmd.set_defaults(run=_new)

    docs_cmd = commands.add_parser(
        "docs", help="rewrite the field reference in CONTRIBUTING.md from the JSON Schemas",
        description="Regenerate the field reference section of CONTRIBUTING.md from "
                    "generator/schema/, so the documentation never drifts from the schema.")
    docs_cmd.set_defaults(run=_docs)

    export_cmd = commands.add_parser(
        "export", help="write the open data files into a folder",
        description="Validate the content, then write the open data files into DIR: "
                    "cases.json, cases.csv, transfer.json, transfer.csv, inventory.json, inventory.csv, "
                    "references.bib and the JSON Schemas.")
    export_cmd.add_argument("directory", type=Path, help="the folder to write into (created if missing)")
    export_cmd.set_defaults(run=_export)
    return parser


def _print_problems(problems: tuple[Problem, ...], output_format: str | None) -> None:
    github = output_format == "github" or (output_format is None and os.environ.get("GITHUB_ACTIONS") == "true")
    for problem in problems:
        print(problem.format(), file=sys.stderr)
        if github:
            print(problem.format_github())


def _check(args: argparse.Namespace) -> int:
    problems = check(args.root, args.today)
    _print_problems(problems, args.format)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    print(f"{summarise(problems)}: {'failed' if errors else 'content is valid'}.", file=sys.stderr)
    return 1 if errors else 0


def _new(args: argparse.Namespace) -> int:
    if not args.title and not args.from_inventory:
        print('error: give a title, e.g. casebook new "Dartmouth Conference", or --from-inventory ID',
              file=sys.stderr)
        return 2
    try:
        entry = inventory_entry(args.root, args.from_inventory) if args.from_inventory else None
        path = scaffold_case(args.root, args.title or (entry.name if entry else ""), args.today, entry)
    except ContentError as error:
        _print_problems(error.problems, None)
        print(f"error: {summarise(error.problems)} in the inventory entry; fix it, or run check", file=sys.stderr)
        return 1
    except FileExistsError as error:
        print(f"error: {error} already exists; edit it, or choose another title", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"created {path}: replace every FILL IN, then run `make check`", file=sys.stderr)
    return 0


def _docs(args: argparse.Namespace) -> int:
    path = args.root / "CONTRIBUTING.md"
    changed = update_contributing(path)
    print(f"{path}: {'updated' if changed else 'already up to date'}", file=sys.stderr)
    return 0


def _export(args: argparse.Namespace) -> int:
    try:
        settings = read_settings(args.root)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    try:
        site, _ = link_content(args.root, settings, args.today)
    except ContentError as error:
        _print_problems(error.problems, "text")
        print(f"{summarise(error.problems)}: nothing exported.", file=sys.stderr)
        return 1
    target: Path = args.directory
    files = data_files(site)
    for path, text in files.items():
        destination = target / path.removeprefix("data/")
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} files to {target}", file=sys.stderr)
    return 0
