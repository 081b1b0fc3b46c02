"""Team sync on loopback, against a real PostgreSQL server.

- Pushing 10,000 changes from one laptop and pulling them on another: target under 5 s,
  beside raw psycopg + sqlite3 moving the same rows (insert on the server, then select and
  insert into SQLite) in the same run.
- The first download of a 100,000-lead team store into a new laptop: target under 20 s,
  beside raw psycopg reading the same tables with sqlite3.executemany into a scratch file.
"""

import sqlite3
import time
from datetime import datetime

import psycopg
import pytest
from sqlalchemy import text

from tests.sync.conftest import memory_keyring, pg_cluster, role_url, server_url  # noqa: F401
from workbench import demo
from workbench.services.sync import synchronise
from workbench.store.leads import BoardFilter, Store
from workbench.sync.server import add_account, init_server

CHANGES = 10_000
TEAM_LEADS = 100_000
PUSH_PULL_TARGET = 5.0
DOWNLOAD_TARGET = 20.0


def team_laptop(path, server_url: str, leads: int) -> tuple[Store, str]:  # noqa: F811
    """A demo database made a team laptop: its reps get server accounts, and the manager's
    role syncs it."""
    demo.create_database(path, leads=leads, seed=3, as_of=datetime(2026, 11, 23, 9))
    store = Store.open(path)
    with store.writing() as s:
        s.execute(text("UPDATE sync_state SET is_demo = 0"))
    init_server(server_url)
    for _id, name, email, role in store.users():
        add_account(server_url, email=email, name=name, password="pw",
                    manager=role == "manager")
    manager = add_account(server_url, email="lead@team.example", name="Team Lead",
                          password="lead-pw", manager=True)
    return store, role_url(server_url, manager, "lead-pw")


def changes_waiting(store: Store) -> int:
    with store.reading() as s:
        return s.execute(text(
            "SELECT count(*) FROM sync_outbox")).scalar()


def test_push_and_pull_of_10000_changes(server_url, tmp_path):  # noqa: F811
    store, url = team_laptop(tmp_path / "a.db", server_url, leads=200)
    synchronise(store, url)  # the first push: every row this laptop has
    other = Store.open(tmp_path / "b.db")
    synchronise(other, url)
    lead_ids = store.board_lead_ids(BoardFilter())
    per_lead = CHANGES // len(lead_ids)
    with store.writing() as s:  # notes by the rep: each one change
        s.execute(text(
            "INSERT INTO activities (lead_id, occurred_at, kind, note) "
            "SELECT l.id, '2026-11-23 10:00:00.000000', 'note', 'note ' || n.k "
            "FROM leads l, (WITH RECURSIVE k(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM k "
            "WHERE k < :n) SELECT k FROM k) n"), {"n": per_lead})
    waiting = changes_waiting(store)
    assert waiting >= CHANGES * 0.95

    started = time.perf_counter()
    pushed = synchronise(store, url)
    push_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pulled = synchronise(other, url)
    pull_seconds = time.perf_counter() - started
    assert pushed.pushed == waiting and pulled.pulled >= waiting

    baseline = raw_push_pull(server_url, tmp_path / "raw.db", waiting)
    total = push_seconds + pull_seconds
    print(f"\nsync of {waiting:,} changes: push {push_seconds:.2f} s + pull {pull_seconds:.2f} s "
          f"= {total:.2f} s (target {PUSH_PULL_TARGET} s); raw psycopg + sqlite3 moving the "
          f"same rows {baseline:.2f} s (ratio {total / baseline:.2f}x)")
    store.close()
    other.close()
    assert total < PUSH_PULL_TARGET


def raw_push_pull(server_url: str, path, rows: int) -> float:  # noqa: F811
    """The same rows inserted on the server, read back and inserted into SQLite."""
    with psycopg.connect(server_url) as conn:
        conn.execute("CREATE TABLE raw_activities (LIKE activities)")
        values = [(i, 1, "2026-11-23 10:00:00", "note", f"note {i}", f"raw-{i}")
                  for i in range(rows)]
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO raw_activities (id, lead_id, occurred_at, kind, note, "
                            "uid) VALUES (%s, %s, %s, %s, %s, %s)", values)
        conn.commit()
        read = conn.execute("SELECT id, lead_id, occurred_at, kind, note, uid "
                            "FROM raw_activities").fetchall()
    with sqlite3.connect(path) as local:
        local.execute("CREATE TABLE a (id, lead_id, occurred_at, kind, note, uid)")
        local.executemany("INSERT INTO a VALUES (?, ?, ?, ?, ?, ?)", read)
    return time.perf_counter() - started


@pytest.mark.slow
def test_first_download_of_a_100000_lead_team_store(server_url, tmp_path):  # noqa: F811
    store, url = team_laptop(tmp_path / "a.db", server_url, leads=TEAM_LEADS)
    started = time.perf_counter()
    synchronise(store, url)
    print(f"\nfirst push of the {TEAM_LEADS:,}-lead laptop: "
          f"{time.perf_counter() - started:.1f} s (not a target)")
    store.close()
    with psycopg.connect(server_url) as conn:
        on_server = conn.execute(
            "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM stage_changes), "
            "(SELECT count(*) FROM activities)").fetchone()

    new = Store.open(tmp_path / "new.db")
    started = time.perf_counter()
    synchronise(new, url)
    seconds = time.perf_counter() - started
    with new.reading() as s:
        local = s.execute(text(
            "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM stage_changes), "
            "(SELECT count(*) FROM activities)")).one()
    new.close()
    assert tuple(local) == on_server
    baseline = raw_download(server_url, tmp_path / "raw.db")
    print(f"first download of {on_server[0]:,} leads, {on_server[1]:,} stage changes, "
          f"{on_server[2]:,} activities: {seconds:.1f} s (target {DOWNLOAD_TARGET} s); raw "
          f"psycopg + sqlite3.executemany of the same tables {baseline:.1f} s "
          f"(ratio {seconds / baseline:.2f}x)")
    assert seconds < DOWNLOAD_TARGET


def raw_download(server_url: str, path) -> float:  # noqa: F811
    started = time.perf_counter()
    with psycopg.connect(server_url) as conn, sqlite3.connect(path) as local:
        for table in ("companies", "leads", "stage_changes", "activities", "qualifications"):
            with conn.cursor(name=f"raw_{table}") as cur:
                cur.execute(f"SELECT * FROM {table}")
                columns = [d.name for d in cur.description]
                local.execute(f"CREATE TABLE {table} ({', '.join(columns)})")
                while rows := cur.fetchmany(5000):
                    local.executemany(f"INSERT INTO {table} VALUES "
                                      f"({', '.join('?' * len(columns))})",
                                      [[str(v) if not isinstance(v, int | float | str | None)
                                        else v for v in row] for row in rows])
    return time.perf_counter() - started
