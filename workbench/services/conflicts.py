"""Stage conflicts settled: the window's dialog and `workbench conflicts --resolve` share this."""

from __future__ import annotations

from workbench.rules.stages import Stage
from workbench.services.changes import Changes
from workbench.store.leads import Store


def resolve(store: Store, conflict_id: int, keep: Stage | str, *,
            by: int | None = None) -> Changes:
    """Keep one of a conflict's two moves (see Store.resolve_conflict); a recycled lead kept
    so looks again after the team's recycle days. Its stage may change, so the lists are
    read again."""
    store.resolve_conflict(conflict_id, keep, by=by,
                           revisit_days=store.current_criteria().recycle_days)
    return Changes(leads=True)
