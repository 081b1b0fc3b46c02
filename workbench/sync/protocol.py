"""The team sync's protocol: what is synced and how concurrent changes merge. Nothing here
reads the store or the server; services.sync runs a sync with it.

Every laptop keeps working on its own SQLite file. Triggers record each local change in
an outbox with a hybrid logical clock (HLC); `synchronise` pushes the outbox to the team's
PostgreSQL server and then pulls what changed there since the last run.

The merge rules, the same on the server and on a laptop:
- A synced row is known everywhere by its uid ("<device>-<local id>" of the laptop that
  made it), so sending a change twice never makes a second row.
- The fields of a lead (and of a company, a BANT item, a conflict's resolution) merge in
  groups, each group with its own clock: of two concurrent edits of one group, the one
  with the higher (HLC, device) wins, on every laptop alike. The groups of a lead:
  contact details, stage, owner, first touch, next step, consent (erased on request, do
  not contact).
- An erasure wins whatever the clocks: of a lead erased on one side only, the erased
  side's contact details and consent are kept, and an erased lead's rows never take the
  person's data back (rules.erasure: names, email, notes, URLs, BANT evidence), so a
  laptop that was offline when the person was erased cannot bring them back. A laptop
  that pulls an erasure erases the person from its own file as the erasing laptop did.
- Stage changes, activities, criteria versions and company intent signals are append-only:
  every one is kept (an intent signal imported on two laptops is one signal).
- Two stage moves of one lead that follow the same earlier move, to different stages,
  were made without seeing each other: both stay in the history, the later (by clock)
  sets the stage, and every laptop records a StageConflict for someone to resolve.
- A lead the user can no longer see on the server (a manager gave it to another rep, or
  another rep took it from the pool) leaves the laptop once nothing of it waits to be
  sent; the server keeps it, and its new owner receives its whole history.
- A laptop's clock runs ahead of every clock it has seen, so a change made after seeing
  another sorts after it, however wrong the laptop's wall clock is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.rules.erasure import ERASED_VALUES
from workbench.rules.qualification import BANT_ITEMS


@dataclass(frozen=True)
class Ref:
    """A payload field that names another row by its uid (or a user by email), and the
    local column that holds that row's id."""

    column: str
    target: str  # "company", "lead" or "user"


@dataclass(frozen=True)
class Entity:
    name: str
    table: str
    # the payload's fields, each the same-named column
    fields: tuple[str, ...]
    refs: dict[str, Ref] = field(default_factory=dict)
    # groups of payload fields that merge as one; an entity without groups is
    # append-only (its first version is final)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the row is keyed by its lead rather than a uid of its own (BANT: one per lead)
    keyed_by_lead: bool = False
    # an append-only row equal to another on these fields is the same row, made on two
    # laptops (one intent file imported twice): the second copy is dropped
    same_when: tuple[str, ...] = ()


USER = Ref("user_id", "user")


LEAD = Ref("lead_id", "lead")


COMPANY = Entity(
    "company", "companies",
    ("name", "domain", "industry", "employee_band", "revenue_band", "country"),
    groups={"row": ("name", "domain", "industry", "employee_band", "revenue_band",
                    "country")})


LEAD_ENTITY = Entity(
    "lead", "leads",
    ("first_name", "last_name", "email", "phone", "job_title", "seniority", "external_id",
     "source", "campaign", "custom_fields", "historic_outcome", "country", "stage",
     "stage_entered_at",
     "mql_at", "revisit_on", "first_touch_at", "created_at", "updated_at",
     "last_activity_at", "fit_score", "engagement_score", "score", "grade", "buyer_stage",
     "next_step_kind", "next_step_due", "next_step_note", "erased_at", "do_not_contact"),
    refs={"company_uid": Ref("company_id", "company"),
          "owner_email": Ref("owner_id", "user")},
    groups={"contact": ("first_name", "last_name", "email", "phone", "job_title",
                        "seniority", "company_uid", "external_id", "source", "campaign",
                        "custom_fields", "historic_outcome", "country"),
            "stage": ("stage", "stage_entered_at", "mql_at", "revisit_on"),
            "owner": ("owner_email",),
            "touch": ("first_touch_at",),
            "next_step": ("next_step_kind", "next_step_due", "next_step_note"),
            # what the person asked: not to be contacted, or to be erased
            "consent": ("erased_at", "do_not_contact")})


# A lead's groups that an erasure decides: a lead erased on one side only keeps the erased
# side's, whatever the clocks
ERASURE_DECIDES = ("contact", "consent")


STAGE_CHANGE = Entity(
    "stage_change", "stage_changes",
    ("from_stage", "to_stage", "changed_at", "reason_code", "note", "hlc", "follows"),
    refs={"lead_uid": LEAD, "user_email": USER},
    groups={"lead": ("lead_uid",)})  # a merge of two leads moves history to the kept one


ACTIVITY = Entity(
    "activity", "activities",
    ("occurred_at", "kind", "url", "page_kind", "note", "outcome"),
    refs={"lead_uid": LEAD, "user_email": USER},
    groups={"lead": ("lead_uid",)})


QUALIFICATION = Entity(
    "qualification", "qualifications",
    (*(f for item in BANT_ITEMS for f in (item, f"{item}_note")), "updated_at"),
    refs={"lead_uid": LEAD, "updated_by_email": Ref("updated_by", "user")},
    groups={item: (item, f"{item}_note") for item in BANT_ITEMS},
    keyed_by_lead=True)


CRITERIA = Entity(
    "criteria", "criteria_versions", ("created_at", "note", "body"),
    refs={"author_email": Ref("author_id", "user")})


CONFLICT = Entity(
    "conflict", "stage_conflicts",
    ("first_change", "second_change", "detected_at", "resolved_at", "kept_stage"),
    refs={"lead_uid": LEAD, "resolved_by_email": Ref("resolved_by", "user")},
    groups={"resolution": ("resolved_at", "resolved_by_email", "kept_stage")})


INTENT = Entity(
    "intent", "intent_signals", ("company_domain", "topic", "strength", "observed_at"),
    same_when=("company_domain", "topic", "observed_at"))


# In the order a push and a pull write them: a row after the rows it names.
ENTITIES = (COMPANY, LEAD_ENTITY, STAGE_CHANGE, ACTIVITY, QUALIFICATION, CRITERIA, CONFLICT,
            INTENT)


# A new laptop's first download copies these tables as they are on the server; the others
# (the laptop has its own default criteria) merge as in any pull.
COPIED = ENTITIES[:5]


BY_NAME = {e.name: e for e in ENTITIES}


# A lead's fields that are not merged from the server into a laptop that has the lead:
# each laptop computes scores itself; these two only ever grow.
LEAD_DERIVED = ("fit_score", "engagement_score", "score", "grade", "buyer_stage")


LEAD_GROWING = ("updated_at", "last_activity_at")


DELETED = "deleted"  # the outbox group of a removed row


def newer(incoming: Sequence | None, current: Sequence | None) -> bool:
    """Does a change with clock `incoming` win over the state with clock `current`?"""
    if incoming is None:
        return False
    return current is None or tuple(incoming) > tuple(current)


def is_erased(row: dict[str, Any] | None) -> bool:
    """Is this lead payload an erased person's?"""
    return row is not None and row.get("erased_at") is not None


def erased_fields(entity: Entity) -> dict[str, Any]:
    """The entity's fields that name or reach a person, as an erasure leaves them."""
    return {n: v for n, v in ERASED_VALUES.get(entity.table, {}).items()
            if n in entity.fields}


def forget(entity: Entity, row: dict[str, Any]) -> dict[str, Any]:
    """The row with what named or reached an erased person emptied (rules.erasure)."""
    return {**row, **erased_fields(entity)}


def merge(entity: Entity, current: dict[str, Any] | None, current_clocks: dict[str, Sequence],
          incoming: dict[str, Any], incoming_clocks: dict[str, Sequence], *,
          erased: bool = False) -> tuple[dict[str, Any], dict[str, list]] | None:
    """The fields to write and the clocks to keep when `incoming` meets `current` (None:
    the row is new). `erased`: the row's lead is an erased person's (a lead row says so
    itself). Returns None when nothing changes."""
    erased_there = entity is LEAD_ENTITY and is_erased(incoming)
    erased_here = entity is LEAD_ENTITY and is_erased(current)
    erased = erased or erased_here or erased_there
    if current is None:
        return (forget(entity, incoming) if erased else dict(incoming),
                {g: list(c) for g, c in incoming_clocks.items()})
    values: dict[str, Any] = {}
    clocks = {g: list(c) for g, c in current_clocks.items()}
    for group, names in entity.groups.items():
        theirs, ours = incoming_clocks.get(group), current_clocks.get(group)
        if erased_here != erased_there and group in ERASURE_DECIDES:
            if newer(theirs, ours):
                clocks[group] = list(theirs)
            if erased_there:
                values.update({n: incoming[n] for n in names
                               if n in incoming and incoming[n] != current.get(n)})
        elif newer(theirs, ours):
            clocks[group] = list(theirs)
            values.update({n: incoming[n] for n in names
                           if n in incoming and incoming[n] != current.get(n)})
    if erased:  # the person's fields stay as an erasure leaves them
        for name, value in erased_fields(entity).items():
            if value == current.get(name):
                values.pop(name, None)
            else:
                values[name] = value
    if entity is LEAD_ENTITY:
        for name in LEAD_GROWING:
            if incoming.get(name) is not None and (current.get(name) is None
                                                   or incoming[name] > current[name]):
                values[name] = incoming[name]
    if not values and clocks == current_clocks:
        return None
    return values, clocks


@dataclass
class Batch:
    """Rows of one entity travelling together, as payload dicts with their clocks."""

    entity: Entity
    rows: list[dict[str, Any]]
    clocks: list[dict[str, list]]


@dataclass
class Refusal:
    entity: str
    uid: str
    reason: str  # in the team's words; on a laptop, with the lead or company it concerns


@dataclass
class SyncResult:
    pushed: int = 0
    pulled: int = 0
    refused: list[Refusal] = field(default_factory=list)
    conflicts: int = 0  # new stage conflicts found by this run
    first_push: bool = False
    # got activities or intent, or a lead at their company became a customer: rescored
    touched_leads: set[int] = field(default_factory=set)
    handed_over: int = 0  # leads now another rep's, removed from this laptop
    erased: int = 0  # people erased on request on another laptop, erased here too
    note: str | None = None  # something the user should know (the password not kept)
    password_kept: bool | None = None  # a password given this run: kept in the keyring?

    def summary(self) -> str:
        parts = [f"sent {self.pushed} change{'s' * (self.pushed != 1)}",
                 f"received {self.pulled}"]
        if self.refused:
            parts.append(f"{len(self.refused)} refused by the server")
        if self.handed_over:
            parts.append(f"{self.handed_over} lead{'s' * (self.handed_over != 1)} now "
                         "another rep's removed from this laptop")
        if self.erased:
            parts.append(f"{self.erased} {'person' if self.erased == 1 else 'people'} "
                         "erased on request elsewhere, erased here too")
        if self.conflicts:
            parts.append(f"{self.conflicts} stage conflict{'s' * (self.conflicts != 1)} "
                         "to resolve")
        return "Synced: " + ", ".join(parts) + "."


class SyncError(Exception):
    """A sync that could not run (no server, refused login...); the message says why.
    Nothing local is lost: the changes wait in the outbox for the next run."""


class SyncCancelled(SyncError):
    pass


class SyncBlocked(SyncError):
    """A sync that fails the same way until someone acts (a copied database file, a server
    to upgrade, a refused password): trying again by itself would not help."""


class CopiedDatabase(SyncBlocked):
    """The server holds another token for this device: the file is a copy that its twin has
    synced past. Syncing it as a new device (`as_new_device`) carries on."""

    def __init__(self) -> None:
        super().__init__(
            "This database file is a copy of one that has synced with the team server since "
            "(or an older backup of it, or another user's file), so nothing was sent or "
            "received: its new leads and moves would go under names the other file's already "
            "use. Keep working in the file that syncs, or sync this one as a new device "
            "(workbench sync --as-new-device): what it made since its last sync then goes to "
            "the team as new, and a lead that both files had unsent at the copy may show up "
            "twice (Lead › Possible duplicates…).")
