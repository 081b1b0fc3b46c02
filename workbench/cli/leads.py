"""`workbench queue`, `workbench lead ...` (look at and triage one lead), and
`duplicates`/`merge`."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta

from workbench.cli import erasure, followup, routing
from workbench.cli.common import (
    acting_option,
    acting_user,
    db_option,
    existing_db,
    json_option,
    row_id,
    scored_store,
)
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import SLA_TOUCHES, ActivityKind
from workbench.services import bulk, triage
from workbench.store.leads import Store


def register(sub: argparse._SubParsersAction) -> None:
    queue = sub.add_parser("queue", help="the MQLs to triage, in queue order",
                           description="The MQLs of a rep plus the unassigned pool: follow-up "
                                       "SLA due first, then by score.")
    db_option(queue)
    queue.add_argument("--rep", metavar="EMAIL", help="whose queue (default: the pool only)")
    json_option(queue)
    queue.set_defaults(run=cmd_queue)

    lead = sub.add_parser("lead", help="look at or triage one lead")
    lead_sub = lead.add_subparsers(dest="lead_command", metavar="COMMAND", required=True)
    show = lead_sub.add_parser("show", help="a lead, its score explained, BANT, its history")
    json_option(show)
    show.set_defaults(run=cmd_lead_show)
    bant = lead_sub.add_parser("bant", help="set BANT items: budget=confirmed:\"50k EUR\"")
    bant.set_defaults(run=cmd_lead_bant)
    accept = lead_sub.add_parser("accept", help="MQL -> SAL, or SAL -> SQL when BANT holds")
    reject = lead_sub.add_parser("reject", help="disqualify one or several leads, with a "
                                                "reason for marketing (all of them or none)")
    recycle = lead_sub.add_parser("recycle", help="back to nurturing until a date (one or "
                                                  "several leads: all of them or none)")
    for action in (accept, reject, recycle):
        action.set_defaults(run=cmd_lead_triage)
    for action in (reject, recycle):
        action.add_argument("--reason", metavar="CODE", help="a code of the reason catalogue")
        action.add_argument("--note", metavar="TEXT")
    recycle.add_argument("--until", metavar="YYYY-MM-DD",
                         help="when to look again (default: in the criteria's recycle days)")
    for action in (show, bant, accept):
        db_option(action)
        action.add_argument("lead_id", type=row_id, metavar="ID")
        if action is not show:
            acting_option(action, "who acts")
    for action in (reject, recycle):  # several at once: all of them, or none
        db_option(action)
        action.add_argument("lead_ids", type=row_id, nargs="+", metavar="ID")
        acting_option(action, "who acts")
    followup.register_lead_commands(lead_sub)
    routing.register_lead_commands(lead_sub)
    erasure.register_lead_commands(lead_sub)
    bant.add_argument("items", nargs="+", metavar="ITEM=STATUS[:NOTE]",
                      help="ITEM: budget, authority, need or timeline; STATUS: unknown, "
                           "confirmed, partial or failed")

    duplicates = sub.add_parser("duplicates", help="leads that may be one person",
                                description="Pairs of leads with the same email, or the same "
                                            "name at a company with the same domain.")
    db_option(duplicates)
    json_option(duplicates)
    duplicates.set_defaults(run=cmd_duplicates)
    merge = sub.add_parser("merge", help="make two leads one, keeping both histories")
    db_option(merge)
    merge.add_argument("keep", type=row_id, metavar="KEEP_ID")
    merge.add_argument("other", type=row_id, metavar="OTHER_ID")
    acting_option(merge, "who merges")
    merge.set_defaults(run=cmd_merge)


def cmd_queue(args: argparse.Namespace) -> int:
    with scored_store(args) as store:
        me = store.user_by_email(args.rep) if args.rep else None
        triage.return_recycled(store)  # leads whose date to look again has come
        cards = store.queue(me)
        hours = store.current_criteria().sla_hours
    due = [card.mql_at + timedelta(hours=hours) if card.mql_at else None for card in cards]
    if args.json:
        print(json.dumps([{"id": c.id, "name": c.name, "company": c.company,
                           "stage": c.stage.value, "score": c.score,
                           "sla_due": d.isoformat() if d and c.first_touch_at is None else None}
                          for c, d in zip(cards, due, strict=True)], indent=2))
        return 0
    print(f"{len(cards):,} MQLs in the queue")
    for card, when in zip(cards, due, strict=True):
        sla = "touched" if card.first_touch_at else f"due {when:%Y-%m-%d %H:%M}"
        print(f"  #{card.id:<8} {card.score:>4}  {sla:<22} {card.name}"
              f"{', ' + card.company if card.company else ''}")
    return 0


def cmd_lead_bant(args: argparse.Namespace) -> int:
    from workbench.rules.qualification import parse_item

    items = [parse_item(text) for text in args.items]  # all checked before any is saved
    with Store.open(existing_db(args)) as store:
        by = acting_user(store, args)
        store.lead(args.lead_id)
        for item, status, note in items:
            triage.set_bant(store, args.lead_id, item, status, note, by=by)
    print(f"Lead #{args.lead_id}: " + ", ".join(f"{i} {s.value}" for i, s, _n in items) + ".")
    return 0


def cmd_lead_triage(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        by = acting_user(store, args)
        if args.lead_command == "accept":
            moves = [triage.accept(store, args.lead_id, by=by)]
        elif args.lead_command == "reject":
            moves = bulk.move_many(store, args.lead_ids, Stage.DISQUALIFIED, by=by,
                                   reason_code=args.reason, note=args.note)
        else:
            until = triage.recycle_until(
                store, date.fromisoformat(args.until) if args.until else None)
            moves = bulk.move_many(store, args.lead_ids, Stage.RECYCLED, by=by,
                                   reason_code=args.reason, note=args.note, revisit_on=until)
    for move in moves:
        print(f"{move.before.name} (#{move.lead_id}): {move.from_stage.label} -> "
              f"{move.to_stage.label}.")
    if len(moves) > 1:
        print(f"{len(moves)} leads moved to {moves[0].to_stage.label}.")
    return 0


def cmd_lead_show(args: argparse.Namespace) -> int:
    from workbench.services import scoring

    with scored_store(args) as store:
        detail = store.lead_detail(args.lead_id)
        result = scoring.explain(store, store.current_criteria(), args.lead_id)
        bant = store.bant(args.lead_id)
    lead = detail.lead
    touches = [a for a in reversed(detail.activities) if a.kind in SLA_TOUCHES]
    assigned = [a for a in reversed(detail.activities) if a.kind == ActivityKind.ASSIGNED]
    if args.json:
        print(json.dumps({
            "id": lead.id, "name": lead.name, "email": lead.email, "job_title": lead.job_title,
            "company": detail.company.name if detail.company else None,
            "country": detail.company.country if detail.company else lead.country,
            "stage": lead.stage.value, "owner": detail.owner_name, "source": lead.source,
            "campaign": lead.campaign, "score": result.to_json(),
            "prediction": None if detail.predicted_conversion is None else {
                "probability": detail.predicted_conversion,
                "top_features": [{"feature": f, "contribution": c}
                                 for f, c in detail.prediction_reasons]},
            "custom_fields": detail.custom_fields,
            "bant": {item: {"status": status, "note": note}
                     for item, (status, note) in bant.items()},
            "history": [{"from": c.from_stage and c.from_stage.value, "to": c.to_stage.value,
                         "at": c.changed_at.isoformat(),
                         "by": detail.user_names.get(c.user_id) if c.user_id else None,
                         "reason": c.reason_code, "note": c.note}
                        for c in reversed(detail.history)],
            "touches": [{"kind": t.kind, "outcome": t.outcome, "at": t.occurred_at.isoformat(),
                         "by": t.user_name, "note": t.note} for t in touches],
            "reassigned": [{"at": a.occurred_at.isoformat(), "by": a.user_name, "note": a.note}
                           for a in assigned],
        }, indent=2))
        return 0
    print(f"{lead.name} (#{lead.id}), {lead.job_title or 'no title'}"
          f"{' at ' + detail.company.name if detail.company else ''}")
    print(f"{lead.stage.label}, owner {detail.owner_name or 'unassigned'}, "
          f"source {lead.source or 'unknown'}")
    print(f"\nScore {result.total} (fit {result.fit} + engagement {result.engagement}), "
          f"grade {result.grade}, buyer journey: {result.buyer_stage or 'no recent activity'}")
    for part in result.breakdown:
        print(f"  {part.points:+4d}  {part.rule}")
    if detail.predicted_conversion is not None:
        reasons = ", ".join(f"{f} ({c:+.2f})" for f, c in detail.prediction_reasons)
        print(f"\nPredicted to convert: {detail.predicted_conversion:.0%} — {reasons}")
    print("\nBANT")
    for item, (status, note) in bant.items():
        print(f"  {item:<10}{status:<10}{note or ''}")
    if touches:
        print("\nTouches")
    for touch in touches:
        print(f"  {touch.occurred_at:%Y-%m-%d %H:%M}  {touch.kind.replace('_', ' ')}: "
              f"{(touch.outcome or 'logged').replace('_', ' ')}"
              f"{'  by ' + touch.user_name if touch.user_name else ''}"
              f"{'  (' + touch.note + ')' if touch.note else ''}")
    if assigned:
        print("\nOwners")
    for change in assigned:
        print(f"  {change.occurred_at:%Y-%m-%d %H:%M}  {change.note}")
    print("\nStage history")
    for change in reversed(detail.history):
        moved = f"{change.from_stage.label} -> " if change.from_stage else "created as "
        print(f"  {change.changed_at:%Y-%m-%d %H:%M}  {moved}{change.to_stage.label}"
              f"{'  (' + change.reason_code + ')' if change.reason_code else ''}")
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        pairs = store.possible_duplicates()
        if args.json:
            print(json.dumps([{"first": p.first, "second": p.second, "why": p.why}
                              for p in pairs], indent=2))
            return 0
        for pair in pairs:
            first, second = store.lead(pair.first), store.lead(pair.second)
            print(f"{pair.first:>8}  {first.name:<28} {pair.second:>8}  {second.name:<28} "
                  f"{pair.why}")
    print(f"{len(pairs):,} possible duplicates. Merge one with: workbench merge KEEP_ID "
          "OTHER_ID")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        from workbench.services import duplicates

        duplicates.merge(store, args.keep, args.other, by=acting_user(store, args))
    print(f"Lead {args.other} was merged into lead {args.keep}; both histories are kept.")
    return 0
