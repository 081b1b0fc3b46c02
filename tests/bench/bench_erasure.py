"""Erasing a person on 1,000,000 leads, beside raw sqlite3 doing the same work in the same run
(the same statements, with secure delete, the search index's optimize and the checkpoint).
The same code erases a person on a laptop that pulls an erasure made on another, once per
batch of pulled leads.

Nearly all of it is the search index's optimize: an FTS5 update keeps the old words in its
segments until they are merged, and SQLite 3.40 has no secure delete for FTS5 (3.42+ does).
The benchmark works on a copy of the shared million-lead demo (it changes leads); CPU time is
shown beside the wall time, with the load average, as the machine is shared.
"""

import os
import shutil
import sqlite3
import time
from datetime import datetime

import pytest

from workbench.rules.erasure import ERASED_VALUES
from workbench.store.leads import Store

NOW = datetime(2026, 11, 23, 12)


@pytest.fixture(scope="module")
def copy(million_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("erasure") / "demo-1m.db"
    shutil.copyfile(million_db, path)
    return path


def raw_erase(path, lead_id: int) -> None:
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA secure_delete = ON")
    raw.execute("BEGIN IMMEDIATE")
    for table, values in ERASED_VALUES.items():
        key = "id" if table == "leads" else "lead_id"
        raw.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in values)} "
                    f"WHERE {key} = ?", (*values.values(), lead_id))
    raw.execute("UPDATE lead_search SET notes = NULL WHERE rowid = ?", (lead_id,))
    raw.execute("INSERT INTO lead_search (lead_search) VALUES ('optimize')")
    raw.execute("COMMIT")
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()


def timed(work) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.process_time() - cpu, time.perf_counter() - wall


def test_erasing_a_person_on_a_million_leads(copy):
    """Raw first, then the workbench, twice (the first optimize merges a demo's many
    segments; every later one still rewrites the whole index, about 2 s of CPU)."""
    rows = []
    with Store.open(copy) as store:
        for raw_lead, app_lead in ((400_000, 600_000), (400_001, 600_001)):
            raw = timed(lambda lead=raw_lead: raw_erase(copy, lead))
            app = timed(lambda lead=app_lead: store.erase_lead(lead, NOW))
            rows.append((raw, app))
            assert store.lead(app_lead).erased_at == NOW
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n[erasing one person, 1,000,000 leads; load {load}]")
    for when, ((raw_cpu, raw_wall), (app_cpu, app_wall)) in zip(("first", "again"), rows,
                                                                strict=True):
        print(f"  {when}: erase_lead CPU {app_cpu:5.2f} s (wall {app_wall:5.2f} s)   raw "
              f"sqlite3 CPU {raw_cpu:5.2f} s (wall {raw_wall:5.2f} s)   ratio (CPU) "
              f"{app_cpu / raw_cpu:4.2f}x")
