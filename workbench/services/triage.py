"""Use cases that combine the store with the domain rules, one function each.

The window and the CLI call these; none of them reaches past the store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from workbench.clock import local_today, utcnow
from workbench.rules import ownership
from workbench.rules.criteria import Criteria
from workbench.rules.erasure import check_unwritten
from workbench.rules.qualification import NotQualified, evaluate
from workbench.rules.refusals import BadInput, Refused
from workbench.rules.sla import is_overdue, overdue_cutoff
from workbench.rules.stages import ACCOUNT_STAGES, Stage
from workbench.rules.vocabulary import ActivityKind, BantStatus
from workbench.services import routing
from workbench.services.changes import NOTHING, Changes, StageMove
from workbench.store.leads import LeadRecord, StageChangeRecord, Store

if TYPE_CHECKING:
    from workbench.services.scoring import RescoreReport

# Behaviour strong enough to bring a recycled lead back to the queue before its date
STRONG_INTENT = frozenset({ActivityKind.DEMO_REQUEST, ActivityKind.PRICING_REQUEST})


def move_lead(store: Store, lead_id: int, to_stage: Stage | str, *, by: int | None = None,
              reason_code: str | None = None, note: str | None = None,
              revisit_on: date | None = None, assign_to: int | None = None,
              at: datetime | None = None) -> StageMove:
    """Any stage move the stage machine allows, by someone the lead's ownership allows;
    becoming an SQL also needs the team's BANT rule to hold. An MQL accepted from the pool
    becomes the acting rep's."""
    lead = store.lead(lead_id)
    actor, owner = store.person(by), store.person(lead.owner_id)
    ownership.check_lead_change(actor, lead.name, owner)
    check_unwritten(lead.name, lead.erased_at, note)
    if Stage(to_stage) == Stage.SAL and lead.stage == Stage.MQL and assign_to is None:
        assign_to = ownership.new_owner_on_accept(actor, owner)
    if Stage(to_stage) == Stage.SQL:
        result = evaluate({item: status for item, (status, _note)
                           in store.bant(lead_id).items()}, store.current_criteria().sql_rule)
        if not result.qualified:
            raise NotQualified(
                f"{lead.name} is not sales qualified yet: {result.explain()}.")
    return _after_move(store, lead, by, store.move_lead(
        lead_id, to_stage, by=by, reason_code=reason_code, note=note, revisit_on=revisit_on,
        assign_to=assign_to, at=at))


def undo_move(store: Store, move: StageMove, *, by: int | None = None) -> StageMove:
    """Reverse a move (see Store.undo_move), with what the move itself set off."""
    before = move.before
    ownership.check_lead_change(store.person(by), before.name, store.person(before.owner_id))
    lead = store.lead(before.id)
    return _after_move(store, lead, by, store.undo_move(move.change.id, before, by=by),
                       restores=True)


def _after_move(store: Store, lead: LeadRecord, by: int | None, change: StageChangeRecord,
                restores: bool = False) -> StageMove:
    """What the move left, for the views; and a lead that became a customer (or stopped
    being one) changes how its company's other leads fit (the account_status fit field):
    they are rescored."""
    if (change.from_stage in ACCOUNT_STAGES) != (change.to_stage in ACCOUNT_STAGES):
        from workbench.services import scoring  # NumPy: loaded when scoring is first needed

        scoring.rescore(store, store.current_criteria(),
                        lead_ids=store.colleague_ids(change.lead_id), promote=False)
    cutoff = overdue_cutoff(change.changed_at, store.current_criteria().sla_hours)
    return StageMove(change, lead,
                     was_overdue=(lead.stage == Stage.MQL
                                  and is_overdue(lead.mql_at, lead.first_touch_at, cutoff)),
                     left_queue=ownership.in_queue(lead.stage, lead.owner_id, by),
                     restores=restores)


def accept(store: Store, lead_id: int, *, by: int | None = None) -> StageMove:
    """An MQL becomes accepted by sales (SAL), from the pool owned by the rep who accepts
    it; an accepted lead becomes sales qualified (SQL) when its BANT checklist meets the
    rule."""
    return move_lead(store, lead_id, accepted_stage(store.lead(lead_id)), by=by)


def accepted_stage(lead: LeadRecord) -> Stage:
    """The stage accepting the lead moves it to; refused for a lead not waiting on sales."""
    if lead.stage == Stage.MQL:
        return Stage.SAL
    if lead.stage == Stage.SAL:
        return Stage.SQL
    raise Refused(f"Only an MQL or an accepted lead (SAL) can be accepted; "
                  f"{lead.name} is {lead.stage.label}.")


def reject(store: Store, lead_id: int, reason_code: str | None, *, note: str | None = None,
           by: int | None = None) -> StageMove:
    """Back to marketing as disqualified, with the reason marketing learns from."""
    return move_lead(store, lead_id, Stage.DISQUALIFIED, by=by, reason_code=reason_code,
                     note=note)


def recycle(store: Store, lead_id: int, reason_code: str | None, *,
            until: date | None = None, note: str | None = None, by: int | None = None,
            today: date | None = None) -> StageMove:
    """Not now: back to nurturing until a date (by default the criteria's recycle days)."""
    return move_lead(store, lead_id, Stage.RECYCLED, by=by, reason_code=reason_code,
                     note=note, revisit_on=recycle_until(store, until, today))


def recycle_until(store: Store, until: date | None, today: date | None = None) -> date:
    """The date a recycled lead comes back: the one given, after today, or by default in
    the criteria's recycle days."""
    today = today or local_today()
    until = until or today + timedelta(days=store.current_criteria().recycle_days)
    if until <= today:
        raise BadInput(f"The date to look again must be after today ({today}), "
                       f"not {until}.")
    return until


def return_recycled(store: Store, today: date | None = None) -> list[int]:
    """Recycled leads whose date has come go back to the queue as MQLs, and to their reps
    by the routing rules."""
    returned = store.return_due_recycled(today or local_today(), utcnow())
    if returned:
        routing.route_new_mqls(store, returned)
    return returned


def add_note(store: Store, lead_id: int, text: str, *, by: int | None = None) -> Changes:
    """A note on the lead's timeline (refused when it has no text, or names an erased
    person)."""
    lead = store.lead(lead_id)
    check_unwritten(lead.name, lead.erased_at, text)
    store.add_note(lead_id, text, by=by)
    return Changes(details=frozenset({lead_id}))


def set_bant(store: Store, lead_id: int, item: str, status: BantStatus | str,
             note: str | None = None, *, by: int | None = None) -> Changes:
    """Set one BANT item with its evidence, recorded in the lead's activity; an item set
    to what it already is records nothing (and changes nothing)."""
    lead = store.lead(lead_id)
    ownership.check_lead_change(store.person(by), lead.name, store.person(lead.owner_id))
    check_unwritten(lead.name, lead.erased_at, note)
    if (BantStatus(status).value, note) == store.bant(lead_id).get(item):
        return NOTHING
    store.set_bant(lead_id, item, status, note, by=by)
    return Changes(details=frozenset({lead_id}))


def save_criteria(store: Store, criteria: Criteria, *, by: int | None = None,
                  note: str | None = None) -> Criteria:
    """A new version of the team's criteria, saved by a manager (when who acts is known).
    Scores follow it at the next bring_scores_up_to_date; when it scores as the version
    the stored scores were made by, they stand as they are."""
    ownership.check_criteria_change(store.person(by))
    before = store.current_criteria()
    saved = store.save_criteria(criteria, author=by, note=note)
    as_of, version = store.scores_state()
    if version == before.version and not saved.scores_differently(before):
        store.date_scores(as_of, saved.version)
    return saved


def record_activity(store: Store, lead_id: int, kind: ActivityKind | str, *,
                    by: int | None = None, note: str | None = None, url: str | None = None,
                    page_kind: str | None = None, at: datetime | None = None
                    ) -> RescoreReport:
    """Record what a lead did and rescore it at once; crossing the MQL threshold makes
    the lead an MQL, and strong intent brings a recycled lead back before its date."""
    from workbench.services import scoring  # NumPy: loaded when scoring is first needed

    kind = ActivityKind(kind)
    store.add_activity(lead_id, kind, by=by, note=note, url=url, page_kind=page_kind, at=at)
    return_on_intent(store, [lead_id])
    return scoring.rescore(store, store.current_criteria(), lead_ids=[lead_id])


def return_on_intent(store: Store, lead_ids: list[int]) -> list[int]:
    """Recycled leads among these that asked for a demo or pricing since they were recycled
    come back to the queue before their date, each with a StageChange saying why."""
    returned = []
    for lead_id, kind in store.recycled_with_intent(
            lead_ids, [k.value for k in STRONG_INTENT]):
        store.move_lead(lead_id, Stage.MQL, reason_code="intent",
                        note=f"Back in the queue early: {kind.replace('_', ' ')}.")
        returned.append(lead_id)
    if returned:
        routing.route_new_mqls(store, returned)
    return returned
