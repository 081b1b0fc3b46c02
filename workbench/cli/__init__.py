"""The headless `workbench` command, one module per group of subcommands. Subcommands never
import Qt; only the window does, through the `open_window` the `workbench` program passes."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from workbench import paths
from workbench.cli import (
    database,
    files,
    followup,
    leads,
    people,
    reports,
    routing,
    scoring,
    team,
)
from workbench.cli.common import db_option, db_path
from workbench.rules.refusals import BadInput, Refused
from workbench.store import db

# Opens the window on a database (path, screenshot or None) and returns the exit status.
OpenWindow = Callable[[Path, Path | None], int]

# the order of `workbench --help`
GROUPS = (database, people, scoring, leads, followup, routing, reports, files, team)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Lead Workbench: triage, qualify and score leads. With no subcommand, "
                    "opens the window.",
    )
    db_option(parser, top_level=True)
    parser.add_argument("--demo", action="store_true",
                        help=f"open the window on the demo database ({paths.demo_db_path()}), "
                             "creating it on first use")
    parser.add_argument("--screenshot", type=Path, metavar="FILE.png",
                        help="render the window offscreen at 1440x900 to FILE.png and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, open_window: OpenWindow | None = None) -> int:
    try:
        code = _run(argv, open_window)
        sys.stdout.flush()  # a reader that went away shows here, not at exit
        return code
    except BrokenPipeError:
        # the reader (head, less...) has what it wanted: stop quietly, as Unix tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(argv: Sequence[str] | None, open_window: OpenWindow | None) -> int:
    args = None
    try:
        # inside: an id beyond 64 bits is refused while the arguments are read
        args = build_parser().parse_args(argv)
        if args.command is None:
            return _open_window(args, open_window)
        return args.run(args)
    except (Refused, db.DatabaseError) as error:
        return _fatal(args, str(error), 1)
    except (SQLAlchemyError, sqlite3.Error) as error:
        problem = db.problem_of(error, db_path(args))
        if problem is None:
            raise
        return _fatal(args, problem, 1)
    except KeyboardInterrupt:
        return _fatal(args, "interrupted; nothing was changed.", 130)


def _fatal(args: argparse.Namespace | None, message: str, status: int) -> int:
    """One line on stderr: a JSON object with `error` when --json asked for JSON."""
    if args is not None and (getattr(args, "json", False)
                             or getattr(args, "format", None) == "json"):
        print(json.dumps({"error": message}), file=sys.stderr)
    else:
        print(f"workbench: {message}", file=sys.stderr)
    return status


def _open_window(args: argparse.Namespace, open_window: OpenWindow | None) -> int:
    if open_window is None:
        raise BadInput("Name a subcommand (see --help); the window opens from the "
                       "'workbench' program.")
    if args.demo:
        path = db_path(args, paths.demo_db_path())
        if not path.exists():
            from workbench import demo

            print(f"Creating the demo database {path}...", file=sys.stderr)
            demo.create_database(path, leads=2000)
    else:
        path = db_path(args)
    return open_window(path, args.screenshot)
