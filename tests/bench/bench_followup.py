"""The rep's and the manager's day on 1,000,000 leads, each beside raw sqlite3 doing the same
work in the same run: a rep's Today list (target under 100 ms), a bulk reject of 500 leads
(under 1 s) and routing 50,000 new MQLs (under 3 s).

The benchmark works on a copy of the shared million-lead demo (it changes leads). Raw
baselines run first, in a transaction that is rolled back, so the workbench then does the
same work on the same data.
"""

import shutil
import sqlite3
import statistics
import time
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
    shutil.copy(million_db, path)
    return path


def line(label: str, app: float, raw: float, target: float) -> None:
    print(f"  {label:<34}{app * 1000:9.1f} ms   raw SQL {raw * 1000:8.1f} ms   ratio "
          f"{app / raw:5.1f}x   target < {target * 1000:.0f} ms")


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


def test_routing_50000_new_mqls(copy):
    with Store.open(copy) as store:
        with sqlite3.connect(copy) as raw:
            countries = [r[0] for r in raw.execute(
                "SELECT DISTINCT country FROM companies WHERE country IS NOT NULL")]
            reps = [r[0] for r in raw.execute("SELECT email FROM users WHERE role = 'rep' "
                                              "ORDER BY email")]
            # 50,000 new MQLs in the pool, as an import would leave them
            ids = [r[0] for r in raw.execute("SELECT id FROM leads WHERE stage = 'lead' "
                                             "ORDER BY id LIMIT ?", (ROUTED,))]
            raw.execute("UPDATE leads SET stage = 'mql', owner_id = NULL, mql_at = ? WHERE id "
                        "IN (SELECT value FROM json_each(?))", (db.sql_time(NOW), str(ids)))
        half = len(countries) // 2
        rules = (RoutingRule("First half", tuple(reps[::2]), countries=tuple(countries[:half]),
                             cap=100_000),
                 RoutingRule("Everywhere else", tuple(reps[1::2])))
        triage.save_criteria(store, store.current_criteria().with_changes(routing=rules))
        planned = routing.plan(store, ids)  # where they go: the raw baseline writes the same
        people, _active, _load = store.routing_people()
    rows = [(r.lead_id, people[r.rep], f"Routed to {r.rep} {r.why}.") for r in planned]
    raw = sqlite3.connect(copy, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    started = time.perf_counter()
    raw.execute("CREATE TEMP TABLE bench_routed (lead_id INTEGER PRIMARY KEY, owner_id INTEGER, "
                "note TEXT)")
    raw.executemany("INSERT INTO bench_routed VALUES (?, ?, ?)", rows)
    raw.execute("UPDATE leads SET owner_id = r.owner_id FROM bench_routed r "
                "WHERE leads.id = r.lead_id")
    raw.execute("INSERT INTO activities (lead_id, occurred_at, kind, note) SELECT lead_id, ?, "
                "'assigned', note FROM bench_routed", (db.sql_time(NOW),))
    raw_time = time.perf_counter() - started
    raw.execute("ROLLBACK")
    raw.close()
    with Store.open(copy) as store:
        started = time.perf_counter()
        routed = routing.route_new_mqls(store, ids)
        app = time.perf_counter() - started
        assert sum(r.rep is not None for r in routed) == ROUTED
    print(f"\n[routing, 1,000,000 leads: {ROUTED:,} new MQLs, {len(reps)} reps in 2 groups]")
    line("routing 50,000 new MQLs", app, raw_time, 3.0)
    assert app < 3.0
