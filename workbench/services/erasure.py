"""Erase a person on request, and mark a lead not to be contacted: checked against the
rules (rules.erasure, rules.ownership) before the store changes anything."""

from __future__ import annotations

from workbench.clock import utcnow
from workbench.rules import ownership
from workbench.rules.erasure import check_do_not_contact, check_erase
from workbench.services.changes import Changes
from workbench.store.leads import Store


def erase(store: Store, lead_id: int, *, by: int | None = None) -> Changes:
    """Remove the person's data from the lead, keeping its anonymous trace; a rep erases
    their own leads and the pool's, a manager any lead."""
    lead = store.lead(lead_id)
    check_erase(store.person(by), lead.name, store.person(lead.owner_id), lead.erased_at)
    store.erase_lead(lead_id, utcnow())
    return Changes(details=frozenset({lead_id}), leads=True)


def do_not_contact(store: Store, lead_id: int, on: bool = True, *,
                   by: int | None = None) -> Changes:
    """A lead not to be contacted leaves the queue and is routed to nobody (on=False:
    it may be contacted again)."""
    lead = store.lead(lead_id)
    ownership.check_lead_change(store.person(by), lead.name, store.person(lead.owner_id))
    check_do_not_contact(lead.name, lead.erased_at, on)
    store.set_do_not_contact(lead_id, on, utcnow())
    return Changes(details=frozenset({lead_id}), leads=True)
