"""The window's current lead, and the cards the keys act on: the queue when it is shown,
else the board's current column; moving along them and between columns.

There is one current lead in the whole window: the board's when the board is shown, the
queue's when the queue is, that of another list of leads when it is shown (Today), none on
the reports. The detail pane shows it and every action acts on it; both ask here."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance
from PySide6.QtWidgets import QTabWidget, QWidget

from ui.models.card_list import CardListModel
from ui.views.board import BoardView
from ui.views.cards import CardColumnView, CurrentLead
from ui.views.queue import QueueView


class CardKeys(QObject):
    current_lead_changed = Signal(object)
    """The window's current lead is now this one (an int), or none (None): once per change."""

    def __init__(self, views: QTabWidget, board: BoardView, queue: QueueView) -> None:
        super().__init__(views)
        self.views, self.board, self.queue = views, board, queue
        self.current = CurrentLead(self.current_lead, self.current_lead_changed.emit)
        self.other_lists: dict[QWidget, Callable[[], int | None]] = {}
        board.current_lead_changed.connect(self.announce)
        queue.current_lead_changed.connect(self.announce)

    def on_queue(self) -> bool:
        return self.views.currentWidget() is self.queue

    def current_cards(self) -> tuple[CardColumnView, CardListModel] | None:
        """The list of cards the keys act on: the queue, or the board's current column."""
        if self.on_queue():
            return self.queue.view, self.queue.model
        if self.views.currentWidget() is not self.board:
            return None
        column = self.board.current_column()
        return None if column is None else (column.view, column.model)

    def add_list(self, view: QWidget, current_lead: Callable[[], int | None],
                 changed: SignalInstance) -> None:
        """Another tab that lists leads: its current lead is the window's while it is shown."""
        self.other_lists[view] = current_lead
        changed.connect(self.announce)

    def current_lead(self) -> int | None:
        shown = self.views.currentWidget()
        if shown is self.queue:
            return self.queue.current_lead()
        if shown in self.other_lists:
            return self.other_lists[shown]()
        return self.board.current_lead() if shown is self.board else None

    def announce(self) -> None:
        """Say the current lead if it changed (a view changed it, or another tab is shown)."""
        self.current.announce()

    def select_lead(self, lead_id: int) -> None:
        if self.on_queue():
            self.queue.view.select_lead(lead_id)
        else:
            self.board.select_lead(lead_id)

    def focus_cards(self) -> None:
        """Ctrl+B: the focus back on the cards of the board or the queue, whichever is shown."""
        if self.on_queue():
            self.queue.focus_first_card()
        else:
            self.board.focus_first_card()

    def step_card(self, step: int) -> None:
        """J and K: the next or previous card, fetching the next window of cards at the end."""
        cards = self.current_cards()
        if cards is None:
            self.focus_cards()
            return
        view, model = cards
        row = view.currentIndex().row() + step
        if row >= model.rowCount() and model.canFetchMore():
            model.fetchMore()
        view.select_row(max(row, 0))
        view.setFocus()

    def extend_selection(self, step: int) -> None:
        """Shift+J and Shift+K: the next or previous card joins the selection."""
        cards = self.current_cards()
        if cards is not None:
            cards[0].extend_selection(step)

    def step_column(self, step: int) -> None:
        """H and L: the column to the left or right (the queue has one)."""
        if self.on_queue():
            return
        column = self.board.current_column()
        if column is None:
            self.board.focus_first_card()
        else:
            self.board.step_column(column, step)
