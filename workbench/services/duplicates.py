"""Leads that may be one person, made one: the window and `workbench merge` share this."""

from __future__ import annotations

from workbench.clock import utcnow
from workbench.services.changes import Changes
from workbench.store.leads import Store


def merge(store: Store, keep: int, other: int, *, by: int | None = None) -> Changes:
    """Merge the other lead into the kept one (see Store.merge_leads): both histories stay.
    A lead disappears, so every list is read again."""
    store.merge_leads(keep, other, by=by, at=utcnow())
    return Changes(details=frozenset({keep}), leads=True)
