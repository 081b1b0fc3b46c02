"""Refine the rules: where the team's outcomes disagree with the points a rule gives.

For each rule a person wrote, the leads it fires on convert at some rate; against the average
rate that is a difference in log-odds, which POINTS_PER_LOGIT turns into the points the rule
would deserve. Rules whose deserved points differ by MIN_CHANGE or more, on MIN_LEADS
labelled leads or more, are suggested for a change. Once a model is trained, the fields it
uses that no written rule tests (imported categories and numbers, sources...) get learned
rules: the model's own parts as points (model.learned_rules), so that the score a rep sees
ranks nearly as the model does; they replace the learned rules of an earlier refine.
Without a model, sources no rule covers are suggested from their conversion rates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from workbench.rules.criteria import RANGES, Criteria, FitRule
from workbench.rules.scoring import activity_classes, fit_conditions
from workbench.services.model import (
    LEARNED,
    POINTS_PER_LOGIT,
    current,
    learned_rules,
    outcomes,
    rule_points,
)
from workbench.store.leads import Store

MIN_LEADS = 30
MIN_CHANGE = 5
SOURCE_RULE = "Source: {}"


@dataclass(frozen=True)
class Suggestion:
    rule: str
    kind: str  # fit, engagement, new (a fit rule on a source) or learned (from the model)
    current: int
    suggested: int
    leads: int  # labelled leads the rule fires on
    rate: float  # their conversion rate
    average: float  # the conversion rate of all labelled leads
    learned: FitRule | None = None  # the rule itself, for a learned one

    def to_json(self) -> dict:
        return {"rule": self.rule, "kind": self.kind, "current": self.current,
                "suggested": self.suggested, "leads": self.leads,
                "conversion_rate": round(self.rate, 4), "average": round(self.average, 4),
                **({} if self.learned is None else {
                    "field": self.learned.field, "match": self.learned.match,
                    "values": list(self.learned.values)})}


def _logit(p: float) -> float:
    p = min(max(p, 0.01), 0.99)
    return math.log(p / (1 - p))


def _deserved(rate: float, average: float) -> int:
    points = round(POINTS_PER_LOGIT * (_logit(rate) - _logit(average)))
    return int(min(max(points, RANGES["points"].low), RANGES["points"].high))


def suggestions(store: Store, criteria: Criteria, now: datetime) -> list[Suggestion]:
    latest = store.latest_model()
    # the outcomes the latest model learned from: with its horizon, if it had one
    facts = outcomes(store, latest[2].get("lost_after") if latest else None, now)
    if not facts:
        return []
    label = {row[0]: row[1] for row in facts}
    source = {row[0]: row[8] for row in facts}
    classes = activity_classes(criteria)
    found: list[Suggestion] = []
    fired_fit, fired_engagement, ids = [], [], []
    for chunk in store.scoring_chunks(fit_conditions(criteria), classes.patterns, now,
                                      lead_ids=list(label)):
        n = len(chunk.lead_ids)
        bits = (chunk.fit_mask[:, None] >> np.arange(len(criteria.fit_rules))) & 1
        rule = classes.rule_of[chunk.activity_class]
        engaged = np.zeros((n, len(criteria.engagement_rules)), dtype=bool)
        hit = rule >= 0
        engaged[chunk.activity_lead[hit], rule[hit]] = True
        fired_fit.append(bits.astype(bool))
        fired_engagement.append(engaged)
        ids.append(chunk.lead_ids)
    lead_ids = np.concatenate(ids)
    y = np.array([label[i] for i in lead_ids.tolist()], dtype=float)
    average = float(y.mean())
    for kind, rules, fired in (("fit", criteria.fit_rules, np.vstack(fired_fit)),
                               ("engagement", criteria.engagement_rules,
                                np.vstack(fired_engagement))):
        for j, rule in enumerate(rules):
            members = fired[:, j]
            if members.sum() < MIN_LEADS or rule.label.endswith(LEARNED):
                continue
            rate = float(y[members].mean())
            deserved = _deserved(rate, average)
            if abs(deserved - rule.points) >= MIN_CHANGE:
                found.append(Suggestion(rule.label, kind, round(rule.points), deserved,
                                        int(members.sum()), rate, average))
    if latest is not None and current(latest[1]):
        return _by_change(found) + _learned(facts, latest[1], criteria, average)
    covered = {v for r in criteria.fit_rules if r.field == "source" for v in r.values}
    sources = np.array([source[i] or "" for i in lead_ids.tolist()], dtype=object)
    for value in sorted(set(sources.tolist()) - covered - {""}):
        members = sources == value
        if members.sum() < MIN_LEADS:
            continue
        rate = float(y[members].mean())
        deserved = _deserved(rate, average)
        if abs(deserved) >= MIN_CHANGE:
            found.append(Suggestion(SOURCE_RULE.format(value), "new", 0, deserved,
                                    int(members.sum()), rate, average))
    return _by_change(found)


def _by_change(found: list[Suggestion]) -> list[Suggestion]:
    return sorted(found, key=lambda s: -abs(s.suggested - s.current))


def _learned(facts: list[tuple], parameters: dict, criteria: Criteria,
             average: float) -> list[Suggestion]:
    """The model's learned rules, each with the labelled leads it fires on; the learned
    rules of an earlier refine are replaced, so they are listed even when unchanged."""
    y = np.array([row[1] for row in facts], dtype=float)
    before = {r.label: round(r.points) for r in criteria.fit_rules if r.label.endswith(LEARNED)}
    found = []
    for rule in learned_rules(parameters, criteria):
        members = rule_points(facts, [rule]) != 0
        found.append(Suggestion(rule.label, "learned", before.get(rule.label, 0), rule.points,
                                int(members.sum()), float(y[members].mean()) if members.any()
                                else average, average, rule))
    return found


def apply(criteria: Criteria, chosen: list[Suggestion]) -> Criteria:
    """The criteria with the suggested points: a new version once saved. Learned rules, when
    chosen, replace those of an earlier refine."""
    by_label = {s.rule: s.suggested for s in chosen}
    learned = [s.learned for s in chosen if s.learned is not None]
    fit = [replace(r, points=by_label.get(r.label, r.points)) for r in criteria.fit_rules
           if not (learned and r.label.endswith(LEARNED))]
    fit += [FitRule(s.rule, "source", (s.rule.removeprefix("Source: "),), s.suggested)
            for s in chosen if s.kind == "new"]
    fit += learned
    engagement = [replace(r, points=by_label.get(r.label, r.points))
                  for r in criteria.engagement_rules]
    return criteria.with_changes(fit_rules=tuple(fit), engagement_rules=tuple(engagement))
