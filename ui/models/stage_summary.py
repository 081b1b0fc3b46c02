"""Lead counts per lifecycle stage, as a table model."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from workbench.stages import Stage
from workbench.store import Stats

_Index = QModelIndex | QPersistentModelIndex


class StageSummaryModel(QAbstractTableModel):
    HEADERS = ("Stage", "Leads", "Share")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._stats = Stats(leads=0, by_stage={s.value: 0 for s in Stage}, by_source={})

    def set_stats(self, stats: Stats) -> None:
        self._stats = stats
        self.dataChanged.emit(self.index(0, 1), self.index(len(Stage) - 1, 2),
                              [Qt.ItemDataRole.DisplayRole])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Stage)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        stage = list(Stage)[index.row()]
        count = self._stats.by_stage.get(stage.value, 0)
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return stage.label
            if index.column() == 1:
                return f"{count:,}"
            return f"{count / self._stats.leads:.1%}" if self._stats.leads else "n/a"
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
