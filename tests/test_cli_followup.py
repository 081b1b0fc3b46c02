"""`workbench lead log`: a rep's touches from the command line."""

import json
import sqlite3

import pytest

from workbench.rules.stages import Stage
from workbench.store.leads import BoardFilter, OwnerFilter, Store


def untouched_mql(path) -> int:
    """An MQL nobody touched yet that Alex Morgan may work: his, or in the pool."""
    with Store.open(path) as store:
        return next(c.id for c in store.board_page(Stage.MQL, BoardFilter(), limit=200)
                    if c.first_touch_at is None and c.owner_name in (None, "Alex Morgan"))


def test_a_logged_call_answers_the_sla_and_shows_in_the_lead(workbench, db_copy):
    lead = untouched_mql(db_copy)
    result = workbench("lead", "log", lead, "--db", db_copy, "--kind", "call", "--outcome",
                       "no_answer", "--note", "Rang twice", "--as",
                       "alex.morgan@sales.example")
    assert result.returncode == 0, result.stderr
    assert "call, no answer. It answers the follow-up SLA." in result.stdout
    shown = json.loads(workbench("lead", "show", lead, "--db", db_copy, "--json").stdout)
    assert shown["touches"][-1] == {"kind": "call", "outcome": "no_answer",
                                    "at": "2026-11-23T12:00:00", "by": "Alex Morgan",
                                    "note": "Rang twice"}
    queue = json.loads(workbench("queue", "--db", db_copy, "--json").stdout)
    assert all(item["sla_due"] is None for item in queue if item["id"] == lead)
    text = workbench("lead", "show", lead, "--db", db_copy).stdout
    assert "Touches\n  2026-11-23 12:00  call: no answer  by Alex Morgan  (Rang twice)" in text


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "call", "--outcome", "connected", "--at", "2026-11-23T12:30"],
     "is in the future"),
    (["--kind", "email", "--outcome", "left_message"], "An email is replied, no_answer"),
    (["--kind", "call", "--outcome", "connected", "--at", "tomorrow"],
     "The time of a touch is written like 2026-12-07T10:00"),
])
def test_a_refused_touch_says_why_in_one_line_and_logs_nothing(workbench, db_copy, args,
                                                               message):
    lead = untouched_mql(db_copy)

    def activities():
        with sqlite3.connect(db_copy) as conn:
            return conn.execute("SELECT count(*) FROM activities").fetchone()[0]

    before = activities()
    result = workbench("lead", "log", lead, "--db", db_copy, *args)
    assert result.returncode == 1 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert activities() == before


def test_a_next_step_planned_shows_in_today_and_a_touch_completes_it(workbench, db_copy):
    rep = "alex.morgan@sales.example"
    with Store.open(db_copy) as store:
        alex = store.user_by_email(rep)
        lead = next(c.id for c in store.board_page(Stage.SAL, BoardFilter(), limit=500)
                    if store.lead(c.id).owner_id == alex)
    planned = workbench("lead", "next", lead, "--db", db_copy, "--kind", "meeting", "--due",
                        "2026-11-22T09:30", "--note", "Scope the pilot", "--as", rep)
    assert planned.returncode == 0, planned.stderr
    assert "next step meeting, due 2026-11-22T09:30 (already overdue)." in planned.stdout
    today = json.loads(workbench("today", "--db", db_copy, "--rep", rep, "--json").stdout)
    [step] = [item for item in today if item["id"] == lead]
    assert step == {"id": lead, "name": step["name"], "company": step["company"],
                    "stage": "sal", "reason": "next_step", "kind": "meeting",
                    "due": "2026-11-22T09:30:00", "overdue": True, "note": "Scope the pilot"}
    dues = [item["due"] for item in today if item["due"]]
    assert dues == sorted(dues) and {i["reason"] for i in today} >= {"next_step", "sla"}
    text = workbench("today", "--db", db_copy, "--rep", rep).stdout
    assert f"#{lead:<8} 2026-11-22 09:30 overdue  meeting" in text
    workbench("lead", "log", lead, "--db", db_copy, "--kind", "meeting", "--outcome", "connected")
    after = json.loads(workbench("today", "--db", db_copy, "--rep", rep, "--json").stdout)
    assert {"id": lead, "reason": "no_next_step"} in [
        {"id": i["id"], "reason": i["reason"]} for i in after]


def test_a_next_step_needs_a_time_it_can_read(workbench, db_copy):
    result = workbench("lead", "next", untouched_mql(db_copy), "--db", db_copy, "--kind", "call",
                       "--due", "next tuesday")
    assert result.returncode == 1
    assert "The due time of a next step is written like 2026-12-07T10:00" in result.stderr


def test_stale_lists_a_reps_open_leads_past_their_stage_days(workbench, db_copy):
    from tests.conftest import SUITE_NOW
    from workbench.rules.criteria import DEFAULT_CRITERIA
    from workbench.rules.rotting import is_stale, stale_cutoffs

    rep = "alex.morgan@sales.example"
    result = workbench("stale", "--db", db_copy, "--rep", rep, "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    cutoffs = dict(stale_cutoffs(DEFAULT_CRITERIA.rotting, SUITE_NOW))
    with Store.open(db_copy) as store:
        me = store.user_by_email(rep)
        mine = [c for stage in Stage
                for c in store.board_page(stage, BoardFilter(owner=OwnerFilter.MINE, me=me),
                                          limit=5000)]
    expected = {c.id for c in mine if is_stale(c.stage, c.stage_entered_at, c.last_touch_at,
                                               cutoffs.get(c.stage))}
    assert expected and {item["id"] for item in listed} == expected
    assert all(item["stale_since"] < SUITE_NOW.isoformat() for item in listed)
    text = workbench("stale", "--db", db_copy, "--rep", rep).stdout
    assert text.startswith(f"{len(expected):,} stale leads\n")
    assert "stale since" in text
