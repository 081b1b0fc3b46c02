"""The store's side of the rep's follow-up: next steps, and the leads of a rep's Today.
Mixed into the Store."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from workbench.rules.followup import OPEN_STAGES, TodayItem, TodayReason
from workbench.rules.lead_names import display_name
from workbench.rules.refusals import NotFound
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import SLA_TOUCHES
from workbench.store import db

_OPEN = ", ".join(sorted(f"'{stage.value}'" for stage in OPEN_STAGES))
_TOUCHES = ", ".join(sorted(f"'{kind.value}'" for kind in SLA_TOUCHES))
_ITEM = ("SELECT l.id, l.first_name, l.last_name, l.email, l.external_id, c.name, l.stage, "
         "{kind}, {due}, {note} FROM leads l LEFT JOIN companies c ON c.id = l.company_id ")
# whose: a rep's own leads, or (no rep) the unassigned ones
_MINE = "l.owner_id = :me"
_NOBODYS = "l.owner_id IS NULL"
_QUEUE = f"({_MINE} OR {_NOBODYS})"  # as store.leads.queue_clause


class FollowUpQueries:
    """Mixed into the Store."""

    engine: Engine

    def set_next_step(self, lead_id: int, kind: str | None, due: datetime | None,
                      note: str | None, at: datetime) -> None:
        """Plan the lead's next step (kind None: none planned), replacing the one before."""
        with db.write_connection(self.engine) as conn:
            found = conn.connection.driver_connection.execute(
                "UPDATE leads SET next_step_kind = ?, next_step_due = ?, next_step_note = ?, "
                "updated_at = ? WHERE id = ?",
                (kind, due and db.sql_time(due), note, db.sql_time(at), lead_id)).rowcount
        if not found:
            raise NotFound(f"There is no lead with id {lead_id}.")

    def today(self, me: int | None, day_end: datetime, sla_hours: float,
              limit: int = 200) -> list[TodayItem]:
        """A rep's Today (None: the unassigned leads'), unordered: the open leads of their
        queue (theirs and the pool) whose next step is due before the end of the day, its
        MQLs whose follow-up SLA falls due by then untouched, and their own open leads
        touched with no next step planned since. At most `limit` of each."""
        whose = _MINE if me is not None else _NOBODYS
        params = {"me": me, "end": db.sql_time(day_end), "limit": limit,
                  "sla_end": db.sql_time(day_end - timedelta(hours=sla_hours))}
        step = _ITEM.format(kind="l.next_step_kind", due="l.next_step_due",
                            note="l.next_step_note")
        sla = _ITEM.format(kind="NULL", due="l.mql_at", note="NULL")
        # each owner's untouched MQLs by MQL time, up to the limit (ix_leads_untouched_mql)
        untouched = ("SELECT id, mql_at FROM leads WHERE {whose} AND stage = 'mql' AND "
                     "first_touch_at IS NULL AND mql_at < :sla_end ORDER BY mql_at "
                     "LIMIT :limit")
        owners = [_MINE, _NOBODYS] if me is not None else [_NOBODYS]
        due = " UNION ALL ".join(f"SELECT * FROM ({untouched.format(whose=w)})"
                                 for w in (o.removeprefix("l.") for o in owners))
        bare = _ITEM.format(kind="NULL", due="NULL", note="NULL")
        queue = _QUEUE if me is not None else _NOBODYS
        with db.read_connection(self.engine) as raw:
            steps = raw.execute(
                f"{step} WHERE {queue} AND l.next_step_due < :end AND l.stage IN ({_OPEN}) "
                "ORDER BY l.next_step_due LIMIT :limit", params).fetchall()
            slas = raw.execute(
                f"{sla} JOIN ({due}) d ON d.id = l.id ORDER BY d.mql_at LIMIT :limit",
                params).fetchall()
            # the pool has nobody to plan its steps: only a rep's own leads are flagged
            bares = [] if me is None else raw.execute(
                f"{bare} WHERE {whose} AND l.stage IN ({_OPEN}) AND l.next_step_due IS NULL "
                "AND EXISTS (SELECT 1 FROM activities a WHERE a.lead_id = l.id AND "
                f"a.kind IN ({_TOUCHES})) ORDER BY l.last_activity_at DESC LIMIT :limit",
                params).fetchall()
        hours = timedelta(hours=sla_hours)
        return ([_item(row, TodayReason.NEXT_STEP) for row in steps]
                + [_item(row, TodayReason.SLA, hours) for row in slas]
                + [_item(row, TodayReason.NO_NEXT_STEP) for row in bares])

    def next_steps_falling_due(self, me: int | None, after: datetime,
                               until: datetime) -> list[TodayItem]:
        """The open leads of a rep's queue (theirs and the pool; None: the pool) whose next
        step falls due in (after, until]: what a reminder announces."""
        whose = _QUEUE if me is not None else _NOBODYS
        step = _ITEM.format(kind="l.next_step_kind", due="l.next_step_due",
                            note="l.next_step_note")
        with db.read_connection(self.engine) as raw:
            rows = raw.execute(
                f"{step} WHERE {whose} AND l.next_step_due > :after AND "
                f"l.next_step_due <= :until AND l.stage IN ({_OPEN}) ORDER BY l.next_step_due",
                {"me": me, "after": db.sql_time(after), "until": db.sql_time(until)}
            ).fetchall()
        return [_item(row, TodayReason.NEXT_STEP) for row in rows]


def _item(row: tuple, reason: TodayReason, sla: timedelta | None = None) -> TodayItem:
    lead_id, first, last, email, external_id, company, stage, kind, due, note = row
    due = db.read_time(due)
    if sla is not None and due is not None:
        due += sla  # an MQL's SLA falls due its hours after it became one
    return TodayItem(lead_id, display_name(first, last, email, external_id), company,
                     Stage(stage), reason, kind, due, note)
