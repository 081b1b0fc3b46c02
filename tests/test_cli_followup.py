"""`workbench lead log`: a rep's touches from the command line."""

import json
import shutil
import sqlite3

import pytest

from workbench.rules.stages import Stage
from workbench.store.leads import BoardFilter, Store


@pytest.fixture
def copy(demo_db, tmp_path):
    path = tmp_path / "followup.db"
    shutil.copy(demo_db, path)
    return path


def untouched_mql(path) -> int:
    with Store.open(path) as store:
        return next(c.id for c in store.board_page(Stage.MQL, BoardFilter(), limit=50)
                    if c.first_touch_at is None)


def test_a_logged_call_answers_the_sla_and_shows_in_the_lead(workbench, copy):
    lead = untouched_mql(copy)
    result = workbench("lead", "log", lead, "--db", copy, "--kind", "call", "--outcome",
                       "no_answer", "--note", "Rang twice", "--as",
                       "alex.morgan@sales.example")
    assert result.returncode == 0, result.stderr
    assert "call, no answer. It answers the follow-up SLA." in result.stdout
    shown = json.loads(workbench("lead", "show", lead, "--db", copy, "--json").stdout)
    assert shown["touches"][-1] == {"kind": "call", "outcome": "no_answer",
                                    "at": "2026-11-23T12:00:00", "by": "Alex Morgan",
                                    "note": "Rang twice"}
    queue = json.loads(workbench("queue", "--db", copy, "--json").stdout)
    assert all(item["sla_due"] is None for item in queue if item["id"] == lead)
    text = workbench("lead", "show", lead, "--db", copy).stdout
    assert "Touches\n  2026-11-23 12:00  call: no answer  by Alex Morgan  (Rang twice)" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "call", "--outcome", "connected", "--at", "2026-11-23T12:30"],
     "is in the future"),
    (["--kind", "email", "--outcome", "left_message"], "An email is replied, no_answer"),
    (["--kind", "call", "--outcome", "connected", "--at", "tomorrow"],
     "The time of a touch is written like 2026-12-07T10:00"),
])
def test_a_refused_touch_says_why_in_one_line_and_logs_nothing(workbench, copy, args,
                                                               message):
    lead = untouched_mql(copy)

    def activities():
        with sqlite3.connect(copy) as conn:
            return conn.execute("SELECT count(*) FROM activities").fetchone()[0]

    before = activities()
    result = workbench("lead", "log", lead, "--db", copy, *args)
    assert result.returncode == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert activities() == before
