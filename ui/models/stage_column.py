"""One board column: the cards of one stage (or buyer-journey stage), window by window."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QMimeData, QModelIndex, Qt, Signal

from ui.models.card_list import CardListModel, Index
from ui.text import plural
from workbench.rules.stages import Stage
from workbench.store.leads import BoardFilter, BoardGrouping, BoardSort, CardRecord, Store

LEAD_IDS_MIME = "application/x-workbench-lead-ids"


def lead_ids_from_mime(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(LEAD_IDS_MIME):
        return []
    try:
        ids = json.loads(bytes(mime.data(LEAD_IDS_MIME).data()).decode())
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


class StageColumnModel(CardListModel):
    """The cards of one column in the board's filter and sort; cards drag between columns."""

    move_requested = Signal(list, object)
    """Cards (lead ids) were dropped on this column: the board asks for the move to this stage."""

    def __init__(self, store: Store, key: Stage | str,
                 by: BoardGrouping = BoardGrouping.STAGE, parent=None) -> None:
        super().__init__(store, parent)
        self.key = key  # the Stage, or the buyer-journey stage, of this column
        self.by = by
        self.board = BoardFilter()
        self.sort = BoardSort.SCORE

    def set_query(self, board: BoardFilter, sort: BoardSort) -> None:
        self.board, self.sort = board, sort
        self.reload()

    def place(self, card: CardRecord) -> None:
        """A card that came into this column goes where the sort puts it among the loaded
        cards (one card, not the window read again); past the last of them while more are
        to come, a later window brings it."""
        self.remove_lead(card.id)
        key = card.sort_key(self.sort)
        if key[0] is None:  # no value to place it by: the store knows where it goes
            self.reload()
            return
        comes_after = ((lambda other: other.sort_key(self.sort) > key) if self.sort.descending
                       else (lambda other: other.sort_key(self.sort) < key))
        row = next((i for i, other in enumerate(self._cards) if not comes_after(other)),
                   len(self._cards))
        if row == len(self._cards) and not self._exhausted:
            return
        self.beginInsertRows(QModelIndex(), row, row)
        self._cards.insert(row, card)
        self.endInsertRows()

    def _page(self, loaded: list[CardRecord], limit: int) -> list[CardRecord]:
        after = loaded[-1].sort_key(self.sort) if loaded else None
        return self.store.board_page(self.key, self.board, self.sort, after=after, limit=limit,
                                     by=self.by)

    def flags(self, index: Index) -> Qt.ItemFlag:
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
