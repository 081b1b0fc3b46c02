"""The rep's follow-up, as the window and the CLI do it: log a touch with its outcome, plan
the next step, and the day's list of what is due (Today)."""

from __future__ import annotations

from datetime import datetime

from workbench.clock import next_day_start, utcnow
from workbench.rules import ownership
from workbench.rules.followup import (
    TodayItem,
    check_next_step,
    check_touch,
    today_order,
    touch_kind,
)
from workbench.services.changes import Changes
from workbench.store.leads import Store


def log_touch(store: Store, lead_id: int, kind: str, outcome: str, *,
              note: str | None = None, at: datetime | None = None,
              by: int | None = None) -> Changes:
    """A call, an email or a meeting with the lead, and how it went. The first touch since
    the lead became an MQL answers its follow-up SLA (whatever the outcome): the overdue
    counts change, so every list is read again then; otherwise only the lead's details."""
    now = utcnow()
    at = at or now
    touch = touch_kind(kind)
    result = check_touch(touch, outcome, at, now)
    lead = store.lead(lead_id)
    ownership.check_lead_change(store.person(by), lead.name, store.person(lead.owner_id))
    store.add_activity(lead_id, touch.activity, by=by, note=(note or "").strip() or None,
                       at=at, outcome=result.value)
    answered_sla = lead.first_touch_at is None and store.lead(lead_id).first_touch_at is not None
    return Changes(details=frozenset({lead_id}), leads=answered_sla)


def plan_next_step(store: Store, lead_id: int, kind: str, due: datetime, *,
                   note: str | None = None, by: int | None = None) -> Changes:
    """The lead's next step, replacing the one planned before; a due date in the past is
    allowed (it shows overdue at once)."""
    touch = touch_kind(kind)
    lead = store.lead(lead_id)
    ownership.check_lead_change(store.person(by), lead.name, store.person(lead.owner_id))
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
