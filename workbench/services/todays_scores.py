"""Scores for today: behaviour points decay, so scores are dated and brought up to date
once a day."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from workbench.clock import day_start
from workbench.store.leads import Store

if TYPE_CHECKING:
    from workbench.services.scoring import RescoreReport


def scores_are_current(store: Store) -> bool:
    """Whether the stored scores are as of the start of today (decay moves them daily),
    by the team's current criteria."""
    return store.scores_state() == (day_start(), store.current_criteria().version)


def bring_scores_up_to_date(store: Store, *,
                            progress: Callable[[int, int], None] | None = None,
                            cancelled: Callable[[], bool] | None = None
                            ) -> RescoreReport | None:
    """Behaviour points decay, so once a day (and when the team's criteria change) every
    score is rescored as of the start of the day (leads reaching the MQL threshold become
    MQLs; none is demoted). None when the scores are already as of today."""
    from workbench.services import scoring  # NumPy: loaded when scoring is first needed

    if scores_are_current(store):
        return None
    return scoring.rescore(store, store.current_criteria(), progress=progress,
                           cancelled=cancelled)
