"""A sync cut at any point and run again: nothing twice, nothing lost. And a laptop whose
server is down keeps working."""

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from tests.sync.test_sync import lead_names, me
from workbench.rules.stages import Stage
from workbench.services.sync import synchronise
from workbench.store.leads import Store
from workbench.sync.protocol import SyncError

LEADS = 3000
# Sync in another process that is killed (SIGKILL: no cleanup of any kind) after a delay.
KILLED_SYNC = """
import os, sys, threading
from workbench.store.leads import Store
from workbench.services.sync import synchronise
threading.Timer(float(sys.argv[3]), lambda: os.kill(os.getpid(), 9)).start()
synchronise(Store.open(sys.argv[1]), sys.argv[2])
print("completed", flush=True)
os.kill(os.getpid(), 9)
"""


def killed_sync(path: Path, url: str, after: float) -> bool:
    """Whether the sync completed before it was killed."""
    done = subprocess.run([sys.executable, "-c", KILLED_SYNC, str(path), url, str(after)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == -9, done.stderr  # killed, not failed
    return "completed" in done.stdout


def add_many_leads(store: Store, owner: int) -> None:
    """Leads with a history and two activities each, through the triggers like any edit."""
    with store.writing() as s:
        s.execute(text(
            "INSERT INTO leads (first_name, last_name, email, owner_id, stage, fit_score, "
            "engagement_score, score, created_at, updated_at, stage_entered_at, mql_at, "
            "last_activity_at) SELECT 'Lead' || value, 'Many', 'lead' || value || "
            "'@example.com', :owner, 'mql', 0, 0, 0, '2026-11-01 09:00:00.000000', "
            "'2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000', "
            "'2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000' "
            "FROM (WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n "
            "WHERE value < :n) SELECT value FROM n)"), {"owner": owner, "n": LEADS})
        s.execute(text("INSERT INTO stage_changes (lead_id, to_stage, changed_at) "
                       "SELECT id, 'mql', created_at FROM leads WHERE last_name = 'Many'"))
        for kind in ("page_view", "download"):
            s.execute(text("INSERT INTO activities (lead_id, occurred_at, kind, url) "
                           "SELECT id, '2026-11-02 10:00:00.000000', :kind, '/pricing' "
                           "FROM leads WHERE last_name = 'Many'"), {"kind": kind})


def counts(store: Store) -> tuple[int, int, int]:
    with store.reading() as s:
        return tuple(s.execute(text(
            "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM stage_changes), "
            "(SELECT count(*) FROM activities)")).one())


@pytest.mark.slow
def test_a_sync_killed_at_any_point_and_run_again_loses_and_doubles_nothing(
        team, server_url, tmp_path):
    ana_path, dana_path = tmp_path / "ana.db", tmp_path / "dana.db"
    with Store.open(ana_path) as ana, Store.open(dana_path) as dana:
        synchronise(ana, team["ana"])
        ana.add_lead(first_name="First", last_name="Lead", stage=Stage.MQL)
        synchronise(ana, team["ana"])
        synchronise(dana, team["dana"])  # she has the team's leads: her pulls come in batches
        add_many_leads(ana, me(ana, "ana"))
        expected = counts(ana)
    assert expected == (LEADS + 1, LEADS + 1, 2 * LEADS)
    # killed later and later until a run gets to the end: some runs die mid-way
    waiting = [killed_until_done(ana_path, team["ana"], lambda a: a.sync_status().waiting)]
    assert any(0 < w < 4 * LEADS for w in waiting[0]), waiting
    with psycopg.connect(server_url) as owner:
        on_server = owner.execute(
            "SELECT (SELECT count(*) FROM leads), (SELECT count(*) FROM stage_changes), "
            "(SELECT count(*) FROM activities)").fetchone()
    assert on_server == expected

    received = killed_until_done(dana_path, team["dana"], lambda d: sum(counts(d)))
    assert any(0 < r < sum(expected) for r in received), received
    with Store.open(dana_path) as dana:
        assert counts(dana) == expected
        synchronise(dana, team["dana"])
        assert counts(dana) == expected
        assert lead_names(dana)[:3] == ["First", "Lead1", "Lead10"]

    # a new laptop's first download is one transaction: cut, it leaves nothing behind
    fresh = tmp_path / "dana-new.db"
    received = killed_until_done(fresh, team["dana"], lambda d: counts(d))
    assert all(c in ((0, 0, 0), expected) for c in received), received


def killed_until_done(path: Path, url: str, measure) -> list[int]:
    """Run a sync killed after 0.05 s, 0.15 s, ... until one completes; the measure after
    each."""
    seen, after = [], 0.05
    while True:
        completed = killed_sync(path, url, after)
        with Store.open(path) as store:
            seen.append(measure(store))
        if completed:
            return seen
        after += 0.1


def test_with_the_server_down_the_laptop_keeps_working(tmp_path):
    down = "postgresql://ana:pw@127.0.0.1:1/team"  # nothing listens there
    with Store.open(tmp_path / "ana.db") as ana:
        lead = ana.add_lead(first_name="Offline", last_name="Work", stage=Stage.MQL)
        with pytest.raises(SyncError, match="Cannot reach the team server"):
            synchronise(ana, down)
        ana.move_lead(lead, Stage.SAL)
        status = ana.sync_status()
        assert status.waiting == 3  # the lead and its two moves, kept for the next sync
        assert status.last_error.startswith("Cannot reach the team server")
        assert status.server_url == "postgresql://ana@127.0.0.1:1/team"  # no password kept
