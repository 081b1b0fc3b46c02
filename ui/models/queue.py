"""The rep's queue: MQLs assigned to them and the unassigned pool, in triage order."""

from __future__ import annotations

from ui.models.card_list import CardListModel
from workbench.store.leads import CardRecord, Store


class QueueModel(CardListModel):
    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(store, parent)
        self.me: int | None = None  # None: the unassigned pool only

    def set_rep(self, me: int | None) -> None:
        self.me = me
        self.reload()

    def _page(self, loaded: list[CardRecord], limit: int) -> list[CardRecord]:
        # Offset windows: the order (SLA due first, then score) has no cheap keyset, and
        # a queue is the MQLs of one rep and the pool, not the whole table.
        return self.store.queue(self.me, limit=limit, offset=len(loaded))
