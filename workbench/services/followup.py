"""The rep's follow-up, as the window and the CLI do it: log a touch with its outcome, plan
the next step, and the day's list of what is due (Today)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from workbench.clock import next_day_start, utcnow
from workbench.rules import ownership
from workbench.rules.erasure import check_unwritten
from workbench.rules.followup import (
    TodayItem,
    check_next_step,
    check_touch,
    today_order,
    touch_kind,
)
from workbench.rules.lead_names import display_name
from workbench.rules.refusals import BadInput, NotFound
from workbench.rules.rotting import stale_cutoffs
from workbench.services.changes import Changes
from workbench.store.leads import BoardFilter, CardRecord, OwnerFilter, Store


def log_touch(store: Store, lead_id: int, kind: str, outcome: str, *,
              note: str | None = None, at: datetime | None = None,
              by: int | None = None) -> Changes:
    """A call, an email or a meeting with the lead, and how it went (log_touches)."""
    return log_touches(store, [lead_id], kind, outcome, note=note, at=at, by=by)


def log_touches(store: Store, lead_ids: Sequence[int], kind: str, outcome: str, *,
                note: str | None = None, at: datetime | None = None,
                by: int | None = None) -> Changes:
    """The same touch with each of these leads (a call to a list, one email to several), and
    how it went: with all of them or none, one line per refused lead. The first touch since
    a lead became an MQL answers its follow-up SLA (whatever the outcome): the overdue
    counts change, so every list is read again then; otherwise only the leads' details.
    A touch has no undo: it happened (a wrong one is corrected by a note)."""
    now = utcnow()
    at = at or now
    touch = touch_kind(kind)
    result = check_touch(touch, outcome, at, now)
    if not lead_ids:
        raise BadInput("Name at least one lead.")
    people = store.people_by_id()
    if by is not None and by not in people:
        raise NotFound(f"There is no user with id {by}.")

    def check(row: dict) -> None:
        name = display_name(row["first_name"], row["last_name"], row["email"], row["external_id"])
        ownership.check_lead_change(people.get(by), name, people.get(row["owner_id"]))
        check_unwritten(name, row["erased_at"], note)

    rows, refusals = store.check_each(lead_ids, check)
    refusals.raise_if_any("given this touch", len(set(lead_ids)))
    store.add_touches(list(rows), touch.activity, by=by, note=(note or "").strip() or None,
                      at=at, outcome=result.value)
    untouched = {i for i, row in rows.items() if row["first_touch_at"] is None}
    answered = any(row["first_touch_at"] is not None
                   for row in store.lead_rows(sorted(untouched)).values())
    return Changes(details=frozenset(rows), leads=answered)


def plan_next_step(store: Store, lead_id: int, kind: str, due: datetime, *,
                   note: str | None = None, by: int | None = None) -> Changes:
    """The lead's next step, replacing the one planned before; a due date in the past is
    allowed (it shows overdue at once)."""
    touch = touch_kind(kind)
    lead = store.lead(lead_id)
    ownership.check_lead_change(store.person(by), lead.name, store.person(lead.owner_id))
    check_unwritten(lead.name, lead.erased_at, note)
    check_next_step(lead.stage, lead.name)
    store.set_next_step(lead_id, touch.value, due, (note or "").strip() or None, utcnow())
    return Changes(details=frozenset({lead_id}))


def today(store: Store, me: int | None, now: datetime | None = None,
          limit: int = 200) -> list[TodayItem]:
    """What a rep has to do today, in the order to do it (rules.followup.today_order): next
    steps due today or overdue, MQLs whose follow-up SLA falls due today untouched, then
    the leads touched with no next step planned."""
    end = next_day_start(now or utcnow())
    return today_order(store.today(me, end, store.current_criteria().sla_hours, limit))


def stale(store: Store, me: int | None, now: datetime | None = None,
          limit: int = 500) -> list[CardRecord]:
    """A rep's open leads (None: the pool's) nobody has touched for the days their stage
    allows (the criteria's rotting), longest in their stage first."""
    cutoffs = stale_cutoffs(store.current_criteria().rotting, now or utcnow())
    owner = OwnerFilter.MINE if me is not None else OwnerFilter.UNASSIGNED
    return store.stale_cards(BoardFilter(owner=owner, me=me, stale_cutoffs=cutoffs), limit)
