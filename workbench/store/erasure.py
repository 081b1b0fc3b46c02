"""Erasing a person on request, in SQL: what named or reached them (rules.erasure) leaves the
lead, its activities, stage changes, BANT evidence, the search index and the sync's record
of refused changes, and the bytes it leaves behind are overwritten. The same code serves an
erasure made here (Store.erase_lead) and one pulled from the team server."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from sqlalchemy import Engine

from workbench.rules.erasure import ERASED_NAME, ERASED_VALUES
from workbench.rules.lead_names import display_name

_IN = "IN (SELECT value FROM json_each(:ids))"


def erase_people(raw: sqlite3.Connection, lead_ids: Iterable[int], at: str) -> int:
    """Erase these leads' people in the caller's transaction, the freed space overwritten;
    returns how many of the leads there are. A lead erased already (on another laptop)
    keeps the moment it was. Call forget_old_pages after the transaction."""
    ids = {"ids": json.dumps(list(lead_ids))}
    names = raw.execute("SELECT first_name, last_name, email, external_id FROM leads "
                        f"WHERE id {_IN}", ids).fetchall()
    raw.execute("PRAGMA secure_delete = ON")
    lead = ERASED_VALUES["leads"]
    found = raw.execute(
        f"UPDATE leads SET {', '.join(f'{name} = :{name}' for name in lead)}, "
        "erased_at = coalesce(erased_at, :at), do_not_contact = 1, "
        f"updated_at = max(coalesce(updated_at, :at), :at) WHERE id {_IN}",
        {**lead, **ids, "at": at}).rowcount
    for table, values in ERASED_VALUES.items():
        if table != "leads":
            raw.execute(f"UPDATE {table} SET {', '.join(f'{n} = :{n}' for n in values)} "
                        f"WHERE lead_id {_IN}", {**values, **ids})
    raw.execute(f"UPDATE lead_search SET notes = NULL WHERE rowid {_IN}", ids)
    # an FTS5 update leaves the old words in its segments until they are merged
    raw.execute("INSERT INTO lead_search (lead_search) VALUES ('optimize')")
    # a change the server refused names its lead as "(name)"
    raw.executemany("UPDATE sync_refused SET reason = replace(reason, ?, ?)",
                    [(f"({display_name(*name)})", f"({ERASED_NAME})") for name in names])
    raw.execute("PRAGMA secure_delete = OFF")  # the writes above were overwritten
    return found


def forget_old_pages(engine: Engine) -> None:
    """After an erasure's transaction: no page of before it is left in the write-ahead log."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
