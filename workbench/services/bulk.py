"""Acting on many leads at once (the CLI's several ids, the window's selection): every lead
is checked first, and the action is taken for all of them in one transaction or for none,
with one line per refused lead saying why."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from workbench.clock import utcnow
from workbench.rules import ownership
from workbench.rules.erasure import check_unwritten
from workbench.rules.lead_names import display_name
from workbench.rules.ownership import Person
from workbench.rules.refusals import BadInput, NotFound, Refused
from workbench.rules.sla import is_overdue, overdue_cutoff
from workbench.rules.stages import ACCOUNT_STAGES, REASON_KIND, Stage, check_transition
from workbench.services.changes import StageMove
from workbench.store.leads import LeadRecord, StageChangeRecord, Store

VERBS = {Stage.DISQUALIFIED: "rejected", Stage.RECYCLED: "recycled"}


def move_many(store: Store, lead_ids: Sequence[int], to_stage: Stage | str, *,
              by: int | None = None, reason_code: str | None = None,
              note: str | None = None, revisit_on: date | None = None) -> list[StageMove]:
    """Move every one of these leads, or none: each move must be one the stage machine
    allows, by someone the lead's ownership allows. Becoming an SQL needs each lead's BANT
    looked at, and accepting gives the lead an owner: those are done one lead at a time."""
    to_stage = Stage(to_stage)
    if to_stage in (Stage.SQL, Stage.SAL):
        raise BadInput(f"Leads are moved to {to_stage.label} one at a time (their BANT or "
                       "their new owner is looked at lead by lead).")
    if not lead_ids:
        raise BadInput("Name at least one lead.")
    criteria = store.current_criteria()
    kind = REASON_KIND.get(to_stage)
    if kind is not None:
        codes = [r.code for r in criteria.reasons(kind)]
        if reason_code not in codes:
            raise BadInput(f"Moving leads to {to_stage.label} needs a {kind} reason, one of: "
                           f"{', '.join(codes)}.")
    if to_stage == Stage.RECYCLED and revisit_on is None:
        raise BadInput("Recycling leads needs a date to look at them again.")
    people = store.people_by_id()
    if by is not None and by not in people:
        raise NotFound(f"There is no user with id {by}.")
    actor = people.get(by)

    def check(row: dict) -> None:
        check_transition(row["stage"], to_stage)
        name = display_name(row["first_name"], row["last_name"], row["email"], row["external_id"])
        ownership.check_lead_change(actor, name, people.get(row["owner_id"]))
        check_unwritten(name, row["erased_at"], note)

    rows, refusals = store.check_each(lead_ids, check)
    refusals.raise_if_any(VERBS.get(to_stage, f"moved to {to_stage.label}"),
                          len(set(lead_ids)))
    at = utcnow()
    changed = store.move_many(list(rows), to_stage, by=by, reason_code=reason_code, note=note,
                              revisit_on=revisit_on, at=at)
    cutoff = overdue_cutoff(at, criteria.sla_hours)
    moves = []
    for lead_id, change_id in changed:
        before = LeadRecord(**rows[lead_id])
        change = StageChangeRecord(change_id, lead_id, before.stage, to_stage, at, by,
                                   reason_code, note)
        moves.append(StageMove(
            change, before,
            was_overdue=before.stage == Stage.MQL and is_overdue(before.mql_at,
                                                                 before.first_touch_at, cutoff),
            left_queue=ownership.in_queue(before.stage, before.owner_id, by)))
    if any(move.from_stage in ACCOUNT_STAGES for move in moves):
        from workbench.services import scoring  # NumPy: loaded when scoring is first needed

        colleagues = {i for move in moves if move.from_stage in ACCOUNT_STAGES
                      for i in store.colleague_ids(move.lead_id)}
        scoring.rescore(store, criteria, lead_ids=sorted(colleagues), promote=False)
    return moves


def assign(store: Store, lead_ids: Sequence[int], to_email: str, *, by: int | None = None,
           reason: str | None = None) -> list[int]:
    """A manager gives these leads to a person (all of them, or none): the history of each
    says from whom, by whom and why; the reports count them as the new owner's. A lead the
    person owns already is left as it is. Returns the leads reassigned."""
    people = store.people()
    actor = next((p for p in people if p.id == by), None)
    if by is not None and actor is None:
        raise NotFound(f"There is no user with id {by}.")
    ownership.check_reassign(actor and Person(actor.id, actor.name, actor.role))
    email = to_email.strip().lower()
    to = next((p for p in people if p.email == email), None)
    if to is None:
        raise NotFound(f"There is no rep with email {to_email}; 'workbench users list' shows "
                       "who there is.")
    if not to.active:
        raise Refused(f"{to.name} is deactivated: leads go to someone on the team. "
                      "'workbench users list' shows who is.")
    if not lead_ids:
        raise BadInput("Name at least one lead.")
    names = {p.id: p.name for p in people}
    rows, refusals = store.check_each(lead_ids, lambda row: None)
    refusals.raise_if_any("reassigned", len(set(lead_ids)))
    why = (reason or "").strip()
    who = f" by {actor.name}" if actor else ""
    notes = {lead_id: f"Reassigned from {names.get(row['owner_id'], 'the pool')} to "
                      f"{to.name}{who}" + (f": {why}" if why else ".")
             for lead_id, row in rows.items() if row["owner_id"] != to.id}
    if notes:
        store.assign_many(notes, to.id, by=by, at=utcnow())
    return sorted(notes)
