"""`workbench score` (rescore, train the model, refine the rules) and `workbench criteria`."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from workbench.cli.common import (
    acting_option,
    acting_user,
    db_option,
    db_path,
    existing_db,
    json_option,
)
from workbench.rules.refusals import BadInput, Refused
from workbench.services import routing, triage
from workbench.store.leads import Store


def register(sub: argparse._SubParsersAction) -> None:
    score = sub.add_parser("score", help="rescore every lead with the current criteria",
                           description="Rescore every lead with the team's current criteria. "
                                       "Leads whose score reaches the MQL threshold become MQLs.")
    db_option(score)
    json_option(score)
    score.add_argument("--train", action="store_true",
                       help="learn a conversion model from the outcomes and predict every lead")
    score.add_argument("--fields", metavar="F1,F2",
                       help="with --train: the fields the model uses (default: all usable; "
                            "see --report)")
    score.add_argument("--lost-after", type=int, metavar="DAYS",
                       help="with --train: count a lead with no win DAYS after it was handed "
                            "over as lost (a history that records only the wins)")
    score.add_argument("--report", action="store_true",
                       help="the model's figures against the rules score on held-out leads")
    score.add_argument("--refine", action="store_true",
                       help="rules whose points disagree with the outcomes, with suggestions")
    score.add_argument("--apply", action="store_true",
                       help="with --refine: save the suggested points as a new criteria version")
    acting_option(score, "who trains or changes the rules")
    score.set_defaults(run=cmd_score)

    criteria = sub.add_parser("criteria", help="share the team's criteria as a TOML file")
    criteria_sub = criteria.add_subparsers(dest="criteria_command", metavar="COMMAND",
                                           required=True)
    export = criteria_sub.add_parser("export", help="write the current criteria to a file")
    load = criteria_sub.add_parser("import", help="save a file's criteria as a new version")
    for action in (export, load):
        db_option(action)
        action.add_argument("file", type=Path, metavar="FILE.toml")
    load.add_argument("--note", metavar="TEXT", help="what changed, kept with the version")
    acting_option(load, "who changes them")
    export.set_defaults(run=cmd_criteria_export)
    load.set_defaults(run=cmd_criteria_import)


def cmd_score(args: argparse.Namespace) -> int:
    from workbench.services import scoring

    if args.lost_after is not None and not args.train:
        raise BadInput("--lost-after goes with --train: it says which leads the model learns "
                       "from as lost.")
    if args.train or args.report:
        return cmd_model(args)
    if args.refine:
        return cmd_refine(args)
    started = time.perf_counter()
    with Store.open(existing_db(args)) as store:
        criteria = store.current_criteria()
        report = scoring.rescore(store, criteria)
    elapsed = time.perf_counter() - started
    if args.json:
        print(json.dumps({"leads": report.leads, "changed": report.changed,
                          "promoted_to_mql": report.promoted, "criteria_version":
                          criteria.version, "seconds": round(elapsed, 2)}, indent=2))
    else:
        print(f"Scored {report.leads:,} leads in {elapsed:.1f} s: {report.changed:,} scores "
              f"changed, {report.promoted:,} leads reached the MQL threshold "
              f"({criteria.mql_threshold}) and became MQLs.")
    return 0


def cmd_model(args: argparse.Namespace) -> int:
    from workbench.services import model

    with Store.open(existing_db(args)) as store:
        if args.train:
            fields = [f.strip() for f in args.fields.split(",")] if args.fields else None
            report = model.train(store, fields, author=acting_user(store, args),
                                 lost_after=args.lost_after).report
        else:
            latest = store.latest_model()
            if latest is None:
                raise Refused("No model has been trained yet: run 'workbench score --train'.")
            report = {**latest[2], "model_id": latest[0]}
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"Model {report['model_id']}: learned from {report['n_train']:,} leads, tested on "
          f"{report['n_test']:,} held-out leads ({report['converted']:,} converted, "
          f"{report['lost']:,} lost in all).")
    if report.get("lost_after"):
        print(f"Counted as lost: {report['lost_by_horizon']:,} leads with no win "
              f"{report['lost_after']} days after they were handed over.")
    names = {"model": "Model", "rules": "Rules score", "learned_rules": "With learned rules"}
    print(f"{'':24}{'AUC':>8}{'Brier':>8}{'Top-decile lift':>18}")
    for name, label in names.items():
        if name in report:  # a model trained before learned rules has no such figures
            print(_figures_line(label, report[name]))
    by_time = report.get("by_time")
    if by_time:
        print(f"Learned on the older {by_time['n_train']:,}, tested on the newest "
              f"{by_time['n_test']:,}:")
        for name, label in names.items():
            print(_figures_line(label, by_time[name]))
    if "reliability" in report:
        print("Calibration (held out): predicted " + ", ".join(
            f"{b['predicted']:.0%} → {b['observed']:.0%} converted" for b in
            report["reliability"]))
    print(f"Fields: {', '.join(report['fields'])}")
    if report.get("left_out"):
        print(f"Left out (identifiers, free text or one value): {', '.join(report['left_out'])}")
    for warning in report.get("warnings", []):
        print(f"workbench: {warning}", file=sys.stderr)
    return 0


def _figures_line(label: str, m: dict) -> str:
    lift = "n/a" if m["top_decile_lift"] is None else f"{m['top_decile_lift']:.2f}x"
    return f"{label:24}{m['auc']:>8.3f}{m['brier']:>8.3f}{lift:>18}"


def cmd_refine(args: argparse.Namespace) -> int:
    from workbench.clock import utcnow
    from workbench.services import refine

    with Store.open(existing_db(args)) as store:
        criteria = store.current_criteria()
        found = refine.suggestions(store, criteria, utcnow())
        compared = _rules_beside_model(store)
        saved = None
        if args.apply and found:
            saved = triage.save_criteria(store, refine.apply(criteria, found),
                                           by=acting_user(store, args),
                                           note="Points refined from the outcomes")
    if args.json:
        print(json.dumps({"suggestions": [s.to_json() for s in found],
                          "criteria_version": saved.version if saved else None,
                          "held_out": compared}, indent=2))
        return 0
    if compared:
        print(f"Held out when model {compared['model_id']} was trained: model AUC "
              f"{compared['model']['auc']:.3f}; rules score {compared['rules']['auc']:.3f} "
              f"before, {compared['learned_rules']['auc']:.3f} with the learned rules.")
    if not found:
        print("Every rule's points agree with the outcomes (or too few outcomes to tell).")
        return 0
    for s in found:
        change = {"new": "new rule", "learned": "learned"}.get(s.kind, f"{s.current:+d} →")
        print(f"{s.rule:<52} {change:>9} {s.suggested:+d}   {s.leads:,} leads convert at "
              f"{s.rate:.0%} against {s.average:.0%}")
    if saved:
        print(f"Saved as criteria version {saved.version}; run 'workbench score' to rescore.")
    else:
        print("Apply them with: workbench score --refine --apply")
    return 0


def _rules_beside_model(store: Store) -> dict | None:
    """The latest model's held-out figures: the model, the rules score as it was, and the
    rules score with the rules refine learns from it."""
    latest = store.latest_model()
    if latest is None or "learned_rules" not in latest[2]:
        return None
    report = latest[2]
    return {"model_id": latest[0], **{k: report[k] for k in ("model", "rules", "learned_rules")}}


def cmd_criteria_export(args: argparse.Namespace) -> int:
    from workbench.files.criteria_file import export_criteria

    with Store.open(existing_db(args)) as store:
        criteria = store.current_criteria()
    export_criteria(criteria, args.file, db_path(args))
    print(f"Criteria (version {criteria.version or 'default'}) written to {args.file}.")
    return 0


def cmd_criteria_import(args: argparse.Namespace) -> int:
    from workbench.files.criteria_file import read_criteria

    criteria = read_criteria(args.file)  # refused whole before the database is touched
    with Store.open(existing_db(args)) as store:
        saved = triage.save_criteria(store, criteria, by=acting_user(store, args),
                                     note=args.note)
        warnings = routing.warnings(store, saved)
    print(f"Criteria from {args.file} saved as version {saved.version}. "
          "Run 'workbench score' to rescore every lead with them.")
    for warning in warnings:
        print(f"workbench: warning: {warning}", file=sys.stderr)
    return 0
