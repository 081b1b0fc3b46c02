"""Scoring maths: fit and decaying engagement points, grades and the buyer journey, on
NumPy arrays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.rules.criteria import JOURNEY_STAGES, Criteria, FitRule, band_number


@dataclass(frozen=True, slots=True)
class ScorePart:
    rule: str
    points: int


@dataclass(frozen=True, slots=True)
class ScoreResult:
    total: int
    fit: int
    engagement: int
    grade: str
    buyer_stage: str | None
    breakdown: tuple[ScorePart, ...]

    def to_json(self) -> dict:
        return {"total": self.total, "fit": self.fit, "engagement": self.engagement,
                "grade": self.grade, "buyer_stage": self.buyer_stage,
                "breakdown": [{"rule": p.rule, "points": p.points} for p in self.breakdown]}


def first_match(items: Sequence[tuple[str, str | None]], kind: str, page: str | None) -> int:
    """Index of the first (kind, page kind) pattern an activity matches, -1 for none."""
    return next((i for i, (k, p) in enumerate(items)
                 if k == kind and (p is None or p == page)), -1)


@dataclass(frozen=True)
class ActivityClasses:
    """Every (kind, page kind) the criteria name, exact pairs before kind-only ones, so one
    SQL CASE classifies an activity; rule and step then come from two lookups. The first
    engagement rule (and journey step) an activity matches is the one that counts."""

    patterns: list[tuple[str, str | None]]
    rule_of: np.ndarray  # class -> engagement rule index, -1 for none; last entry: no class
    step_of: np.ndarray  # class -> journey step index, likewise


def activity_classes(criteria: Criteria) -> ActivityClasses:
    named = [(r.kind, r.page_kind) for r in criteria.engagement_rules]
    named += [(s.kind, s.page_kind) for s in criteria.journey]
    exact = list(dict.fromkeys((k, p) for k, p in named if p is not None))
    patterns = exact + [(k, None) for k in dict.fromkeys(k for k, _p in named)]

    rules = [(r.kind, r.page_kind) for r in criteria.engagement_rules]
    steps = [(s.kind, s.page_kind) for s in criteria.journey]
    return ActivityClasses(
        patterns=patterns,
        rule_of=np.array([first_match(rules, k, p) for k, p in patterns] + [-1], dtype=np.int64),
        step_of=np.array([first_match(steps, k, p) for k, p in patterns] + [-1], dtype=np.int64),
    )


def fit_conditions(criteria: Criteria) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(r.field, r.match, r.values) for r in criteria.fit_rules]


def fit_points(criteria: Criteria, fit_mask: np.ndarray) -> np.ndarray:
    """(leads x fit rules) points of every fit rule that holds (bit j of the mask)."""
    bits = (fit_mask[:, None] >> np.arange(len(criteria.fit_rules))) & 1
    return bits * np.array([r.points for r in criteria.fit_rules], dtype=float)


def engagement_points(criteria: Criteria, n: int, lead: np.ndarray, rule: np.ndarray,
                      age_days: np.ndarray) -> np.ndarray:
    """(leads x engagement rules) decayed, summed and capped points."""
    rules = criteria.engagement_rules
    scored = rule >= 0
    lead, rule, age = lead[scored], rule[scored], np.maximum(age_days[scored], 0.0)
    base = np.array([r.points for r in rules], dtype=float)
    decayed = base[rule] * np.power(0.5, age / criteria.half_life_days)
    points = np.bincount(lead * len(rules) + rule, weights=decayed,
                         minlength=n * len(rules)).reshape(n, len(rules))
    for j, r in enumerate(rules):
        if r.cap is not None:
            np.clip(points[:, j], -r.cap, r.cap, out=points[:, j])
    return points


def journey_levels(criteria: Criteria, n: int, lead: np.ndarray, step: np.ndarray,
                   age_days: np.ndarray) -> np.ndarray:
    """Per lead: 0 for no recent behaviour, else 1 + index in JOURNEY_STAGES."""
    recent = (step >= 0) & (age_days <= criteria.journey_window_days)
    counts = np.bincount(lead[recent] * len(criteria.journey) + step[recent],
                         minlength=n * len(criteria.journey)).reshape(n, len(criteria.journey))
    needed = np.array([s.min_count for s in criteria.journey])
    level_of_step = np.array([JOURNEY_STAGES.index(s.stage) + 1 for s in criteria.journey])
    reached = np.where(counts >= needed, level_of_step, 0)
    return reached.max(axis=1) if len(criteria.journey) else np.zeros(n, dtype=np.int64)


@dataclass(frozen=True)
class ChunkScores:
    fit_parts: np.ndarray  # leads x fit rules, rounded
    engagement_parts: np.ndarray  # leads x engagement rules, rounded
    journey: np.ndarray

    @property
    def fit(self) -> np.ndarray:
        return self.fit_parts.sum(axis=1).astype(np.int64)

    @property
    def engagement(self) -> np.ndarray:
        return self.engagement_parts.sum(axis=1).astype(np.int64)


def score_facts(criteria: Criteria, classes: ActivityClasses, fit_mask: np.ndarray,
                activity_lead: np.ndarray, activity_class: np.ndarray,
                activity_age: np.ndarray) -> ChunkScores:
    """Scores of len(fit_mask) leads from their fit bits and their activities' lead
    position, class and age in days."""
    n = len(fit_mask)
    # class -1 (no pattern) picks the last entry, which is -1: no rule, no step
    rule = classes.rule_of[activity_class]
    step = classes.step_of[activity_class]
    return ChunkScores(
        fit_parts=np.rint(fit_points(criteria, fit_mask)),
        engagement_parts=np.rint(engagement_points(criteria, n, activity_lead, rule,
                                                   activity_age)),
        journey=journey_levels(criteria, n, activity_lead, step, activity_age),
    )


def fit_mask_of(criteria: Criteria,
                fields: dict[str, tuple[np.ndarray, Sequence[str | None]]]) -> np.ndarray:
    """Fit bits from data held as codes into vocabularies ({field: (codes, values)}): the
    conditions the store tests in SQL (see store._fit_mask), tested once per distinct value.
    For data generated or read in bulk before it is stored, such as the demo."""
    mask = np.zeros(len(next(iter(fields.values()))[0]), dtype=np.int64)
    for bit, rule in enumerate(criteria.fit_rules):
        if rule.field not in fields:  # a field these data do not have never matches
            continue
        codes, values = fields[rule.field]
        holds = np.array([rule_holds(rule, value) for value in values], dtype=bool)
        mask |= np.where(holds[codes], 1 << bit, 0)
    return mask


def rule_holds(rule: FitRule, value: str | None) -> bool:
    """Whether a fit rule holds for a lead's value of its field, as the store tests it."""
    if value is None:  # SQL: a condition on NULL is never true
        return False
    if rule.match == "equals":
        return value in rule.values
    if rule.match == "contains":
        return any(w.lower() in value.lower() for w in rule.values)
    if rule.match == "between":
        number = band_number(value)
        low, high = (band_number(v) for v in rule.values)
        return number is not None and (low is None or number >= low) and \
            (high is None or number < high)
    return any(value.lower().endswith(w.lower()) for w in rule.values)


def grades_and_journey(criteria: Criteria, scores: ChunkScores) -> tuple[np.ndarray, np.ndarray]:
    """Grade strings and buyer-journey stage names (None for no recent behaviour)."""
    journey_names = np.array([None, *JOURNEY_STAGES], dtype=object)
    return _grades(criteria, scores.fit, scores.engagement), journey_names[scores.journey]


_GRADE_NAMES = np.array([letter + digit for letter in "ABCD" for digit in "1234"], dtype=object)


def _grades(criteria: Criteria, fit: np.ndarray, engagement: np.ndarray) -> np.ndarray:
    """Fit letter A-D and engagement digit 1-4: the first grade whose threshold the score
    reaches (criteria.fit_grades and engagement_grades, highest first)."""
    # thresholds are highest first: count how many a score does not reach
    fit_rank = (fit[:, None] < np.array(criteria.fit_grades)).sum(axis=1)
    engagement_rank = (engagement[:, None] < np.array(criteria.engagement_grades)).sum(axis=1)
    return _GRADE_NAMES[fit_rank * 4 + engagement_rank]  # shared strings, not one per lead
