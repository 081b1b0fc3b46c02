"""The store's report queries: they read the handovers table, which triggers derive from
the stage history (one row per MQL handed to sales and what sales did with it)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from workbench.store.db import sql_time

if TYPE_CHECKING:
    import sqlite3


class Slice(StrEnum):
    """What a report's rows are: one per source, campaign, rep, week or month."""

    SOURCE = "source"
    CAMPAIGN = "campaign"
    REP = "rep"
    WEEK = "week"
    MONTH = "month"


# the handovers column (or expression) each slice groups by; the rep of a handover is
# who decided it, or its lead's owner while it waits
_SLICE_SQL = {Slice.SOURCE: "source", Slice.CAMPAIGN: "campaign",
              Slice.REP: "coalesce(decided_by, owner_id)", Slice.WEEK: "week",
              Slice.MONTH: "month"}


class Measure(StrEnum):
    """A figure of a report row whose leads can be listed."""

    MQLS = "mqls"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RECYCLED = "recycled"
    PENDING = "pending"
    SQL = "sql"
    CUSTOMERS = "customers"


_MEASURE_SQL = {Measure.MQLS: "1", Measure.ACCEPTED: "outcome = 'sal'",
                Measure.REJECTED: "outcome = 'disqualified'",
                Measure.RECYCLED: "outcome = 'recycled'", Measure.PENDING: "outcome IS NULL",
                Measure.SQL: "furthest >= 2", Measure.CUSTOMERS: "furthest >= 4"}


@dataclass(frozen=True)
class HandoverWindow:
    """Which handovers a report covers: handed over in [start, end), and only one rep's."""

    start: datetime | None = None
    end: datetime | None = None
    rep: int | None = None

    def where(self, by: Slice | None = None, key: object = None) -> tuple[str, dict]:
        """SQL conditions and parameters; with `by`, only the handovers of that key."""
        clauses, params = ["1"], {}
        if self.start is not None:
            clauses.append("handed_at >= :start")
            params["start"] = sql_time(self.start)
        if self.end is not None:
            clauses.append("handed_at < :end")
            params["end"] = sql_time(self.end)
        if self.rep is not None:
            clauses.append(f"{_SLICE_SQL[Slice.REP]} = :rep")
            params["rep"] = self.rep
        if by is not None:
            clauses.append(f"{_SLICE_SQL[by]} IS :key")
            params["key"] = key
        return " AND ".join(clauses), params


def groups_sql(by: Slice, window: HandoverWindow, sla_hours: float,
               now: datetime) -> tuple[str, dict]:
    where, params = window.where()
    return (f"SELECT {_SLICE_SQL[by]}, outcome, reason_code, furthest, "
            "CASE WHEN response_hours <= :sla THEN 1 WHEN response_hours IS NOT NULL "
            "OR julianday(handed_at) + :sla / 24.0 <= julianday(:due) THEN 0 END, count(*) "
            f"FROM handovers NOT INDEXED WHERE {where} GROUP BY 1, 2, 3, 4, 5",
            params | {"sla": sla_hours, "due": sql_time(now)})


def response_hours_sql(by: Slice, window: HandoverWindow) -> tuple[str, dict]:
    where, params = window.where()
    return (f"SELECT {_SLICE_SQL[by]}, response_hours FROM handovers NOT INDEXED "
            f"WHERE {where} AND response_hours IS NOT NULL", params)


class ReportQueries:
    """Mixed into the Store. Every query scans the narrow handovers table: a full scan is
    cheaper than walking an index over most of it, and a report usually covers most."""

    engine: Engine

    @contextmanager
    def _raw_reader(self) -> Iterator[sqlite3.Connection]:
        """A pooled connection of its own, so that two report queries can run at once."""
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            raw.execute("BEGIN")
            try:
                yield raw
            finally:
                raw.execute("ROLLBACK")

    def handover_groups(self, by: Slice, window: HandoverWindow, sla_hours: float,
                        now: datetime) -> list[tuple]:
        """Counts of handovers by (key, decision stage, reason, furthest stage, SLA state),
        SLA state 1 met, 0 missed, None not due yet (no response, still within the SLA)."""
        with self._raw_reader() as raw:
            return raw.execute(*groups_sql(by, window, sla_hours, now)).fetchall()

    def response_hours(self, by: Slice, window: HandoverWindow) -> Iterator[tuple]:
        """(key, hours to the first response) of every answered handover, as read: a
        million-lead report need not hold them all as Python objects."""
        with self._raw_reader() as raw:
            yield from raw.execute(*response_hours_sql(by, window))

    def handover_lead_ids(self, by: Slice | None, key: object, measure: Measure,
                          window: HandoverWindow, limit: int) -> list[int]:
        """The leads behind one figure of a report (of one key, or with `by` None of all),
        newest handover first."""
        where, params = window.where(by, key)
        sql = (f"SELECT lead_id FROM handovers NOT INDEXED WHERE {where} "
               f"AND {_MEASURE_SQL[measure]} GROUP BY lead_id ORDER BY max(handed_at) DESC "
               "LIMIT :limit")
        with self._raw_reader() as raw:
            return [row[0] for row in raw.execute(sql, params | {"limit": limit})]
