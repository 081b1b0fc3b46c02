"""The follow-up SLA: hours a rep has to first touch a lead once it becomes an MQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_SLA_HOURS = 24


@dataclass(frozen=True, slots=True)
class SlaState:
    due_at: datetime
    touched: bool
    # time left before due_at; negative once overdue
    remaining: timedelta

    @property
    def overdue(self) -> bool:
        return not self.touched and self.remaining < timedelta(0)


def sla_state(mql_at: datetime | None, first_touch_at: datetime | None, now: datetime,
              hours: float = DEFAULT_SLA_HOURS) -> SlaState | None:
    """The SLA of an MQL, or None when the lead has no MQL moment."""
    if mql_at is None:
        return None
    due_at = mql_at + timedelta(hours=hours)
    return SlaState(due_at=due_at, touched=first_touch_at is not None, remaining=due_at - now)


def overdue_cutoff(now: datetime, hours: float = DEFAULT_SLA_HOURS) -> datetime:
    """MQLs that became MQL before this moment and are still untouched are overdue."""
    return now - timedelta(hours=hours)
