"""The cards the keys act on: the queue when it is shown, else the board's current column;
moving along them and between columns."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from ui.models.card_list import CardListModel
from ui.views.board import BoardView, CardColumnView
from ui.views.queue import QueueView


class CardKeys:
    def __init__(self, views: QTabWidget, board: BoardView, queue: QueueView) -> None:
        self.views, self.board, self.queue = views, board, queue

    def on_queue(self) -> bool:
        return self.views.currentWidget() is self.queue

    def current_cards(self) -> tuple[CardColumnView, CardListModel] | None:
        """The list of cards the keys act on: the queue, or the board's current column."""
        if self.on_queue():
            return self.queue.view, self.queue.model
        column = self.board.current_column()
        return None if column is None else (column.view, column.model)

    def current_lead(self) -> int | None:
        cards = self.current_cards()
        if cards is None or not cards[0].currentIndex().isValid():
            return None
        return cards[1].card(cards[0].currentIndex().row()).id

    def select_lead(self, lead_id: int) -> None:
        if self.on_queue():
            row = self.queue.model.row_of(lead_id)
            if row is not None:
                self.queue.view.select_row(row)
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

    def step_column(self, step: int) -> None:
        """H and L: the column to the left or right (the queue has one)."""
        if self.on_queue():
            return
        column = self.board.current_column()
        if column is None:
            self.board.focus_first_card()
        else:
            self.board.step_column(column, step)
