"""One board column: the cards of one stage, loaded window by window from the store."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from ui.text import plural, sla_text, source_label
from workbench.sla import DEFAULT_SLA_HOURS, sla_state
from workbench.stages import Stage
from workbench.store import BoardFilter, BoardGrouping, BoardSort, CardRecord, Store, utcnow

CARD_ROLE = Qt.ItemDataRole.UserRole + 1  # the CardRecord, for the delegate
LEAD_IDS_MIME = "application/x-workbench-lead-ids"
PAGE_SIZE = 200

_Index = QModelIndex | QPersistentModelIndex


def lead_ids_from_mime(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(LEAD_IDS_MIME):
        return []
    try:
        ids = json.loads(bytes(mime.data(LEAD_IDS_MIME).data()).decode())
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


class StageColumnModel(QAbstractListModel):
    """Holds the loaded cards (a window that grows as the view scrolls), never all leads."""

    move_requested = Signal(list, object)
    """Cards (lead ids) were dropped on this column: the board asks for the move to this stage."""

    def __init__(self, store: Store, key: Stage | str,
                 by: BoardGrouping = BoardGrouping.STAGE, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.key = key  # the Stage, or the buyer-journey stage, of this column
        self.by = by
        self.board = BoardFilter()
        self.sort = BoardSort.SCORE
        self._cards: list[CardRecord] = []
        self._exhausted = True
        self._fetching = False
        self.sla_hours = DEFAULT_SLA_HOURS  # the team's follow-up SLA (criteria)

    # -- loading -------------------------------------------------------------

    def set_query(self, board: BoardFilter, sort: BoardSort) -> None:
        self.board, self.sort = board, sort
        self.reload()

    def reload(self) -> None:
        """Load the first window again, as many cards as were loaded (new data, same scroll)."""
        size = max(PAGE_SIZE, len(self._cards))
        self.beginResetModel()
        self._cards = self.store.board_page(self.key, self.board, self.sort, limit=size,
                                            by=self.by)
        self._exhausted = len(self._cards) < size
        self.endResetModel()

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        # Views may ask again from inside beginInsertRows, before this window is in.
        if parent.isValid() or self._exhausted or self._fetching:
            return
        self._fetching = True
        try:
            after = self._cards[-1].sort_key(self.sort) if self._cards else None
            page = self.store.board_page(self.key, self.board, self.sort, after=after,
                                         limit=PAGE_SIZE, by=self.by)
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

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._cards):
            return None
        card = self._cards[index.row()]
        if role == CARD_ROLE:
            return card
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return card.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(card)
        return None

    def _tooltip(self, card: CardRecord) -> str:
        lines = [card.name, " at ".join(filter(None, (card.job_title, card.company))),
                 f"Score {card.score} · {source_label(card.source)}",
                 f"Owner: {card.owner_name or 'unassigned'}"]
        state = sla_state(card.mql_at, card.first_touch_at, utcnow(), self.sla_hours)
        if card.stage == Stage.MQL and state:
            lines.append(f"Follow-up: {sla_text(state)}")
        # Qt guesses whether a tooltip is rich text: say so, and escape the data
        return "<qt>" + "<br>".join(html.escape(line) for line in lines if line) + "</qt>"

    def flags(self, index: _Index) -> Qt.ItemFlag:
        movable = self.by == BoardGrouping.STAGE  # the journey board is read-only
        if not index.isValid():
            return Qt.ItemFlag.ItemIsDropEnabled if movable else Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsDragEnabled if movable else flags

    # -- drag and drop: the model carries lead ids; the board applies the move ---------

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [LEAD_IDS_MIME]

    def mimeData(self, indexes) -> QMimeData:
        mime = QMimeData()
        ids = [self._cards[i.row()].id for i in indexes if i.isValid()]
        mime.setData(LEAD_IDS_MIME, QByteArray(json.dumps(ids).encode()))
        return mime

    def canDropMimeData(self, mime, action, row, column, parent) -> bool:
        ids = lead_ids_from_mime(mime)
        return (self.by == BoardGrouping.STAGE and bool(ids)
                and all(self.row_of(i) is None for i in ids))

    def dropMimeData(self, mime, action, row, column, parent) -> bool:
        ids = lead_ids_from_mime(mime)
        if not ids or not self.canDropMimeData(mime, action, row, column, parent):
            return False
        self.move_requested.emit(ids, self.key)
        # False: the view must not remove the dragged rows itself; the board does that
        # once the move is done, and a refused move leaves the card where it was.
        return False

    @staticmethod
    def summary_text(count: int, average: float | None) -> str:
        score = f"{average:.0f}" if average is not None else "n/a"
        return f"{plural(count, 'lead')}  ·  avg score {score}"
