"""The window as the user left it, brought back at the next start: size and place (always
within the screen it opens on), the lead pane's width, the columns shown, the grouping, the
filters and the view."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray, QRect, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTabWidget, QWidget

from ui.views.board import BoardView
from ui.views.filter_bar import FilterBar
from ui.views.lead_split import LeadSplit
from workbench import paths
from workbench.rules.stages import Stage
from workbench.store.leads import BoardGrouping


class Window(Protocol):
    """What of the main window is kept (the window module imports this one)."""

    splitter: LeadSplit
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


# room the window manager takes above and around a window (title bar, borders)
FRAME_ALLOWANCE = (16, 40)


def fit_within(window: QWidget, available: QRect) -> None:
    """Within the screen's available area (without panels and docks): smaller if it does not
    fit (never below its minimum), and moved back inside if it was left partly outside."""
    frame_width, frame_height = FRAME_ALLOWANCE
    least = window.minimumSizeHint()
    width = max(least.width(), min(window.size().width(), available.width() - frame_width))
    height = max(least.height(),
                 min(window.size().height(), available.height() - frame_height))
    window.resize(width, height)
    x = min(max(window.pos().x(), available.left()),
            available.right() + 1 - width - frame_width)
    y = min(max(window.pos().y(), available.top()),
            available.bottom() + 1 - height - frame_height)
    window.move(max(x, available.left()), max(y, available.top()))


def window_settings() -> QSettings:
    """Window state lives in the data folder, beside the databases (tests get a clean one)."""
    return QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)


def show_columns(window: Window, stages: list[Stage]) -> None:
    """These columns on the board (none: those it shows), ticked in View › Columns."""
    if stages:
        window.board.set_visible_stages(stages)
    for stage, action in window.column_actions.items():
        action.blockSignals(True)
        action.setChecked(stage in window.board.visible_stages())
        action.blockSignals(False)


def restore(window: Window) -> None:
    settings = window_settings()
    geometry = settings.value("geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    window.splitter.restore(settings.value("pane_width", 0, type=int),
                            settings.value("pane_collapsed", False, type=bool))
    stages = settings.value("visible_stages")
    names = [stages] if isinstance(stages, str) else list(stages or ())
    known = {stage.value for stage in Stage}
    show_columns(window, [Stage(n) for n in names if n in known])
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
    pane_width, collapsed = window.splitter.state()
    settings.setValue("pane_width", pane_width)
    settings.setValue("pane_collapsed", collapsed)
    settings.setValue("visible_stages", [s.value for s in window.board.visible_stages()])
    settings.setValue("filters", window.filters.state())
    settings.setValue("grouping", window.board.grouping.value)
    settings.setValue("view", {window.queue: "queue", window.reports: "reports"}.get(
        window.views.currentWidget(), "board"))
    settings.sync()
