"""A list of lead cards loaded window by window from the store: the board's columns and
the rep's queue are both one of these."""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ui.text import follow_up_line, sla_text, source_label
from workbench.clock import utcnow
from workbench.rules.sla import DEFAULT_SLA_HOURS, sla_state
from workbench.rules.stages import Stage
from workbench.store.leads import CardRecord, Store

CARD_ROLE = Qt.ItemDataRole.UserRole + 1  # the CardRecord, for the delegate
# The first window fills the tallest column a screen shows (a card is 84 px high) and no
# more: on the first start after a boot every card is a page or two read from disk.
FIRST_WINDOW = 40
PAGE_SIZE = 200  # each later window, as the view scrolls to the last card loaded

Index = QModelIndex | QPersistentModelIndex


class CardListModel(QAbstractListModel):
    """Holds the loaded cards (a window that grows as the view scrolls), never all leads.
    A subclass says how to read the next window with `_page`."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self._cards: list[CardRecord] = []
        self._exhausted = True
        self._fetching = False
        self.sla_hours = DEFAULT_SLA_HOURS  # the team's follow-up SLA (criteria)

    def _page(self, loaded: list[CardRecord], limit: int) -> list[CardRecord]:
        """The next `limit` cards after those loaded."""
        raise NotImplementedError

    # -- loading -------------------------------------------------------------

    def reload(self) -> None:
        """Load the first window again, as many cards as were loaded (new data, same scroll)."""
        size = max(FIRST_WINDOW, len(self._cards))
        self.beginResetModel()
        self._cards = self._page([], size)
        self._exhausted = len(self._cards) < size
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        # Views may ask again from inside beginInsertRows, before this window is in.
        if parent.isValid() or self._exhausted or self._fetching:
            return
        self._fetching = True
        try:
            page = self._page(self._cards, PAGE_SIZE)
            self._exhausted = len(page) < PAGE_SIZE
            if page:
                first = len(self._cards)
                self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
                self._cards += page
                self.endInsertRows()
        finally:
            self._fetching = False

    def remove_lead(self, lead_id: int) -> None:
        row = self.row_of(lead_id)
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._cards[row]
            self.endRemoveRows()

    def row_of(self, lead_id: int) -> int | None:
        return next((i for i, card in enumerate(self._cards) if card.id == lead_id), None)

    def card(self, row: int) -> CardRecord:
        return self._cards[row]

    # -- Qt model ------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == CARD_ROLE:
            return card
        if role == Qt.ItemDataRole.DisplayRole:
            return card.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return self._spoken(card)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(card)
        return None

    def _spoken(self, card: CardRecord) -> str:
        """What a screen reader says of a card: the lead, its stage and score, then more."""
        parts = [card.name, card.stage.label, f"score {card.score}",
                 " at ".join(filter(None, (card.job_title, card.company))),
                 f"owner {card.owner_name}" if card.owner_name else "unassigned"]
        state = sla_state(card.mql_at, card.first_touch_at, utcnow(), self.sla_hours)
        if card.stage == Stage.MQL and state:
            parts.append(f"follow-up {sla_text(state)}")
        return ", ".join(p for p in parts if p)

    def _tooltip(self, card: CardRecord) -> str:
        lines = [card.name, " at ".join(filter(None, (card.job_title, card.company))),
                 f"Score {card.score} · {source_label(card.source)}",
                 f"Owner: {card.owner_name or 'unassigned'}"]
        state = sla_state(card.mql_at, card.first_touch_at, utcnow(), self.sla_hours)
        if card.stage == Stage.MQL and state:
            lines.append(follow_up_line(state))
        # Qt guesses whether a tooltip is rich text: say so, and escape the data
        return "<qt>" + "<br>".join(html.escape(line) for line in lines if line) + "</qt>"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
