"""Use cases that combine the store with the domain rules, one function each."""

from __future__ import annotations

from datetime import datetime

from workbench import scoring
from workbench.models import ActivityKind
from workbench.store import Store, utcnow


def record_activity(store: Store, lead_id: int, kind: ActivityKind | str, *,
                    by: int | None = None, note: str | None = None, url: str | None = None,
                    page_kind: str | None = None, at: datetime | None = None
                    ) -> scoring.RescoreReport:
    """Record what a lead did and rescore it at once; crossing the MQL threshold makes
    the lead an MQL."""
    store.add_activity(lead_id, kind, by=by, note=note, url=url, page_kind=page_kind, at=at)
    return scoring.rescore(store, store.current_criteria(), now=utcnow(), lead_ids=[lead_id])
