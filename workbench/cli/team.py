"""The team server: `workbench server` sets it up, `workbench sync` exchanges a laptop's
changes with it, `workbench conflicts` resolves what two people did offline to one lead."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy.exc import SQLAlchemyError

from workbench.cli.common import (
    acting_option,
    acting_user,
    db_option,
    db_path,
    existing_db,
    json_option,
    row_id,
)
from workbench.rules.refusals import BadInput, Refused
from workbench.rules.stages import Stage
from workbench.store.leads import Store


def register(sub: argparse._SubParsersAction) -> None:
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
        action.set_defaults(run=cmd_server)
    member.add_argument("--email", required=True)
    member.add_argument("--name", required=True)
    member.add_argument("--manager", action="store_true", help="sees and reassigns every lead")

    sync = sub.add_parser(
        "sync", help="send this laptop's changes to the team server and get the others'",
        description="The first run names the server. A password given at the prompt, on "
                    "standard input (--password-stdin) or in the URL is kept in the system "
                    "keyring, never in the database; PGPASSWORD and ~/.pgpass serve too.")
    db_option(sync)
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
    json_option(sync)
    sync.set_defaults(run=cmd_sync)

    conflicts = sub.add_parser(
        "conflicts", help="stage moves two people made offline on one lead, to resolve")
    db_option(conflicts)
    conflicts.add_argument("--all", action="store_true", help="resolved ones too")
    conflicts.add_argument("--resolve", type=row_id, metavar="ID",
                           help="resolve this conflict")
    conflicts.add_argument("--keep", metavar="STAGE", help="the stage to keep (with --resolve)")
    json_option(conflicts)
    acting_option(conflicts, "who resolves")
    conflicts.set_defaults(run=cmd_conflicts)


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


def cmd_sync(args: argparse.Namespace) -> int:
    from workbench.services.sync import synchronise
    from workbench.sync import credentials
    from workbench.sync.protocol import SyncError

    path = db_path(args)
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
                          "handed_over": result.handed_over, "erased": result.erased,
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


def _stage(text: str) -> Stage:
    try:
        return Stage(text.strip().lower())
    except ValueError:
        raise BadInput(f"'{text}' is not a stage (one of "
                       f"{', '.join(s.value for s in Stage)}).") from None


def cmd_conflicts(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        if args.resolve is not None:
            if not args.keep:
                raise BadInput("Say which stage to keep: --keep STAGE.")
            keep = _stage(args.keep)
            from workbench.services import conflicts as stage_conflicts

            stage_conflicts.resolve(store, args.resolve, keep, by=acting_user(store, args))
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
