"""`workbench demo` and `workbench stats`: make a database, and count what is in one."""

from __future__ import annotations

import argparse
import json
import sys
import time

from workbench import paths
from workbench.cli.common import db_option, db_path, existing_db, json_option
from workbench.rules.stages import Stage
from workbench.store.leads import Store


def register(sub: argparse._SubParsersAction) -> None:
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
