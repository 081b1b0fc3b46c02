"""Scoring maths on NumPy arrays: fit bits, decaying and capped engagement, the buyer
journey and grades, without a database."""

import numpy as np
import pytest

from workbench.rules import scoring
from workbench.rules.criteria import (
    DEFAULT_CRITERIA,
    Criteria,
    EngagementRule,
    FitRule,
    JourneyStep,
)
from workbench.rules.vocabulary import ActivityKind

CRITERIA = Criteria(
    fit_rules=(FitRule("Executive", "seniority", ("vp",), 20),
               FitRule("Student", "seniority", ("student",), -15)),
    engagement_rules=(EngagementRule("Demo", "demo_request", 20),
                      EngagementRule("Pricing page", "page_view", 8, "pricing", cap=12),
                      EngagementRule("Any page", "page_view", 1)),
    journey=(JourneyStep("intent", "demo_request"),
             JourneyStep("interest", "page_view", "product", min_count=2)),
)


def scores(fit_mask, activities):
    """Scores of len(fit_mask) leads from (lead, kind, page kind, age in days) tuples."""
    classes = scoring.activity_classes(CRITERIA)
    lead = np.array([a[0] for a in activities], dtype=np.int64)
    found = np.array([scoring.first_match(classes.patterns, a[1], a[2]) for a in activities],
                     dtype=np.int64)
    age = np.array([a[3] for a in activities], dtype=float)
    return scoring.score_facts(CRITERIA, classes, np.array(fit_mask, dtype=np.int64), lead,
                               found, age)


def test_fit_points_are_the_rules_whose_bit_is_set():
    result = scores([0b00, 0b01, 0b10, 0b11], [])
    assert result.fit.tolist() == [0, 20, -15, 5]
    assert result.fit_parts.tolist() == [[0, 0], [20, 0], [0, -15], [20, -15]]
    assert result.engagement.tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize(("days", "points"), [(0, 20), (30, 10), (60, 5), (90, 2), (15, 14)])
def test_engagement_halves_every_half_life(days, points):
    assert scores([0], [(0, "demo_request", None, days)]).engagement.tolist() == [points]


def test_repeats_are_capped_and_the_first_matching_rule_scores():
    pricing = [(0, "page_view", "pricing", 0)] * 3  # 3 x 8 = 24, capped at 12
    result = scores([0, 0], [*pricing, (0, "page_view", "blog", 0), (1, "bounce", None, 0)])
    assert result.engagement_parts.tolist() == [[0, 12, 1], [0, 0, 0]]


def test_a_future_activity_counts_as_today():
    assert scores([0], [(0, "demo_request", None, -3)]).engagement.tolist() == [20]


def test_the_journey_needs_its_count_within_the_window():
    result = scores([0, 0, 0, 0], [
        (0, "demo_request", None, 1),
        (1, "page_view", "product", 1), (1, "page_view", "product", 2),
        (2, "page_view", "product", 1),  # once: not yet interest
        (3, "demo_request", None, CRITERIA.journey_window_days + 1)])  # too long ago
    names = scoring.grades_and_journey(CRITERIA, result)[1]
    assert names.tolist() == ["intent", "interest", None, None]


@pytest.mark.parametrize(("fit", "engagement", "grade"), [
    (40, 40, "A1"), (39, 39, "B2"), (25, 20, "B2"), (24, 19, "C3"), (10, 8, "C3"),
    (9, 7, "D4"), (-50, -5, "D4")])
def test_grades_take_the_first_threshold_reached(fit, engagement, grade):
    parts = scoring.ChunkScores(np.array([[fit]]), np.array([[engagement]]), np.array([0]))
    assert scoring.grades_and_journey(CRITERIA, parts)[0].tolist() == [grade]


def test_fit_bits_from_coded_values_match_as_the_sql_does():
    criteria = Criteria(fit_rules=(
        FitRule("VP", "seniority", ("vp",), 1),
        FitRule("Engineer", "job_title", ("engineer",), 1, match="contains"),
        FitRule("German", "email_domain", (".de",), 1, match="ends_with")))
    fields = {"seniority": (np.array([0, 1, 2]), ["vp", "VP", None]),
              "job_title": (np.array([0, 1, 2]), ["Chief Engineer", "Sales", None]),
              "email_domain": (np.array([0, 1, 2]), ["acme.DE", "acme.com", None])}
    assert scoring.fit_mask_of(criteria, fields).tolist() == [0b111, 0, 0]


def test_one_activity_class_gives_the_first_matching_rule_and_step():
    classes = scoring.activity_classes(DEFAULT_CRITERIA)

    def first(items, kind, page):
        return next((i for i, item in enumerate(items) if item.kind == kind
                     and (item.page_kind is None or item.page_kind == page)), -1)

    def classify(kind, page):  # what the SQL CASE does: the first pattern that matches
        return next((i for i, (k, p) in enumerate(classes.patterns)
                     if k == kind and (p is None or p == page)), -1)

    kinds = [k.value for k in ActivityKind]
    pages = [None, "pricing", "blog", "product", "docs", "careers", "case_study", "social",
             "buyers_guide", "nowhere"]
    for kind in kinds:
        for page in pages:
            found = classify(kind, page)
            assert classes.rule_of[found] == first(DEFAULT_CRITERIA.engagement_rules, kind,
                                                   page), (kind, page)
            assert classes.step_of[found] == first(DEFAULT_CRITERIA.journey, kind, page), (
                kind, page)
