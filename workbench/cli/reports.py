"""`workbench report`: acceptance, rejection and SLA figures of the MQLs handed to sales."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli.common import db_option, iso_date, scored_store


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report", help="acceptance, rejection and SLA figures of the MQLs handed to sales",
        description="Each MQL handover counts in the period it was handed over, with the "
                    "first decision sales made on it (accepted, rejected, recycled or "
                    "pending) and how far its lead went. Rates with nothing under them are "
                    "n/a (null in JSON).")
    db_option(report)
    report.add_argument("--by", choices=["source", "campaign", "rep", "week", "month"],
                        default="source", help="one row per ... (default: source)")
    report.add_argument("--from", dest="start", type=iso_date, metavar="YYYY-MM-DD",
                        help="first day of handovers counted (default: the first)")
    report.add_argument("--to", dest="end", type=iso_date, metavar="YYYY-MM-DD",
                        help="last day of handovers counted (default: today)")
    report.add_argument("--rep", metavar="EMAIL", help="only this rep's handovers")
    report.add_argument("--format", choices=["table", "csv", "json"], default="table")
    report.set_defaults(run=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from workbench.clock import utcnow
    from workbench.services.reports import ReportSpec, Slice, as_csv, as_table, build_report

    with scored_store(args) as store:
        spec = ReportSpec(by=Slice(args.by), start=args.start, end=args.end,
                          rep=store.user_by_email(args.rep) if args.rep else None)
        report = build_report(store, spec, store.current_criteria().sla_hours, utcnow())
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2))
    elif args.format == "csv":
        sys.stdout.write(as_csv(report))
    else:
        print(as_table(report))
    return 0
