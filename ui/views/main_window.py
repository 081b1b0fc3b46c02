"""The main window. Until the board lands it shows the leads per stage."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHeaderView, QLabel, QMainWindow, QMessageBox, QTableView

from ui.models.stage_summary import StageSummaryModel
from workbench.store import Store


class MainWindow(QMainWindow):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"Lead Workbench — {store.path.name}")
        self.resize(900, 600)

        self.summary = StageSummaryModel(self)
        self.summary_view = QTableView(self)
        self.summary_view.setModel(self.summary)
        self.summary_view.verticalHeader().hide()
        self.summary_view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setCentralWidget(self.summary_view)

        self.lead_count = QLabel(self)
        self.statusBar().addPermanentWidget(self.lead_count)
        self.statusBar().showMessage(str(store.path))
        self._build_menus()
        self.refresh()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.refresh_action = QAction("&Refresh", self, shortcut=QKeySequence.StandardKey.Refresh,
                                      triggered=self.refresh)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit,
                              triggered=self.close)
        file_menu.addActions([self.refresh_action, quit_action])
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(QAction("&About", self, triggered=self._about))

    def refresh(self) -> None:
        stats = self.store.stats()
        self.summary.set_stats(stats)
        self.lead_count.setText(f"{stats.leads:,} lead{'' if stats.leads == 1 else 's'}")

    def _about(self) -> None:
        QMessageBox.about(self, "About Lead Workbench",
                          "Lead Workbench: triage, qualify and score the leads marketing "
                          f"hands to sales.\n\nDatabase: {self.store.path}")
