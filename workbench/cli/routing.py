"""Who owns which lead: `workbench lead assign` (a manager reassigns) and `workbench route`
(the criteria's routing rules give new MQLs an owner)."""

from __future__ import annotations

import argparse
import json
from collections import Counter

from workbench.cli.common import (
    acting_option,
    acting_user,
    db_option,
    existing_db,
    json_option,
    row_id,
)
from workbench.rules.refusals import Refused
from workbench.services import bulk, routing
from workbench.store.leads import Store


def register_lead_commands(lead_sub: argparse._SubParsersAction) -> None:
    assign = lead_sub.add_parser(
        "assign", help="a manager gives leads to a rep (all of them, or none)",
        description="Each lead's history says from whom, by whom and why; the reports count "
                    "it as the new owner's. A deactivated person is refused.")
    db_option(assign)
    assign.add_argument("lead_ids", type=row_id, nargs="+", metavar="ID")
    assign.add_argument("--to", required=True, metavar="EMAIL", help="the rep who takes them")
    assign.add_argument("--reason", metavar="TEXT", help="why, for the history")
    acting_option(assign, "the manager who reassigns")
    assign.set_defaults(run=cmd_lead_assign)


def cmd_lead_assign(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        moved = bulk.assign(store, args.lead_ids, args.to, by=acting_user(store, args),
                            reason=args.reason)
    kept = len(set(args.lead_ids)) - len(moved)
    print(f"{len(moved)} lead{'s' * (len(moved) != 1)} reassigned to {args.to.strip().lower()}"
          + (f"; {kept} were theirs already." if kept else "."))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    route = sub.add_parser(
        "route", help="give the pool's MQLs to reps by the criteria's routing rules",
        description="New MQLs are routed as they come (imported, promoted by score, back "
                    "from recycling); this routes the whole pool now, for instance after "
                    "new rules. Each lead goes to the first rule covering its company's "
                    "country, industry and size, round robin in its group of reps, within "
                    "the group's cap of open MQLs; else it stays in the pool.")
    db_option(route)
    route.add_argument("--dry-run", action="store_true",
                       help="show where each would go, and change nothing")
    json_option(route)
    route.set_defaults(run=cmd_route)


def cmd_route(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        if not store.current_criteria().routing:
            raise Refused("The criteria have no routing rules: new MQLs wait in the pool. "
                          "Add [[routing]] rules with 'workbench criteria import'.")
        routed = (routing.plan(store) if args.dry_run else routing.route_new_mqls(store))
    if args.json:
        print(json.dumps([{"id": r.lead_id, "rep": r.rep, "rule": r.rule, "why": r.why}
                          for r in routed], indent=2))
        return 0
    going = Counter(r.rep for r in routed if r.rep)
    staying = Counter(r.why for r in routed if r.rep is None)
    verb = "would go" if args.dry_run else "went"
    print(f"{len(routed):,} MQLs in the pool: {sum(going.values()):,} {verb} to reps, "
          f"{sum(staying.values()):,} stay{'' if args.dry_run else 'ed'} in the pool.")
    for rep, n in sorted(going.items()):
        print(f"  {n:>7,}  to {rep}")
    for why, n in staying.most_common():
        print(f"  {n:>7,}  stay: {why}")
    return 0
