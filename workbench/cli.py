"""The headless `workbench` command. Subcommands never import Qt; only the window does."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from workbench import db, paths
from workbench.stages import Stage
from workbench.store import Store


class UsageError(Exception):
    """Bad input from the command line; the message says what to do instead."""


def _db_option(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    parser.add_argument(
        "--db", type=Path, metavar="PATH",
        # A subcommand's --db must not reset the one given before the subcommand.
        default=None if top_level else argparse.SUPPRESS,
        help=f"database file (default: {paths.default_db_path()})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Lead-qualification workbench. With no subcommand, opens the window.",
    )
    _db_option(parser, top_level=True)
    parser.add_argument("--demo", action="store_true",
                        help=f"open the window on the demo database ({paths.demo_db_path()}), "
                             "creating it on first use")
    parser.add_argument("--screenshot", type=Path, metavar="FILE.png",
                        help="render the window offscreen at 1440x900 to FILE.png and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="create a realistic demo database",
                          description="Create a deterministic demo database: a sales team, "
                                      "companies, leads in every stage with their history, "
                                      "activity and BANT records.")
    _db_option(demo, top_level=False)
    demo.add_argument("--leads", type=int, default=2000, metavar="N",
                      help="number of leads (default 2000)")
    demo.add_argument("--seed", type=int, default=7, metavar="S",
                      help="random seed; the same seed and --as-of give the same data")
    demo.add_argument("--as-of", metavar="DATE",
                      help="the demo's 'now' (default: this hour, UTC)")
    demo.add_argument("--replace", action="store_true",
                      help="overwrite an existing demo database")

    stats = sub.add_parser("stats", help="count leads by stage and source")
    _db_option(stats, top_level=False)
    stats.add_argument("--json", action="store_true", help="print JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "stats":
            return cmd_stats(args)
        return cmd_window(args)
    except (db.DatabaseError, UsageError, ValueError) as error:
        print(f"workbench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("workbench: interrupted; nothing was changed.", file=sys.stderr)
        return 130


def _db_path(args: argparse.Namespace, default: Path) -> Path:
    return Path(args.db).expanduser() if args.db else default


def cmd_demo(args: argparse.Namespace) -> int:
    from workbench import demo

    path = _db_path(args, paths.demo_db_path())
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
    path = _db_path(args, paths.default_db_path())
    if not path.exists():
        raise UsageError(f"There is no database at {path}. Create one with "
                         f"'workbench demo --db {path}' or pass another --db.")
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


def cmd_window(args: argparse.Namespace) -> int:
    if args.demo:
        path = _db_path(args, paths.demo_db_path())
        if not path.exists():
            from workbench import demo

            print(f"Creating the demo database {path}...", file=sys.stderr)
            demo.create_database(path, leads=2000)
    else:
        path = _db_path(args, paths.default_db_path())
    from ui.app import run  # the only place the command reaches Qt

    return run(path, screenshot=args.screenshot)


if __name__ == "__main__":
    sys.exit(main())
