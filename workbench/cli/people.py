"""`workbench users`: the reps and managers of a database (on a team laptop, the team
server's accounts instead: `workbench server add-user`)."""

from __future__ import annotations

import argparse
import json

from workbench.cli.common import db_option, existing_db, json_option
from workbench.services import people
from workbench.store.leads import Store


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="the reps and managers of this database",
                           description="Add, list and deactivate the people who own and "
                                       "work leads. On a database that syncs with a team "
                                       "server, people come from the server.")
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a rep or a manager",
                             description="Add a rep (or, with --manager, a manager who sees "
                                         "and reassigns every lead). An email deactivated "
                                         "before is brought back.")
    db_option(add)
    add.add_argument("--email", required=True, metavar="E")
    add.add_argument("--name", required=True, metavar="N")
    add.add_argument("--manager", action="store_true", help="a manager, not a rep")
    add.set_defaults(run=cmd_add)

    listed = actions.add_parser("list", help="everyone, deactivated people included")
    db_option(listed)
    json_option(listed)
    listed.set_defaults(run=cmd_list)

    off = actions.add_parser("deactivate", help="someone who left the team",
                             description="Their leads, history and report figures keep "
                                         "their name; they are no longer chosen as You or "
                                         "as an owner.")
    db_option(off)
    off.add_argument("email", metavar="E")
    off.set_defaults(run=cmd_deactivate)


def cmd_add(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        person, new = people.add_person(store, args.email, args.name, manager=args.manager)
    print(f"{'Added' if new else 'Brought back'} {person.name} <{person.email}> as a "
          f"{person.role}.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        everyone = store.people()
    if args.json:
        print(json.dumps([{"email": p.email, "name": p.name, "role": p.role,
                           "deactivated_at": p.deactivated_at.isoformat()
                           if p.deactivated_at else None} for p in everyone], indent=2))
        return 0
    if not everyone:
        print("No one yet: add people with 'workbench users add --email E --name N'.")
    for p in everyone:
        left = f"  deactivated {p.deactivated_at:%Y-%m-%d}" if p.deactivated_at else ""
        print(f"{p.name:<28} {p.email:<36} {p.role:<8}{left}")
    return 0


def cmd_deactivate(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        person = people.deactivate(store, args.email)
    print(f"{person.name} <{person.email}> is deactivated since "
          f"{person.deactivated_at:%Y-%m-%d %H:%M} UTC; their leads keep them as owner.")
    return 0
