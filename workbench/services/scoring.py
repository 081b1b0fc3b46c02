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

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from workbench.child_process import end_with_parent
from workbench.clock import day_start
from workbench.read_ahead import read_ahead
from workbench.rules.criteria import JOURNEY_STAGES, Criteria
from workbench.rules.refusals import NotFound
from workbench.rules.scoring import (
    ActivityClasses,
    ChunkScores,
    ScorePart,
    ScoreResult,
    _grades,
    activity_classes,
    fit_conditions,
    grades_and_journey,
    score_facts,
)
from workbench.services import routing
from workbench.services.changes import Changes
from workbench.store.leads import ScoringChunk, Store

PARALLEL_FROM = 200_000  # leads; fewer are scored quicker than worker processes start


MAX_WORKERS = 4


RANGES_PER_WORKER = 4


@dataclass(frozen=True, slots=True)
class RescoreReport:
    leads: int
    changed: int
    promoted: int
    finished: bool  # False when cancelled part way

    @property
    def changes(self) -> Changes:
        """Scores order the columns and promoted leads became MQLs: read every list again
        (a cancelled rescore wrote nothing)."""
        return Changes(leads=self.finished)


def score_chunk(criteria: Criteria, chunk: ScoringChunk,
                classes: ActivityClasses) -> ChunkScores:
    return score_facts(criteria, classes, chunk.fit_mask, chunk.activity_lead,
                       chunk.activity_class, chunk.activity_age)


def score_moment(store: Store, lead_id: int) -> datetime:
    """The moment the lead's stored score is as of; when it is not known, the start of
    today."""
    moment, = store.score_moments([lead_id])
    return moment or day_start()


def explain(store: Store, criteria: Criteria, lead_id: int,
            as_of: datetime | None = None) -> ScoreResult:
    """The score of one lead, with every rule that fired and its points: by default as of
    the moment of its stored score, so it explains exactly the score the lead shows."""
    classes = activity_classes(criteria)
    chunk = next(store.scoring_chunks(fit_conditions(criteria), classes.patterns,
                                      as_of or score_moment(store, lead_id),
                                      lead_ids=[lead_id]), None)
    if chunk is None:
        raise NotFound(f"There is no lead with id {lead_id}.")
    scores = score_chunk(criteria, chunk, classes)
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


@dataclass(frozen=True)
class ScoredLeads:
    """New scores of the leads whose scores changed, and the leads ready to become MQLs,
    of some leads (a chunk, or an id range)."""

    # (id, fit, engagement, score, grade, buyer_stage), then the five as they were read
    rows: list[tuple]
    promote_ids: list[int]
    leads: int


def score_leads(store: Store, criteria: Criteria, as_of: datetime, *,
                lead_ids: Iterable[int] | None = None,
                id_range: tuple[int, int] | None = None) -> Iterator[ScoredLeads]:
    """Score leads chunk by chunk; each part holds the changed scores of one chunk."""
    classes = activity_classes(criteria)
    chunks = store.scoring_chunks(fit_conditions(criteria), classes.patterns, as_of,
                                  lead_ids=lead_ids, id_range=id_range)
    for chunk in read_ahead(chunks, "scoring-read"):
        scores = score_chunk(criteria, chunk, classes)
        fit, engagement = scores.fit, scores.engagement
        new_total = fit + engagement
        grades, journey = grades_and_journey(criteria, scores)
        differs = ((fit != chunk.fit) | (engagement != chunk.engagement)
                   | (new_total != chunk.score) | (grades != chunk.grade)
                   | (journey != chunk.buyer_stage))
        rows = list(zip(chunk.lead_ids[differs].tolist(), fit[differs].tolist(),
                        engagement[differs].tolist(), new_total[differs].tolist(),
                        grades[differs].tolist(), journey[differs].tolist(),
                        chunk.fit[differs].tolist(), chunk.engagement[differs].tolist(),
                        chunk.score[differs].tolist(), chunk.grade[differs].tolist(),
                        chunk.buyer_stage[differs].tolist(), strict=True))
        ready = (chunk.stage == "lead") & (new_total >= criteria.mql_threshold)
        yield ScoredLeads(rows, chunk.lead_ids[ready].tolist(), len(chunk.lead_ids))


def _score_id_range(path: str, criteria: Criteria, as_of: datetime,
                    id_range: tuple[int, int]) -> ScoredLeads:
    """In a worker process: score the leads of one id range."""
    with Store.open(path) as store:
        parts = list(score_leads(store, criteria, as_of, id_range=id_range))
    return ScoredLeads([row for part in parts for row in part.rows],
                       [i for part in parts for i in part.promote_ids],
                       sum(part.leads for part in parts))


class _Cancelled(Exception):
    """Raised while scoring, before anything is stored."""


def rescore(store: Store, criteria: Criteria, *, as_of: datetime | None = None,
            lead_ids: Iterable[int] | None = None, promote: bool = True,
            progress: Callable[[int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> RescoreReport:
    """Score every lead (or the given ones) and store what changed.

    With promote, a lead in the 'lead' stage whose score reaches the MQL threshold becomes
    an MQL, with a StageChange that says so. Many leads are scored in parallel worker
    processes, one id range each. Leads are scored without holding the write lock, and
    what changed is then stored in short write transactions (see
    workbench.store.score_staging): a rep's write meanwhile waits a fraction of a second.
    Cancelling while leads are being scored stores nothing.

    Every stored score is as of one moment (see ScoreState): a full rescore is as of
    `as_of`, by default the start of today, and dates the scores so; rescoring some leads
    scores each as of the moment its stored score is.
    """
    full = lead_ids is None
    wanted = None if full else sorted(set(lead_ids))
    as_of = as_of or (day_start() if full else None)
    total = store.count_leads() if full else 0
    parallel = full and total >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
    done = 0

    with store.staged_scores(wanted) as staged:
        def take(part: ScoredLeads) -> None:
            nonlocal done
            staged.stage(part.rows, part.promote_ids)
            done += part.leads
            if progress is not None:
                progress(done, total or done)

        def stop_if_cancelled() -> None:
            if cancelled is not None and cancelled():
                raise _Cancelled

        def in_this_process() -> None:
            nonlocal done
            done = 0
            moments = {as_of: wanted} if as_of or full else staged.moments(wanted)
            for moment, ids in moments.items():
                for part in score_leads(store, criteria, moment or day_start(), lead_ids=ids):
                    stop_if_cancelled()
                    take(part)

        def score_again(ids: list[int], moment: datetime | None):
            for part in score_leads(store, criteria, moment or day_start(), lead_ids=ids):
                yield part.rows, part.promote_ids

        try:
            if parallel:
                try:
                    _score_in_processes(store, criteria, as_of, take, stop_if_cancelled)
                except BrokenProcessPool:
                    # workers could not start (the program has no importable main module):
                    # the same work here; rows already staged are staged again, the same
                    in_this_process()
            else:
                in_this_process()
            stop_if_cancelled()
        except _Cancelled:
            return RescoreReport(done, 0, 0, finished=False)
        promoted = staged.store_all(score_again, as_of=as_of if full else None,
                                    criteria_version=criteria.version,
                                    promote_at=criteria.mql_threshold if promote else None)
        changed = staged.stored
    from workbench.services.model import refresh_predictions

    refresh_predictions(store, wanted)  # a trained model predicts the same leads again
    if promoted:  # new MQLs go to their reps by the routing rules
        routing.route_new_mqls(store, promoted)
    return RescoreReport(done, changed, len(promoted), finished=True)


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Spawned worker processes (nothing of the caller, Qt included, is copied into them)
    that end when this process ends, even killed."""
    return ProcessPoolExecutor(max_workers=workers,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=end_with_parent)


def _score_in_processes(store: Store, criteria: Criteria, as_of: datetime,
                        take: Callable[[ScoredLeads], None],
                        stop_if_cancelled: Callable[[], None]) -> None:
    """Score id ranges in worker processes, handing each scored range to `take` as it
    arrives."""
    workers = min(os.cpu_count() or 1, MAX_WORKERS)
    with worker_pool(workers) as pool:
        pending = {pool.submit(_score_id_range, str(store.path), criteria, as_of, id_range)
                   for id_range in store.lead_id_ranges(workers * RANGES_PER_WORKER)}
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                stop_if_cancelled()
                for future in finished:
                    take(future.result())
        finally:
            for future in pending:
                future.cancel()
