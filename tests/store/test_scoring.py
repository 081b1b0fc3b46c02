"""Scoring rules on hand-built leads: exact decay, caps, grades, journey, promotion."""

import dataclasses
import json
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.rules.criteria import (
    DEFAULT_CRITERIA,
    Criteria,
    EngagementRule,
    FitRule,
    JourneyStep,
)
from workbench.rules.refusals import BadInput
from workbench.rules.scoring import first_match
from workbench.rules.stages import Stage
from workbench.rules.vocabulary import ActivityKind
from workbench.services import scoring, todays_scores, triage
from workbench.store.leads import BoardFilter, Store

NOW = datetime(2026, 11, 23, 12, 0)

RULES = Criteria(
    mql_threshold=30,
    half_life_days=30,
    fit_rules=(
        FitRule("VP", "seniority", ("vp",), 20),
        FitRule("Sales title", "job_title", ("sales",), 5, "contains"),
        FitRule("Free mail", "email_domain", ("gmail.com",), -10),
        FitRule("Student", "email_domain", (".edu",), -15, "ends_with"),
    ),
    engagement_rules=(
        EngagementRule("Demo", "demo_request", 20),
        EngagementRule("Pricing page", "page_view", 8, "pricing", cap=12),
        EngagementRule("Any page", "page_view", 1),
        EngagementRule("Bounce", "bounce", -10),
    ),
    journey=(
        JourneyStep("intent", "demo_request"),
        JourneyStep("interest", "page_view", "product", min_count=2),
        JourneyStep("awareness", "page_view", "blog"),
    ),
)


@pytest.fixture
def lead(store):
    return store.add_lead(first_name="Vera", last_name="Vp", seniority="vp",
                          job_title="VP Sales", email="vera@acme.example", stage=Stage.LEAD,
                          at=NOW - timedelta(days=400))


def act(store, lead_id, kind, days_ago, page_kind=None):
    store.add_activity(lead_id, kind, page_kind=page_kind, at=NOW - timedelta(days=days_ago))


def explain(store, lead_id, criteria=RULES):
    return scoring.explain(store, criteria, lead_id, as_of=NOW)


def parts(result):
    return {p.rule: p.points for p in result.breakdown}


def test_fit_rules_equals_contains_and_ends_with(store, lead):
    assert parts(explain(store, lead)) == {"VP": 20, "Sales title": 5}
    student = store.add_lead(first_name="S", last_name="T", email="s@uni.EDU", job_title=None)
    free = store.add_lead(first_name="F", last_name="M", email="f@Gmail.com")
    assert parts(explain(store, student)) == {"Student": -15}
    assert parts(explain(store, free)) == {"Free mail": -10}


def company(store, name, domain):
    from workbench.store.tables import Company

    with store.writing() as s:
        row = Company(name=name, domain=domain)
        s.add(row)
        s.flush()
        return row.id


def test_people_at_competitors_and_at_customers_fit_less(store):
    criteria = RULES.with_changes(fit_rules=(
        FitRule("Competitor", "company_domain", ("rival.example",), -40),
        FitRule("Customer already", "account_status", ("customer",), -25)))
    store.save_criteria(criteria, note="competitors and accounts")
    rival, acme = company(store, "Rival", "rival.example"), company(store, "Acme", "acme.example")
    spy = store.add_lead(first_name="Spy", last_name="R", company_id=rival)
    buyer = store.add_lead(first_name="Bea", last_name="A", company_id=acme, stage=Stage.MQL)
    colleague = store.add_lead(first_name="Cal", last_name="A", company_id=acme)
    assert parts(explain(store, spy, criteria)) == {"Competitor": -40}
    assert parts(explain(store, colleague, criteria)) == {}
    for stage in (Stage.SAL, Stage.SQL, Stage.OPPORTUNITY):
        store.move_lead(buyer, stage)
    won = triage.move_lead(store, buyer, Stage.CUSTOMER)
    # Bea bought: Cal is now at a customer, and his stored score says so at once
    assert parts(explain(store, colleague, criteria)) == {"Customer already": -25}
    assert store.lead_detail(colleague).fit_score == -25
    triage.undo_move(store, won)  # not a customer after all
    assert store.lead_detail(colleague).fit_score == 0


@pytest.mark.parametrize(("days", "points"), [(0, 20), (30, 10), (60, 5), (90, 2), (15, 14)])
def test_engagement_halves_every_half_life(store, lead, days, points):
    act(store, lead, "demo_request", days)
    assert parts(explain(store, lead))["Demo"] == points  # 20 * 0.5 ** (days / 30), rounded


def test_repeats_count_up_to_the_cap_and_the_first_matching_rule_scores(store, lead):
    for _ in range(3):
        act(store, lead, "page_view", 0, "pricing")  # 3 x 8 = 24, capped at 12
    act(store, lead, "page_view", 0, "blog")
    act(store, lead, "page_view", 0, "product")
    act(store, lead, "bounce", 0)
    result = parts(explain(store, lead))
    assert result["Pricing page"] == 12
    assert result["Any page"] == 2
    assert result["Bounce"] == -10


def test_the_breakdown_adds_up_to_the_score(store, lead):
    act(store, lead, "demo_request", 7)
    act(store, lead, "page_view", 3, "pricing")
    act(store, lead, "page_view", 45, "blog")
    result = explain(store, lead)
    assert sum(p.points for p in result.breakdown) == result.total == result.fit + result.engagement
    assert result.grade == "B2"  # fit 25 (A needs 40), engagement 24 (2 needs 20)


def test_buyer_journey_is_the_furthest_recent_stage(store, lead):
    assert explain(store, lead).buyer_stage is None
    act(store, lead, "page_view", 1, "blog")
    assert explain(store, lead).buyer_stage == "awareness"
    act(store, lead, "page_view", 1, "product")
    assert explain(store, lead).buyer_stage == "awareness"  # interest needs two visits
    act(store, lead, "page_view", 2, "product")
    assert explain(store, lead).buyer_stage == "interest"
    act(store, lead, "demo_request", 200)  # older than the journey window
    assert explain(store, lead).buyer_stage == "interest"
    act(store, lead, "demo_request", 5)
    assert explain(store, lead).buyer_stage == "intent"


def test_rescore_stores_what_explain_says_and_promotes_at_the_threshold(store, lead):
    quiet = store.add_lead(first_name="Q", last_name="Lead", seniority="manager",
                           stage=Stage.LEAD, at=NOW - timedelta(days=3))
    act(store, lead, "demo_request", 1)  # 25 fit + 20 engagement >= 30
    report = scoring.rescore(store, RULES, as_of=NOW)
    assert (report.leads, report.promoted, report.finished) == (2, 1, True)
    promoted = store.lead(lead)
    assert promoted.stage == Stage.MQL and promoted.mql_at == NOW
    last = store.stage_history(lead)[-1]
    assert (last.from_stage, last.to_stage, last.reason_code) == (Stage.LEAD, Stage.MQL,
                                                                  "score_threshold")
    assert last.note == "Score 45 reached the MQL threshold of 30"
    assert promoted.score == explain(store, lead).total == 45
    assert store.lead(quiet).stage == Stage.LEAD
    again = scoring.rescore(store, RULES, as_of=NOW)
    assert (again.changed, again.promoted) == (0, 0)  # nothing new: nothing written


def test_a_cancelled_rescore_writes_nothing(store, lead):
    act(store, lead, "demo_request", 1)
    report = scoring.rescore(store, RULES, as_of=NOW, cancelled=lambda: True)
    assert not report.finished
    assert store.lead(lead).score == 0 and store.lead(lead).stage == Stage.LEAD


def test_new_activity_rescores_its_lead_at_once(store, lead):
    store.save_criteria(RULES)
    triage.record_activity(store, lead, ActivityKind.DEMO_REQUEST)
    fresh = store.lead(lead)
    assert fresh.score == 45 and fresh.stage == Stage.MQL
    card = store.board_page(Stage.MQL, BoardFilter())[0]
    assert (card.grade, card.buyer_stage) == ("B2", "intent")


def test_criteria_are_versioned_and_validated(store):
    assert store.current_criteria() == DEFAULT_CRITERIA
    first = store.save_criteria(RULES, note="first")
    second = store.save_criteria(RULES.with_changes(mql_threshold=40))
    assert (first.version, second.version) == (1, 2)
    assert store.current_criteria().mql_threshold == 40
    assert Criteria.from_dict(json.loads(json.dumps(RULES.to_dict()))) == RULES
    with pytest.raises(BadInput, match="unknown field 'salary'"):
        Criteria.from_dict({"fit_rules": [{"label": "x", "field": "salary", "values": ["1"],
                                           "points": 1}]})
    with pytest.raises(BadInput, match="Unknown criteria setting: colour"):
        Criteria.from_dict({"colour": "red"})
    with pytest.raises(BadInput, match="half_life_days"):
        RULES.with_changes(half_life_days=0)
    with pytest.raises(BadInput, match="same label"):
        RULES.with_changes(fit_rules=RULES.fit_rules + RULES.fit_rules[:1])


def test_default_criteria_rank_converted_demo_leads_above_lost_ones(demo_db):
    with Store.open(demo_db) as store:
        summaries = store.column_summaries(BoardFilter())
    won = [summaries[s] for s in (Stage.OPPORTUNITY, Stage.CUSTOMER)]
    won_average = sum(s.average_score * s.count for s in won) / sum(s.count for s in won)
    assert won_average > summaries[Stage.DISQUALIFIED].average_score + 5
    assert summaries[Stage.SAL].average_score > summaries[Stage.LEAD].average_score


def test_every_stored_demo_score_matches_its_explanation(demo_db):
    with Store.open(demo_db) as store:
        criteria = store.current_criteria()
        for stage in (Stage.MQL, Stage.CUSTOMER, Stage.LEAD):
            for card in store.board_page(stage, BoardFilter(), limit=15):
                result = scoring.explain(store, criteria, card.id)
                assert (result.total, result.grade, result.buyer_stage) == (
                    card.score, card.grade, card.buyer_stage)


def test_scoring_in_worker_processes_stores_the_same_as_in_process(demo_db, tmp_path,
                                                                    monkeypatch):
    import shutil
    import sqlite3

    copies = [tmp_path / "one.db", tmp_path / "many.db"]
    for copy in copies:
        shutil.copy(demo_db, copy)
    lower = dataclasses.replace(DEFAULT_CRITERIA, mql_threshold=45)  # something to promote
    with Store.open(copies[0]) as store:
        alone = scoring.rescore(store, lower, as_of=NOW)
    monkeypatch.setattr(scoring, "PARALLEL_FROM", 1)
    monkeypatch.setattr(scoring, "MAX_WORKERS", 2)
    progress = []
    with Store.open(copies[1]) as store:
        parallel = scoring.rescore(store, lower, as_of=NOW,
                                   progress=lambda done, total: progress.append((done, total)))
    assert parallel == alone and alone.changed > 0 and alone.promoted > 0
    assert progress[-1] == (2000, 2000) and len(progress) > 1

    def scores(path):
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT id, stage, score, grade, buyer_stage FROM leads "
                                "ORDER BY id").fetchall()

    assert scores(copies[0]) == scores(copies[1])


KINDS = ["page_view", "download", "bounce"]
PAGES = [None, "pricing", "blog", "product"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from(PAGES)), max_size=8))
def test_the_sql_case_picks_the_first_pattern_an_activity_matches(patterns):
    """Any order of patterns: duplicates, kind-only ones before or after exact ones."""
    import sqlite3

    from workbench.store.leads import _pattern_case

    case, params = _pattern_case(patterns)
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE a (kind TEXT, page_kind TEXT)")
        conn.executemany("INSERT INTO a VALUES (?, ?)",
                         [(k, p) for k in [*KINDS, "webinar"] for p in [*PAGES, "docs"]])
        found = conn.execute(f"SELECT kind, page_kind, {case} FROM a", params).fetchall()
    for kind, page, index in found:
        assert index == first_match(patterns, kind, page), (kind, page)


def test_a_fresh_demo_rescored_at_once_changes_no_score_and_promotes_no_lead(demo_db,
                                                                            tmp_path):
    import shutil

    copy = tmp_path / "rescored.db"
    shutil.copy(demo_db, copy)
    with Store.open(copy) as store:
        assert todays_scores.scores_are_current(store)  # made earlier on the suite's day
        report = scoring.rescore(store, store.current_criteria())
    assert report.leads == 2000 and report.changed == 0 and report.promoted == 0
