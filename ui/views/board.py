"""The kanban board: one column per visible stage, each a windowed model painted as cards."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.delegates.card import CARD_HEIGHT, CardDelegate
from ui.models.stage_column import StageColumnModel
from workbench.rules.criteria import JOURNEY_STAGES
from workbench.rules.stages import FUNNEL, Stage
from workbench.store.leads import BoardFilter, BoardGrouping, BoardSort, ColumnSummary, Store

DEFAULT_VISIBLE = (Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)
BOARD_ORDER = (*FUNNEL, Stage.RECYCLED, Stage.DISQUALIFIED)
COLUMN_MIN_WIDTH = 200
COLUMN_MAX_WIDTH = 340


class CardColumnView(QTableView):
    """A single-column table with fixed row heights: stays fast at any number of rows
    (QListView re-lays out every row), and asks its model for more as it scrolls."""

    step_requested = Signal(int)
    """Left or Right arrow: move to the neighbouring column (-1 or +1)."""

    def __init__(self, model: StageColumnModel, parent=None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(CardDelegate(self))
        self.horizontalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(CARD_HEIGHT)
        self.setShowGrid(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # the delegate paints the selected card itself; no selection band behind it
        self.setStyleSheet("QTableView { background: #eef1f4; border: none;"
                           " selection-background-color: transparent; }")

    def select_row(self, row: int) -> None:
        count = self.model().rowCount()
        if count == 0:
            return
        row = max(0, min(row, count - 1))
        index = self.model().index(row, 0)
        self.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.scrollTo(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # J/K/H/L and Enter are the window's actions (in its menus); the arrows that a
        # table would spend on its single column move between columns instead.
        if event.key() == Qt.Key.Key_Left:
            self.step_requested.emit(-1)
        elif event.key() == Qt.Key.Key_Right:
            self.step_requested.emit(1)
        else:
            super().keyPressEvent(event)


class StageColumn(QFrame):
    """A column: its header (stage, count, average score) above its cards."""

    def __init__(self, store: Store, key: Stage | str, by: BoardGrouping, parent=None) -> None:
        super().__init__(parent)
        self.key = key
        self.model = StageColumnModel(store, key, by, self)
        label = key.label if isinstance(key, Stage) else key.capitalize()
        self.title = QLabel(label, self)
        self.title.setStyleSheet("font-weight: 600; padding: 6px 8px 0 8px; color: #1f2933;")
        self.summary = QLabel(self)
        self.summary.setStyleSheet("padding: 0 8px 4px 8px; color: #66727f;")
        for text in (self.title, self.summary):
            text.setTextFormat(Qt.TextFormat.PlainText)
        self.view = CardColumnView(self.model, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.view)
        self.setMinimumWidth(COLUMN_MIN_WIDTH)
        self.setMaximumWidth(COLUMN_MAX_WIDTH)
        self.setStyleSheet("StageColumn { background: #eef1f4; border-radius: 6px; }")

    def show_summary(self, summary: ColumnSummary) -> None:
        self.summary.setText(self.model.summary_text(summary.count, summary.average_score))


class BoardView(QWidget):
    """The columns side by side, by lifecycle stage or by buyer-journey stage. It shows;
    the main window decides what a move does."""

    lead_selected = Signal(int)
    """The current card changed to this lead."""
    move_requested = Signal(list, object)
    """Cards (lead ids) were dropped on another stage's column."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.board = BoardFilter()
        self.sort = BoardSort.SCORE
        self.grouping = BoardGrouping.STAGE
        self.summaries: dict = {}  # as last shown in the headers
        strip = QWidget(self)
        row = QHBoxLayout(strip)
        row.setContentsMargins(8, 8, 8, 8)
        row.setSpacing(10)
        self.columns: dict[Stage, StageColumn] = {}
        self.journey_columns: dict[str, StageColumn] = {}
        for key, by, into in ([(s, BoardGrouping.STAGE, self.columns) for s in BOARD_ORDER]
                              + [(j, BoardGrouping.JOURNEY, self.journey_columns)
                                 for j in JOURNEY_STAGES]):
            column = StageColumn(store, key, by, strip)
            column.model.move_requested.connect(self.move_requested)
            column.view.step_requested.connect(
                lambda step, column=column: self.step_column(column, step))
            column.view.selectionModel().currentRowChanged.connect(
                lambda current, _previous, column=column: self._current_changed(column, current))
            into[key] = column
            row.addWidget(column)
        scroll = QScrollArea(self)
        scroll.setWidget(strip)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self._visible = list(DEFAULT_VISIBLE)
        self._show_columns()

    # -- what is shown -------------------------------------------------------

    def visible_stages(self) -> list[Stage]:
        """The lifecycle columns chosen to be shown (when grouped by lifecycle stage)."""
        return [s for s in BOARD_ORDER if s in self._visible]

    def set_visible_stages(self, stages) -> None:
        self._visible = list(stages) or list(DEFAULT_VISIBLE)
        self._show_columns()

    def set_grouping(self, by: BoardGrouping) -> None:
        self.grouping = BoardGrouping(by)
        self._show_columns()
        self.refresh()

    def shown_columns(self) -> list[StageColumn]:
        if self.grouping == BoardGrouping.JOURNEY:
            return list(self.journey_columns.values())
        return [self.columns[s] for s in self.visible_stages()]

    def _show_columns(self) -> None:
        shown = self.shown_columns()
        for column in (*self.columns.values(), *self.journey_columns.values()):
            newly = column.isHidden() and column in shown
            column.setHidden(column not in shown)
            if newly and column.model.rowCount() == 0:
                column.model.set_query(self.board, self.sort)

    def set_sla_hours(self, hours: float) -> None:
        for column in (*self.columns.values(), *self.journey_columns.values()):
            column.model.sla_hours = column.view.itemDelegate().sla_hours = hours
            column.view.viewport().update()

    def set_query(self, board: BoardFilter, sort: BoardSort) -> None:
        self.board, self.sort = board, sort
        self.refresh()

    def refresh(self) -> None:
        """Reload the shown columns and their header counts from the store."""
        selected = self.current_lead()
        for column in self.shown_columns():
            column.model.set_query(self.board, self.sort)
        self.refresh_counts()
        if selected is not None:
            self.select_lead(selected)

    def refresh_counts(self) -> None:
        self.summaries = self.store.column_summaries(self.board, self.grouping)
        columns = self.columns if self.grouping == BoardGrouping.STAGE else self.journey_columns
        for key, column in columns.items():
            column.show_summary(self.summaries[key])

    # -- selection and keyboard ----------------------------------------------

    def current_column(self) -> StageColumn | None:
        shown = self.shown_columns()
        focused = next((c for c in shown if c.view.hasFocus()), None)
        return focused or next((c for c in shown if c.view.currentIndex().isValid()), None)

    def current_lead(self) -> int | None:
        column = self.current_column()
        if column is None or not column.view.currentIndex().isValid():
            return None
        return column.model.card(column.view.currentIndex().row()).id

    def select_lead(self, lead_id: int) -> bool:
        for column in self.shown_columns():
            row = column.model.row_of(lead_id)
            if row is not None:
                column.view.select_row(row)
                return True
        return False

    def focus_first_card(self) -> None:
        for column in self.shown_columns():
            if column.model.rowCount():
                column.view.setFocus()
                if not column.view.currentIndex().isValid():
                    column.view.select_row(0)
                return

    def step_column(self, column: StageColumn, step: int) -> None:
        """Move the focus to the next shown non-empty column left or right, same row."""
        shown = self.shown_columns()
        if column not in shown:
            return
        row = max(column.view.currentIndex().row(), 0)
        i = shown.index(column) + step
        while 0 <= i < len(shown):
            if shown[i].model.rowCount():
                shown[i].view.setFocus()
                shown[i].view.select_row(row)
                return
            i += step

    def move_card(self, lead_id: int, from_stage: Stage, to_stage: Stage, score: int,
                  still_shown: bool) -> None:
        """After a move: the card leaves its old column, and both column headers count it
        where it is now, if the filter still shows it (accepting a pool lead makes it
        someone's); the caller reloads the new column's window."""
        self.columns[from_stage].model.remove_lead(lead_id)
        for stage, change in ((from_stage, -1), (to_stage, int(still_shown))):
            old = self.summaries.get(stage)
            if old is None:
                continue
            count = old.count + change
            total = (old.average_score or 0) * old.count + change * score
            self.summaries[stage] = ColumnSummary(count, total / count if count else None)
            self.columns[stage].show_summary(self.summaries[stage])

    def _current_changed(self, column: StageColumn, current) -> None:
        if current.isValid():
            for other in self.shown_columns():
                if other is not column:
                    other.view.clearSelection()
            self.lead_selected.emit(column.model.card(current.row()).id)
