"""Lead scoring: fit rules plus decaying engagement rules, explainable rule by rule.

Weighting, as the criteria define it:
- fit: the points of every fit rule whose condition holds on the lead's own data;
- engagement: for each activity, the points of the first engagement rule it matches,
  halved every `half_life_days` of age; summed per rule (so repeats count), capped per rule;
- each rule's points are rounded to a whole number, and the score is the sum of those
  rounded parts, so a breakdown always adds up to the score it explains;
- grade: fit letter A-D and engagement digit 1-4 from the criteria's thresholds;
- buyer-journey stage: the furthest stage whose activities were seen (often enough) within
  the journey window.

Everything is computed on NumPy arrays for a chunk of leads at a time; the bulk rescore and
the explanation of one lead run the same code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from workbench.criteria import JOURNEY_STAGES, Criteria
from workbench.store import NotFound, ScoringChunk, Store, utcnow


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


@dataclass(frozen=True, slots=True)
class RescoreReport:
    leads: int
    changed: int
    promoted: int
    finished: bool  # False when cancelled part way


def activity_patterns(criteria: Criteria) -> list[tuple[str, str | None]]:
    """(kind, page kind) of each engagement rule, in order: the first match scores."""
    return [(r.kind, r.page_kind) for r in criteria.engagement_rules]


def journey_patterns(criteria: Criteria) -> list[tuple[str, str | None]]:
    return [(s.kind, s.page_kind) for s in criteria.journey]


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
    points = np.zeros((n, len(rules)))
    scored = rule >= 0
    lead, rule, age = lead[scored], rule[scored], np.maximum(age_days[scored], 0.0)
    base = np.array([r.points for r in rules], dtype=float)
    decayed = base[rule] * np.power(0.5, age / criteria.half_life_days)
    np.add.at(points, (lead, rule), decayed)
    for j, r in enumerate(rules):
        if r.cap is not None:
            np.clip(points[:, j], -r.cap, r.cap, out=points[:, j])
    return points


def journey_levels(criteria: Criteria, n: int, lead: np.ndarray, step: np.ndarray,
                   age_days: np.ndarray) -> np.ndarray:
    """Per lead: 0 for no recent behaviour, else 1 + index in JOURNEY_STAGES."""
    recent = (step >= 0) & (age_days <= criteria.journey_window_days)
    counts = np.zeros((n, len(criteria.journey)), dtype=np.int64)
    np.add.at(counts, (lead[recent], step[recent]), 1)
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


def score_chunk(criteria: Criteria, chunk: ScoringChunk) -> ChunkScores:
    n = len(chunk.lead_ids)
    return ChunkScores(
        fit_parts=np.rint(fit_points(criteria, chunk.fit_mask)),
        engagement_parts=np.rint(engagement_points(criteria, n, chunk.activity_lead,
                                                   chunk.activity_rule, chunk.activity_age)),
        journey=journey_levels(criteria, n, chunk.activity_lead, chunk.activity_step,
                               chunk.activity_age),
    )


def _grades(criteria: Criteria, fit: np.ndarray, engagement: np.ndarray) -> np.ndarray:
    """Fit letter A-D and engagement digit 1-4, as Criteria.fit_grade and engagement_grade."""
    letters = np.array(list("ABCD"), dtype=object)
    digits = np.array(list("1234"), dtype=object)
    # thresholds are highest first: count how many a score does not reach
    fit_rank = (fit[:, None] < np.array(criteria.fit_grades)).sum(axis=1)
    engagement_rank = (engagement[:, None] < np.array(criteria.engagement_grades)).sum(axis=1)
    return letters[fit_rank] + digits[engagement_rank]


def explain(store: Store, criteria: Criteria, lead_id: int,
            now: datetime | None = None) -> ScoreResult:
    """The score of one lead, with every rule that fired and its points."""
    chunk = next(store.scoring_chunks(fit_conditions(criteria), activity_patterns(criteria),
                                      journey_patterns(criteria), now or utcnow(),
                                      lead_ids=[lead_id]), None)
    if chunk is None:
        raise NotFound(f"There is no lead with id {lead_id}.")
    scores = score_chunk(criteria, chunk)
    labels = [r.label for r in criteria.fit_rules] + [r.label for r in criteria.engagement_rules]
    parts = np.concatenate([scores.fit_parts[0], scores.engagement_parts[0]])
    breakdown = tuple(ScorePart(label, int(p)) for label, p in zip(labels, parts.tolist(),
                                                                   strict=True) if p)
    fit, engagement = int(scores.fit[0]), int(scores.engagement[0])
    level = int(scores.journey[0])
    return ScoreResult(total=fit + engagement, fit=fit, engagement=engagement,
                       grade=_grades(criteria, scores.fit, scores.engagement)[0],
                       buyer_stage=JOURNEY_STAGES[level - 1] if level else None,
                       breakdown=breakdown)


def rescore(store: Store, criteria: Criteria, *, now: datetime | None = None,
            lead_ids: Iterable[int] | None = None, promote: bool = True,
            progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> RescoreReport:
    """Score every lead (or the given ones), then store what changed in one transaction.

    With promote, a lead in the 'lead' stage whose score reaches the MQL threshold becomes
    an MQL, with a StageChange that says so. Reading and scoring can be cancelled; nothing
    is written then. Progress counts leads scored (the write comes after the last).
    """
    now = now or utcnow()
    total = store.count_leads() if lead_ids is None else None
    done = 0
    changes: list[list] = []
    promote_ids: list[int] = []
    journey_names = np.array([None, *JOURNEY_STAGES], dtype=object)
    chunks = store.scoring_chunks(fit_conditions(criteria), activity_patterns(criteria),
                                  journey_patterns(criteria), now, lead_ids=lead_ids)
    for chunk in _read_ahead(chunks):
        if cancelled is not None and cancelled():
            return RescoreReport(done, 0, 0, finished=False)
        scores = score_chunk(criteria, chunk)
        fit, engagement = scores.fit, scores.engagement
        new_total = fit + engagement
        grades = _grades(criteria, fit, engagement)
        journey = journey_names[scores.journey]
        differs = ((fit != chunk.fit) | (engagement != chunk.engagement)
                   | (new_total != chunk.score) | (grades != chunk.grade)
                   | (journey != chunk.buyer_stage))
        changes += zip(fit[differs].tolist(), engagement[differs].tolist(),
                       new_total[differs].tolist(), grades[differs].tolist(),
                       journey[differs].tolist(), chunk.lead_ids[differs].tolist(), strict=True)
        if promote:
            ready = (chunk.stage == "lead") & (new_total >= criteria.mql_threshold)
            promote_ids += chunk.lead_ids[ready].tolist()
        done += len(chunk.lead_ids)
        if progress is not None:
            progress(done, total or done)
    if cancelled is not None and cancelled():
        return RescoreReport(done, 0, 0, finished=False)
    store.write_scores(changes, promote_ids, criteria.mql_threshold, now)
    return RescoreReport(done, len(changes), len(promote_ids), finished=True)


def _read_ahead(chunks: Iterator[ScoringChunk]) -> Iterator[ScoringChunk]:
    """Read the next chunk on a worker thread while the caller scores and writes this one
    (SQLite works without the GIL). The generator only ever runs on that one thread."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="scoring-read") as reader:
        pending = reader.submit(next, chunks, None)
        try:
            while (chunk := pending.result()) is not None:
                pending = reader.submit(next, chunks, None)
                yield chunk
        finally:
            pending.cancel()
            reader.submit(chunks.close).result()
