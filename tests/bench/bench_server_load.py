"""The team server under load, on loopback against a real PostgreSQL server (127.0.0.1 only).

- N laptops at once (N = 10, 50, 200): each a process of its own with its own SQLite file,
  a rep with 50 of the team's leads. Each round every laptop works offline (imports 100
  leads, accepts and rejects MQLs, sets BANT, logs calls and notes), then all of them sync
  at the same moment; at the end they all sync once more with nothing to send. Printed
  per N: the changes per second the server took, the median and 95th percentile of a
  sync's time, the laptops' and the server's CPU time (the server's from /proc of its
  processes); beside it raw psycopg writing the same rows from the same laptops at the
  same moment (executemany into tables of the same columns, no sync protocol). Then the
  team size one server holds with a sync's 95th percentile under 2 s. The laptops share
  the machine's 2 cores with the server, as they would not in an office: the CPU times
  are the figures that carry over, and the team size is also estimated from them.
- A laptop's first push of 100,000 existing leads (with their 270,000 stage changes and
  400,000 activities): target under 30 s, beside raw psycopg COPY and executemany of the
  same rows into tables of the same columns and indexes.

Each figure is printed with the machine's load (1-minute average) when it was taken.
"""

import csv
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import time
from datetime import datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from tests.sync.cluster import Cluster, Unavailable, running_cluster
from workbench import demo
from workbench.services import imports, scoring, triage  # noqa: F401  (loaded before fork)
from workbench.services.sync import synchronise
from workbench.store.leads import Store
from workbench.sync.protocol import ENTITIES
from workbench.sync.server import add_account, init_server

TEAM_SIZES = (10, 50, 200)
ROUNDS = {10: 4, 50: 2, 200: 2}  # syncs per laptop: at least 40 per N
TEAM_LEADS = 10_000  # the team's store before the day starts: 50 leads per rep
IMPORTED = 100  # leads each laptop imports per round
P95_TARGET = 2.0
FIRST_PUSH_LEADS = 100_000
FIRST_PUSH_TARGET = 30.0
WAIT = 900  # seconds a laptop or the benchmark waits for the others before giving up
AS_OF = datetime(2026, 11, 23, 9)


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


@pytest.fixture(scope="module")
def cluster():
    """A cluster of its own: every laptop of the largest team holds a connection."""
    try:
        with running_cluster(max_connections=max(TEAM_SIZES) * 2 + 20) as started:
            yield started
    except Unavailable as problem:
        pytest.skip(f"no PostgreSQL server for the load benchmark: {problem}")


def new_database(cluster: Cluster, name: str) -> str:
    with psycopg.connect(f"{cluster.url}/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return f"{cluster.url}/{name}"


def as_role(owner_url: str, role: str, password: str) -> str:
    return f"postgresql://{role}:{password}@{owner_url.split('@', 1)[1]}"


def team_laptop(path: Path, url: str, leads: int) -> tuple[Store, str]:
    """A demo database made the manager's laptop of a new team server: the demo's people
    get accounts, and a manager's role syncs it."""
    demo.create_database(path, leads=leads, seed=3, as_of=AS_OF)
    store = Store.open(path)
    with store.writing() as s:
        s.execute(text("UPDATE sync_state SET is_demo = 0"))
    init_server(url)
    for _id, name, email, role in store.users():
        add_account(url, email=email, name=name, password="pw", manager=role == "manager")
    manager = add_account(url, email="lead@team.example", name="Team Lead",
                          password="lead-pw", manager=True)
    return store, as_role(url, manager, "lead-pw")


# -- N laptops at once -------------------------------------------------------------


def rep_email(index: int) -> str:
    return f"rep{index:03d}@team.example"


def seeded_team(cluster: Cluster, folder: Path) -> tuple[str, list[str]]:
    """A team server holding the manager's 10,000 demo leads, dealt out 50 to each rep:
    the owner's URL and each rep's."""
    url = new_database(cluster, "load_team")
    store, manager = team_laptop(folder / "manager.db", url, TEAM_LEADS)
    synchronise(store, manager)
    store.close()
    reps = [as_role(url, add_account(url, email=rep_email(i), name=f"Rep {i}",
                                     password=f"pw{i}"), f"pw{i}")
            for i in range(max(TEAM_SIZES))]
    with psycopg.connect(url) as owner:
        owner.execute(
            "UPDATE leads l SET owner_id = u.id FROM (SELECT id, row_number() OVER "
            "(ORDER BY id) - 1 AS n FROM leads) d, users u WHERE d.id = l.id AND u.email = "
            "'rep' || lpad((d.n %% %s)::text, 3, '0') || '@team.example'",
            (max(TEAM_SIZES),))
        # the raw baseline's tables: the payload's columns, uids as unique as the team's
        owner.execute("CREATE SCHEMA raw")
        for entity in ENTITIES:
            types = dict(owner.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0", (entity.table,)).fetchall())
            columns = [f"{f} text" for f in ("uid", *entity.refs)] + [
                f"{f} {types[f]}" for f in entity.fields]
            owner.execute(f"CREATE TABLE raw.{entity.name} ({', '.join(columns)}, "
                          "sync_clocks jsonb)")
            owner.execute(f"CREATE INDEX ON raw.{entity.name} (uid)")
        owner.execute("GRANT USAGE, CREATE ON SCHEMA raw TO PUBLIC")
        owner.execute("GRANT INSERT ON ALL TABLES IN SCHEMA raw TO PUBLIC")
    return url, reps


def write_import(path: Path, laptop: int, tag: str) -> None:
    """100 new leads at 20 new companies, MQLs owned by the laptop's rep."""
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["Record ID", "First Name", "Last Name", "Email", "Job Title",
                         "Company Name", "Website URL", "Industry", "Number of Employees",
                         "Country/Region", "Original Source", "Lifecycle Stage",
                         "Contact Owner", "Create Date"])
        for i in range(IMPORTED):
            company = f"l{laptop}{tag}c{i % 20}"
            writer.writerow([f"L{laptop}-{tag}-{i}", f"First{i}", f"Last{laptop}x{i}",
                             f"p{i}.{laptop}.{tag}@{company}.example",
                             "VP Marketing" if i % 2 else "Head of Sales Operations",
                             f"Company {company}", f"https://{company}.example/", "Software",
                             "250", "Germany", "Event", "Marketing Qualified Lead",
                             rep_email(laptop), "2026-11-20 10:00"])


def offline_work(store: Store, me: int, rng: random.Random, csv_path: Path) -> None:
    """A rep's work between two syncs, through the services as the window does it."""
    imports.run_import(store, csv_path)
    db = sqlite3.connect(store.path)

    def mine(stage: str, count: int) -> list[int]:
        return [r[0] for r in db.execute(
            "SELECT id FROM leads WHERE stage = ? AND owner_id = ? ORDER BY random() LIMIT ?",
            (stage, me, count))]

    waiting = mine("mql", 5)
    for lead in waiting[:3]:
        triage.accept(store, lead, by=me)
    for lead in waiting[3:]:
        triage.reject(store, lead, "no_budget", by=me)
    accepted = mine("sal", 6)
    for lead in accepted[:3]:
        triage.set_bant(store, lead, rng.choice(("budget", "authority", "need", "timeline")),
                        "confirmed", f"heard on a call {rng.random():.4f}", by=me)
    for lead in accepted[:4]:
        triage.record_activity(store, lead, rng.choice(("call", "email_sent")), by=me,
                               note="followed up")
    for lead in accepted[4:6]:
        triage.add_note(store, lead, f"next step agreed {rng.random():.4f}", by=me)
    db.close()


def waiting_rows(store: Store) -> list:
    """The rows the next push sends, read before it: what the raw baseline writes."""
    _seq, batches, _deleted = store.outbox(1_000_000)
    return [(b.entity.name, b.rows, b.clocks) for b in batches]


def raw_write(url: str, batches: list) -> int:
    """The same rows with plain psycopg: one executemany per entity, one transaction."""
    written = 0
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for name, rows, clocks in batches:
            if not rows:
                continue
            names = list(rows[0])
            cur.executemany(
                f"INSERT INTO raw.{name} ({', '.join(names)}, sync_clocks) "
                f"VALUES ({', '.join(['%s'] * (len(names) + 1))})",
                [[r[n] for n in names] + [json.dumps(c)]
                 for r, c in zip(rows, clocks, strict=True)])
            written += len(rows)
    return written


def cpu_seconds() -> float:
    """This process's CPU time, its threads' included."""
    times = os.times()
    return times.user + times.system


def laptop(index: int, url: str, path: str, team: int, folder: str,
           ready, raw_ready, results) -> None:
    """One rep's laptop, in a process of its own."""
    try:
        store = Store.open(Path(path))
        started = time.perf_counter()
        synchronise(store, url)  # a new laptop's first sync, or the day's first
        results.put(("setup", index, time.perf_counter() - started))
        me = next(u[0] for u in store.users() if u[2] == rep_email(index))
        rng = random.Random(index * 1000 + team)
        for round_ in range(ROUNDS[team]):
            tag = f"n{team}r{round_}"  # the laptop's files live on from one team size to the next
            csv_path = Path(folder) / f"import-{index}-{tag}.csv"
            write_import(csv_path, index, tag)
            offline_work(store, me, rng, csv_path)
            batches = waiting_rows(store)
            ready.wait(WAIT)
            started, cpu = time.perf_counter(), cpu_seconds()
            result = synchronise(store, url)
            results.put(("sync", index, time.perf_counter() - started, result.pushed,
                         result.pulled, len(result.refused), cpu_seconds() - cpu))
            raw_ready.wait(WAIT)
            started = time.perf_counter()
            written = raw_write(url, batches)
            results.put(("raw", index, time.perf_counter() - started, written))
        ready.wait(WAIT)  # and once more with nothing to send, as the window every 2 minutes
        started = time.perf_counter()
        synchronise(store, url)
        results.put(("idle", index, time.perf_counter() - started))
        store.close()
    except BaseException as problem:  # the parent reports it and stops waiting
        results.put(("failed", index, f"{type(problem).__name__}: {problem}"))
        ready.abort()
        raw_ready.abort()
        raise


def collect(results, n: int, kind: str) -> list[tuple]:
    got = []
    while len(got) < n:
        item = results.get(timeout=WAIT)
        if item[0] == "failed":
            pytest.fail(f"laptop {item[1]} failed: {item[2]}")
        assert item[0] == kind, item
        got.append(item)
    return got


def run_team(cluster: Cluster, reps: list[str], n: int, folder: Path) -> dict:
    """N laptops, all syncing at once each round: the figures of their syncs and of the
    raw writes of the same rows."""
    context = multiprocessing.get_context("fork")  # the parent's loaded modules are shared
    ready, raw_ready = context.Barrier(n + 1), context.Barrier(n + 1)
    results = context.Queue()
    laptops = [context.Process(target=laptop, daemon=True, args=(
        i, reps[i], str(folder / f"rep{i:03d}.db"), n, str(folder), ready, raw_ready,
        results)) for i in range(n)]
    for process in laptops:
        process.start()
    figures = {"n": n, "setup": [r[2] for r in collect(results, n, "setup")],
               "sync": [], "laptop_cpu": [], "raw": [], "changes": 0, "raw_rows": 0,
               "sync_wall": 0.0, "raw_wall": 0.0, "idle": [], "idle_cpu": 0.0,
               "sync_cpu": 0.0, "raw_cpu": 0.0, "loads": []}
    try:
        for _round in range(ROUNDS[n]):
            ready.wait(WAIT)  # every laptop has done its work: they sync now
            cpu, started = cluster.cpu_seconds(), time.perf_counter()
            synced = collect(results, n, "sync")
            figures["sync_wall"] += time.perf_counter() - started
            figures["sync_cpu"] += cluster.cpu_seconds() - cpu
            figures["loads"].append(os.getloadavg()[0])
            assert all(r[5] == 0 for r in synced), "a laptop's change was refused"
            figures["sync"] += [r[2] for r in synced]
            figures["laptop_cpu"] += [r[6] for r in synced]
            figures["changes"] += sum(r[3] for r in synced)
            raw_ready.wait(WAIT)
            cpu, started = cluster.cpu_seconds(), time.perf_counter()
            written = collect(results, n, "raw")
            figures["raw_wall"] += time.perf_counter() - started
            figures["raw_cpu"] += cluster.cpu_seconds() - cpu
            figures["raw"] += [r[2] for r in written]
            figures["raw_rows"] += sum(r[3] for r in written)
        ready.wait(WAIT)
        cpu = cluster.cpu_seconds()
        figures["idle"] = [r[2] for r in collect(results, n, "idle")]
        figures["idle_cpu"] = cluster.cpu_seconds() - cpu
    finally:
        for process in laptops:
            process.join(WAIT)
    assert all(p.exitcode == 0 for p in laptops)
    return figures


def crossing(points: list[tuple[int, float]]) -> str:
    """The team size at which a time measured at some sizes reaches the target, read
    between the two measured sizes around it (it grows about linearly with the team)."""
    below = [p for p in points if p[1] < P95_TARGET]
    above = [p for p in points if p[1] >= P95_TARGET]
    if not above:
        return f"more than {points[-1][0]}"
    if not below:
        return f"fewer than {points[0][0]}"
    (n_low, low), (n_high, high) = below[-1], above[0]
    return f"about {n_low + (P95_TARGET - low) / (high - low) * (n_high - n_low):.0f}"


def office_p95(r: dict) -> float:
    """A sync's 95th percentile with each laptop on a CPU of its own, as in an office: the
    laptop's own work (its CPU time) and, at worst, the server's whole work of the round
    before it, since every laptop syncs at the same moment and pushes take the server's
    sync lock one at a time."""
    return percentile(r["laptop_cpu"], 95) + r["sync_cpu"] / ROUNDS[r["n"]]


def test_team_server_under_load(cluster, tmp_path):
    url, reps = seeded_team(cluster, tmp_path)
    rows = [run_team(cluster, reps, n, tmp_path) for n in TEAM_SIZES]
    print(f"\nteam server under load: N laptops syncing at the same moment, each round after "
          f"offline work (import of {IMPORTED} leads, accepts, rejects, BANT, calls, notes); "
          f"the server at 127.0.0.1 on the same 2 cores as the laptops")
    print("    N  syncs  changes/s  p50 s  p95 s  laptop CPU p95 s  server CPU s  "
          "ms/change | raw: rows/s  p50 s  p95 s  CPU s | p95 ratio  load  first syncs p95 s")
    for r in rows:
        p50, p95 = statistics.median(r["sync"]), percentile(r["sync"], 95)
        raw_p50, raw_p95 = statistics.median(r["raw"]), percentile(r["raw"], 95)
        print(f"  {r['n']:3d}  {len(r['sync']):5d}  {r['changes'] / r['sync_wall']:9.0f}  "
              f"{p50:5.2f}  {p95:5.2f}  {percentile(r['laptop_cpu'], 95):16.2f}  "
              f"{r['sync_cpu']:12.1f}  {1000 * r['sync_cpu'] / r['changes']:9.2f} | "
              f"{r['raw_rows'] / r['raw_wall']:11.0f}  {raw_p50:5.2f}  {raw_p95:5.2f}  "
              f"{r['raw_cpu']:5.1f} | {p95 / raw_p95:8.1f}x  {max(r['loads']):4.1f}  "
              f"{percentile(r['setup'], 95):17.2f}")
    measured = crossing([(r["n"], percentile(r["sync"], 95)) for r in rows])
    office = crossing([(r["n"], office_p95(r)) for r in rows])
    estimates = ", ".join(f"{office_p95(r):.2f} s at {r['n']}" for r in rows)
    print("syncs with nothing to send, all at once: " + "; ".join(
        f"N={r['n']}: p95 {percentile(r['idle'], 95):.2f} s, server CPU "
        f"{1000 * r['idle_cpu'] / r['n']:.0f} ms a sync" for r in rows))
    print(f"team size one server holds with a sync's p95 under {P95_TARGET:.0f} s, all "
          f"syncing at the same moment: {measured} laptops as measured here (laptops and "
          f"server sharing 2 cores); {office} with each laptop on its own CPU (its CPU time "
          f"+ the server's CPU time of the whole round: "
          f"{estimates})")
    with psycopg.connect(url) as owner:  # every imported lead reached the server
        imported = owner.execute("SELECT count(*) FROM leads WHERE external_id LIKE 'L%-n%'"
                                 ).fetchone()[0]
    assert imported == sum(n * ROUNDS[n] for n in TEAM_SIZES) * IMPORTED


# -- a laptop's first push ----------------------------------------------------------


def raw_first_push(laptop_path: Path, url: str) -> tuple[float, float, int]:
    """The laptop's rows, as its tables hold them, written with plain psycopg into tables
    of the server's columns and indexes (no sync protocol): (COPY seconds, executemany
    seconds, rows)."""
    tables = [e.table for e in ENTITIES]
    local = sqlite3.connect(laptop_path)
    seconds, rows_written = [], 0
    with psycopg.connect(url) as conn:
        for way in ("copy", "executemany"):
            started = time.perf_counter()
            for table in tables:
                server_columns = dict(conn.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = %s AND table_schema = 'public'", (table,)).fetchall())
                columns = [c[1] for c in local.execute(f"PRAGMA table_info({table})")
                           if c[1] in server_columns]
                raw = f"raw_{way}_{table}"
                conn.execute(f"CREATE TABLE {raw} (LIKE {table} INCLUDING DEFAULTS "
                             "INCLUDING INDEXES)")
                rows = local.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
                names = ", ".join(columns)
                with conn.cursor() as cur:
                    if way == "copy":
                        with cur.copy(f"COPY {raw} ({names}) FROM STDIN") as copy:
                            for row in rows:
                                copy.write_row(row)
                    else:
                        # SQLite's 0 and 1 are flags: the server casts them to boolean
                        values = ", ".join("%s::int::boolean" if server_columns[c] == "boolean"
                                           else "%s" for c in columns)
                        cur.executemany(f"INSERT INTO {raw} ({names}) VALUES ({values})", rows)
                conn.commit()
                rows_written += len(rows) if way == "copy" else 0
            seconds.append(time.perf_counter() - started)
    local.close()
    return seconds[0], seconds[1], rows_written


@pytest.mark.slow
def test_first_push_of_100000_leads(cluster, tmp_path):
    url = new_database(cluster, "first_push")
    store, manager = team_laptop(tmp_path / "laptop.db", url, FIRST_PUSH_LEADS)
    cpu, started, laptop_cpu = cluster.cpu_seconds(), time.perf_counter(), cpu_seconds()
    result = synchronise(store, manager)
    seconds = time.perf_counter() - started
    server_cpu, laptop_cpu = cluster.cpu_seconds() - cpu, cpu_seconds() - laptop_cpu
    measured_at = load()
    store.close()
    assert result.first_push and not result.refused
    copy_seconds, executemany_seconds, rows = raw_first_push(tmp_path / "laptop.db", url)
    print(f"\nfirst push of a laptop with {FIRST_PUSH_LEADS:,} leads ({result.pushed:,} rows, "
          f"then its first pull): {seconds:.1f} s, laptop CPU {laptop_cpu:.1f} s, server CPU "
          f"{server_cpu:.1f} s "
          f"(target {FIRST_PUSH_TARGET:.0f} s, {measured_at}); raw psycopg into tables of the "
          f"same columns and indexes: COPY {copy_seconds:.1f} s ({seconds / copy_seconds:.1f}x),"
          f" executemany {executemany_seconds:.1f} s ({seconds / executemany_seconds:.1f}x) "
          f"of the same {rows:,} rows ({load()})")
    assert seconds < FIRST_PUSH_TARGET
