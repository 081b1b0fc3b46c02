"""The demo database: deterministic, consistent history, outcomes that follow fit and intent."""

import sqlite3
from collections import Counter
from contextlib import closing
from datetime import datetime, time, timedelta

import pytest

from tests.conftest import DEMO_AS_OF
from workbench import demo
from workbench.rules.criteria import FREE_MAIL
from workbench.rules.refusals import Refused
from workbench.rules.stages import Stage, check_transition
from workbench.services import routing
from workbench.store.db import sql_time
from workbench.store.leads import Store

TABLES = ("users", "companies", "leads", "stage_changes", "activities", "qualifications")


def dump(path):
    with closing(sqlite3.connect(path)) as conn:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in TABLES}


def query(path, sql):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


def test_same_seed_gives_the_same_data_and_another_seed_does_not(tmp_path):
    paths = [tmp_path / name for name in ("a.db", "b.db", "c.db")]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        demo.create_database(path, leads=300, seed=seed, as_of=DEMO_AS_OF)
    first, second, other = (dump(p) for p in paths)
    assert first == second
    assert first["leads"] != other["leads"]
    assert len(first["leads"]) == 300


def test_every_stage_is_present_with_a_queue_of_mqls(demo_db):
    with Store.open(demo_db) as store:
        stats = store.stats()
    assert stats.leads == 2000
    assert all(stats.by_stage[s.value] > 0 for s in Stage), stats.by_stage
    assert stats.by_stage["mql"] >= 20
    assert len(stats.by_source) >= 6


def test_each_leads_stage_is_the_end_of_an_allowed_history(demo_db):
    rows = query(demo_db, """
        SELECT l.id, l.stage, l.stage_entered_at, c.from_stage, c.to_stage, c.changed_at
        FROM leads l JOIN stage_changes c ON c.lead_id = l.id ORDER BY l.id, c.id""")
    history: dict[int, list] = {}
    for lead_id, stage, entered, from_stage, to_stage, changed_at in rows:
        history.setdefault(lead_id, [stage, entered, []])[2].append(
            (from_stage, to_stage, changed_at))
    assert len(history) == 2000
    for lead_id, (stage, entered, changes) in history.items():
        assert changes[0][0] is None, lead_id
        for before, after in zip(changes, changes[1:], strict=False):
            assert after[0] == before[1], lead_id
            assert after[2] >= before[2], lead_id
            check_transition(after[0], after[1])
        assert changes[-1][1] == stage and changes[-1][2] == entered, lead_id


def test_rejections_and_recycles_carry_reasons_from_the_catalogue(demo_db):
    with Store.open(demo_db) as store:
        reject = {code for code, _ in store.reasons("reject")}
        recycle = {code for code, _ in store.reasons("recycle")}
    rows = query(demo_db, """SELECT from_stage, to_stage, reason_code, user_id
                             FROM stage_changes WHERE to_stage IN ('disqualified', 'recycled')
                             AND from_stage <> 'recycled'""")
    assert rows
    for _from_stage, to_stage, reason, _user in rows:
        assert reason in (reject if to_stage == "disqualified" else recycle)
    rep_decisions = [r for r in rows if r[0] != "lead"]
    assert all(user is not None for *_, user in rep_decisions)
    assert query(demo_db, "SELECT count(*) FROM leads WHERE stage = 'recycled' "
                          "AND revisit_on IS NULL") == [(0,)]


def test_outcomes_follow_fit_and_behaviour(demo_db):
    won = "('opportunity', 'customer', 'evangelist')"
    by_title = dict(query(demo_db, f"""
        SELECT seniority IN ('c_level', 'vp', 'director'), avg(stage IN {won})
        FROM leads GROUP BY 1"""))
    assert by_title[1] > 1.5 * by_title[0]
    by_intent = dict(query(demo_db, f"""
        SELECT EXISTS (SELECT 1 FROM activities a WHERE a.lead_id = l.id
                       AND a.kind IN ('demo_request', 'pricing_request')), avg(stage IN {won})
        FROM leads l GROUP BY 1"""))
    assert by_intent[1] > 1.5 * by_intent[0]


def test_sqls_meet_the_bant_rule_and_mqls_wait_for_a_first_touch(demo_db):
    bant = query(demo_db, """SELECT q.need, q.budget, q.authority, q.timeline FROM leads l
                             JOIN qualifications q ON q.lead_id = l.id WHERE l.stage = 'sql'""")
    assert bant
    for need, *others in bant:
        assert need == "confirmed" and "failed" not in others
    assert query(demo_db, "SELECT count(*) FROM leads WHERE stage = 'mql' AND mql_at IS NULL") \
        == [(0,)]


def test_the_queue_of_mqls_came_in_over_recent_days_not_all_when_the_demo_was_made(demo_db):
    rows = query(demo_db, """
        SELECT l.created_at, l.mql_at, l.stage_entered_at,
               (SELECT max(c.changed_at) FROM stage_changes c WHERE c.lead_id = l.id)
        FROM leads l WHERE l.stage = 'mql'""")
    for created, mql_at, entered, last_change in rows:
        assert created <= mql_at == entered == last_change <= sql_time(DEMO_AS_OF)
    ages = [DEMO_AS_OF - datetime.fromisoformat(mql_at) for _, mql_at, _, _ in rows]
    # a card reads "MQL for 0m" only for the odd lead that arrived in the last minutes
    assert sum(age < timedelta(minutes=10) for age in ages) <= len(ages) // 20
    assert Counter(mql_at for _, mql_at, _, _ in rows).most_common(1)[0][1] <= 3
    assert sum(age < timedelta(days=1) for age in ages) >= len(ages) // 4
    assert sum(age > timedelta(days=2) for age in ages) >= len(ages) // 10


def test_a_demo_never_overwrites_an_existing_database_unasked(demo_db, tmp_path):
    with pytest.raises(Refused, match="already holds a workbench database .2,000 leads"):
        demo.create_database(demo_db, leads=10)
    assert query(demo_db, "SELECT count(*) FROM leads") == [(2000,)]
    copy = tmp_path / "copy.db"
    Store.open(demo_db).close()
    with closing(sqlite3.connect(demo_db)) as src, closing(sqlite3.connect(copy)) as dst:
        src.backup(dst)
    demo.create_database(copy, leads=10, replace=True, as_of=DEMO_AS_OF)
    assert query(copy, "SELECT count(*) FROM leads") == [(10,)]
    assert not list(tmp_path.glob(".*partial*"))


def test_no_recycled_lead_is_due_when_the_demo_is_made(demo_db):
    # their date to look again is after the demo's 'now', or they came back already
    assert query(demo_db, "SELECT count(*) FROM leads WHERE stage = 'recycled' "
                          f"AND revisit_on <= '{DEMO_AS_OF.date().isoformat()}'") == [(0,)]


def test_the_demo_reports_every_handover_with_its_next_stage(demo_db):
    history: dict[int, list[tuple]] = {}
    for change_id, lead_id, to_stage, changed_at in query(
            demo_db, "SELECT id, lead_id, to_stage, changed_at FROM stage_changes ORDER BY id"):
        history.setdefault(lead_id, []).append((change_id, to_stage, changed_at))
    expected = {}
    for changes in history.values():
        for i, (change_id, to_stage, changed_at) in enumerate(changes):
            if to_stage == "mql":
                after = changes[i + 1][1] if i + 1 < len(changes) else None
                expected[change_id] = (changed_at, after)
    rows = query(demo_db, "SELECT id, handed_at, outcome FROM handovers")
    assert {r[0]: (r[1], r[2]) for r in rows} == expected
    assert len(expected) > 500


def test_the_demos_free_mail_is_free_mail_to_the_rules():
    assert set(demo.catalogue.FREE_MAIL) <= FREE_MAIL


def test_the_mqls_scores_promoted_went_to_reps_by_the_teams_routing_rules(demo_db):
    with Store.open(demo_db) as store:
        rules = store.current_criteria().routing
        pool = store.pool_mqls()
        # what stays in the pool is what the product's routing would leave there too
        waiting = routing.plan(store, [lead_id for lead_id, *_ in pool])
    assert rules
    assert {r.why for r in waiting} == {"no routing rule covers it"}
    promoted = query(demo_db, """
        SELECT l.id, l.mql_at, u.email, a.occurred_at, a.note FROM leads l
        JOIN stage_changes c ON c.lead_id = l.id AND c.to_stage = 'mql'
             AND c.reason_code = 'score_threshold'
        LEFT JOIN users u ON u.id = l.owner_id
        LEFT JOIN activities a ON a.lead_id = l.id AND a.kind = 'assigned'
        WHERE l.stage = 'mql'""")
    owned = [row for row in promoted if row[2] is not None]
    assert len(promoted) > 20
    assert 0.75 * len(promoted) <= len(owned) < len(promoted)
    for _lead, mql_at, email, assigned_at, note in owned:
        assert assigned_at == mql_at  # routed by the rescore that promoted it
        assert note.startswith(f"Routed to {email} by '")
    mqls = query(demo_db, "SELECT count(*), count(owner_id) FROM leads WHERE stage = 'mql'")
    total, with_owner = mqls[0]
    assert 0.03 * total <= total - with_owner <= 0.25 * total


def test_recycled_leads_came_back_when_a_window_first_looked_on_their_day(demo_db):
    rows = query(demo_db, "SELECT c.changed_at, c.lead_id FROM stage_changes c "
                          "WHERE c.from_stage = 'recycled' AND c.to_stage = 'mql'")
    assert len(rows) >= 5
    for changed_at, lead_id in rows:
        back = datetime.fromisoformat(changed_at)
        assert back <= DEMO_AS_OF, lead_id
        if back.date() < DEMO_AS_OF.date():  # not at midnight: in the morning or later
            assert back.time() >= time(7), (lead_id, changed_at)
        else:
            assert back.time() > time(0), (lead_id, changed_at)
