"""The filter bar's board filters show with the board only: My queue and Today list the
rep's own MQLs and day, and the reports read only "You", so a filter shown beside them
would seem to act and not. "/" from any view goes to the board's search."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QTabWidget, QWidget

from ui.views.filter_bar import FilterBar


class FilterScope(QObject):
    def __init__(self, filters: FilterBar, views: QTabWidget, board: QWidget) -> None:
        super().__init__(views)
        self.filters, self.views, self.board = filters, views, board
        views.currentChanged.connect(self._view_changed)
        self._view_changed()

    def _view_changed(self) -> None:
        self.filters.show_board_filters(self.views.currentWidget() is self.board)

    def focus_search(self) -> None:
        """/: the board, and its search box to type in."""
        self.views.setCurrentWidget(self.board)
        self.filters.focus_search()
