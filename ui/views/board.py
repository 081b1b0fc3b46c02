"""The kanban board: one column per visible stage, each a windowed model painted as cards."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.models.stage_column import StageColumnModel
from ui.theme import colour_text, theme
from ui.views.cards import CardColumnView, CurrentLead
from workbench.rules.criteria import JOURNEY_STAGES
from workbench.rules.search import fts_query
from workbench.rules.stages import FUNNEL, Stage
from workbench.store.leads import (
    BoardFilter,
    BoardGrouping,
    BoardSort,
    CardRecord,
    ColumnSummary,
    Store,
)

DEFAULT_VISIBLE = (Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)
BOARD_ORDER = (*FUNNEL, Stage.RECYCLED, Stage.DISQUALIFIED)
COLUMN_MIN_WIDTH = 200
COLUMN_MAX_WIDTH = 340


class StageColumn(QFrame):
    """A column: its header (stage, count, average score) above its cards."""

    def __init__(self, store: Store, key: Stage | str, by: BoardGrouping, parent=None) -> None:
        super().__init__(parent)
        self.key = key
        self.model = StageColumnModel(store, key, by, self)
        label = key.label if isinstance(key, Stage) else key.capitalize()
        colours = theme()
        self.title = QLabel(label, self)
        heading = self.title.font()
        heading.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(heading)
        self.title.setContentsMargins(8, 6, 8, 0)
        colour_text(self.title, colours.text)
        self.summary = QLabel(self)
        self.summary.setContentsMargins(8, 0, 8, 4)
        colour_text(self.summary, colours.muted)
        for text in (self.title, self.summary):
            text.setTextFormat(Qt.TextFormat.PlainText)
        self.empty = QLabel(self)  # why the column has no card
        self.empty.setTextFormat(Qt.TextFormat.PlainText)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)  # the palette's muted text, in any theme
        self.empty.setContentsMargins(8, 12, 8, 4)
        self.empty.hide()
        self.view = CardColumnView(self.model, self)
        self.view.setAccessibleName(f"{label} cards")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.empty)
        layout.addWidget(self.view)
        self.setMinimumWidth(COLUMN_MIN_WIDTH)
        self.setMaximumWidth(COLUMN_MAX_WIDTH)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The column's rounded background, behind its header and cards."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme().column)
        painter.drawRoundedRect(self.rect(), 6, 6)

    def show_summary(self, summary: ColumnSummary, why_empty: str) -> None:
        self.summary.setText(self.model.summary_text(summary.count, summary.average_score))
        self.empty.setText(why_empty)
        self.empty.setVisible(summary.count == 0)


class BoardView(QWidget):
    """The columns side by side, by lifecycle stage or by buyer-journey stage. It shows;
    the main window decides what a move does. One card of the whole board is current:
    making a card current in one column clears the others."""

    current_lead_changed = Signal(object)
    """The board's current lead is now this one (an int), or none (None): once per change."""
    move_requested = Signal(list, object)
    """Cards (lead ids) were dropped on another stage's column."""
    columns_shown = Signal()
    """Other columns are shown (View › Columns, the grouping): their leads are on view."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.board = BoardFilter()
        self.sort = BoardSort.SCORE
        self.grouping = BoardGrouping.STAGE
        self.summaries: dict = {}  # as last shown in the headers
        self._current: StageColumn | None = None  # the column of the current card
        self.current = CurrentLead(self.current_lead, self.current_lead_changed.emit)
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
            column.view.current_lead_changed.connect(
                lambda lead, column=column: self._column_changed(column, lead))
            into[key] = column
            row.addWidget(column)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(strip)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
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
        with self.current.holding():
            self._show_columns()
            self.refresh()

    def shown_columns(self) -> list[StageColumn]:
        if self.grouping == BoardGrouping.JOURNEY:
            return list(self.journey_columns.values())
        return [self.columns[s] for s in self.visible_stages()]

    def _all_columns(self) -> list[StageColumn]:
        return [*self.columns.values(), *self.journey_columns.values()]

    def _show_columns(self) -> None:
        shown = self.shown_columns()
        lead = self.current_lead()
        with self.current.holding():
            for column in self._all_columns():
                newly = column.isHidden() and column in shown
                column.setHidden(column not in shown)
                if newly and column.model.rowCount() == 0:
                    column.model.set_query(self.board, self.sort)
            if self._current is not None and self._current not in shown:
                # a hidden column holds no current card; the lead stays current if another
                # shown column lists it (the board grouped the other way)
                self._current.view.clear_current()
                self._current = None
                if lead is not None:
                    self.select_lead(lead)
        self.columns_shown.emit()

    def set_sla_hours(self, hours: float) -> None:
        for column in self._all_columns():
            column.model.sla_hours = column.view.itemDelegate().sla_hours = hours
            column.view.viewport().update()

    def set_rotting(self, rotting) -> None:
        for column in self._all_columns():
            column.view.itemDelegate().rotting = rotting
            column.view.viewport().update()

    def set_query(self, board: BoardFilter, sort: BoardSort) -> None:
        self.board, self.sort = board, sort
        self.refresh()

    def refresh(self) -> None:
        """Reload the shown columns and their header counts from the store; the current lead
        stays current if the board still shows it, in whichever column it now is."""
        lead = self.current_lead()
        with self.current.holding(), ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="board-counts") as counter:
            # A filtered board's counts look at every lead it finds (up to 60 ms at a
            # million; unfiltered, the stage totals answer at once): read on a
            # second connection while the columns' first cards are read here. A search's
            # matches are read once, by the cards, and counted after them.
            counting = (None if fts_query(self.board.search) is not None else
                        counter.submit(self.store.column_summaries, self.board, self.grouping))
            for column in self.shown_columns():
                column.model.set_query(self.board, self.sort)  # keeps its current card
            self._show_counts(counting.result() if counting is not None else
                              self.store.column_summaries(self.board, self.grouping))
            if lead is not None and self.current_lead() != lead:
                self.select_lead(lead)  # moved to another stage (a sync, another window)

    def refresh_counts(self) -> None:
        self._show_counts(self.store.column_summaries(self.board, self.grouping))

    def _show_counts(self, summaries: dict) -> None:
        self.summaries = summaries
        columns = self.columns if self.grouping == BoardGrouping.STAGE else self.journey_columns
        for key, column in columns.items():
            column.show_summary(self.summaries[key], self.why_empty())

    def why_empty(self) -> str:
        """What an empty column says: nothing matches the search or the filters, or the
        stage is empty."""
        search = self.board.search.strip()
        if search and not any(s.count for s in self.summaries.values()):
            return f"No lead matches “{search}”. Esc clears the search."
        if search:
            return f"No lead here matches “{search}”."
        if replace(self.board, me=None) != BoardFilter():
            return "No lead here matches the filters."
        if self.grouping != BoardGrouping.STAGE:
            return "No open lead shows this step of the journey."
        hidden = [(stage, self.summaries[stage].count) for stage in BOARD_ORDER
                  if stage not in self._visible and self.summaries.get(stage)
                  and self.summaries[stage].count]
        if hidden and not any(self.summaries[s].count for s in self.visible_stages()):
            where = ", ".join(f"{count:,} in {stage.label}" for stage, count in hidden)
            return f"No leads in this stage. The leads are in hidden columns ({where}): " \
                   "View › Columns shows them."
        return "No leads in this stage."

    # -- the current card and the keyboard -----------------------------------

    def current_column(self) -> StageColumn | None:
        """The column of the current card (it may have lost its card to a filter)."""
        return self._current

    def current_lead(self) -> int | None:
        return self._current.view.lead() if self._current is not None else None

    def select_lead(self, lead_id: int) -> bool:
        for column in self.shown_columns():
            if column.model.row_of(lead_id) is not None:
                self._make_current(column, column.model.row_of(lead_id))
                return True
        return False

    def focus_first_card(self) -> None:
        """The focus on the current card, or on the first card of the board if none is."""
        if self.current_lead() is not None:
            self._current.view.setFocus()
            return
        for column in self.shown_columns():
            if column.model.rowCount():
                self._make_current(column, 0)
                column.view.setFocus()
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
                self._make_current(shown[i], row)
                shown[i].view.setFocus()
                return
            i += step

    def move_card(self, lead_id: int, from_stage: Stage, to_stage: Stage, score: int,
                  card: CardRecord | None) -> None:
        """After a move: the card leaves its old column (the next card takes its place if it
        was current) and takes its place in the new one, and both column headers count it
        where it is now: `card` is None when the filter no longer shows it (accepting a pool
        lead makes it someone's)."""
        self.columns[from_stage].view.remove_lead(lead_id)
        if card is not None and to_stage in self.visible_stages():
            self.columns[to_stage].model.place(card)
        for stage, change in ((from_stage, -1), (to_stage, int(card is not None))):
            old = self.summaries.get(stage)
            if old is None:
                continue
            count = old.count + change
            # scores are whole numbers, so is their sum: rounding it undoes the float drift
            # of many moves that would tip a header's x.5 average to the other side
            total = round((old.average_score or 0) * old.count) + change * score
            self.summaries[stage] = ColumnSummary(count, total / count if count else None)
            self.columns[stage].show_summary(self.summaries[stage], self.why_empty())

    def _make_current(self, column: StageColumn, row: int) -> None:
        column.view.select_row(row)
        self._column_changed(column, column.view.lead())  # even if its current row stayed

    def _column_changed(self, column: StageColumn, lead: int | None) -> None:
        if lead is not None and column is not self._current:
            self._current = column
            for other in self._all_columns():
                if other is not column and other.view.lead() is not None:
                    other.view.clear_current()
            self.scroll.ensureWidgetVisible(column)
        self.current.announce()
