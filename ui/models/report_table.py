"""The report as a table: one row per slice, the total last; count cells list their leads."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from workbench.services.reports import TABLE_COLUMNS, Report, ReportRow, readable_cells
from workbench.store.reports import Measure

# table column -> the figure whose leads a click lists (the count columns)
MEASURE_OF_COLUMN = {1: Measure.MQLS, 2: Measure.ACCEPTED, 3: Measure.REJECTED,
                     4: Measure.RECYCLED, 5: Measure.PENDING}

_Index = QModelIndex | QPersistentModelIndex


class ReportTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.report: Report | None = None
        self._rows: list[ReportRow] = []
        self._cells: list[list[str]] = []
        self.reason_labels: dict[str, str] = {}

    def set_report(self, report: Report | None, reason_labels: dict[str, str]) -> None:
        self.beginResetModel()
        self.report, self.reason_labels = report, reason_labels
        self._rows = [*report.rows, report.total] if report else []
        self._cells = [readable_cells(row, report.spec.by, reason_labels)
                       for row in self._rows] if report else []
        self.endResetModel()

    def row(self, index: int) -> ReportRow:
        return self._rows[index]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 1 + len(TABLE_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return self.report.spec.by.value.capitalize() if self.report else ""
        return TABLE_COLUMNS[section - 1][0]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._cells[index.row()][column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.is_total:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column in MEASURE_OF_COLUMN:
            return "Click to list these leads on the board"
        if role == Qt.ItemDataRole.ToolTipRole and column == len(TABLE_COLUMNS) \
                and row.rejection_reasons:
            return "\n".join(f"{self.reason_labels.get(code, code)}: {count:,}"
                             for code, count in sorted(row.rejection_reasons.items(),
                                                       key=lambda kv: -kv[1]))
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
