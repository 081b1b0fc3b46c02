"""Erasure on request, and do not contact. Pure rules; store.erasure removes the data, and
the sync (sync.protocol) carries the erasure to every laptop and the team server.

An erased lead keeps an anonymous row: its stage, stage history, activities' kinds and
times, source, campaign, company and seniority stay, so the reports' counts (funnel,
handovers, reasons) are the same after it; what names or reaches the person goes: names,
email, phone, title, ids from other systems, imported columns, every note and URL, the BANT
evidence, and its words in the search index. An erased lead is never contacted again.
"""

from __future__ import annotations

from datetime import datetime

from workbench.rules.ownership import MANAGER, Person
from workbench.rules.qualification import BANT_ITEMS
from workbench.rules.refusals import BadInput, NotAllowed

ERASED_NAME = "Erased person"  # what the cards and reports call an erased lead

# the lead fields that name or reach the person, emptied by an erasure (first_name and
# last_name become ERASED_NAME and "": they cannot be empty)
ERASED_LEAD_FIELDS = ("email", "phone", "job_title", "external_id", "custom_fields",
                      "next_step_note", "prediction_reasons")

# What an erasure leaves in each table's fields that named or reached the person: the lead's,
# and those of its activities, stage changes and BANT checklist.
ERASED_VALUES: dict[str, dict[str, str | None]] = {
    "leads": {"first_name": ERASED_NAME, "last_name": "",
              **dict.fromkeys(ERASED_LEAD_FIELDS)},
    "activities": {"note": None, "url": None},
    "stage_changes": {"note": None},
    "qualifications": {f"{item}_note": None for item in BANT_ITEMS},
}


def check_erase(actor: Person | None, lead_name: str, owner: Person | None,
                erased_at: datetime | None) -> None:
    """A rep erases their own leads; a manager any lead (the pool's too). With no one
    acting (a laptop without a team), whoever uses it."""
    if actor is not None and actor.role != MANAGER and (owner is None or owner.id != actor.id):
        whose = f"{owner.name}'s lead" if owner is not None else "in the unassigned pool"
        raise NotAllowed(f"{lead_name} is {whose}: only its owner or a manager can erase it. "
                         "Nothing was erased.")
    if erased_at is not None:
        raise BadInput(f"{lead_name}: erased on request on {erased_at:%Y-%m-%d} already; "
                       "there is nothing left to erase.")


def check_unwritten(lead_name: str, erased_at: datetime | None, *words: str | None) -> None:
    """Nothing more is written about an erased person: a note, BANT evidence or a next
    step's note on their lead would name them again (and stay on this laptop alone: the
    sync keeps an erased lead's words out). A touch or a move without words is fine."""
    if erased_at is not None and any(word and word.strip() for word in words):
        raise BadInput(f"{lead_name}: erased on request on {erased_at:%Y-%m-%d}, so nothing "
                       "more is written about them (a touch or a move without a note is "
                       "fine). Nothing was saved.")


def check_do_not_contact(lead_name: str, erased_at: datetime | None, on: bool) -> None:
    """An erased person asked to be forgotten: they stay not to be contacted."""
    if erased_at is not None and not on:
        raise BadInput(f"{lead_name}: erased on request on {erased_at:%Y-%m-%d}, so never "
                       "to be contacted again.")
