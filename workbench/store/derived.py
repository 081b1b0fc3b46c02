"""Derived tables and their triggers: dropped for bulk work, rebuilt after."""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager

LAST_ID = 2**63 - 1  # above every lead's id
IMPORT_CACHE_KIB = -65536  # 64 MB of page cache while importing (negative: KiB)
# The triggers on leads that keep the stage totals (made by migration 0023, whose snapshot
# of them a test keeps equal to these), and the totals counted afresh. Not read from the
# migration as the handovers are: a rescore would load Alembic for them (90 ms).
STAGE_TOTALS_TRIGGERS = ("stage_totals_insert", "stage_totals_delete", "stage_totals_update")
STAGE_TOTALS_COUNT = ("INSERT INTO stage_totals (stage, leads, score_sum) "
                      "SELECT stage, count(*), sum(score) FROM leads GROUP BY stage")


@contextmanager
def import_cache(raw: sqlite3.Connection) -> Iterator[None]:
    """The import's page cache on this connection for one bulk write, and its own size
    back after: pages the write changes again stay in memory instead of being spilled
    to the journal each time."""
    cache = raw.execute("PRAGMA cache_size").fetchone()[0]
    raw.execute(f"PRAGMA cache_size = {IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {cache}")


def drop_triggers(raw: sqlite3.Connection, tables: Iterable[str], *,
                  kind: str = "trigger", sparing: Collection[str] = ()) -> list[str]:
    """Drop the triggers (or the indexes) on these tables, but those named in sparing;
    returns their SQL, to create them again (restore_triggers)."""
    dropped = []
    for table in tables:
        for name, sql in raw.execute("SELECT name, sql FROM sqlite_master WHERE type = ? "
                                     "AND tbl_name = ? AND sql IS NOT NULL",
                                     (kind, table)).fetchall():
            if name not in sparing:
                raw.execute(f"DROP {kind.upper()} {name}")
                dropped.append(sql)
    return dropped


def restore_triggers(raw: sqlite3.Connection, triggers: Iterable[str]) -> None:
    """Create dropped triggers again. When the stage totals' were among them, the totals
    are first counted again from the leads (one GROUP BY, 60 ms at a million), the writes
    made without them having gone uncounted."""
    triggers = list(triggers)
    if any(sql.split(None, 3)[2] in STAGE_TOTALS_TRIGGERS  # CREATE TRIGGER name ...
           for sql in triggers):
        raw.execute("DELETE FROM stage_totals")
        raw.execute(STAGE_TOTALS_COUNT)
    for sql in triggers:
        raw.execute(sql)


def refresh_derived_of(raw: sqlite3.Connection, lead_ids: Iterable[int]) -> None:
    """The search index and the handovers of these leads brought up to date, after writes
    that bypassed the row triggers."""
    raw.execute("CREATE TEMP TABLE import_affected (lead_id INTEGER PRIMARY KEY)")
    raw.executemany("INSERT OR IGNORE INTO import_affected VALUES (?)",
                    [(i,) for i in lead_ids])
    refresh_derived(raw)
    raw.execute("DROP TABLE temp.import_affected")


def rebuild_derived(raw: sqlite3.Connection, triggers: Iterable[str]) -> None:
    """After a bulk load with the row triggers suspended: the search index and the
    handovers of every lead built at once, and the triggers back (the stage totals
    counted again if theirs were among them)."""
    raw.execute("DELETE FROM lead_search")
    raw.execute(SEARCH_FILL)
    raw.execute("DELETE FROM handovers")
    raw.execute(handovers_insert().format(lead_filter="1"))
    restore_triggers(raw, triggers)


FTS_MERGING_DEFAULTS = {"automerge": 4, "crisismerge": 16}  # FTS5's own


FTS_BULK_MERGING = {"automerge": 0, "crisismerge": 32}


def handovers_insert() -> str:
    """The SQL that derives the handovers table from the history. It lives in the
    migration that defines the table, whose triggers run it lead by lead; a later
    migration that redefines it becomes the one read here."""
    return importlib.import_module(
        "workbench.store.migrations.versions.2026_11_23_0006_handovers_for_reports").HANDOVERS_INSERT


def refresh_derived(raw: sqlite3.Connection, new_after: int | None = None) -> None:
    """The search index and the handovers of the leads in temp.import_affected, brought up
    to date in one statement each (the row triggers were suspended or bypassed). Leads
    numbered above new_after were made by this transaction: they have no search row and no
    notes to look up."""
    known = {"new_after": LAST_ID if new_after is None else new_after}
    raw.execute("DELETE FROM lead_search WHERE rowid IN "
                "(SELECT lead_id FROM temp.import_affected WHERE lead_id <= :new_after)", known)
    # while the index grows by many leads at once: no merging of its segments as it goes
    # (a fifth of the time), and fewer, larger merges when new segments pile up (another
    # fifth; a search then reads a few more segments, about a millisecond). Later writes
    # merge them again, a little at a time.
    before = dict(raw.execute("SELECT k, v FROM lead_search_config WHERE k IN "
                              "('automerge', 'crisismerge')").fetchall())
    for option, value in FTS_BULK_MERGING.items():
        raw.execute("INSERT INTO lead_search (lead_search, rank) VALUES (?, ?)", (option, value))
    raw.execute(SEARCH_REFRESH, known)
    for option, default in FTS_MERGING_DEFAULTS.items():
        raw.execute("INSERT INTO lead_search (lead_search, rank) VALUES (?, ?)",
                    (option, before.get(option, default)))
    raw.execute("DELETE FROM handovers WHERE lead_id IN "
                "(SELECT lead_id FROM temp.import_affected)")
    raw.execute(handovers_insert().format(
        lead_filter="h.lead_id IN (SELECT lead_id FROM temp.import_affected)"))


# Fills the FTS5 search index from the tables (the triggers of migration 0003 keep it
# in step row by row; this is the same content for a whole load at once).
SEARCH_FILL = """
INSERT INTO lead_search (rowid, name, email, company, title, notes)
SELECT l.id, l.first_name || ' ' || l.last_name, l.email, c.name, l.job_title, n.notes
FROM leads l LEFT JOIN companies c ON c.id = l.company_id
LEFT JOIN (SELECT lead_id, group_concat(note, ' ') AS notes FROM activities
           WHERE kind = 'note' GROUP BY lead_id) n ON n.lead_id = l.id
"""


SEARCH_REFRESH = """
INSERT INTO lead_search (rowid, name, email, company, title, notes)
SELECT l.id, l.first_name || ' ' || l.last_name, l.email, c.name, l.job_title,
       CASE WHEN l.id <= :new_after THEN (SELECT group_concat(a.note, ' ') FROM activities a
                                          WHERE a.lead_id = l.id AND a.kind = 'note') END
FROM leads l LEFT JOIN companies c ON c.id = l.company_id
WHERE l.id IN (SELECT lead_id FROM temp.import_affected)
"""
