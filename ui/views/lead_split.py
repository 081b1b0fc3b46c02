"""The board (or the queue), under a line for refused moves, beside the lead pane. The pane
keeps the width the rep gave it: a wider window widens the board, the Reports tab (which
hides the pane) gives it back as it was, and on a small screen the pane collapses to give
the board the whole width and comes back at its width (View › Lead pane, or dragging the
handle)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from ui.views.detail import LeadDetailPane
from ui.views.feedback import NoticeBar

PANE_WIDTH = 340  # the pane's width until the rep chooses one
PANE_MIN_WIDTH = 280  # narrower, the details are unreadable: dragged below it, it collapses
BOARD_MIN_WIDTH = 320  # the board never collapses


class LeadSplit(QSplitter):
    def __init__(self, board: QWidget, pane: LeadDetailPane, parent=None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.pane = pane
        left = QWidget(self)
        self.notice = NoticeBar(left)  # a refused move, said above the cards
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.notice)
        column.addWidget(board)
        self.addWidget(left)
        self.addWidget(pane)
        left.setMinimumWidth(BOARD_MIN_WIDTH)
        pane.setMinimumWidth(PANE_MIN_WIDTH)
        self.setStretchFactor(0, 1)
        self.setStretchFactor(1, 0)  # a resized window resizes the board, not the pane
        self.setCollapsible(0, False)
        self.setCollapsible(1, True)
        self.pane_width = PANE_WIDTH  # the width the pane comes back at
        self.collapsed = False  # by the rep; Reports hides the pane without collapsing it
        self.action: QAction | None = None
        self.splitterMoved.connect(self._moved)
        self.setSizes([1000, PANE_WIDTH])

    def use_action(self, action: QAction) -> None:
        """The View menu's check item that shows or collapses the pane."""
        self.action = action
        action.setCheckable(True)
        action.setChecked(not self.collapsed)
        action.toggled.connect(lambda shown: self.set_collapsed(not shown))

    def focus_pane(self) -> None:
        """Enter: into the lead's details, the pane opened first if it was collapsed."""
        if self.collapsed:
            self.set_collapsed(False)
        self.pane.focus_document()

    def pane_shown(self) -> bool:
        return not self.collapsed and not self.pane.isHidden()

    def set_pane_visible(self, visible: bool) -> None:
        """Hide the pane (Reports) or show it again at its width, or collapsed as it was."""
        if visible == (not self.pane.isHidden()):
            return
        if not visible and self.sizes()[1]:
            self.pane_width = self.sizes()[1]  # as it was, whatever set it
        self.pane.setVisible(visible)
        if visible:
            self._place_pane()

    def set_collapsed(self, collapsed: bool) -> None:
        self.collapsed = collapsed
        self._place_pane()
        self._check()

    def _check(self) -> None:
        if self.action is not None and self.action.isChecked() == self.collapsed:
            self.action.setChecked(not self.collapsed)

    def _place_pane(self) -> None:
        # before the window is laid out the split is narrow: the board takes what is left
        # once it is (its stretch), and the pane keeps its width
        pane = 0 if self.collapsed else self.pane_width
        self.setSizes([max(sum(self.sizes()) - pane, BOARD_MIN_WIDTH), pane])

    def _moved(self) -> None:
        width = self.sizes()[1]
        self.collapsed = width == 0  # dragged shut, or open again
        if width:
            self.pane_width = width
        self._check()

    # -- kept between runs (ui/window_state.py) --------------------------------

    def state(self) -> tuple[int, bool]:
        if self.pane_shown() and self.sizes()[1]:
            self.pane_width = self.sizes()[1]  # as the rep or a program left it
        return self.pane_width, self.collapsed

    def restore(self, pane_width: object, collapsed: object) -> None:
        if isinstance(pane_width, int) and pane_width > 0:
            self.pane_width = pane_width
        self.collapsed = collapsed is True
        self._place_pane()
        self._check()
