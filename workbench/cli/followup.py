"""`workbench lead log` (a touch and how it went), `workbench lead next` (the next step)
and `workbench today`: the rep's follow-up."""

from __future__ import annotations

import argparse
import json
import os

from workbench.cli.common import (
    acting_option,
    acting_user,
    db_option,
    existing_db,
    json_option,
    row_id,
    scored_store,
)
from workbench.clock import parse_local_time, utcnow
from workbench.rules.followup import OUTCOMES, TodayReason, TouchKind
from workbench.rules.rotting import stale_since
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

    plan = lead_sub.add_parser(
        "next", help="plan the lead's next step: a call, an email or a meeting, when due",
        description="Replaces the step planned before; a touch logged completes it. A due "
                    "time in the past is allowed: the step shows overdue in Today at once.")
    db_option(plan)
    plan.add_argument("lead_id", type=row_id, metavar="ID")
    plan.add_argument("--kind", required=True, choices=[k.value for k in TouchKind])
    plan.add_argument("--due", required=True, metavar="TIME",
                      help="when it is due, local time: 2026-12-07T10:00")
    plan.add_argument("--note", metavar="TEXT")
    acting_option(plan, "who plans it")
    plan.set_defaults(run=cmd_lead_next)


def register(sub: argparse._SubParsersAction) -> None:
    today = sub.add_parser(
        "today", help="a rep's day: next steps due, follow-up SLAs falling due, leads with "
                      "no next step",
        description="One list in the order to work it: next steps overdue or due today, "
                    "MQLs of the rep's queue (theirs and the pool) whose follow-up SLA falls "
                    "due today untouched, by when each is due; then the rep's open leads "
                    "touched with no next step planned.")
    stale = sub.add_parser(
        "stale", help="a rep's open leads nobody has touched for the days their stage allows",
        description="Rotting: the criteria give each open stage a number of days without a "
                    "call, an email or a meeting ([rotting] in the criteria file); a lead past "
                    "them is stale. Longest in its stage first.")
    for parser, whose, run in ((today, "whose day", cmd_today),
                               (stale, "whose leads", cmd_stale)):
        db_option(parser)
        parser.add_argument("--rep", metavar="EMAIL", default=os.environ.get("WORKBENCH_USER"),
                            help=f"{whose} (default: $WORKBENCH_USER, else the unassigned "
                                 "leads)")
        json_option(parser)
        parser.set_defaults(run=run)


def cmd_lead_log(args: argparse.Namespace) -> int:
    at = parse_local_time(args.at, "The time of a touch") if args.at else None
    with Store.open(existing_db(args)) as store:
        changes = followup.log_touch(store, args.lead_id, args.kind, args.outcome,
                                     note=args.note, at=at, by=acting_user(store, args))
        name = store.lead(args.lead_id).name
    sla = " It answers the follow-up SLA." if changes.leads else ""
    print(f"{name} (#{args.lead_id}): {args.kind}, {args.outcome.replace('_', ' ')}.{sla}")
    return 0


def cmd_lead_next(args: argparse.Namespace) -> int:
    due = parse_local_time(args.due, "The due time of a next step")
    with Store.open(existing_db(args)) as store:
        followup.plan_next_step(store, args.lead_id, args.kind, due, note=args.note,
                                by=acting_user(store, args))
        name = store.lead(args.lead_id).name
    late = " (already overdue)" if due < utcnow() else ""
    print(f"{name} (#{args.lead_id}): next step {args.kind}, due {args.due}{late}.")
    return 0


WHAT = {TodayReason.SLA: "follow-up SLA", TodayReason.NO_NEXT_STEP: "no next step"}


def cmd_today(args: argparse.Namespace) -> int:
    with scored_store(args) as store:
        me = store.user_by_email(args.rep) if args.rep else None
        items = followup.today(store, me)
    now = utcnow()
    if args.json:
        print(json.dumps([{"id": i.lead_id, "name": i.name, "company": i.company,
                           "stage": i.stage.value, "reason": i.reason.value, "kind": i.kind,
                           "due": i.due.isoformat() if i.due else None,
                           "overdue": i.overdue(now), "note": i.note} for i in items],
                         indent=2))
        return 0
    late = sum(i.overdue(now) for i in items)
    print(f"{len(items):,} to do today, {late:,} overdue")
    for item in items:
        when = f"{item.due:%Y-%m-%d %H:%M}" if item.due else ""
        flag = "overdue" if item.overdue(now) else ""
        what = item.kind or WHAT[item.reason]
        print(f"  #{item.lead_id:<8} {when:<16} {flag:<8} {what:<14} {item.name}"
              f"{', ' + item.company if item.company else ''}"
              f"{'  (' + item.note + ')' if item.note else ''}")
    return 0


def cmd_stale(args: argparse.Namespace) -> int:
    with scored_store(args) as store:
        me = store.user_by_email(args.rep) if args.rep else None
        cards = followup.stale(store, me)
        rotting = store.current_criteria().rotting
    now = utcnow()
    since = [stale_since(c.stage, c.stage_entered_at, c.last_touch_at, rotting, now)
             for c in cards]
    if args.json:
        print(json.dumps([{"id": c.id, "name": c.name, "company": c.company,
                           "stage": c.stage.value,
                           "last_touch": c.last_touch_at.isoformat() if c.last_touch_at
                           else None, "stale_since": s.isoformat() if s else None}
                          for c, s in zip(cards, since, strict=True)], indent=2))
        return 0
    print(f"{len(cards):,} stale leads")
    for card, when in zip(cards, since, strict=True):
        touched = f"last touch {card.last_touch_at:%Y-%m-%d}" if card.last_touch_at \
            else "never touched"
        print(f"  #{card.id:<8} {card.stage.label:<12} {'stale since ' + f'{when:%Y-%m-%d}':<22}"
              f" {touched:<22} {card.name}{', ' + card.company if card.company else ''}")
    return 0
