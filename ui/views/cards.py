"""A list of lead cards (a board column, the queue) and the card that is current in it.

The current card is the one highlighted: a card cannot be deselected while it is current,
and whatever changes the list (a reload, a card that leaves) keeps the current lead when it
is still listed and otherwise lets the next card take its place. The list says which lead is
current in one signal, once per change, never with a passing value in between."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPalette
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView

from ui.delegates.card import CARD_HEIGHT, CardDelegate
from ui.models.card_list import CardListModel
from ui.theme import theme

SELECT = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
ADD = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


class CurrentLead:
    """Says which lead is current once per change: a change made of several steps (a
    reload, a card that leaves, columns shown again) holds it and says it at its end."""

    def __init__(self, read: Callable[[], int | None],
                 emit: Callable[[int | None], None]) -> None:
        self.read, self.emit = read, emit
        self.said: int | None = None
        self.held = 0

    @contextmanager
    def holding(self) -> Iterator[None]:
        self.held += 1
        try:
            yield
        finally:
            self.held -= 1
            self.announce()

    def announce(self) -> None:
        lead = self.read()
        if not self.held and lead != self.said:
            self.said = lead
            self.emit(lead)


class CardColumnView(QTableView):
    """A single-column table with fixed row heights: stays fast at any number of rows
    (QListView re-lays out every row), and asks its model for more as it scrolls."""

    step_requested = Signal(int)
    """Left or Right arrow: move to the neighbouring column (-1 or +1)."""
    current_lead_changed = Signal(object)
    """The current card is now this lead's (an int), or no card is current (None)."""

    def __init__(self, model: CardListModel, parent=None) -> None:
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
        # Shift- or Ctrl-click and Shift+J/K pick several cards to act on at once
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # on the column's colour; the delegate paints the selected card itself, so no
        # selection band behind it (a palette: a style sheet slows every paint of the view)
        palette = self.palette()
        for role in (QPalette.ColorRole.Base, QPalette.ColorRole.Highlight):
            palette.setColor(role, theme().column)
        self.setPalette(palette)
        self.current = CurrentLead(self.lead, self.current_lead_changed.emit)
        self._kept: int | None = None  # the current lead across a reload
        self.selectionModel().currentRowChanged.connect(self._current_row_changed)
        model.modelAboutToBeReset.connect(self._before_reset)
        model.modelReset.connect(self._after_reset)

    # -- the current card --------------------------------------------------------

    def lead(self) -> int | None:
        """The lead of the current card."""
        index = self.currentIndex()
        return self.model().card(index.row()).id if index.isValid() else None

    def select_row(self, row: int) -> None:
        """Make the card at row (kept within the list) current; an empty list has none."""
        count = self.model().rowCount()
        if count == 0:
            self.clear_current()
            return
        index = self.model().index(max(0, min(row, count - 1)), 0)
        self.selectionModel().setCurrentIndex(index, SELECT)
        self.scrollTo(index)

    def select_lead(self, lead_id: int) -> bool:
        row = self.model().row_of(lead_id)
        if row is not None:
            self.select_row(row)
        return row is not None

    def selected_leads(self) -> list[int]:
        """The leads of the selected cards, in list order (the current one among them)."""
        model = self.model()
        return [model.card(row).id for row in sorted(
            index.row() for index in self.selectionModel().selectedRows())]

    def extend_selection(self, step: int) -> None:
        """Shift+J/K: the next or previous card becomes current and joins the selection."""
        row = self.currentIndex().row() + step
        if not 0 <= row < self.model().rowCount():
            return
        index = self.model().index(row, 0)
        self.selectionModel().setCurrentIndex(index, ADD)
        self.scrollTo(index)

    def clear_current(self) -> None:
        self.selectionModel().clear()
        self.current.announce()

    def remove_lead(self, lead_id: int) -> None:
        """The lead's card leaves the list; when it was current, the next card takes its
        place (the previous one at the end), as keyboard triage expects."""
        row = self.model().row_of(lead_id)
        if row is None:
            return
        was_current = self.currentIndex().row() == row
        with self.current.holding():
            self.model().remove_lead(lead_id)
            if was_current:
                self.select_row(row)

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self.selectionModel().isRowSelected(current.row()):
            # Qt moves the current index without the selection (a removed row, a card
            # Ctrl-clicked away): the current card is always highlighted
            self.selectionModel().select(current, ADD)
        self.current.announce()

    def _before_reset(self) -> None:
        self.current.held += 1  # Qt forgets the current card silently during a reset
        self._kept = self.lead()

    def _after_reset(self) -> None:
        try:
            if self._kept is not None:
                self.select_lead(self._kept)
        finally:
            self._kept = None
            self.current.held -= 1
        self.current.announce()

    # -- mouse and keys -----------------------------------------------------------

    def selectionCommand(self, index, event=None) -> QItemSelectionModel.SelectionFlag:
        # a click or a key selects the card alone and never leaves none selected; Shift
        # with an arrow key extends the selection (Ctrl- and Shift-clicks: mousePressEvent)
        if not index.isValid():
            return QItemSelectionModel.SelectionFlag.NoUpdate
        if isinstance(event, QKeyEvent) and event.modifiers() & SHIFT:
            return super().selectionCommand(index, event)
        return SELECT

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Ctrl-click adds a card to the selection (it becomes the current card) or takes
        it away (not the current one); Shift-click selects the cards from the current one
        to it."""
        index = self.indexAt(event.position().toPoint())
        held = event.modifiers() & (CTRL | SHIFT)
        if not index.isValid() or event.button() != Qt.MouseButton.LeftButton or not held:
            super().mousePressEvent(event)
            return
        selection = self.selectionModel()
        if held & CTRL and selection.isRowSelected(index.row()):
            if index.row() != self.currentIndex().row():  # the current card stays picked
                selection.select(index, QItemSelectionModel.SelectionFlag.Deselect
                                 | QItemSelectionModel.SelectionFlag.Rows)
            return
        if held & CTRL:
            selection.select(index, ADD)
        else:
            top, bottom = sorted((max(self.currentIndex().row(), 0), index.row()))
            model = self.model()
            selection.select(QItemSelection(model.index(top, 0), model.index(bottom, 0)), ADD)
        with self.current.holding():
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # J/K/H/L and Enter are the window's actions (in its menus); the arrows that a
        # table would spend on its single column move between columns instead.
        if event.key() == Qt.Key.Key_Left:
            self.step_requested.emit(-1)
        elif event.key() == Qt.Key.Key_Right:
            self.step_requested.emit(1)
        else:
            super().keyPressEvent(event)
