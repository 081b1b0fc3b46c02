"""`workbench lead erase` (a person's data, on their request) and `workbench lead dnc` (do
not contact)."""

from __future__ import annotations

import argparse

from workbench.cli.common import acting_option, acting_user, db_option, existing_db, row_id
from workbench.services import erasure
from workbench.store.leads import Store


def register_lead_commands(lead_sub: argparse._SubParsersAction) -> None:
    """The erasure subcommands of `workbench lead`."""
    erase = lead_sub.add_parser(
        "erase", help="erase a person's data on their request (keeps an anonymous trace)",
        description="Removes what names or reaches the person from this database: names, "
                    "email, phone, title, ids and columns from other systems, every note and "
                    "URL, the BANT evidence, and their words in the search index. The lead "
                    "stays as an anonymous row, so the reports' counts do not change, and it "
                    "is never contacted again. A rep erases their own leads, a manager any.")
    dnc = lead_sub.add_parser(
        "dnc", help="mark a lead not to be contacted: out of the queue and of routing",
        description="A lead not to be contacted leaves every queue and is routed to nobody; "
                    "--off allows contacting it again (never for an erased person).")
    for parser in (erase, dnc):
        db_option(parser)
        parser.add_argument("lead_id", type=row_id, metavar="ID")
        acting_option(parser, "who acts")
    dnc.add_argument("--off", action="store_true", help="the lead may be contacted again")
    erase.set_defaults(run=cmd_lead_erase)
    dnc.set_defaults(run=cmd_lead_dnc)


def cmd_lead_erase(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        name = store.lead(args.lead_id).name
        erasure.erase(store, args.lead_id, by=acting_user(store, args))
    print(f"{name} (#{args.lead_id}) erased: only an anonymous trace is left for the "
          "reports, and the lead will not be contacted.")
    return 0


def cmd_lead_dnc(args: argparse.Namespace) -> int:
    with Store.open(existing_db(args)) as store:
        erasure.do_not_contact(store, args.lead_id, not args.off,
                               by=acting_user(store, args))
        name = store.lead(args.lead_id).name
    print(f"{name} (#{args.lead_id}) " + ("may be contacted again." if args.off else
          "is not to be contacted: out of the queue and of routing."))
    return 0
