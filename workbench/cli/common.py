"""What every subcommand shares: the --db and --as options, ids and dates as arguments,
and opening the database a command works on."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from workbench import paths
from workbench.rules.refusals import NotFound
from workbench.services import todays_scores
from workbench.store.leads import Store


def db_option(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    parser.add_argument(
        "--db", type=Path, metavar="PATH",
        # A subcommand's --db must not reset the one given before the subcommand.
        default=None if top_level else argparse.SUPPRESS,
        help=f"database file (default: {paths.default_db_path()})",
    )


def acting_option(parser: argparse.ArgumentParser, who: str) -> None:
    parser.add_argument("--as", dest="acting", metavar="EMAIL",
                        default=os.environ.get("WORKBENCH_USER"),
                        help=f"{who} (default: $WORKBENCH_USER)")


def json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print JSON")


def row_id(text: str) -> int:
    """A lead's (or conflict's) id: a whole number that SQLite can hold (64 bits)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an id (a whole number).") from None
    if not 0 < number < 2**63:  # no row has such an id: said in one line, as a refusal
        raise NotFound(f"There is no lead or conflict with id {text}.")
    return number


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD.") from None


def db_path(args: argparse.Namespace, default: Path | None = None) -> Path:
    if args.db:
        return Path(args.db).expanduser()
    return default or paths.default_db_path()


def existing_db(args: argparse.Namespace) -> Path:
    path = db_path(args)
    if not path.exists():
        raise NotFound(f"There is no database at {path}. Create an empty one with "
                       f"'workbench init --db {path}', or pass another --db.")
    return path


@contextmanager
def scored_store(args: argparse.Namespace) -> Iterator[Store]:
    """The database, its scores first brought up to date: behaviour points decay, so the
    scores a command shows are as of the start of today (see the README's Lead scoring)."""
    with Store.open(existing_db(args)) as store:
        report = todays_scores.bring_scores_up_to_date(store)
        if report is not None and (report.changed or report.promoted):
            print(f"workbench: scores brought up to date for today: {report.changed:,} "
                  f"changed, {report.promoted:,} became MQLs.", file=sys.stderr)
        yield store


def acting_user(store: Store, args: argparse.Namespace) -> int | None:
    return store.user_by_email(args.acting) if args.acting else None
