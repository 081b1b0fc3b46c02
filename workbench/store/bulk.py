"""The store's side of acting on many leads at once: each lead checked, then one transaction
of set-based statements (a bulk reject of 500 is two statements, not 500 transactions), all
or nothing. Mixed into the Store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from workbench.rules.lead_names import display_name
from workbench.rules.ownership import Person
from workbench.rules.refusals import NotFound, Refused
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind
from workbench.store import db

# the lead's columns a LeadRecord holds, in its order
LEAD_COLUMNS = ("id", "first_name", "last_name", "email", "job_title", "company_id", "source",
                "campaign", "owner_id", "stage", "score", "created_at", "stage_entered_at",
                "mql_at", "revisit_on", "first_touch_at", "external_id", "country",
                "next_step_kind", "next_step_due", "next_step_note", "erased_at",
                "do_not_contact")
_TIMES = {"created_at", "stage_entered_at", "mql_at", "first_touch_at", "next_step_due",
          "erased_at"}


@dataclass(frozen=True, slots=True)
class Refusals:
    """Why each refused lead of a bulk action is refused: (lead id, its name, why)."""

    lines: list[tuple[int, str, Refused]]

    def raise_if_any(self, verb: str, total: int) -> None:
        """One line per refused lead; one lead alone is refused as a move of one is."""
        if total == 1 and self.lines:  # as it was raised (NotAllowed, NotFound…)
            raise self.lines[0][2]
        if self.lines:
            raise Refused(
                f"{len(self.lines)} of {total} leads cannot be {verb}; nothing was changed:\n"
                + "\n".join(f"  #{lead_id}{' ' + name if name else ''}: {why}"
                             for lead_id, name, why in self.lines))


def _value(name: str, value):
    if value is None:
        return None
    if name in _TIMES:
        return datetime.fromisoformat(value)
    if name == "revisit_on":
        return date.fromisoformat(value)
    if name == "stage":
        return Stage(value)
    if name == "do_not_contact":
        return bool(value)
    return value


def _ids(lead_ids: Sequence[int]) -> str:
    return json.dumps(list(lead_ids))


class BulkQueries:
    """Mixed into the Store."""

    engine: Engine

    def lead_rows(self, lead_ids: Sequence[int]) -> dict[int, dict]:
        """The named leads' columns (LEAD_COLUMNS) by id, read in one statement; an id
        with no lead is left out."""
        with self.engine.connect() as conn:
            rows = conn.connection.driver_connection.execute(
                f"SELECT {', '.join(LEAD_COLUMNS)} FROM leads WHERE id IN "
                "(SELECT value FROM json_each(?))", (_ids(lead_ids),)).fetchall()
        return {row[0]: {name: _value(name, v) for name, v in zip(LEAD_COLUMNS, row,
                                                                    strict=True)}
                for row in rows}

    def people_by_id(self) -> dict[int, Person]:
        with self.engine.connect() as conn:
            return {row[0]: Person(*row) for row in conn.connection.driver_connection.execute(
                "SELECT id, name, role FROM users")}

    def check_each(self, lead_ids: Sequence[int], check: Callable[[dict], None]
                   ) -> tuple[dict[int, dict], Refusals]:
        """Each lead's row, and why each lead the check refuses (or that does not exist) is
        refused."""
        rows = self.lead_rows(lead_ids)
        lines = []
        for lead_id in dict.fromkeys(lead_ids):
            row = rows.get(lead_id)
            if row is None:
                lines.append((lead_id, "", NotFound(f"There is no lead with id {lead_id}.")))
                continue
            try:
                check(row)
            except Refused as refused:
                name = display_name(row["first_name"], row["last_name"], row["email"],
                                    row["external_id"])
                lines.append((lead_id, name, refused))
        return rows, Refusals(lines)

    def move_many(self, lead_ids: Sequence[int], to_stage: Stage, *, by: int | None,
                  reason_code: str | None, note: str | None, revisit_on: date | None,
                  at: datetime) -> list[tuple[int, int]]:
        """Move these leads (checked already) to a stage in one transaction: a StageChange
        each and the leads' stage; returns (lead id, its change's id) in lead order."""
        stamp, ids = db.sql_time(at), _ids(sorted(set(lead_ids)))
        with db.write_connection(self.engine) as conn:
            raw: sqlite3.Connection = conn.connection.driver_connection
            after = raw.execute("SELECT coalesce(max(id), 0) FROM stage_changes").fetchone()[0]
            raw.execute(
                "INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, user_id, "
                "reason_code, note) SELECT id, stage, ?, ?, ?, ?, ? FROM leads WHERE id IN "
                "(SELECT value FROM json_each(?)) ORDER BY id",
                (to_stage.value, stamp, by, reason_code, note, ids))
            to_mql = to_stage == Stage.MQL
            raw.execute(
                "UPDATE leads SET stage = ?, stage_entered_at = ?, updated_at = ?, "
                "revisit_on = ?, mql_at = CASE WHEN ? THEN ? ELSE mql_at END, "
                "first_touch_at = CASE WHEN ? THEN NULL ELSE first_touch_at END "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (to_stage.value, stamp, stamp,
                 revisit_on.isoformat() if revisit_on and to_stage == Stage.RECYCLED else None,
                 to_mql, stamp, to_mql, ids))
            return raw.execute("SELECT lead_id, id FROM stage_changes WHERE id > ? "
                               "ORDER BY lead_id", (after,)).fetchall()

    def assign_many(self, notes: dict[int, str], to: int, *, by: int | None,
                    at: datetime) -> None:
        """Give these leads (checked already) to a person in one transaction, each with an
        activity in its history saying from whom, by whom and why (`notes`, by lead)."""
        stamp = db.sql_time(at)
        with db.write_connection(self.engine) as conn:
            raw: sqlite3.Connection = conn.connection.driver_connection
            raw.execute("UPDATE leads SET owner_id = ?, updated_at = ? WHERE id IN "
                        "(SELECT value FROM json_each(?))", (to, stamp, _ids(sorted(notes))))
            raw.executemany(
                "INSERT INTO activities (lead_id, occurred_at, kind, user_id, note) "
                "VALUES (?, ?, ?, ?, ?)",
                [(lead_id, stamp, ActivityKind.ASSIGNED.value, by, note)
                 for lead_id, note in sorted(notes.items())])
