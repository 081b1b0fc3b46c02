"""Who may change what: the team server's row-level security, applied on the laptop where
it knows who acts, so a rep is refused at once instead of at the next sync.

A rep changes their own leads and the unassigned pool (taking a pool lead they accept); a
manager changes any lead and the team's criteria. When no one is named as acting (a
script that does not say `--as`), nothing is checked here; the team server still checks
what reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.rules.refusals import NotAllowed
from workbench.rules.stages import Stage

MANAGER = "manager"


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    role: str


def check_lead_change(actor: Person | None, lead_name: str, owner: Person | None) -> None:
    """Refuse a rep's change to a lead another person owns."""
    if actor is None or actor.role == MANAGER or owner is None or owner.id == actor.id:
        return
    raise NotAllowed(f"{lead_name} is {owner.name}'s lead: only {owner.name} or a manager "
                     "can change it (a manager can reassign it to you).")


def check_criteria_change(actor: Person | None) -> None:
    """The criteria are what sales and marketing agreed: a manager saves a new version."""
    if actor is not None and actor.role != MANAGER:
        raise NotAllowed(f"Only a manager can change the team's criteria; {actor.name} is "
                         "a rep. Send the change to your manager.")


def in_queue(stage: Stage | str, owner_id: int | None, me: int | None,
             do_not_contact: bool = False) -> bool:
    """Whether a lead is in the queue of `me` (None: nobody's): an MQL of theirs or of the
    unassigned pool that may be contacted. The store selects the queue with the same test
    in SQL (store.leads.queue_clause)."""
    return stage == Stage.MQL and owner_id in (None, me) and not do_not_contact


def new_owner_on_accept(actor: Person | None, owner: Person | None) -> int | None:
    """Accepting an MQL from the pool gives it to the person who accepts; a lead someone
    owns keeps its owner (never reassigned as a side effect)."""
    return actor.id if owner is None and actor is not None else None


def check_reassign(actor: Person | None) -> None:
    """Who owns a lead is the team's call: a manager reassigns (a rep takes a pool lead by
    accepting it)."""
    if actor is not None and actor.role != MANAGER:
        raise NotAllowed(f"Only a manager reassigns leads; {actor.name} is a rep. Ask your "
                         "manager to reassign them.")
