"""The people of a database: adding reps and managers, deactivating those who left, and
the owners an import names that the database does not know yet.

On a team laptop the people come from the team server (`workbench server add-user`) at
every sync, so they are not changed here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from workbench.clock import utcnow
from workbench.files.reading import Mapping, open_table
from workbench.rules import normalise
from workbench.rules.normalise import clean
from workbench.rules.refusals import BadInput, NotAllowed
from workbench.rules.vocabulary import Role
from workbench.store.leads import Store
from workbench.store.people import PersonRecord

NAME_LIMIT = 200  # users.name


@dataclass(frozen=True, slots=True)
class NewOwner:
    """An owner named in a file that no one in the database matches: who they would be."""

    value: str  # as the file writes it
    email: str | None  # None when the file gives only a name
    name: str


def add_person(store: Store, email: str, name: str, *, manager: bool = False
               ) -> tuple[PersonRecord, bool]:
    """Add a rep (or a manager), or bring back someone deactivated with this email;
    returns the person and whether they are new."""
    check_people_are_local(store)
    clean_email = checked_email(email)
    clean_name = " ".join(name.split())
    if not clean_name:
        raise BadInput(f"Give {clean_email} a name (--name \"First Last\").")
    if len(clean_name) > NAME_LIMIT:
        raise BadInput(f"The name of {clean_email} is over {NAME_LIMIT} characters.")
    known = {p.email: p for p in store.people()}
    if clean_email in known and known[clean_email].active:
        raise BadInput(f"{clean_email} is already {known[clean_email].name}; "
                       "'workbench users list' shows everyone.")
    role = Role.MANAGER if manager else Role.REP
    person_id, new = store.save_person(clean_email, clean_name, role.value)
    return PersonRecord(person_id, clean_name, clean_email, role.value, None), new


def deactivate(store: Store, email: str) -> PersonRecord:
    """Someone who left the team: their leads, history and report figures keep their
    name; they are no longer chosen as "You" or as the owner of an imported lead."""
    check_people_are_local(store)
    return store.deactivate_person(checked_email(email), utcnow())


def check_people_are_local(store: Store) -> None:
    server = store.sync_status().server_url
    if server:
        raise NotAllowed(f"This database syncs with the team server {server}: its people "
                         "come from the server. Add someone there with 'workbench server "
                         "add-user'; they arrive at the next sync.")


def checked_email(email: str) -> str:
    try:
        return normalise.email(email)
    except ValueError:
        raise BadInput(f"'{email}' is not an email address.") from None


def new_owner(value: str) -> NewOwner:
    """Who an unknown owner of a file would be: an email gives a name ("jane.doe@..." is
    Jane Doe); a name alone needs an email from someone."""
    text = " ".join(value.split())
    try:
        email = normalise.email(text)
    except ValueError:
        return NewOwner(value, None, text)
    local = email.split("@", 1)[0]
    words = [w for w in re.split(r"[._\-+]+", local) if w]
    return NewOwner(value, email, " ".join(w.capitalize() for w in words) or local)


def owners_to_create(store: Store, path: Path, mapping: Mapping) -> list[NewOwner]:
    """The owners a file names that no one here matches, each once, in the file's order;
    someone deactivated is not among them (they left: their leads go in unassigned)."""
    column = mapping.column_of("owner")
    if column is None:
        return []
    known = set(store.owner_keys())
    for person in store.people():
        known |= {person.email, person.name.lower()}
    table = open_table(path)
    index = table.headers.index(column)
    found: dict[str, NewOwner] = {}
    try:
        for _number, cells in table.rows:
            value = clean(cells[index]) if index < len(cells) else None
            if value is not None and value.strip().lower() not in known | found.keys():
                found[value.strip().lower()] = new_owner(value)
    finally:
        table.rows.close()
    return list(found.values())


def create_owners(store: Store, owners: list[NewOwner]
                  ) -> tuple[list[PersonRecord], list[NewOwner]]:
    """Add as reps the owners given with an email; returns them, and those given by name
    alone (someone must say their email: `workbench users add`)."""
    check_people_are_local(store)
    created = [add_person(store, owner.email, owner.name)[0] for owner in owners
               if owner.email is not None]
    return created, [owner for owner in owners if owner.email is None]
