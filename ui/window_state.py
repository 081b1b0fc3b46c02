"""The window as the user left it, brought back at the next start: size and place, the
split beside the board, the columns shown, the grouping, the filters and the view."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QTabWidget, QWidget

from ui.views.board import BoardView
from ui.views.filter_bar import FilterBar
from workbench import paths
from workbench.rules.stages import Stage
from workbench.store.leads import BoardGrouping


class Window(Protocol):
    """What of the main window is kept (the window module imports this one)."""

    splitter: QSplitter
    board: BoardView
    filters: FilterBar
    views: QTabWidget
    queue: QWidget
    reports: QWidget
    detail: QWidget
    column_actions: dict[Stage, QAction]
    grouping_actions: dict[BoardGrouping, QAction]

    def saveGeometry(self) -> QByteArray: ...

    def restoreGeometry(self, geometry: QByteArray) -> bool: ...


def window_settings() -> QSettings:
    """Window state lives in the data folder, beside the databases (tests get a clean one)."""
    return QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)


def restore(window: Window) -> None:
    settings = window_settings()
    geometry = settings.value("geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    splitter = settings.value("splitter")
    if isinstance(splitter, QByteArray):
        window.splitter.restoreState(splitter)
    stages = settings.value("visible_stages")
    if stages:
        names = [stages] if isinstance(stages, str) else list(stages)
        known = {stage.value for stage in Stage}
        window.board.set_visible_stages([Stage(n) for n in names if n in known])
    for stage, action in window.column_actions.items():
        action.blockSignals(True)
        action.setChecked(stage in window.board.visible_stages())
        action.blockSignals(False)
    filters = settings.value("filters")
    if isinstance(filters, dict):
        window.filters.restore(filters)
    view = {"queue": window.queue, "reports": window.reports}.get(settings.value("view"))
    if view is not None:
        window.views.setCurrentWidget(view)
    if settings.value("grouping") in {g.value for g in BoardGrouping}:
        grouping = BoardGrouping(settings.value("grouping"))
        window.grouping_actions[grouping].setChecked(True)
        window.board.grouping = grouping
        window.board.set_visible_stages(window.board.visible_stages())


def save(window: Window) -> None:
    settings = window_settings()
    settings.setValue("geometry", window.saveGeometry())
    hidden = window.detail.isHidden()
    window.detail.setVisible(True)  # the split as it is beside the board and the queue
    settings.setValue("splitter", window.splitter.saveState())
    window.detail.setHidden(hidden)
    settings.setValue("visible_stages", [s.value for s in window.board.visible_stages()])
    settings.setValue("filters", window.filters.state())
    settings.setValue("grouping", window.board.grouping.value)
    settings.setValue("view", {window.queue: "queue", window.reports: "reports"}.get(
        window.views.currentWidget(), "board"))
    settings.sync()
