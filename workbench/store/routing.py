"""The store's side of routing: the pool's new MQLs with their territory, the reps' open
MQLs, and writing where the routed leads went. Mixed into the Store."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from itertools import chain

from sqlalchemy import Engine

from workbench.rules.vocabulary import ActivityKind
from workbench.store import db
from workbench.store.derived import (
    STAGE_TOTALS_TRIGGERS,
    drop_triggers,
    import_cache,
    restore_triggers,
)
from workbench.store.sync import tick

ROUTE_BATCH = 5000  # leads per INSERT of the routed (three values each, under SQLite's 32,766)
_TERRITORY = ("SELECT l.id, coalesce(c.country, l.country), c.industry, c.employee_band "
              "FROM leads l "
              "LEFT JOIN companies c ON c.id = l.company_id WHERE ")
# a lead not to be contacted is routed to nobody (rules.erasure)
_IN_POOL = "l.stage = 'mql' AND l.owner_id IS NULL AND l.do_not_contact = 0"


class RoutingQueries:
    """Mixed into the Store."""

    engine: Engine

    def pool_mqls(self, lead_ids: Sequence[int] | None = None
                  ) -> list[tuple[int, str | None, str | None, str | None]]:
        """(id, country, industry, employee band) of the MQLs nobody owns, among these leads
        (None: all of them), in id order."""
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            if lead_ids is None:
                return raw.execute(f"{_TERRITORY} {_IN_POOL} ORDER BY l.id").fetchall()
            # by id (+ keeps SQLite from reading the whole pool through its index instead)
            return raw.execute(f"{_TERRITORY} l.id IN (SELECT value FROM json_each(?)) AND "
                               + _IN_POOL.replace("l.", "+l.") + " ORDER BY l.id",
                               (json.dumps(list(lead_ids)),)).fetchall()

    def routing_people(self) -> tuple[dict[str, int], set[str], dict[str, int]]:
        """(id by email of everyone, the emails of active people, open MQLs by email)."""
        with self.engine.connect() as conn:
            raw = conn.connection.driver_connection
            people = raw.execute("SELECT id, email, deactivated_at FROM users").fetchall()
            # a count per person: an index range each (ix_leads_owner_stage), not a scan
            load = dict(raw.execute("SELECT u.id, (SELECT count(*) FROM leads l WHERE "
                                    "l.owner_id = u.id AND l.stage = 'mql') FROM users u"
                                    ).fetchall())
        emails = {user_id: email for user_id, email, _gone in people}
        return ({email: user_id for user_id, email, _gone in people},
                {email for _id, email, gone in people if gone is None},
                {emails[user_id]: n for user_id, n in load.items() if user_id in emails})

    def territories(self) -> list[tuple[str | None, str | None, str | None]]:
        """Every (country, industry, employee band) the companies have."""
        with self.engine.connect() as conn:
            return conn.connection.driver_connection.execute(
                "SELECT DISTINCT country, industry, employee_band FROM companies "
                "ORDER BY 1, 2, 3").fetchall()

    def write_routes(self, routes: Sequence[tuple[int, int, str]], at: datetime) -> None:
        """(lead id, owner id, why) for each routed lead, in one transaction: its owner, and
        an activity in its history saying why it is theirs. Only a lead still in the pool
        is given (a rep may have taken it meanwhile). The row triggers are suspended and
        what they would do is done once for all the leads: the handovers' owner, and the
        sync outbox's entries at one clock (50,000 leads routed after an import)."""
        with db.write_connection(self.engine) as conn:
            raw: sqlite3.Connection = conn.connection.driver_connection
            with import_cache(raw):
                stamp = db.sql_time(at)
                write_routes_at(raw, [(*route, stamp) for route in routes])


def write_routes_at(raw: sqlite3.Connection,
                    routes: Sequence[tuple[int, int, str, str]]) -> None:
    """(lead id, owner id, why, SQL time) for each routed lead, as write_routes, on this
    connection inside its transaction."""
    # routing moves no lead and changes no score: the stage totals' triggers stay (they
    # would be counted again, 60 ms at a million leads, after every import that routes)
    triggers = drop_triggers(raw, ("leads", "activities"), sparing=STAGE_TOTALS_TRIGGERS)
    raw.execute("CREATE TEMP TABLE IF NOT EXISTS routed (lead_id INTEGER PRIMARY KEY, "
                "owner_id INTEGER, note TEXT, at TEXT)")
    raw.execute("DELETE FROM temp.routed")
    for start in range(0, len(routes), ROUTE_BATCH):
        batch = routes[start:start + ROUTE_BATCH]
        raw.execute("INSERT INTO temp.routed VALUES "
                    + ",".join(["(?, ?, ?, ?)"] * len(batch)), list(chain.from_iterable(batch)))
    raw.execute("DELETE FROM temp.routed WHERE lead_id IN (SELECT id FROM leads WHERE "
                "id IN (SELECT lead_id FROM temp.routed) AND owner_id IS NOT NULL)")
    # each by id from the routed leads: an UPDATE … FROM reads the whole table
    raw.execute("UPDATE leads SET (owner_id, updated_at) = (SELECT r.owner_id, "
                "max(leads.updated_at, r.at) FROM temp.routed r WHERE r.lead_id = leads.id) "
                "WHERE id IN (SELECT lead_id FROM temp.routed)")
    raw.execute("UPDATE handovers SET owner_id = (SELECT owner_id FROM temp.routed r "
                "WHERE r.lead_id = handovers.lead_id) "
                "WHERE lead_id IN (SELECT lead_id FROM temp.routed)")
    after = raw.execute("SELECT coalesce(max(id), 0) FROM activities").fetchone()[0]
    raw.execute("INSERT INTO activities (lead_id, occurred_at, kind, note) "
                "SELECT lead_id, at, ?, note FROM temp.routed ORDER BY lead_id",
                (ActivityKind.ASSIGNED.value,))
    if raw.execute("SELECT applying FROM sync_state").fetchone()[0] == 0:
        clock = tick(raw)
        raw.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT 'lead', "
                    "lead_id, 'owner', ? FROM temp.routed ORDER BY lead_id", (clock,))
        raw.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT "
                    "'activity', id, '*', ? FROM activities WHERE id > ? ORDER BY id",
                    (clock, after))
    restore_triggers(raw, triggers)
