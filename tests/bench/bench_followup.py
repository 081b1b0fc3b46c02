"""The rep's and the manager's day on 1,000,000 leads, each beside raw sqlite3 doing the same
work in the same run: a rep's Today list (target under 100 ms), a bulk reject of 500 leads
(under 1 s) and routing 50,000 new MQLs (under 3 s).

The benchmark works on a copy of the shared million-lead demo (it changes leads). Raw
baselines run first, in a transaction that is rolled back, so the workbench then does the
same work on the same data; routing's raw baseline commits, as the workbench does (its
commit writes the changed pages back into the database), on a second copy, and the two
copies must then hold the same rows.
"""

import os
import shutil
import sqlite3
import statistics
import time
from contextlib import closing
from datetime import datetime, timedelta

import pytest

from workbench.clock import next_day_start
from workbench.rules.routing import RoutingRule
from workbench.rules.stages import Stage
from workbench.services import bulk, followup, routing, triage
from workbench.store import db
from workbench.store.leads import Store

NOW = datetime(2026, 11, 23, 12)  # the suite's clock (tests/conftest.py)
ROUTED = 50_000
REJECTED = 500


@pytest.fixture(scope="module")
def copy(million_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("followup") / "demo-1m.db"
    shutil.copyfile(million_db, path)
    return path


def line(label: str, app: float, raw: float, target: float | None) -> None:
    print(f"  {label:<34}{app * 1000:9.1f} ms   raw SQL {raw * 1000:8.1f} ms   ratio "
          f"{app / raw:5.1f}x" + (f"   target < {target * 1000:.0f} ms" if target else ""))


def busiest_rep(raw: sqlite3.Connection) -> int:
    return raw.execute("SELECT owner_id FROM leads WHERE owner_id IS NOT NULL AND stage IN "
                       "('mql', 'sal', 'sql', 'opportunity') GROUP BY owner_id "
                       "ORDER BY count(*) DESC LIMIT 1").fetchone()[0]


def test_today_of_the_busiest_rep(copy):
    with Store.open(copy) as store:
        with sqlite3.connect(copy) as raw:
            rep = busiest_rep(raw)
            open_leads = [r[0] for r in raw.execute(
                "SELECT id FROM leads WHERE owner_id = ? AND stage IN ('sal', 'sql') "
                "ORDER BY id LIMIT 300", (rep,))]
        for i, lead_id in enumerate(open_leads):  # a rep's planned week, some overdue
            followup.plan_next_step(store, lead_id, "call",
                                    NOW + timedelta(hours=i - 100), by=None)
        followup.today(store, rep, NOW)  # warm the page cache
        times = []
        for _ in range(5):
            started = time.perf_counter()
            items = followup.today(store, rep, NOW)
            times.append(time.perf_counter() - started)
        app = statistics.median(times)
    raw_times = []
    end = db.sql_time(next_day_start(NOW))
    sla_end = db.sql_time(next_day_start(NOW) - timedelta(hours=24))
    with sqlite3.connect(copy) as raw:
        for _ in range(5):
            started = time.perf_counter()
            raw.execute("SELECT l.id, l.first_name, l.last_name, c.name, l.next_step_due FROM "
                        "leads l LEFT JOIN companies c ON c.id = l.company_id WHERE "
                        "(l.owner_id = ? OR l.owner_id IS NULL) AND l.next_step_due < ? AND "
                        "l.stage IN ('mql', 'sal', 'sql', 'opportunity') "
                        "ORDER BY l.next_step_due LIMIT 200", (rep, end)).fetchall()
            untouched = ("SELECT id, mql_at FROM leads WHERE {} AND stage = 'mql' AND "
                         "first_touch_at IS NULL AND mql_at < :end ORDER BY mql_at LIMIT 200")
            raw.execute("SELECT l.id, l.first_name, l.last_name, c.name, d.mql_at FROM leads l "
                        "LEFT JOIN companies c ON c.id = l.company_id JOIN (SELECT * FROM ("
                        + untouched.format("owner_id = :me") + ") UNION ALL SELECT * FROM ("
                        + untouched.format("owner_id IS NULL") + ")) d ON d.id = l.id "
                        "ORDER BY d.mql_at LIMIT 200", {"me": rep, "end": sla_end}).fetchall()
            raw.execute("SELECT l.id, l.first_name, l.last_name, c.name FROM leads l "
                        "LEFT JOIN companies c ON c.id = l.company_id WHERE l.owner_id = ? AND "
                        "l.stage IN ('mql', 'opportunity', 'sal', 'sql') AND "
                        "l.next_step_due IS NULL AND EXISTS (SELECT 1 FROM activities a WHERE "
                        "a.lead_id = l.id AND a.kind IN ('call', 'email_sent', 'meeting')) "
                        "ORDER BY l.last_activity_at DESC LIMIT 200", (rep,)).fetchall()
            raw_times.append(time.perf_counter() - started)
    print(f"\n[Today, 1,000,000 leads: {len(items)} items for the busiest rep]")
    line("Today list", app, statistics.median(raw_times), 0.1)
    assert len(items) > 100 and app < 0.1


def test_bulk_reject_of_500_leads(copy):
    with sqlite3.connect(copy) as raw:
        ids = [r[0] for r in raw.execute("SELECT id FROM leads WHERE stage = 'mql' "
                                         "ORDER BY id LIMIT ?", (REJECTED,))]
    assert len(ids) == REJECTED
    raw = sqlite3.connect(copy, isolation_level=None)
    stamp, chosen = db.sql_time(NOW), str(ids)
    raw.execute("BEGIN IMMEDIATE")
    started = time.perf_counter()
    raw.execute("INSERT INTO stage_changes (lead_id, from_stage, to_stage, changed_at, "
                "reason_code) SELECT id, stage, 'disqualified', ?, 'bad_data' FROM leads "
                "WHERE id IN (SELECT value FROM json_each(?))", (stamp, chosen))
    raw.execute("UPDATE leads SET stage = 'disqualified', stage_entered_at = ?, updated_at = ? "
                "WHERE id IN (SELECT value FROM json_each(?))", (stamp, stamp, chosen))
    raw_time = time.perf_counter() - started
    raw.execute("ROLLBACK")
    raw.close()
    with Store.open(copy) as store:
        started = time.perf_counter()
        moves = bulk.move_many(store, ids, Stage.DISQUALIFIED, reason_code="bad_data")
        app = time.perf_counter() - started
        assert len(moves) == REJECTED and store.lead(ids[-1]).stage == Stage.DISQUALIFIED
    print(f"\n[bulk reject, 1,000,000 leads: {REJECTED} selected]")
    line("bulk reject of 500", app, raw_time, 1.0)
    assert app < 1.0


# what routing writes, to compare the raw baseline's copy with the workbench's
ROUTED_ROWS = (
    ("leads", "SELECT id, owner_id, updated_at FROM leads WHERE id IN (SELECT value FROM "
     "json_each(:ids)) ORDER BY id"),
    ("handovers", "SELECT lead_id, owner_id FROM handovers WHERE lead_id IN (SELECT value "
     "FROM json_each(:ids)) ORDER BY id"),
    ("activities", "SELECT lead_id, occurred_at, kind, note FROM activities WHERE id > :after "
     "ORDER BY id"),
    ("outbox", "SELECT entity, grp, count(*), count(DISTINCT hlc) FROM sync_outbox "
     "WHERE seq > :outbox GROUP BY 1, 2 ORDER BY 1, 2"),
)


def routed_rows(path, ids: str, after: int, outbox: int) -> dict[str, list]:
    with closing(sqlite3.connect(path)) as raw:
        marks = {"ids": ids, "after": after, "outbox": outbox}
        return {name: raw.execute(sql, marks).fetchall() for name, sql in ROUTED_ROWS}


def raw_routing(path, rows: list[tuple[int, int, str]], stamp: str) -> tuple[float, float]:
    """The fewest statements writing what routing writes, timed to their commit as the
    workbench's are, with its settings: each lead's owner and update time, its handover's
    owner, an 'assigned' activity, and the sync outbox's entries (the lead's owner, the new
    activity), the row triggers that would write these one lead at a time suspended.
    Returns its wall and CPU time."""
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        for pragma in ("foreign_keys = ON", "synchronous = FULL", "cache_size = -65536"):
            raw.execute(f"PRAGMA {pragma}")
        fired = ("handovers_lead", "sync_lead_owner", "sync_activity_new")
        started, cpu = time.perf_counter(), time.process_time()
        raw.execute("BEGIN IMMEDIATE")
        triggers = [raw.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                (name,)).fetchone()[0] for name in fired]
        for name in fired:
            raw.execute(f"DROP TRIGGER {name}")
        raw.execute("CREATE TEMP TABLE bench_routed (lead_id INTEGER PRIMARY KEY, "
                    "owner_id INTEGER, note TEXT)")
        raw.executemany("INSERT INTO bench_routed VALUES (?, ?, ?)", rows)
        raw.execute("UPDATE leads SET owner_id = (SELECT owner_id FROM bench_routed r WHERE "
                    "r.lead_id = leads.id), updated_at = ? WHERE id IN (SELECT lead_id FROM "
                    "bench_routed)", (stamp,))
        raw.execute("UPDATE handovers SET owner_id = (SELECT owner_id FROM bench_routed r "
                    "WHERE r.lead_id = handovers.lead_id) WHERE lead_id IN (SELECT lead_id "
                    "FROM bench_routed)")
        after = raw.execute("SELECT max(id) FROM activities").fetchone()[0]
        raw.execute("INSERT INTO activities (lead_id, occurred_at, kind, note) SELECT lead_id, "
                    "?, 'assigned', note FROM bench_routed ORDER BY lead_id", (stamp,))
        raw.execute("UPDATE sync_state SET hlc = max(hlc + 1, CAST((julianday('now') "
                    "- 2440587.5) * 86400000 AS INTEGER) * 65536)")
        raw.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT 'lead', "
                    "lead_id, 'owner', (SELECT hlc FROM sync_state) FROM bench_routed")
        raw.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT 'activity', "
                    "id, '*', (SELECT hlc FROM sync_state) FROM activities WHERE id > ?",
                    (after,))
        for sql in triggers:
            raw.execute(sql)
        raw.execute("COMMIT")
        return time.perf_counter() - started, time.process_time() - cpu


def test_routing_50000_new_mqls(copy):
    with Store.open(copy) as store:
        with closing(sqlite3.connect(copy)) as raw:
            countries = [r[0] for r in raw.execute(
                "SELECT DISTINCT country FROM companies WHERE country IS NOT NULL")]
            reps = [r[0] for r in raw.execute("SELECT email FROM users WHERE role = 'rep' "
                                              "ORDER BY email")]
            # 50,000 new MQLs in the pool, as an import would leave them
            ids = [r[0] for r in raw.execute("SELECT id FROM leads WHERE stage = 'lead' "
                                             "ORDER BY id LIMIT ?", (ROUTED,))]
            raw.execute("UPDATE leads SET stage = 'mql', owner_id = NULL, mql_at = ? WHERE id "
                        "IN (SELECT value FROM json_each(?))", (db.sql_time(NOW), str(ids)))
            raw.commit()
        half = len(countries) // 2
        rules = (RoutingRule("First half", tuple(reps[::2]), countries=tuple(countries[:half]),
                             cap=100_000),
                 RoutingRule("Everywhere else", tuple(reps[1::2])))
        triage.save_criteria(store, store.current_criteria().with_changes(routing=rules))
        planned = routing.plan(store, ids)  # where they go: the raw baseline writes the same
        people, _active, _load = store.routing_people()
    rows = [(r.lead_id, people[r.rep], f"Routed to {r.rep} {r.why}.") for r in planned]
    with closing(sqlite3.connect(copy)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole database in its file
        marks = raw.execute("SELECT (SELECT max(id) FROM activities), "
                            "(SELECT coalesce(max(seq), 0) FROM sync_outbox)").fetchone()
    # the raw SQL commits, as the workbench does: on its own copy of the same data
    raw_copy = copy.with_name("raw-routing.db")
    shutil.copyfile(copy, raw_copy)
    with open(raw_copy, "rb+") as written:  # on disk, as the workbench's copy is by now:
        os.fsync(written.fileno())  # its commit's checkpoint would wait for the copy
    try:
        raw_time, raw_cpu = raw_routing(raw_copy, rows, db.sql_time(NOW))
        with Store.open(copy) as store:
            started, cpu = time.perf_counter(), time.process_time()
            routed = routing.route_new_mqls(store, ids)
            app, app_cpu = time.perf_counter() - started, time.process_time() - cpu
        assert sum(r.rep is not None for r in routed) == ROUTED
        assert routed_rows(copy, str(ids), *marks) == routed_rows(raw_copy, str(ids), *marks)
    finally:
        raw_copy.unlink()
    print(f"\n[routing, 1,000,000 leads: {ROUTED:,} new MQLs, {len(reps)} reps in 2 groups; "
          f"the workbench reads the pool and plans, raw SQL writes the plan; load "
          f"{os.getloadavg()[0]:.1f}]")
    line("routing 50,000 new MQLs", app, raw_time, 3.0)
    line("  its CPU time (load-proof)", app_cpu, raw_cpu, None)
    assert app < 3.0
