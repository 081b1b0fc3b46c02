"""The rep's follow-up, as the window and the CLI do it: log a touch with its outcome."""

from __future__ import annotations

from datetime import datetime

from workbench.clock import utcnow
from workbench.rules import ownership
from workbench.rules.followup import check_touch, touch_kind
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
