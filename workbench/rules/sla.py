"""The follow-up SLA: hours a rep has to first touch a lead once it becomes an MQL.

`is_overdue` is the one overdue test. The store counts and filters overdue MQLs in SQL
with the same test (store.leads.overdue_clause: first_touch_at IS NULL AND mql_at <
cutoff); tests/store/test_board_queries.py checks that the two agree at the boundary.
"""

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
    overdue: bool


def sla_state(mql_at: datetime | None, first_touch_at: datetime | None, now: datetime,
              hours: float = DEFAULT_SLA_HOURS) -> SlaState | None:
    """The SLA of an MQL, or None when the lead has no MQL moment."""
    if mql_at is None:
        return None
    due_at = mql_at + timedelta(hours=hours)
    return SlaState(due_at=due_at, touched=first_touch_at is not None, remaining=due_at - now,
                    overdue=is_overdue(mql_at, first_touch_at, overdue_cutoff(now, hours)))


def overdue_cutoff(now: datetime, hours: float = DEFAULT_SLA_HOURS) -> datetime:
    """MQLs that became MQL before this moment and are still untouched are overdue."""
    return now - timedelta(hours=hours)


def is_overdue(mql_at: datetime | None, first_touch_at: datetime | None,
               cutoff: datetime) -> bool:
    """Whether an MQL is overdue: nobody has touched it, and it became an MQL before the
    cutoff (overdue_cutoff)."""
    return first_touch_at is None and mql_at is not None and mql_at < cutoff
