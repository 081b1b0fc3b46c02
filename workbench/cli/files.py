"""`workbench import` and `workbench export`: leads in and out as CSV or XLSX."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli.common import db_option, db_path, existing_db, json_option, scored_store
from workbench.files.reading import ImportKind
from workbench.rules.stages import Stage
from workbench.store.leads import Store


def register(sub: argparse._SubParsersAction) -> None:
    load = sub.add_parser(
        "import", help="import leads, activities or company intent signals from CSV or XLSX",
        description="Import a CSV (any common delimiter and encoding) or XLSX file. Headers of "
                    "HubSpot, Salesforce and Odoo exports and plain headers are recognised. Rows "
                    "with problems are listed in FILE.errors.csv and left out; the others go in "
                    "as one transaction. Importing a file again adds no duplicates.")
    db_option(load)
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--kind", choices=[k.value for k in ImportKind], default="leads")
    load.add_argument("--mapping", type=Path, metavar="FILE.toml",
                      help="a saved column mapping (see --save-mapping)")
    load.add_argument("--save-mapping", type=Path, metavar="FILE.toml",
                      help="write the mapping used, to edit and reuse, and import nothing")
    load.add_argument("--dry-run", action="store_true",
                      help="read and check everything, count, and write nothing")
    load.add_argument("--no-score", action="store_true",
                      help="leave the scoring of imported leads to 'workbench score'")
    load.add_argument("--create-owners", action="store_true",
                      help="add the owners the file names by email that are not people here "
                           "yet, as reps, and give them their leads")
    json_option(load)
    load.set_defaults(run=cmd_import)

    export = sub.add_parser("export", help="write leads or their activities to a CSV or XLSX "
                                           "file, for 'import' to read back")
    db_option(export)
    export.add_argument("--out", type=Path, required=True, metavar="FILE.csv|FILE.xlsx")
    export.add_argument("--stage", choices=[s.value for s in Stage],
                        help="only the leads in this stage")
    export.add_argument("--kind", choices=["leads", "activities"], default="leads",
                        help="the leads (default), or the activities of those leads")
    export.set_defaults(run=cmd_export)


def cmd_import(args: argparse.Namespace) -> int:
    from workbench.files.reading import Mapping, open_table
    from workbench.services.imports import run_import

    kind = ImportKind(args.kind)
    if args.save_mapping:
        table = open_table(args.file)
        table.rows.close()
        mapping = (Mapping.load(args.mapping, table.headers, kind) if args.mapping
                   else Mapping.detect(table.headers, kind))
        mapping.save(args.save_mapping, db_path(args))
        print(f"Mapping ({mapping.format}) written to {args.save_mapping}.")
        return 0
    with Store.open(existing_db(args)) as store:
        result = run_import(store, args.file, kind, mapping_path=args.mapping,
                            dry_run=args.dry_run, score=not args.no_score,
                            create_owners=args.create_owners)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
        return 0
    for warning in result.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    what = "Would import" if result.dry_run else "Imported"
    print(f"{what} {args.file} ({result.format}): {result.read:,} rows, "
          f"{result.imported:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged, "
          f"{result.skipped:,} left out.")
    if result.owners_created:
        print(f"Added as reps: {', '.join(result.owners_created)}.")
    if result.owners_unknown:
        what, how = (("named without an email, or deactivated", "add or bring them back")
                     if args.create_owners else
                     ("not people here", "import with --create-owners, or add them"))
        print(f"Owners {what}, their leads left unassigned: "
              f"{', '.join(result.owners_unknown)}; {how} with 'workbench users add --email "
              "E --name N', then import the file again.")
    if result.errors_file:
        print(f"Problems, row by row: {result.errors_file}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.services.export import export_activities, export_leads

    stage = Stage(args.stage) if args.stage else None
    if args.kind == "activities":
        with Store.open(existing_db(args)) as store:
            count = export_activities(store, args.out, stage)
        print(f"{count:,} activities written to {args.out}.")
        return 0
    with scored_store(args) as store:
        count = export_leads(store, args.out, stage)
    print(f"{count:,} leads written to {args.out}.")
    return 0
