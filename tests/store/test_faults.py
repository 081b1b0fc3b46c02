"""Fault injection: the `workbench` command killed (kill -9) at random points of an import, a
rescore and triage, then the database checked (integrity, counts, invariants) and the
command run again: it completes, with nothing doubled or lost."""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

import pytest

from tests.stage_totals import assert_totals_exact
from workbench.services import imports, scoring
from workbench.store.leads import Store

NEW_LEADS = 3000
SEEDS = (1, 2, 3)


def start(*args):
    return subprocess.Popen([sys.executable, "-m", "workbench.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(*args):
    process = start(*args)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out


def kill_at_random(seed, *args):
    """Start the command and kill it at a moment chosen by the seed (it may have ended)."""
    process = start(*args)
    time.sleep(random.Random(seed).uniform(0.3, 2.5))
    process.send_signal(signal.SIGKILL)
    process.communicate()


def query(path, sql, *params):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql, params).fetchall()


def check_integrity(path):
    assert query(path, "PRAGMA integrity_check") == [("ok",)]
    assert query(path, "PRAGMA foreign_key_check") == []
    # every lead stands where its latest move took it: no move half made
    assert query(path, "SELECT count(*) FROM leads l WHERE l.stage != (SELECT c.to_stage "
                       "FROM stage_changes c WHERE c.lead_id = l.id ORDER BY c.id DESC "
                       "LIMIT 1)") == [(0,)]
    assert_totals_exact(path)  # the board's header counts


@pytest.fixture
def db(demo_db, tmp_path):
    copy = tmp_path / "faults.db"
    shutil.copy(demo_db, copy)
    return copy


def leads_file(path, db):
    """New leads, and 200 known leads (of an email of their own) with a new job title."""
    known = query(db, "SELECT email FROM leads WHERE email IS NOT NULL GROUP BY email "
                      "HAVING count(*) = 1 ORDER BY min(id) LIMIT 200")
    lines = ["First name,Last name,Email,Job title,Company"]
    lines += [f"Fault{i},Tester,fault{i}@example.org,Head of Sales,Faultline {i % 40}"
              for i in range(NEW_LEADS)]
    lines += [f",,{email},Chief Revenue Officer," for (email,) in known]
    path.write_text("\n".join(lines) + "\n")
    return [email for (email,) in known]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_an_import_killed_at_any_point(db, tmp_path, seed):
    path = tmp_path / "leads.csv"
    known = leads_file(path, db)
    (leads, emails), = query(db, "SELECT count(*), count(DISTINCT email) FROM leads")
    imported = "SELECT count(*) FROM stage_changes WHERE reason_code = 'import'"
    changes = query(db, imported)[0][0]
    kill_at_random(seed, "import", path, "--db", db)
    check_integrity(db)
    assert query(db, "SELECT count(*) FROM leads")[0][0] in (leads, leads + NEW_LEADS)
    run("import", path, "--db", db)
    check_integrity(db)
    assert query(db, "SELECT count(*), count(DISTINCT email) FROM leads") == [
        (leads + NEW_LEADS, emails + NEW_LEADS)]
    assert query(db, imported)[0][0] == changes + NEW_LEADS
    assert query(db, "SELECT lead_id FROM stage_changes GROUP BY lead_id, from_stage, "
                     "to_stage HAVING count(*) > 1 AND from_stage = 'lead'") == []
    titles = query(db, "SELECT DISTINCT job_title FROM leads WHERE email IN "
                       f"({','.join('?' * len(known))})", *known)
    assert titles == [("Chief Revenue Officer",)]
    assert query(db, "SELECT count(*) FROM leads WHERE grade IS NULL") == [(0,)]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_a_rescore_killed_at_any_point(db, tmp_path, seed):
    criteria = tmp_path / "criteria.toml"
    run("criteria", "export", criteria, "--db", db)
    criteria.write_text(criteria.read_text().replace("mql_threshold = 55", "mql_threshold = 30"))
    run("criteria", "import", criteria, "--db", db)
    promotions = "SELECT count(*) FROM stage_changes WHERE reason_code = 'score_threshold'"
    before = query(db, promotions)[0][0]
    kill_at_random(seed, "score", "--db", db)
    check_integrity(db)
    run("score", "--db", db)
    check_integrity(db)
    assert query(db, "SELECT count(*) FROM leads")[0][0] == 2000
    assert query(db, promotions)[0][0] > before
    assert query(db, "SELECT lead_id FROM stage_changes WHERE reason_code = "
                     "'score_threshold' GROUP BY lead_id HAVING count(*) > 1") == []
    assert query(db, "SELECT count(*) FROM leads WHERE stage = 'lead' AND score >= 30") == [
        (0,)]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_triage_killed_at_any_point(db, seed):
    chosen = random.Random(seed).sample(
        [i for (i,) in query(db, "SELECT id FROM leads WHERE stage = 'mql' ORDER BY id")], 3)
    moves = query(db, "SELECT count(*) FROM stage_changes")[0][0]
    actions = [["lead", "accept", chosen[0]],
               ["lead", "reject", chosen[1], "--reason", "no_budget"],
               ["lead", "recycle", chosen[2], "--reason", "not_ready"]]
    action = actions[seed % len(actions)]
    kill_at_random(seed, *action, "--db", db)
    check_integrity(db)
    done = query(db, "SELECT count(*) FROM stage_changes")[0][0] - moves
    assert done in (0, 1)
    if not done:
        run(*action, "--db", db)
    check_integrity(db)
    assert query(db, "SELECT count(*) FROM stage_changes")[0][0] == moves + 1
    assert query(db, "SELECT stage FROM leads WHERE id = ?", action[2]) == [
        ({"accept": "sal", "reject": "disqualified", "recycle": "recycled"}[action[1]],)]


def test_an_import_that_died_after_its_commit_is_scored_by_the_next_run(db, tmp_path,
                                                                        monkeypatch):
    path = tmp_path / "leads.csv"
    leads_file(path, db)

    def killed(*_args, **_kwargs):
        raise KeyboardInterrupt  # the process ends here, after the import's commit

    with Store.open(db) as store:
        monkeypatch.setattr(scoring, "rescore", killed)
        with pytest.raises(KeyboardInterrupt):
            imports.run_import(store, path)
        monkeypatch.undo()
        assert NEW_LEADS < len(store.unscored_lead_ids()) <= NEW_LEADS + 200  # new, changed
        again = imports.run_import(store, path)
        assert (again.imported, again.updated) == (0, 0)
        assert store.unscored_lead_ids() == []
        scored = query(db, "SELECT min(score) FROM leads WHERE email LIKE 'fault%'")[0][0]
        assert scored > 0  # heads of sales at a company score on fit


def test_score_workers_and_their_resource_tracker_end_when_the_command_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", (
        "import time\n"
        "from workbench.services.scoring import worker_pool\n"
        "if __name__ == '__main__':\n"
        "    pool = worker_pool(2)\n"
        "    for _ in range(2):\n"
        "        pool.submit(time.sleep, 600)\n"
        "    time.sleep(3)\n"
        "    print('started', flush=True)\n"
        "    time.sleep(600)\n")], stdout=subprocess.PIPE, text=True)
    assert parent.stdout.readline().strip() == "started"
    children = subprocess.run(["pgrep", "-P", str(parent.pid)], capture_output=True,
                              text=True).stdout.split()
    assert len(children) == 3  # two workers and the resource tracker
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(int(c)) for c in children):
        time.sleep(0.1)
    left = [int(c) for c in children if _alive(int(c))]
    for pid in left:  # a failing run leaves no orphans behind
        os.kill(pid, signal.SIGKILL)
    assert not left


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False
