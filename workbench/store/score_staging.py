"""Storing new scores without holding the write lock for a whole rescore.

A rescore reads and scores without any lock (seconds at a million leads), stages the
scores that changed in a TEMP table of its own connection (TEMP tables take no lock on
the database), then stores them 20,000 at a time in short write transactions (about a
tenth of a second each at a million leads), in lead id order, so a rep's move or note waits
a fraction of a second at most instead of the whole rescore.

Why not one transaction, as before: it held SQLite's write lock for the whole rescore
(10-15 s at a million leads), and every write of the window or another program waited 5 s
and failed. What short transactions cost, and how it is kept whole:
- While the scores are being stored, readers see some leads already rescored and some
  not. Each lead still has one moment its score is as of (score_moments: the leads up to
  the last stored id are as of the new moment), and a lead's explanation and a rescore of
  some leads use that lead's moment, so a score shown is always the score explained.
  Everything else reads the scores as stored; the window refreshes when the rescore ends.
- Scores were computed from reads made before the transaction that stores them: a lead
  changed since the rescore began (an activity, a move of a colleague, an import, a rescore
  of its own) is scored again inside that transaction, from what is stored then. When no
  other connection committed anything since the rescore began (PRAGMA data_version), no
  lead can have changed and nothing is looked for.
- A rescore killed part way leaves every score as of a known moment; the next start sees
  the scores are not as of today and rescores (the leads already stored change no more).
  Promotions to MQL and the new date of every score are written by the last transaction.
- Cancelling is possible until the first scores are stored (storing them all takes a few
  seconds at a million leads); before that nothing has been written.
- The board's score index stays: dropping it and building it again once (quicker for one
  long transaction) would leave readers without it between the short ones.
"""

from __future__ import annotations

import json
import sqlite3
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from itertools import chain
from time import sleep

from sqlalchemy import Engine

from workbench.clock import utcnow
from workbench.rules.stages import ACCOUNT_STAGES, Stage, check_transition
from workbench.store import db
from workbench.store.derived import LAST_ID
from workbench.store.routing import write_routes_at

SCORE_WRITE_BATCH = 2000  # leads per UPDATE (six values each, under SQLite's 32,766)
STORE_BATCH = 20_000  # changed scores per short write transaction (0.1 s at a million leads)
STORE_PAUSE_S = 0.05  # between them: a writer waiting on the lock retries within that
_ACCOUNT_STAGES = ", ".join(sorted(repr(stage.value) for stage in ACCOUNT_STAGES))
# a new score (id, fit, engagement, score, grade, buyer stage), then the score it replaces
StagedRow = tuple


class ScoreWriter:
    """Writes scores inside a write transaction of SQLite's own connection."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self._raw = raw

    def write(self, rows: Sequence[tuple]) -> None:
        """Store (fit, engagement, score, grade, buyer_stage, id) rows, a batch of them per
        statement as a VALUES list: a third quicker than one statement per lead."""
        for start in range(0, len(rows), SCORE_WRITE_BATCH):
            batch = rows[start:start + SCORE_WRITE_BATCH]
            self._raw.execute(
                "UPDATE leads SET fit_score = v.column1, engagement_score = v.column2, "
                "score = v.column3, grade = v.column4, buyer_stage = v.column5 FROM (VALUES "
                f"{','.join(['(?, ?, ?, ?, ?, ?)'] * len(batch))}) AS v "
                "WHERE leads.id = v.column6", list(chain.from_iterable(batch)))

    def date_scores(self, as_of: datetime | None, criteria_version: int | None) -> None:
        """Every stored score is now as of this moment, by these criteria (ScoreState)."""
        self._raw.execute("UPDATE score_state SET scores_as_of = ?, criteria_version = ?",
                          (as_of and db.sql_time(as_of), criteria_version))
        self._raw.execute("DELETE FROM score_moments")

    def promote(self, moments: Mapping[int, datetime], threshold: int) -> list[int]:
        """Move these leads (id: when) from lead to MQL, each with the StageChange that
        says why; a lead no longer in the lead stage, or whose stored score is below the
        threshold, stays. Returns the ids of the leads moved."""
        if not moments:
            return []
        check_transition(Stage.LEAD, Stage.MQL)
        pairs = json.dumps([[lead_id, db.sql_time(at)] for lead_id, at in sorted(moments.items())])
        # +: each lead looked up by its id; through the stage and score index SQLite would
        # read the whole list once per lead at or above the threshold (quadratic: a 1M demo
        # took 4 minutes instead of 1)
        promoted = ("SELECT p.id, p.at FROM (SELECT value ->> 0 AS id, value ->> 1 AS at "
                    "FROM json_each(:pairs)) AS p JOIN leads l ON l.id = p.id "
                    "WHERE +l.stage = 'lead' AND +l.score >= :threshold")
        params = {"pairs": pairs, "threshold": threshold}
        self._raw.execute("CREATE TEMP TABLE promoted (id INTEGER PRIMARY KEY, at TEXT)")
        try:
            self._raw.execute(f"INSERT INTO temp.promoted {promoted}", params)
            self._raw.execute(
                "INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, "
                "reason_code, note) SELECT l.id, 'lead', 'mql', p.at, 'score_threshold', "
                "'Score ' || l.score || ' reached the MQL threshold of ' || :threshold "
                "FROM temp.promoted p JOIN leads l ON l.id = p.id ORDER BY l.id", params)
            self._raw.execute(
                "UPDATE leads SET stage = 'mql', stage_entered_at = p.at, mql_at = p.at, "
                "first_touch_at = NULL, updated_at = max(leads.updated_at, p.at) "
                "FROM temp.promoted p WHERE leads.id = p.id")
            return [i for (i,) in self._raw.execute("SELECT id FROM temp.promoted")]
        finally:
            self._raw.execute("DROP TABLE temp.promoted")

    def route(self, routes: Sequence[tuple[int, int, str, datetime]]) -> None:
        """(lead id, owner id, why, when) for each lead routed as it was promoted: as
        Store.write_routes, each at its own moment."""
        write_routes_at(self._raw, [(lead_id, owner_id, why, db.sql_time(at))
                                    for lead_id, owner_id, why, at in routes])


def moments_of(raw: sqlite3.Connection, lead_ids: Iterable[int]
               ) -> dict[datetime | None, list[int]]:
    """The leads grouped by the moment their stored scores are as of (see ScoreMoment)."""
    (as_of,), = raw.execute("SELECT scores_as_of FROM score_state").fetchall()
    rows = raw.execute("SELECT through_id, as_of FROM score_moments ORDER BY through_id"
                       ).fetchall()
    bounds = [through for through, _ in rows]
    moments = [db.read_time(moment) for _, moment in rows] + [db.read_time(as_of)]
    grouped: dict[datetime | None, list[int]] = {}
    for lead_id in lead_ids:
        grouped.setdefault(moments[bisect_left(bounds, lead_id)], []).append(lead_id)
    return grouped


# Leads of a range changed since the rescore began, so that its staged scores may be out of
# date: touched by a write (updated_at), new, with new activities, at a company where a
# lead became a customer or stopped being one (account_status) or with new intent, or
# whose stored score is no longer the one the rescore read.
_CHANGED_SINCE = f"""
INSERT OR IGNORE INTO temp.rescore_again
SELECT l.id FROM leads l WHERE l.id > :low AND l.id <= :high {{scope}} AND (
    l.updated_at >= :since OR l.id > :last_lead
    OR l.id IN (SELECT lead_id FROM activities WHERE id > :last_activity)
    OR l.company_id IN (SELECT m.company_id FROM stage_changes c
                        JOIN leads m ON m.id = c.lead_id WHERE c.id > :last_change
                        AND (c.from_stage IN ({_ACCOUNT_STAGES})
                             OR c.to_stage IN ({_ACCOUNT_STAGES})))
    OR l.company_id IN (SELECT co.id FROM intent_signals i
                        JOIN companies co ON co.domain = i.company_domain
                        WHERE i.id > :last_intent))
UNION ALL
SELECT s.id FROM temp.staged s JOIN leads l ON l.id = s.id
WHERE s.id > :low AND s.id <= :high AND NOT (
    l.fit_score IS s.old_fit AND l.engagement_score IS s.old_engagement
    AND l.score IS s.old_score AND l.grade IS s.old_grade
    AND l.buyer_stage IS s.old_buyer_stage)
"""
# The staged scores of the leads the condition on s picks. One statement for every batch (a
# VALUES list of a different length each time would be prepared and cached again, megabytes
# each); a row value per lead, 2.4 times quicker than UPDATE ... FROM, which first copies
# the whole join.
_STORE_STAGED = (
    "UPDATE leads SET (fit_score, engagement_score, score, grade, buyer_stage) = "
    "(SELECT s.fit, s.engagement, s.score, s.grade, s.buyer_stage FROM temp.staged s "
    "WHERE s.id = leads.id) WHERE leads.id IN (SELECT s.id FROM temp.staged s WHERE {})")
_MARKS = ("SELECT (SELECT max(id) FROM leads), (SELECT max(id) FROM activities), "
          "(SELECT max(id) FROM stage_changes), (SELECT max(id) FROM intent_signals)")

# (lead ids, their moment) -> (rows as staged, ids ready to become MQLs): scores again
ScoreAgain = Callable[[list[int], datetime | None], Iterator[tuple[list[StagedRow], list[int]]]]


class StagedScores:
    """New scores of one rescore, staged on a connection of its own; see the module."""

    def __init__(self, raw: sqlite3.Connection, engine: Engine,
                 lead_ids: Sequence[int] | None) -> None:
        self._raw, self._engine, self._full = raw, engine, lead_ids is None
        raw.execute("CREATE TEMP TABLE staged (id INTEGER PRIMARY KEY, fit, engagement, "
                    "score, grade, buyer_stage, old_fit, old_engagement, old_score, "
                    "old_grade, old_buyer_stage)")
        raw.execute("CREATE TEMP TABLE ready (id INTEGER PRIMARY KEY)")
        raw.execute("CREATE TEMP TABLE rescore_again (id INTEGER PRIMARY KEY)")
        raw.execute("CREATE TEMP TABLE scope (id INTEGER PRIMARY KEY)")
        raw.executemany("INSERT OR IGNORE INTO temp.scope VALUES (?)",
                        [(i,) for i in lead_ids or ()])
        # what was there when the rescore began: anything newer is looked at again
        self._since = utcnow()
        raw.execute("BEGIN")
        self._marks = [m or 0 for m in raw.execute(_MARKS).fetchone()]
        self._version = raw.execute("PRAGMA data_version").fetchone()[0]
        raw.execute("COMMIT")
        self._synchronous = raw.execute("PRAGMA synchronous").fetchone()[0]
        self.stored = 0  # scores stored, those scored again included

    def stage(self, rows: Iterable[StagedRow], ready: Iterable[int]) -> None:
        raw = self._raw
        # in a transaction of its own, a quarter quicker: of TEMP tables only, it takes no
        # lock on the database
        outside = not raw.in_transaction
        if outside:
            raw.execute("BEGIN")
        raw.executemany("INSERT OR REPLACE INTO temp.staged VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        raw.executemany("INSERT OR IGNORE INTO temp.ready VALUES (?)", [(i,) for i in ready])
        if outside:
            raw.execute("COMMIT")

    def moments(self, lead_ids: Iterable[int]) -> dict[datetime | None, list[int]]:
        self._raw.execute("BEGIN")
        try:
            return moments_of(self._raw, lead_ids)
        finally:
            self._raw.execute("COMMIT")

    def store_all(self, score_again: ScoreAgain, *, as_of: datetime | None,
                  criteria_version: int | None, promote_at: int | None) -> list[int]:
        """Store the staged scores in short write transactions; with promote_at (the MQL
        threshold), leads ready at it become MQLs in the last one, with a full rescore's
        date of every score. Returns the ids of the leads that became MQLs."""
        low = 0
        while True:
            high = self._raw.execute("SELECT id FROM temp.staged WHERE id > ? ORDER BY id "
                                     "LIMIT 1 OFFSET ?", (low, STORE_BATCH - 1)).fetchone()
            last = high is None
            high = LAST_ID if last else high[0]
            # a batch before the last one needs no sync to disk of its own: lost in a
            # power cut, it is stored again by the next rescore (the database stays whole);
            # the last one, with the promotions and the new date, is synced as every commit
            self._raw.execute("PRAGMA synchronous = "
                              f"{self._synchronous if last else min(self._synchronous, 1)}")
            with db.raw_write(self._raw, db.database_path(self._engine)):
                self._store_range(low, high, as_of, score_again)
                if self._full and not last:  # these leads are as of the new moment now
                    self._raw.execute("DELETE FROM score_moments WHERE through_id <= ?",
                                      (high,))
                    self._raw.execute("INSERT INTO score_moments VALUES (?, ?)",
                                      (high, as_of and db.sql_time(as_of)))
                if last:
                    ready = [i for (i,) in self._raw.execute("SELECT id FROM temp.ready")]
                    writer = ScoreWriter(self._raw)
                    promoted = [] if promote_at is None else writer.promote(
                        dict.fromkeys(ready, utcnow()), promote_at)
                    if self._full:
                        writer.date_scores(as_of, criteria_version)
                    return promoted
            low = high
            sleep(STORE_PAUSE_S)

    def _store_range(self, low: int, high: int, as_of: datetime | None,
                     score_again: ScoreAgain) -> None:
        raw = self._raw
        raw.execute("DELETE FROM temp.rescore_again")
        if raw.execute("PRAGMA data_version").fetchone()[0] != self._version:
            last_lead, last_activity, last_change, last_intent = self._marks
            scope = "" if self._full else "AND l.id IN (SELECT id FROM temp.scope)"
            raw.execute(_CHANGED_SINCE.format(scope=scope), {
                "low": low, "high": high, "since": db.sql_time(self._since),
                "last_lead": last_lead, "last_activity": last_activity,
                "last_change": last_change, "last_intent": last_intent})
        self.stored += raw.execute(_STORE_STAGED.format(
            "s.id > ? AND s.id <= ? AND s.id NOT IN (SELECT id FROM temp.rescore_again)"),
            (low, high)).rowcount
        again = [i for (i,) in raw.execute("SELECT id FROM temp.rescore_again ORDER BY id")]
        if not again:
            return
        for table in ("staged", "ready"):
            raw.execute(f"DELETE FROM temp.{table} WHERE id IN "
                        "(SELECT id FROM temp.rescore_again)")
        # a full rescore's leads are as of its moment once this range is stored
        groups = {as_of: again} if self._full else moments_of(raw, again)
        for moment, lead_ids in groups.items():
            for rows, ready in score_again(lead_ids, moment):
                self.stage(rows, ready)
        self.stored += raw.execute(_STORE_STAGED.format(
            "s.id IN (SELECT id FROM temp.rescore_again)")).rowcount


@contextmanager
def staged_scores(engine: Engine, lead_ids: Sequence[int] | None
                  ) -> Iterator[StagedScores]:
    """A connection of its own for one rescore's staged scores, its TEMP tables gone after
    (the connection goes back to the pool)."""
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        synchronous = raw.execute("PRAGMA synchronous").fetchone()[0]
        try:
            yield StagedScores(raw, engine, lead_ids)
        finally:
            if raw.in_transaction:
                raw.execute("ROLLBACK")
            raw.execute(f"PRAGMA synchronous = {synchronous}")
            for table in ("staged", "ready", "rescore_again", "scope"):
                raw.execute(f"DROP TABLE IF EXISTS temp.{table}")
