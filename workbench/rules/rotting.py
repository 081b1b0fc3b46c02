"""Rotting (Pipedrive's word): an open lead nobody has touched for the days its stage allows
is stale, marked on its card and listed by "Stale only". The MQL's follow-up SLA (rules.sla)
is the rule for a new MQL; rotting is for the leads being worked after it.

`is_stale` is the one stale test. The store filters stale leads in SQL with the same test
(store.leads.stale_clause: stage_entered_at < cutoff and no touch at or after it);
tests/store/test_rotting.py holds the two together at the cutoff.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workbench.rules.stages import Stage


@dataclass(frozen=True, slots=True)
class Rotting:
    """Days without a touch after which a lead of each open stage is stale; 0: never (an
    MQL has its follow-up SLA instead, unless a team wants both)."""

    mql: int = 0
    sal: int = 14
    sql: int = 21
    opportunity: int = 30

    def days(self, stage: Stage) -> int:
        return getattr(self, stage.value) if stage.value in ROTTING_STAGES else 0


ROTTING_STAGES = ("mql", "sal", "sql", "opportunity")  # the open stages, Rotting's fields


def stale_cutoffs(rotting: Rotting, now: datetime) -> tuple[tuple[Stage, datetime], ...]:
    """For each stage that rots, the moment before which the last touch (or the lead's
    entry into the stage) makes the lead stale."""
    return tuple((Stage(name), now - timedelta(days=days)) for name in ROTTING_STAGES
                 if (days := getattr(rotting, name)))


def is_stale(stage: Stage, stage_entered_at: datetime, last_touch_at: datetime | None,
             cutoff: datetime | None) -> bool:
    """Whether a lead is stale: it entered its stage before the cutoff of that stage
    (stale_cutoffs; None: the stage never rots) and has no touch since the cutoff."""
    if cutoff is None:
        return False
    last = max(filter(None, (stage_entered_at, last_touch_at)))
    return last < cutoff


def stale_since(stage: Stage, stage_entered_at: datetime, last_touch_at: datetime | None,
                rotting: Rotting, now: datetime) -> datetime | None:
    """When a stale lead went stale, None if it is not (the card says for how long)."""
    cutoff = dict(stale_cutoffs(rotting, now)).get(stage)
    if not is_stale(stage, stage_entered_at, last_touch_at, cutoff):
        return None
    last = max(filter(None, (stage_entered_at, last_touch_at)))
    return last + timedelta(days=rotting.days(stage))
