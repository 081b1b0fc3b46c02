"""`workbench init`, `demo`, `stats`, `backup` and `restore`: make a database, count what
is in one, and copy one whole and back."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from workbench import paths
from workbench.cli.common import db_option, db_path, existing_db, json_option
from workbench.rules.refusals import Refused
from workbench.rules.stages import Stage
from workbench.store.leads import Store


def register(sub: argparse._SubParsersAction) -> None:
    init = sub.add_parser("init", help="create an empty database for your team's own leads",
                          description="Create an empty workbench database: no leads, no "
                                      "people yet. An existing file is never replaced.")
    db_option(init)
    init.set_defaults(run=cmd_init)

    demo = sub.add_parser("demo", help="create a realistic demo database",
                          description="Create a deterministic demo database: a sales team, "
                                      "companies, leads in every stage with their history, "
                                      "activity and BANT records.")
    db_option(demo)
    demo.add_argument("--leads", type=int, default=2000, metavar="N",
                      help="number of leads (default 2000)")
    demo.add_argument("--seed", type=int, default=7, metavar="S",
                      help="random seed; the same seed and --as-of give the same data")
    demo.add_argument("--as-of", metavar="DATE",
                      help="the demo's 'now' (default: this hour, UTC)")
    demo.add_argument("--replace", action="store_true",
                      help="overwrite an existing demo database")
    demo.set_defaults(run=cmd_demo)

    stats = sub.add_parser("stats", help="count leads by stage and source")
    db_option(stats)
    json_option(stats)
    stats.set_defaults(run=cmd_stats)

    backup = sub.add_parser("backup", help="copy the whole database to a file",
                            description="Copy everything the database holds (leads, people, "
                                        "owners, history, activities, BANT, criteria "
                                        "versions, models) to FILE, while it is in use. An "
                                        "older backup at FILE is replaced.")
    db_option(backup)
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(run=cmd_backup)

    restore = sub.add_parser("restore", help="a new database from a backup",
                             description="Make a new database holding what a backup holds. "
                                         "It never writes over an existing file.")
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--db", type=Path, required=True, metavar="NEW",
                         help="the new database's file (it must not exist)")
    restore.set_defaults(run=cmd_restore)


def cmd_init(args: argparse.Namespace) -> int:
    path = db_path(args)
    if path.exists():
        raise Refused(f"{path} already exists: 'workbench init' makes a new database and "
                      "never replaces a file. Choose another --db, or open this one.")
    with Store.open(path):
        pass
    print(f"Empty database {path} created. Next: add the team with 'workbench users add "
          f"--email E --name N', then 'workbench import FILE'.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from workbench import demo  # NumPy and the generator load only for this command

    path = db_path(args, paths.demo_db_path())
    as_of = demo.parse_as_of(args.as_of) if args.as_of else None
    started = time.perf_counter()
    result = demo.create_database(path, leads=args.leads, seed=args.seed, as_of=as_of,
                                  replace=args.replace,
                                  progress=lambda step: print(f"  {step}...", file=sys.stderr))
    elapsed = time.perf_counter() - started
    rows = ", ".join(f"{n:,} {table}" for table, n in result.rows.items())
    print(f"Demo database {path}: {rows} in {elapsed:.1f} s.")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    path = existing_db(args)
    with Store.open(path) as store:
        stats = store.stats()
    if args.json:
        print(json.dumps({"leads": stats.leads, "by_stage": stats.by_stage,
                          "by_source": stats.by_source}, indent=2))
        return 0
    print(f"{stats.leads:,} leads in {path}")
    print("\nBy stage")
    for stage in Stage:
        print(f"  {stage.label:<14}{stats.by_stage[stage.value]:>10,}")
    print("\nBy source")
    for source, count in stats.by_source.items():
        print(f"  {source:<14}{count:>10,}")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from workbench.services.backups import back_up

    with Store.open(existing_db(args)) as store:
        copied = back_up(store, args.file)
    print(f"Backed up {store.path} to {copied.path}: {copied.leads:,} leads, "
          f"{copied.people:,} people, {copied.size / 1e6:.1f} MB.")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from workbench.services.backups import restore

    copied = restore(args.file, Path(args.db).expanduser())
    print(f"Restored {args.file} into the new database {copied.path}: {copied.leads:,} "
          f"leads, {copied.people:,} people.")
    return 0
