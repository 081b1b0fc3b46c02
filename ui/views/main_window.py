"""The main window: filter bar, board and detail pane; menus; state kept between runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QSplitter,
    QTabWidget,
    QToolBar,
)

from ui.action_ids import ActionId
from ui.actions import BANT_KEYS, BOARD_ONLY, TRIAGE, create_actions
from ui.dialogs.conflicts import ConflictsDialog
from ui.dialogs.criteria import CriteriaDialog
from ui.dialogs.duplicates import DuplicatesDialog
from ui.dialogs.import_wizard import ImportWizard
from ui.dialogs.reason import ReasonDialog
from ui.dialogs.team_server import TeamServerDialog
from ui.models.card_list import CardListModel
from ui.team_sync import TeamSync
from ui.text import plural
from ui.views.board import BOARD_ORDER, BoardView, CardColumnView
from ui.views.detail import LeadDetailPane
from ui.views.filter_bar import FigureChip, FilterBar
from ui.views.queue import QueueView
from ui.views.reports import ReportsView
from ui.workers import rescore_worker
from ui.workers import start as start_worker
from workbench import paths
from workbench.clock import next_day_start, utcnow
from workbench.rules.ownership import NotAllowed
from workbench.rules.sla import overdue_cutoff
from workbench.rules.stages import REASON_KIND, Stage, StageTransitionError, allowed_targets
from workbench.services import todays_scores, triage
from workbench.services.export import ExportError, export_leads
from workbench.store.leads import BoardFilter, BoardGrouping, NotFound, Store
from workbench.sync.protocol import CopiedDatabase, SyncBlocked, SyncError

STATUS_MESSAGE_MS = 8000
DAILY_RESCORE_QUIET_MS = 1500  # a daily rescore quicker than this shows no dialog


def window_settings() -> QSettings:
    """Window state lives in the data folder, beside the databases (tests get a clean one)."""
    return QSettings(str(paths.data_dir() / "window.ini"), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"Lead Workbench — {store.path.name}")
        self.resize(1440, 900)
        self.actions_by_id = create_actions(self)
        # this session's moves, newest last, with each lead as it was before (for Ctrl+Z)
        self.undo_stack: list[tuple] = []

        self.filters = FilterBar(self)
        toolbar = QToolBar("Filters", self)
        toolbar.setObjectName("filters")
        toolbar.setMovable(False)
        toolbar.addWidget(self.filters)
        self.addToolBar(toolbar)

        self.board = BoardView(store, self)
        self.queue = QueueView(store, self)
        self.views = QTabWidget(self)
        self.views.setDocumentMode(True)
        self.views.addTab(self.board, "Board  (Ctrl+1)")
        self.views.addTab(self.queue, "My queue  (Ctrl+2)")
        self.reports = ReportsView(store, self)
        self.views.addTab(self.reports, "Reports  (Ctrl+3)")
        # the leads behind a report figure, while the board lists them: (ids, words)
        self.figure: tuple[list[int], str] | None = None
        self.figure_chip = FigureChip(self)
        self.views.setCornerWidget(self.figure_chip, Qt.Corner.TopRightCorner)
        self._stages_before_figure: list[Stage] = []
        self._viewer: object = ()  # the "You" the queue and reports were read for
        self.detail = LeadDetailPane(store, self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.views)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1080, 360])
        self.setCentralWidget(self.splitter)

        self.lead_count = QLabel(self)
        self.overdue_count = QLabel(self)
        self.overdue_count.setStyleSheet("color: #c0392b;")
        self.statusBar().addPermanentWidget(self.overdue_count)
        self.statusBar().addPermanentWidget(self.lead_count)
        self.team_sync = TeamSync(store, self.statusBar(), self)

        self.setAcceptDrops(True)  # a CSV or XLSX dropped on the window is imported
        self._build_menus()
        self._connect()
        self.use_criteria(store.current_criteria())
        self._seen_version = store.data_version()
        users = store.users()
        self.filters.set_choices(users, *store.sources_and_campaigns())
        self._restore_state()
        self.apply_filters()
        self._refresh_overdue()
        self.rescore_worker = None  # the rescore running, if one is
        self._midnight = QTimer(self, singleShot=True)  # the next day's scores
        self._midnight.timeout.connect(self.bring_scores_up_to_date)
        # once the board is on screen: bring back recycled leads whose date has come, and
        # scores made on an earlier day up to date
        QTimer.singleShot(0, self._after_start)

    # -- wiring --------------------------------------------------------------

    def _build_menus(self) -> None:
        a = self.actions_by_id
        menu = self.menuBar().addMenu("&File")
        menu.addActions([a[ActionId.IMPORT], a[ActionId.EXPORT]])
        menu.addSeparator()
        menu.addActions([a[ActionId.SYNC], a[ActionId.TEAM_SERVER]])
        menu.addSeparator()
        menu.addActions([a[ActionId.REFRESH], a[ActionId.QUIT]])
        menu = self.menuBar().addMenu("&Edit")
        menu.addAction(a[ActionId.UNDO])
        a[ActionId.UNDO].setEnabled(False)
        menu.addSeparator()
        menu.addAction(a[ActionId.CRITERIA])
        menu = self.menuBar().addMenu("&View")
        menu.addActions([a[ActionId.SHOW_BOARD], a[ActionId.SHOW_QUEUE],
                         a[ActionId.SHOW_REPORTS]])
        menu.addSeparator()
        menu.addActions([a[ActionId.FOCUS_SEARCH], a[ActionId.CLEAR_SEARCH],
                         a[ActionId.FOCUS_BOARD], a[ActionId.OPEN_DETAIL]])
        menu.addSeparator()
        group = menu.addMenu("&Group by")
        self.grouping_actions: dict[BoardGrouping, QAction] = {}
        exclusive = QActionGroup(self)
        for by, label in ((BoardGrouping.STAGE, "&Lifecycle stage"),
                          (BoardGrouping.JOURNEY, "&Buyer journey (read-only)")):
            action = group.addAction(label)
            action.setCheckable(True)
            action.setChecked(by == BoardGrouping.STAGE)
            exclusive.addAction(action)
            action.triggered.connect(lambda _checked=False, by=by: self.group_by(by))
            self.grouping_actions[by] = action
        columns = menu.addMenu("&Columns")
        self.column_actions: dict[Stage, QAction] = {}
        for stage in BOARD_ORDER:
            action = columns.addAction(stage.label)
            action.setCheckable(True)
            action.toggled.connect(self._columns_toggled)
            self.column_actions[stage] = action
        menu = self.menuBar().addMenu("&Go")
        menu.addActions([a[ActionId.NEXT_CARD], a[ActionId.PREVIOUS_CARD],
                         a[ActionId.COLUMN_LEFT], a[ActionId.COLUMN_RIGHT]])
        self.lead_menu = self.menuBar().addMenu("&Lead")
        self.lead_menu.addActions([a[i] for i in TRIAGE])
        self.lead_menu.addSeparator()
        self.lead_menu.addActions([a[i] for i in BANT_KEYS])
        self.lead_menu.addSeparator()
        self.lead_menu.addAction(a[ActionId.RESCORE])
        self.lead_menu.addAction(a[ActionId.DUPLICATES])
        self.lead_menu.addAction(a[ActionId.CONFLICTS])
        self.move_menu = self.lead_menu.addMenu("&Move to")
        self.move_actions: dict[Stage, QAction] = {}
        for stage in BOARD_ORDER:
            action = self.move_menu.addAction(stage.label)
            action.triggered.connect(
                lambda _checked=False, stage=stage: self.move_current_lead(stage))
            self.move_actions[stage] = action
        self.move_menu.aboutToShow.connect(self._offer_allowed_moves)
        menu = self.menuBar().addMenu("&Help")
        menu.addAction(a[ActionId.ABOUT])
        # single-key actions work while the focus is on the board's or the queue's cards
        for cards in (self.board, self.queue):
            cards.addActions([a[i] for i in BOARD_ONLY])

    def _connect(self) -> None:
        a = self.actions_by_id
        a[ActionId.REFRESH].triggered.connect(self.refresh)
        a[ActionId.QUIT].triggered.connect(self.close)
        a[ActionId.IMPORT].triggered.connect(lambda: self.import_file())
        a[ActionId.EXPORT].triggered.connect(self.export_leads)
        a[ActionId.FOCUS_SEARCH].triggered.connect(self.focus_search)
        a[ActionId.CLEAR_SEARCH].triggered.connect(self.clear_search)
        a[ActionId.FOCUS_BOARD].triggered.connect(self.focus_cards)
        a[ActionId.SHOW_BOARD].triggered.connect(lambda: self.show_view(self.board))
        a[ActionId.SHOW_QUEUE].triggered.connect(lambda: self.show_view(self.queue))
        a[ActionId.SHOW_REPORTS].triggered.connect(lambda: self.show_view(self.reports))
        a[ActionId.OPEN_DETAIL].triggered.connect(self.detail.focus_document)
        a[ActionId.NEXT_CARD].triggered.connect(lambda: self._step_card(1))
        a[ActionId.PREVIOUS_CARD].triggered.connect(lambda: self._step_card(-1))
        a[ActionId.COLUMN_LEFT].triggered.connect(lambda: self._step_column(-1))
        a[ActionId.COLUMN_RIGHT].triggered.connect(lambda: self._step_column(1))
        a[ActionId.ABOUT].triggered.connect(self._about)
        a[ActionId.RESCORE].triggered.connect(self.rescore_all)
        a[ActionId.CRITERIA].triggered.connect(self.edit_criteria)
        a[ActionId.DUPLICATES].triggered.connect(self.review_duplicates)
        a[ActionId.SYNC].triggered.connect(self.sync_now)
        a[ActionId.TEAM_SERVER].triggered.connect(self.choose_team_server)
        a[ActionId.CONFLICTS].triggered.connect(self.review_conflicts)
        self.team_sync.synced.connect(self._synced)
        self.team_sync.problem.connect(self._sync_problem)
        a[ActionId.UNDO].triggered.connect(self.undo_last_move)
        a[ActionId.ACCEPT].triggered.connect(self.accept_current)
        a[ActionId.REJECT].triggered.connect(lambda: self.triage_current(Stage.DISQUALIFIED))
        a[ActionId.RECYCLE].triggered.connect(lambda: self.triage_current(Stage.RECYCLED))
        for number, action_id in enumerate(BANT_KEYS, start=1):
            a[action_id].triggered.connect(
                lambda _checked=False, number=number: self.cycle_bant(number))
        self.filters.changed.connect(self.apply_filters)
        self.filters.search.returnPressed.connect(self.filters.flush)
        self.board.lead_selected.connect(self.detail.show_lead)
        self.queue.lead_selected.connect(self.detail.show_lead)
        self.views.currentChanged.connect(self._view_changed)
        self.reports.figure_requested.connect(self.show_figure_leads)
        self.figure_chip.cleared.connect(self.clear_figure)
        self.board.move_requested.connect(self.move_leads)
        QGuiApplication.instance().applicationStateChanged.connect(self._application_state)

    # -- queries -------------------------------------------------------------

    def apply_filters(self) -> None:
        board, sort = self.filters.query(self.criteria.sla_hours)
        if self.figure is not None:
            board = replace(board, lead_ids=tuple(self.figure[0]))
        self.detail.user_id = board.me
        self.board.set_query(board, sort)
        self._show_lead_count()
        if board.me != self._viewer:  # the queue and the reports are the viewer's
            self._viewer = board.me
            self.queue.set_rep(board.me, self.filters.me.currentText() or None)
            self._queue_changed()
            self._report_for_viewer()

    def _queue_changed(self) -> None:
        """The queue is read when it is shown: a filter or a move on the board never
        waits for it."""
        self.queue.stale = True
        if self.views.currentWidget() is self.queue:
            self._reload_queue()

    def _report_for_viewer(self) -> None:
        me = self.filters.me.currentData()
        role = next((r for uid, _n, _e, r in self.store.users() if uid == me), "manager")
        self.reports.set_viewer(me, self.filters.me.currentText() or None, role,
                                self.criteria.sla_hours)
        if self.views.currentWidget() is self.reports:
            self.reports.refresh()

    def show_figure_leads(self, lead_ids: list[int], description: str) -> None:
        """List the leads behind a report figure on the board, in every stage they are."""
        if self.figure is None:
            self._stages_before_figure = self.board.visible_stages()
        self.figure = (lead_ids, description)
        self.figure_chip.show_figure(f"{description} ({plural(len(lead_ids), 'lead')})")
        self.views.setCurrentWidget(self.board)
        self.group_by(BoardGrouping.STAGE)
        self.apply_filters()
        self.board.set_visible_stages([s for s in BOARD_ORDER
                                       if self.board.summaries[s].count])
        self.focus_cards()

    def clear_figure(self) -> None:
        self.figure = None
        self.figure_chip.show_figure(None)
        self.board.set_visible_stages(self._stages_before_figure)
        self.apply_filters()

    def refresh(self) -> None:
        """Read everything again (F5, or another process changed the database)."""
        self._return_due_recycled()
        self._seen_version = self.store.data_version()
        self.filters.set_choices(self.store.users(), *self.store.sources_and_campaigns())
        self.use_criteria(self.store.current_criteria())
        self.board.refresh()
        self._queue_changed()
        self.detail.show_lead(self.detail.lead_id)
        self._show_lead_count()
        self._refresh_overdue()
        self._report_for_viewer()
        self.bring_scores_up_to_date()  # a new day, or new criteria from the team

    def use_criteria(self, criteria) -> None:
        """The team's current criteria: scores are explained and SLAs counted with them."""
        self.criteria = self.detail.criteria = criteria
        self.board.set_sla_hours(criteria.sla_hours)
        self.queue.model.sla_hours = self.queue.view.itemDelegate().sla_hours = \
            criteria.sla_hours

    def _application_state(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive:
            return
        if self.store.data_version() != self._seen_version:
            self.refresh()
        self.bring_scores_up_to_date()  # the laptop may have slept through midnight

    def _after_start(self) -> None:
        self.team_sync.start_auto_sync()
        self.bring_scores_up_to_date()
        if triage.return_recycled(self.store) and not self.isHidden():
            self.refresh()
            self.statusBar().showMessage("Recycled leads whose date has come are back in the "
                                         "queue.", STATUS_MESSAGE_MS)

    def _return_due_recycled(self) -> None:
        returned = triage.return_recycled(self.store)
        if returned:
            self.statusBar().showMessage(
                f"{plural(len(returned), 'recycled lead')} came back to the queue today.",
                STATUS_MESSAGE_MS)

    def _show_lead_count(self) -> None:
        shown = sum(summary.count for summary in self.board.summaries.values())
        capped = self.store.search_is_capped(self.board.board.search)
        self.lead_count.setText(
            f"First {plural(shown, 'match')}: type more to narrow the search" if capped
            else plural(shown, "lead"))

    def _refresh_overdue(self) -> None:
        """The team's overdue MQLs, whatever the board's filter, and the queue's counts:
        read when data changes."""
        cutoff = overdue_cutoff(utcnow(), self.criteria.sla_hours)
        self._show_overdue(self.store.column_summaries(
            BoardFilter(overdue_before=cutoff))[Stage.MQL].count)

    def _reload_queue(self) -> None:
        self.queue.stale = False
        cutoff = overdue_cutoff(utcnow(), self.criteria.sla_hours)
        self.queue.show_summary(*self.store.queue_summary(self.filters.me.currentData(),
                                                          cutoff))
        selected = self.queue.current_lead()
        self.queue.model.reload()
        row = self.queue.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.queue.view.select_row(row)

    def _show_overdue(self, count: int) -> None:
        self.overdue = count
        self.overdue_count.setText(f"{plural(count, 'overdue MQL')}  " if count else "")

    # -- keyboard ------------------------------------------------------------

    def focus_search(self) -> None:
        self.filters.search.setFocus()
        self.filters.search.selectAll()

    def clear_search(self) -> None:
        if self.filters.search.text():
            self.filters.search.clear()
            self.filters.flush()
        self.board.focus_first_card()

    def show_view(self, view) -> None:
        self.views.setCurrentWidget(view)
        self.focus_cards()

    def _view_changed(self) -> None:
        if self.views.currentWidget() is self.queue and self.queue.stale:
            self._reload_queue()
        on_reports = self.views.currentWidget() is self.reports
        self.detail.setVisible(not on_reports)  # reports want the width; no lead is chosen
        if on_reports and self.reports.stale:
            self.reports.refresh()
        elif not on_reports:  # a tab clicked works like its shortcut: the keys act at once
            self.focus_cards()
        lead_id = self.current_lead()
        if lead_id is not None:
            self.detail.show_lead(lead_id)

    def focus_cards(self) -> None:
        """Ctrl+B: the focus back on the cards of the board or the queue, whichever is shown."""
        if self.views.currentWidget() is self.queue:
            self.queue.focus_first_card()
        else:
            self.board.focus_first_card()

    def current_cards(self) -> tuple[CardColumnView, CardListModel] | None:
        """The list of cards the keys act on: the queue, or the board's current column."""
        if self.views.currentWidget() is self.queue:
            return self.queue.view, self.queue.model
        column = self.board.current_column()
        return None if column is None else (column.view, column.model)

    def current_lead(self) -> int | None:
        cards = self.current_cards()
        if cards is None or not cards[0].currentIndex().isValid():
            return None
        return cards[1].card(cards[0].currentIndex().row()).id

    def _step_card(self, step: int) -> None:
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

    def _step_column(self, step: int) -> None:
        column = self.board.current_column()
        if self.views.currentWidget() is self.queue:
            return
        if column is None:
            self.board.focus_first_card()
        else:
            self.board.step_column(column, step)

    # -- moves ---------------------------------------------------------------

    def undo_last_move(self) -> None:
        """Ctrl+Z: reverse this session's last move (a compensating stage change)."""
        if not self.undo_stack:
            return
        change, before = self.undo_stack.pop()
        self.actions_by_id[ActionId.UNDO].setEnabled(bool(self.undo_stack))
        try:
            triage.undo_move(self.store, change.id, before,
                               by=self.filters.me.currentData())
        except (ValueError, NotFound) as refused:
            self.statusBar().showMessage(str(refused), STATUS_MESSAGE_MS)
            return
        self.board.refresh()
        self._queue_changed()
        if self.views.currentWidget() is self.queue:
            row = self.queue.model.row_of(before.id)
            if row is not None:
                self.queue.view.select_row(row)
        else:
            self.board.select_lead(before.id)
        self._show_lead_count()
        self._refresh_overdue()
        self.statusBar().showMessage(f"{before.name} is back in {before.stage.label}.",
                                     STATUS_MESSAGE_MS)

    def accept_current(self) -> None:
        """A: accept the selected lead (MQL -> SAL, or SAL -> SQL when BANT holds)."""
        lead_id = self.current_lead()
        if lead_id is None:
            self.statusBar().showMessage("Select a lead first.", STATUS_MESSAGE_MS)
            return
        stage = self.store.lead(lead_id).stage
        target = {Stage.MQL: Stage.SAL, Stage.SAL: Stage.SQL}.get(stage)
        if target is None:
            self.statusBar().showMessage(
                f"Only an MQL or an accepted lead (SAL) can be accepted; this lead is "
                f"{stage.label}.", STATUS_MESSAGE_MS)
            return
        self.triage_current(target)

    def triage_current(self, to_stage: Stage) -> None:
        """Move the selected lead, then select the next card of its list (keyboard triage)."""
        cards = self.current_cards()
        lead_id = self.current_lead()
        if cards is None or lead_id is None:
            self.statusBar().showMessage("Select a lead first.", STATUS_MESSAGE_MS)
            return
        view, model = cards
        row = view.currentIndex().row()
        self.move_leads([lead_id], to_stage, show_detail=False)
        if model.row_of(lead_id) is None:  # it moved: the next card takes its place
            view.setFocus()
            view.select_row(row)

    def cycle_bant(self, number: int) -> None:
        if self.detail.lead_id is None:
            self.statusBar().showMessage("Select a lead first.", STATUS_MESSAGE_MS)
            return
        self.detail.bant.cycle(number)

    def _offer_allowed_moves(self) -> None:
        """Enable the moves the stage machine allows for the selected lead."""
        lead_id = self.current_lead()
        allowed = allowed_targets(self.store.lead(lead_id).stage) if lead_id else frozenset()
        for stage, action in self.move_actions.items():
            action.setEnabled(stage in allowed)

    def move_current_lead(self, stage: Stage) -> None:
        lead_id = self.current_lead()
        if lead_id is None:
            self.statusBar().showMessage("Select a lead first.", STATUS_MESSAGE_MS)
            return
        self.move_leads([lead_id], stage)

    def move_leads(self, lead_ids: list[int], to_stage: Stage, show_detail: bool = True) -> None:
        """Ask the stage machine for each move; a refused move leaves the card where it was.

        The column counts and the overdue count are adjusted by what moved, not read again:
        a million leads are not recounted for one triage action."""
        cutoff = overdue_cutoff(utcnow(), self.criteria.sla_hours)
        moved = False
        for lead_id in lead_ids:
            try:
                lead = self.store.lead(lead_id)
            except NotFound:
                continue
            details = {}
            kind = REASON_KIND.get(to_stage)
            if kind is not None and lead.stage != to_stage:
                answer = ReasonDialog.ask(
                    self, "Reject" if kind == "reject" else "Recycle", lead.name,
                    self.store.reasons(kind), ask_revisit=to_stage == Stage.RECYCLED,
                    revisit_days=self.criteria.recycle_days)
                if answer is None:
                    continue
                details = {"reason_code": answer.reason_code, "note": answer.note,
                           "revisit_on": answer.revisit_on}
            try:
                change = triage.move_lead(self.store, lead_id, to_stage,
                                            by=self.filters.me.currentData(), **details)
            except (StageTransitionError, ValueError) as refused:
                self.statusBar().showMessage(str(refused), STATUS_MESSAGE_MS)
                QMessageBox.warning(self, "Move refused", str(refused))
                continue
            moved = True
            self.undo_stack.append((change, lead))
            self.actions_by_id[ActionId.UNDO].setEnabled(True)
            self.board.move_card(lead_id, lead.stage, to_stage, lead.score,
                                 self.store.board_shows(self.board.board, lead_id))
            overdue = (lead.stage == Stage.MQL and lead.first_touch_at is None
                       and lead.mql_at is not None and lead.mql_at < cutoff)
            if overdue:
                self._show_overdue(self.overdue - 1)
            if lead.stage == Stage.MQL and lead.owner_id in (None, self.filters.me.currentData()):
                self.queue.model.remove_lead(lead_id)  # it left the queue: counted, not recounted
                self.queue.show_summary(self.queue.count - 1, self.queue.overdue - overdue)
            self.statusBar().showMessage(f"{lead.name} moved to {to_stage.label}.",
                                         STATUS_MESSAGE_MS)
        if not moved:
            return
        if to_stage in self.board.visible_stages():
            self.board.columns[to_stage].model.reload()
        if to_stage == Stage.MQL:
            self._queue_changed()
        if show_detail:
            self.detail.show_lead(self.detail.lead_id)
        self._show_lead_count()

    # -- import and export ---------------------------------------------------

    def import_file(self, path: Path | None = None) -> None:
        """The import wizard (also opened by dropping a file on the window)."""
        wizard = ImportWizard(self.store, path, self)
        wizard.exec()
        result = wizard.result
        if result is not None and not result.dry_run:
            self.refresh()
            self.statusBar().showMessage(
                f"Imported {result.imported:,} new, {result.updated:,} updated, "
                f"{result.skipped:,} left out.", STATUS_MESSAGE_MS)

    def export_leads(self) -> None:
        board_ids = self.store.board_lead_ids(self.board.board)
        everyone = self.store.stats().leads
        which = QMessageBox.question(
            self, "Export leads",
            f"Export the {plural(len(board_ids), 'lead')} the board's filter shows?\n\n"
            f"No exports all {plural(everyone, 'lead')}.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            | QMessageBox.StandardButton.Cancel)
        if which == QMessageBox.StandardButton.Cancel:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Export leads", "leads.xlsx",
                                              "Excel (*.xlsx);;CSV (*.csv)")
        if not name:
            return
        ids = board_ids if which == QMessageBox.StandardButton.Yes else None
        try:
            count = export_leads(self.store, Path(name), lead_ids=ids)
        except ExportError as problem:
            QMessageBox.warning(self, "Export failed", str(problem))
            return
        self.statusBar().showMessage(f"{plural(count, 'lead')} written to {name}.",
                                     STATUS_MESSAGE_MS)

    # -- team sync -----------------------------------------------------------

    def sync_now(self) -> None:
        status = self.store.sync_status()
        if status.is_demo:
            self.statusBar().showMessage(
                "This is the demo database: it stays on this laptop. Open a database of your "
                "own to sync it with the team.", STATUS_MESSAGE_MS)
        elif status.server_url is None:
            self.choose_team_server()
        elif not self.team_sync.sync_now():
            self.statusBar().showMessage("A sync is already running.", STATUS_MESSAGE_MS)

    def choose_team_server(self) -> None:
        dialog = TeamServerDialog(self.store.sync_status().server_url, self)
        if dialog.exec():
            self.team_sync.sync_now(dialog.server_url())

    def _synced(self, result) -> None:
        if result.pulled:
            self.refresh()
        message = result.summary()
        if result.conflicts:
            message += " See Lead › Stage conflicts…"
        if result.note:
            message += " " + result.note
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    def _sync_problem(self, message: str, error: SyncError | None) -> None:
        if not isinstance(error, SyncBlocked):  # offline: retried by itself
            self.statusBar().showMessage(message, STATUS_MESSAGE_MS)
            return
        # someone must act, and the message says how: shown whole, without stopping work
        notice = QMessageBox(QMessageBox.Icon.Warning, "Team sync stopped", message,
                             QMessageBox.StandardButton.NoButton, self)
        notice.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(error, CopiedDatabase):
            carry_on = notice.addButton("Sync as a new device",
                                        QMessageBox.ButtonRole.AcceptRole)
            notice.addButton("Not now", QMessageBox.ButtonRole.RejectRole)

            def clicked(button) -> None:
                if button is carry_on:
                    self.team_sync.sync_now(as_new_device=True)

            notice.buttonClicked.connect(clicked)
        else:
            notice.addButton(QMessageBox.StandardButton.Ok)
        notice.open()

    def review_conflicts(self) -> None:
        dialog = ConflictsDialog(self.store, self.filters.me.currentData(),
                                 self.criteria.recycle_days, self)
        dialog.exec()
        if dialog.resolved:
            self.refresh()
            self.team_sync.show_status()
            if self.store.sync_status().server_url:
                self.team_sync.sync_now()

    def review_duplicates(self) -> None:
        DuplicatesDialog(self.store, self.filters.me.currentData(), self).exec()
        self.refresh()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = _dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.import_file(path))

    # -- criteria ------------------------------------------------------------

    def edit_criteria(self) -> None:
        """Edit the team's criteria as a new version; scores follow it at once."""
        edited = CriteriaDialog.edit(self, self.store.current_criteria(),
                                     self.store.criteria_versions(), self.store.path)
        if edited is None:
            return
        criteria, note = edited
        try:
            saved = triage.save_criteria(self.store, criteria, note=note,
                                           by=self.filters.me.currentData())
        except NotAllowed as refused:
            QMessageBox.warning(self, "Criteria not saved", str(refused))
            return
        self.statusBar().showMessage(f"Criteria version {saved.version} saved.",
                                     STATUS_MESSAGE_MS)
        self.refresh()  # scores by the new version too (bring_scores_up_to_date)

    # -- long work -----------------------------------------------------------

    def bring_scores_up_to_date(self) -> None:
        """Behaviour points decay: once a day (at start, at midnight, on coming back after
        it) every score is rescored as of the start of the day, on a worker thread. Its
        progress dialog shows only when it takes more than a moment."""
        self._midnight.start(max(1000, int((next_day_start() - utcnow()).total_seconds()
                                           * 1000) + 5000))
        if self.rescore_worker is None and not todays_scores.scores_are_current(self.store):
            self.rescore_all(daily=True)

    def rescore_all(self, daily: bool = False) -> None:
        """Rescore every lead on a worker thread, with a progress dialog and Cancel."""
        if self.rescore_worker is not None:
            return
        self.actions_by_id[ActionId.RESCORE].setEnabled(False)
        self.rescore_dialog = QProgressDialog(
            "Bringing scores up to date for today…" if daily else "Scoring leads…",
            "Cancel", 0, 100, self)
        self.rescore_dialog.setWindowTitle("Scores for today" if daily else "Rescore all leads")
        # modal: the rescore holds the database's write lock; no move can wait on it
        self.rescore_dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.rescore_dialog.setMinimumDuration(DAILY_RESCORE_QUIET_MS if daily else 0)
        self.rescore_dialog.setValue(0)
        worker = rescore_worker(self.store)
        # Bound methods of this window: Qt delivers them on the GUI thread (a lambda
        # would run on the worker's thread and must not touch widgets).
        worker.progressed.connect(self._rescore_progressed)
        worker.finished.connect(self._rescore_finished)
        worker.failed.connect(self._rescore_failed)
        self.rescore_dialog.canceled.connect(worker.cancel)
        self.rescore_worker = worker
        self.rescore_thread = start_worker(worker, self)

    def _rescore_progressed(self, done: int, total: int) -> None:
        self.rescore_dialog.setValue(min(99, done * 100 // max(total, 1)))

    def _rescore_finished(self, report) -> None:
        self.rescore_dialog.reset()
        self.rescore_worker = None
        self.actions_by_id[ActionId.RESCORE].setEnabled(True)
        if not report.finished:
            self.statusBar().showMessage("Rescoring cancelled: no score was changed.",
                                         STATUS_MESSAGE_MS)
            return
        self.refresh()
        self.statusBar().showMessage(
            f"Scored {plural(report.leads, 'lead')}: {report.changed:,} changed, "
            f"{report.promoted:,} reached the MQL threshold.", STATUS_MESSAGE_MS)

    def _rescore_failed(self, message: str) -> None:
        self.rescore_dialog.reset()
        self.rescore_worker = None
        self.actions_by_id[ActionId.RESCORE].setEnabled(True)
        QMessageBox.warning(self, "Rescoring failed", message)

    # -- columns and state ---------------------------------------------------

    def group_by(self, by: BoardGrouping) -> None:
        self.grouping_actions[by].setChecked(True)
        self.board.set_grouping(by)
        self._show_lead_count()

    def _columns_toggled(self) -> None:
        self.board.set_visible_stages([s for s, a in self.column_actions.items()
                                       if a.isChecked()])

    def _restore_state(self) -> None:
        settings = window_settings()
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        splitter = settings.value("splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        stages = settings.value("visible_stages")
        if stages:
            names = [stages] if isinstance(stages, str) else list(stages)
            known = {stage.value for stage in Stage}
            self.board.set_visible_stages([Stage(n) for n in names if n in known])
        for stage, action in self.column_actions.items():
            action.blockSignals(True)
            action.setChecked(stage in self.board.visible_stages())
            action.blockSignals(False)
        filters = settings.value("filters")
        if isinstance(filters, dict):
            self.filters.restore(filters)
        view = {"queue": self.queue, "reports": self.reports}.get(settings.value("view"))
        if view is not None:
            self.views.setCurrentWidget(view)
        if settings.value("grouping") in {g.value for g in BoardGrouping}:
            self.grouping_actions[BoardGrouping(settings.value("grouping"))].setChecked(True)
            self.board.grouping = BoardGrouping(settings.value("grouping"))
            self.board.set_visible_stages(self.board.visible_stages())

    def save_state(self) -> None:
        settings = window_settings()
        settings.setValue("geometry", self.saveGeometry())
        hidden = self.detail.isHidden()
        self.detail.setVisible(True)  # the split as it is beside the board and the queue
        settings.setValue("splitter", self.splitter.saveState())
        self.detail.setHidden(hidden)
        settings.setValue("visible_stages", [s.value for s in self.board.visible_stages()])
        settings.setValue("filters", self.filters.state())
        settings.setValue("grouping", self.board.grouping.value)
        settings.setValue("view", {self.queue: "queue", self.reports: "reports"}.get(
            self.views.currentWidget(), "board"))
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.team_sync.finish()
        self.reports.finish_jobs()
        self._cancel_rescore()
        super().closeEvent(event)

    def _cancel_rescore(self) -> None:
        """The window closes: a running rescore is cancelled (it writes nothing), and
        waited for before the database closes."""
        worker, self.rescore_worker = self.rescore_worker, None
        if worker is None:
            return
        worker.finished.disconnect(self._rescore_finished)
        worker.failed.disconnect(self._rescore_failed)
        worker.cancel()
        self.rescore_thread.quit()
        self.rescore_thread.wait(30_000)

    def _about(self) -> None:
        QMessageBox.about(self, "About Lead Workbench",
                          "Lead Workbench: triage, qualify and score the leads marketing "
                          f"hands to sales.\n\nDatabase: {self.store.path}")


def _dropped_file(mime) -> Path | None:
    """The one local CSV or XLSX file being dropped, if that is what it is."""
    urls = mime.urls() if mime.hasUrls() else []
    if len(urls) != 1 or not urls[0].isLocalFile():
        return None
    path = Path(urls[0].toLocalFile())
    return path if path.suffix.lower() in (".csv", ".xlsx", ".txt") else None
