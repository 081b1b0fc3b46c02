"""The headless `workbench` command. Subcommands never import Qt; only the window does."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from workbench import paths
from workbench.files.reading import ImportKind
from workbench.rules.refusals import BadInput, NotFound, Refused
from workbench.rules.stages import Stage
from workbench.services import todays_scores, triage
from workbench.store import db
from workbench.store.leads import Store


def _db_option(parser: argparse.ArgumentParser, *, top_level: bool) -> None:
    parser.add_argument(
        "--db", type=Path, metavar="PATH",
        # A subcommand's --db must not reset the one given before the subcommand.
        default=None if top_level else argparse.SUPPRESS,
        help=f"database file (default: {paths.default_db_path()})",
    )


def _row_id(text: str) -> int:
    """A lead's (or conflict's) id: a whole number that SQLite can hold (64 bits)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an id (a whole number).") from None
    if not 0 < number < 2**63:  # no row has such an id: said in one line, as a refusal
        raise NotFound(f"There is no lead or conflict with id {text}.")
    return number


def _acting_option(parser: argparse.ArgumentParser, who: str) -> None:
    parser.add_argument("--as", dest="acting", metavar="EMAIL",
                        default=os.environ.get("WORKBENCH_USER"),
                        help=f"{who} (default: $WORKBENCH_USER)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Lead Workbench: triage, qualify and score leads. With no subcommand, "
                    "opens the window.",
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

    score = sub.add_parser("score", help="rescore every lead with the current criteria",
                           description="Rescore every lead with the team's current criteria. "
                                       "Leads whose score reaches the MQL threshold become MQLs.")
    _db_option(score, top_level=False)
    score.add_argument("--json", action="store_true", help="print JSON")
    score.add_argument("--train", action="store_true",
                       help="learn a conversion model from the outcomes and predict every lead")
    score.add_argument("--fields", metavar="F1,F2",
                       help="with --train: the fields the model uses (default: all usable; "
                            "see --report)")
    score.add_argument("--report", action="store_true",
                       help="the model's figures against the rules score on held-out leads")
    score.add_argument("--refine", action="store_true",
                       help="rules whose points disagree with the outcomes, with suggestions")
    score.add_argument("--apply", action="store_true",
                       help="with --refine: save the suggested points as a new criteria version")
    _acting_option(score, "who trains or changes the rules")

    queue = sub.add_parser("queue", help="the MQLs to triage, in queue order",
                           description="The MQLs of a rep plus the unassigned pool: follow-up "
                                       "SLA due first, then by score.")
    _db_option(queue, top_level=False)
    queue.add_argument("--rep", metavar="EMAIL", help="whose queue (default: the pool only)")
    queue.add_argument("--json", action="store_true", help="print JSON")

    lead = sub.add_parser("lead", help="look at or triage one lead")
    lead_sub = lead.add_subparsers(dest="lead_command", metavar="COMMAND", required=True)
    show = lead_sub.add_parser("show", help="a lead, its score explained, BANT, its history")
    show.add_argument("--json", action="store_true", help="print JSON")
    bant = lead_sub.add_parser("bant", help="set BANT items: budget=confirmed:\"50k EUR\"")
    accept = lead_sub.add_parser("accept", help="MQL -> SAL, or SAL -> SQL when BANT holds")
    reject = lead_sub.add_parser("reject", help="disqualify, with a reason for marketing")
    recycle = lead_sub.add_parser("recycle", help="back to nurturing until a date")
    for action in (reject, recycle):
        action.add_argument("--reason", metavar="CODE", help="a code of the reason catalogue")
        action.add_argument("--note", metavar="TEXT")
    recycle.add_argument("--until", metavar="YYYY-MM-DD",
                         help="when to look again (default: in the criteria's recycle days)")
    for action in (show, bant, accept, reject, recycle):
        _db_option(action, top_level=False)
        action.add_argument("lead_id", type=_row_id, metavar="ID")
        if action is not show:
            _acting_option(action, "who acts")
    bant.add_argument("items", nargs="+", metavar="ITEM=STATUS[:NOTE]",
                      help="ITEM: budget, authority, need or timeline; STATUS: unknown, "
                           "confirmed, partial or failed")

    criteria = sub.add_parser("criteria", help="share the team's criteria as a TOML file")
    criteria_sub = criteria.add_subparsers(dest="criteria_command", metavar="COMMAND",
                                           required=True)
    export = criteria_sub.add_parser("export", help="write the current criteria to a file")
    load = criteria_sub.add_parser("import", help="save a file's criteria as a new version")
    for action in (export, load):
        _db_option(action, top_level=False)
        action.add_argument("file", type=Path, metavar="FILE.toml")
    load.add_argument("--note", metavar="TEXT", help="what changed, kept with the version")
    _acting_option(load, "who changes them")

    report = sub.add_parser(
        "report", help="acceptance, rejection and SLA figures of the MQLs handed to sales",
        description="Each MQL handover counts in the period it was handed over, with the "
                    "first decision sales made on it (accepted, rejected, recycled or "
                    "pending) and how far its lead went. Rates with nothing under them are "
                    "n/a (null in JSON).")
    _db_option(report, top_level=False)
    report.add_argument("--by", choices=["source", "campaign", "rep", "week", "month"],
                        default="source", help="one row per ... (default: source)")
    report.add_argument("--from", dest="start", type=_iso_date, metavar="YYYY-MM-DD",
                        help="first day of handovers counted (default: the first)")
    report.add_argument("--to", dest="end", type=_iso_date, metavar="YYYY-MM-DD",
                        help="last day of handovers counted (default: today)")
    report.add_argument("--rep", metavar="EMAIL", help="only this rep's handovers")
    report.add_argument("--format", choices=["table", "csv", "json"], default="table")

    load = sub.add_parser(
        "import", help="import leads, activities or company intent signals from CSV or XLSX",
        description="Import a CSV (any common delimiter and encoding) or XLSX file. Headers of "
                    "HubSpot, Salesforce and Odoo exports and plain headers are recognised. Rows "
                    "with problems are listed in FILE.errors.csv and left out; the others go in "
                    "as one transaction. Importing a file again adds no duplicates.")
    _db_option(load, top_level=False)
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--kind", choices=[k.value for k in ImportKind], default="leads")
    load.add_argument("--mapping", type=Path, metavar="FILE.toml",
                      help="a saved column mapping (see --save-mapping)")
    load.add_argument("--save-mapping", type=Path, metavar="FILE.toml",
                      help="write the mapping used, to edit and reuse, and import nothing")
    load.add_argument("--dry-run", action="store_true",
                      help="read and check everything, count, and write nothing")
    load.add_argument("--no-score", action="store_true",
                      help="leave the scoring of imported leads to 'workbench score'")
    load.add_argument("--json", action="store_true", help="print JSON")

    export = sub.add_parser("export", help="write leads to a CSV or XLSX file")
    _db_option(export, top_level=False)
    export.add_argument("--out", type=Path, required=True, metavar="FILE.csv|FILE.xlsx")
    export.add_argument("--stage", choices=[s.value for s in Stage],
                        help="only the leads in this stage")

    duplicates = sub.add_parser("duplicates", help="leads that may be one person",
                                description="Pairs of leads with the same email, or the same "
                                            "name at a company with the same domain.")
    _db_option(duplicates, top_level=False)
    duplicates.add_argument("--json", action="store_true", help="print JSON")
    merge = sub.add_parser("merge", help="make two leads one, keeping both histories")
    _db_option(merge, top_level=False)
    merge.add_argument("keep", type=_row_id, metavar="KEEP_ID")
    merge.add_argument("other", type=_row_id, metavar="OTHER_ID")
    _acting_option(merge, "who merges")

    server = sub.add_parser("server", help="set up the team's PostgreSQL server")
    server_sub = server.add_subparsers(dest="server_command", metavar="COMMAND", required=True)
    init = server_sub.add_parser(
        "init", help="create the schema, roles and row-level security on an empty database",
        description="Run as the role that owns the team's database (its password from "
                    "PGPASSWORD or ~/.pgpass keeps it out of the URL). Safe to run again.")
    member = server_sub.add_parser(
        "add-user", help="give a team member their own PostgreSQL role",
        description="The new role's password is read from standard input (one line), "
                    "never from the command line; the owner's from PGPASSWORD or ~/.pgpass.")
    for action in (init, member):
        action.add_argument("--url", required=True, metavar="postgresql://...")
    member.add_argument("--email", required=True)
    member.add_argument("--name", required=True)
    member.add_argument("--manager", action="store_true", help="sees and reassigns every lead")

    sync = sub.add_parser(
        "sync", help="send this laptop's changes to the team server and get the others'",
        description="The first run names the server. A password given at the prompt, on "
                    "standard input (--password-stdin) or in the URL is kept in the system "
                    "keyring, never in the database; PGPASSWORD and ~/.pgpass serve too.")
    _db_option(sync, top_level=False)
    sync.add_argument("--server", metavar="postgresql://you@host/team",
                      help="the team server (remembered for the next runs)")
    sync.add_argument("--password-stdin", action="store_true",
                      help="read the password from standard input (one line) instead of "
                           "the URL, where the process list would show it")
    sync.add_argument("--status", action="store_true",
                      help="what waits to be sent, conflicts, the last sync; sends nothing")
    sync.add_argument("--as-new-device", action="store_true",
                      help="when the server knows this file as a copy of another: sync it "
                           "as a device of its own (what it made since its last sync goes "
                           "as new)")
    sync.add_argument("--json", action="store_true", help="print JSON")
    conflicts = sub.add_parser(
        "conflicts", help="stage moves two people made offline on one lead, to resolve")
    _db_option(conflicts, top_level=False)
    conflicts.add_argument("--all", action="store_true", help="resolved ones too")
    conflicts.add_argument("--resolve", type=_row_id, metavar="ID",
                           help="resolve this conflict")
    conflicts.add_argument("--keep", metavar="STAGE", help="the stage to keep (with --resolve)")
    conflicts.add_argument("--json", action="store_true", help="print JSON")
    _acting_option(conflicts, "who resolves")

    stats = sub.add_parser("stats", help="count leads by stage and source")
    _db_option(stats, top_level=False)
    stats.add_argument("--json", action="store_true", help="print JSON")
    return parser


# Opens the window on a database (path, screenshot or None) and returns the exit status.
# The `workbench` program (ui.main) passes it; this package never reaches Qt itself.
OpenWindow = Callable[[Path, Path | None], int]


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
        if args.command == "demo":
            return cmd_demo(args)
        if args.command == "stats":
            return cmd_stats(args)
        if args.command == "score":
            return cmd_score(args)
        if args.command == "queue":
            return cmd_queue(args)
        if args.command == "criteria":
            return cmd_criteria(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "import":
            return cmd_import(args)
        if args.command == "export":
            return cmd_export(args)
        if args.command == "duplicates":
            return cmd_duplicates(args)
        if args.command == "server":
            return cmd_server(args)
        if args.command == "merge":
            return cmd_merge(args)
        if args.command == "sync":
            return cmd_sync(args)
        if args.command == "conflicts":
            return cmd_conflicts(args)
        if args.command == "lead":
            return {"show": cmd_lead_show, "bant": cmd_lead_bant, "accept": cmd_lead_triage,
                    "reject": cmd_lead_triage, "recycle": cmd_lead_triage}[args.lead_command](args)
        return cmd_window(args, open_window)
    except (Refused, db.DatabaseError) as error:
        return _fatal(args, str(error), 1)
    except (SQLAlchemyError, sqlite3.Error) as error:
        problem = db.problem_of(error, _db_path(args, paths.default_db_path()))
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


def _existing_db(args: argparse.Namespace) -> Path:
    path = _db_path(args, paths.default_db_path())
    if not path.exists():
        raise NotFound(f"There is no database at {path}. Create one with "
                       f"'workbench demo --db {path}' or pass another --db.")
    return path


@contextmanager
def _scored_store(args: argparse.Namespace) -> Iterator[Store]:
    """The database, its scores first brought up to date: behaviour points decay, so the
    scores a command shows are as of the start of today (see the README's Lead scoring)."""
    with Store.open(_existing_db(args)) as store:
        report = todays_scores.bring_scores_up_to_date(store)
        if report is not None and (report.changed or report.promoted):
            print(f"workbench: scores brought up to date for today: {report.changed:,} "
                  f"changed, {report.promoted:,} became MQLs.", file=sys.stderr)
        yield store


def cmd_score(args: argparse.Namespace) -> int:
    from workbench.services import scoring

    if args.train or args.report:
        return cmd_model(args)
    if args.refine:
        return cmd_refine(args)
    started = time.perf_counter()
    with Store.open(_existing_db(args)) as store:
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

    with Store.open(_existing_db(args)) as store:
        if args.train:
            fields = [f.strip() for f in args.fields.split(",")] if args.fields else None
            try:
                report = model.train(store, fields, author=_acting_user(store, args)).report
            except ValueError as problem:  # services/model.py's refusals: NotEnoughOutcomes,
                raise Refused(str(problem)) from None  # a field it cannot use
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

    with Store.open(_existing_db(args)) as store:
        criteria = store.current_criteria()
        found = refine.suggestions(store, criteria, utcnow())
        saved = None
        if args.apply and found:
            saved = triage.save_criteria(store, refine.apply(criteria, found),
                                           by=_acting_user(store, args),
                                           note="Points refined from the outcomes")
    if args.json:
        print(json.dumps({"suggestions": [s.to_json() for s in found],
                          "criteria_version": saved.version if saved else None}, indent=2))
        return 0
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


def cmd_criteria(args: argparse.Namespace) -> int:
    from workbench.files.criteria_file import export_criteria, read_criteria

    if args.criteria_command == "export":
        with Store.open(_existing_db(args)) as store:
            criteria = store.current_criteria()
        export_criteria(criteria, args.file, _db_path(args, paths.default_db_path()))
        print(f"Criteria (version {criteria.version or 'default'}) written to {args.file}.")
        return 0
    criteria = read_criteria(args.file)  # refused whole before the database is touched
    with Store.open(_existing_db(args)) as store:
        saved = triage.save_criteria(store, criteria, by=_acting_user(store, args),
                                       note=args.note)
    print(f"Criteria from {args.file} saved as version {saved.version}. "
          "Run 'workbench score' to rescore every lead with them.")
    return 0


def cmd_queue(args: argparse.Namespace) -> int:
    with _scored_store(args) as store:
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


def _acting_user(store: Store, args: argparse.Namespace) -> int | None:
    return store.user_by_email(args.acting) if args.acting else None


def cmd_lead_bant(args: argparse.Namespace) -> int:
    from workbench.rules.qualification import parse_item

    items = [parse_item(text) for text in args.items]  # all checked before any is saved
    with Store.open(_existing_db(args)) as store:
        by = _acting_user(store, args)
        store.lead(args.lead_id)
        for item, status, note in items:
            triage.set_bant(store, args.lead_id, item, status, note, by=by)
    print(f"Lead #{args.lead_id}: " + ", ".join(f"{i} {s.value}" for i, s, _n in items) + ".")
    return 0


def cmd_lead_triage(args: argparse.Namespace) -> int:
    with Store.open(_existing_db(args)) as store:
        by = _acting_user(store, args)
        if args.lead_command == "accept":
            move = triage.accept(store, args.lead_id, by=by)
        elif args.lead_command == "reject":
            move = triage.reject(store, args.lead_id, args.reason, note=args.note, by=by)
        else:
            until = date.fromisoformat(args.until) if args.until else None
            move = triage.recycle(store, args.lead_id, args.reason, until=until,
                                  note=args.note, by=by)
        name = store.lead(args.lead_id).name
    print(f"{name} (#{args.lead_id}): {move.from_stage.label} -> {move.to_stage.label}.")
    return 0


def cmd_lead_show(args: argparse.Namespace) -> int:
    from workbench.services import scoring

    with _scored_store(args) as store:
        detail = store.lead_detail(args.lead_id)
        result = scoring.explain(store, store.current_criteria(), args.lead_id)
        bant = store.bant(args.lead_id)
    lead = detail.lead
    if args.json:
        print(json.dumps({
            "id": lead.id, "name": lead.name, "email": lead.email, "job_title": lead.job_title,
            "company": detail.company.name if detail.company else None,
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
    print("\nStage history")
    for change in reversed(detail.history):
        moved = f"{change.from_stage.label} -> " if change.from_stage else "created as "
        print(f"  {change.changed_at:%Y-%m-%d %H:%M}  {moved}{change.to_stage.label}"
              f"{'  (' + change.reason_code + ')' if change.reason_code else ''}")
    return 0


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; write YYYY-MM-DD.") from None


def cmd_report(args: argparse.Namespace) -> int:
    from workbench.clock import utcnow
    from workbench.services.reports import ReportSpec, Slice, as_csv, as_table, build_report

    with _scored_store(args) as store:
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


def cmd_import(args: argparse.Namespace) -> int:
    from workbench.files.reading import Mapping, open_table
    from workbench.services.imports import run_import

    kind = ImportKind(args.kind)
    if args.save_mapping:
        table = open_table(args.file)
        table.rows.close()
        mapping = (Mapping.load(args.mapping, table.headers, kind) if args.mapping
                   else Mapping.detect(table.headers, kind))
        mapping.save(args.save_mapping, _db_path(args, paths.default_db_path()))
        print(f"Mapping ({mapping.format}) written to {args.save_mapping}.")
        return 0
    with Store.open(_existing_db(args)) as store:
        result = run_import(store, args.file, kind, mapping_path=args.mapping,
                            dry_run=args.dry_run, score=not args.no_score)
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
        return 0
    what = "Would import" if result.dry_run else "Imported"
    print(f"{what} {args.file} ({result.format}): {result.read:,} rows, "
          f"{result.imported:,} new, {result.updated:,} updated, {result.unchanged:,} unchanged, "
          f"{result.skipped:,} left out.")
    if result.errors_file:
        print(f"Problems, row by row: {result.errors_file}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.services.export import export_leads

    with _scored_store(args) as store:
        count = export_leads(store, args.out, Stage(args.stage) if args.stage else None)
    print(f"{count:,} leads written to {args.out}.")
    return 0


def cmd_server(args: argparse.Namespace) -> int:
    from workbench.sync import server

    try:
        if args.server_command == "init":
            tables = server.init_server(args.url)
            print(f"Team server ready: {len(tables)} tables ({', '.join(tables)}), roles "
                  f"{server.REP_ROLE} and {server.MANAGER_ROLE}, row-level security on leads "
                  "and their history.")
            return 0
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise BadInput("Give the new role's password on standard input.")
        role = server.add_account(args.url, email=args.email, name=args.name,
                                  password=password, manager=args.manager)
    except SQLAlchemyError as problem:
        raise Refused(f"The server refused: {str(problem.orig or problem).strip()}") from None
    print(f"{args.name} connects as PostgreSQL role '{role}'.")
    return 0


def cmd_duplicates(args: argparse.Namespace) -> int:
    with Store.open(_existing_db(args)) as store:
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
    with Store.open(_existing_db(args)) as store:
        from workbench.services import duplicates

        duplicates.merge(store, args.keep, args.other, by=_acting_user(store, args))
    print(f"Lead {args.other} was merged into lead {args.keep}; both histories are kept.")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    from workbench.services.sync import synchronise
    from workbench.sync import credentials
    from workbench.sync.protocol import SyncError

    path = _db_path(args, paths.default_db_path())
    with Store.open(path) as store:
        status = store.sync_status()
        if args.status:
            return _print_sync_status(store, args.json)
        url = args.server or status.server_url
        password = None
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\n")
            if not password:
                raise BadInput("Give the password on standard input (one line).")
        elif url and sys.stdin.isatty() and not credentials.given_elsewhere(url):
            import getpass

            password = getpass.getpass(f"Password for {credentials.split_password(url)[0]}: ")
        try:
            result = synchronise(store, url, password=password,
                                 as_new_device=args.as_new_device)
        except SyncError as problem:
            raise Refused(str(problem)) from None
    if args.json:
        print(json.dumps({"pushed": result.pushed, "pulled": result.pulled,
                          "conflicts": result.conflicts, "first_push": result.first_push,
                          "handed_over": result.handed_over,
                          "refused": [vars(r) for r in result.refused],
                          "password_kept": result.password_kept, "note": result.note},
                         indent=2))
        return 0
    print(result.summary())
    for refusal in result.refused:
        print(f"  refused: {refusal.reason}")
    if result.note:
        print(result.note)
    if result.conflicts:
        print("See them with: workbench conflicts")
    return 0


def _stage(text: str) -> Stage:
    try:
        return Stage(text.strip().lower())
    except ValueError:
        raise BadInput(f"'{text}' is not a stage (one of "
                       f"{', '.join(s.value for s in Stage)}).") from None


def _print_sync_status(store: Store, as_json: bool) -> int:
    status = store.sync_status()
    facts = {"server": status.server_url, "device": status.device,
             "last_synced_at": status.last_synced_at.isoformat(" ", "seconds")
             if status.last_synced_at else None,
             "waiting": status.waiting, "refused": status.refused,
             "open_conflicts": status.open_conflicts, "last_error": status.last_error}
    if as_json:
        print(json.dumps(facts, indent=2))
        return 0
    print(f"Team server:     {status.server_url or 'none yet (workbench sync --server URL)'}")
    print(f"Last synced:     {facts['last_synced_at'] or 'never'} (UTC)")
    print(f"Waiting to send: {status.waiting:,} changed rows")
    print(f"Open conflicts:  {status.open_conflicts}")
    if status.refused:
        print(f"Refused:         {status.refused} changes the server refused")
    if status.last_error:
        print(f"Last problem:    {status.last_error}")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    with Store.open(_existing_db(args)) as store:
        if args.resolve is not None:
            if not args.keep:
                raise BadInput("Say which stage to keep: --keep STAGE.")
            keep = _stage(args.keep)
            from workbench.services import conflicts as stage_conflicts

            stage_conflicts.resolve(store, args.resolve, keep, by=_acting_user(store, args))
            print(f"Conflict {args.resolve} resolved: the lead is {keep.label}.")
            return 0
        conflicts = store.stage_conflicts(open_only=not args.all)
    if args.json:
        print(json.dumps([{"id": c.id, "lead_id": c.lead_id, "lead": c.lead_name,
                           "stage": c.current_stage,
                           "moves": [dict(zip(("to_stage", "at", "by", "uid"), m, strict=True))
                                     for m in (c.first, c.second)],
                           "resolved_at": c.resolved_at, "kept_stage": c.kept_stage}
                          for c in conflicts], indent=2))
        return 0
    for c in conflicts:
        moves = " vs ".join(f"{Stage(m[0]).label} by {m[2] or 'someone'} at {m[1][:16]}"
                            for m in (c.first, c.second))
        state = f"kept {c.kept_stage}" if c.resolved_at else f"now {Stage(c.current_stage).label}"
        print(f"{c.id:>5}  lead {c.lead_id} {c.lead_name}: {moves} ({state})")
    print(f"{len(conflicts)} conflict{'s' * (len(conflicts) != 1)}. Resolve one with: "
          "workbench conflicts --resolve ID --keep STAGE")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    path = _existing_db(args)
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


def cmd_window(args: argparse.Namespace, open_window: OpenWindow | None) -> int:
    if open_window is None:
        raise BadInput("Name a subcommand (see --help); the window opens from the "
                       "'workbench' program.")
    if args.demo:
        path = _db_path(args, paths.demo_db_path())
        if not path.exists():
            from workbench import demo

            print(f"Creating the demo database {path}...", file=sys.stderr)
            demo.create_database(path, leads=2000)
    else:
        path = _db_path(args, paths.default_db_path())
    return open_window(path, args.screenshot)


if __name__ == "__main__":
    sys.exit(main())
