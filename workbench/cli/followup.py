"""`workbench lead log` (a touch and how it went): the rep's follow-up."""

from __future__ import annotations

import argparse

from workbench.cli.common import acting_option, acting_user, db_option, existing_db, row_id
from workbench.clock import parse_local_time
from workbench.rules.followup import OUTCOMES, TouchKind
from workbench.services import followup
from workbench.store.leads import Store


def register_lead_commands(lead_sub: argparse._SubParsersAction) -> None:
    """The follow-up subcommands of `workbench lead`."""
    log = lead_sub.add_parser(
        "log", help="log a call, an email or a meeting, and how it went",
        description="A touch answers the follow-up SLA of an MQL (whatever its outcome) "
                    "and shows in the lead's timeline. " + "; ".join(
                        f"a {kind.value}: {', '.join(o.value for o in outcomes)}"
                        for kind, outcomes in OUTCOMES.items()) + ".")
    db_option(log)
    log.add_argument("lead_id", type=row_id, metavar="ID")
    log.add_argument("--kind", required=True, choices=[k.value for k in TouchKind])
    log.add_argument("--outcome", required=True, metavar="OUTCOME",
                     help="connected, no_answer, left_message, bounced or replied")
    log.add_argument("--note", metavar="TEXT")
    log.add_argument("--at", metavar="TIME",
                     help="when it happened, local time (default: now); never in the future")
    acting_option(log, "who made the touch")
    log.set_defaults(run=cmd_lead_log)


def cmd_lead_log(args: argparse.Namespace) -> int:
    at = parse_local_time(args.at, "The time of a touch") if args.at else None
    with Store.open(existing_db(args)) as store:
        changes = followup.log_touch(store, args.lead_id, args.kind, args.outcome,
                                     note=args.note, at=at, by=acting_user(store, args))
        name = store.lead(args.lead_id).name
    sla = " It answers the follow-up SLA." if changes.leads else ""
    print(f"{name} (#{args.lead_id}): {args.kind}, {args.outcome.replace('_', ' ')}.{sla}")
    return 0
