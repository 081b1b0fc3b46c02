"""The main window: it assembles the filter bar, the board, the queue, the reports and the
detail pane, the menus (ui/actions.py), triage (ui/triage_controller.py), the team sync
(ui/sync_dialogs.py) and long operations (ui/operations.py); and refreshes the views, in
one place, by what each change changed."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QTabWidget,
    QToolBar,
)

from ui import window_state
from ui.action_ids import ActionId
from ui.actions import (
    BANT_KEYS,
    BOARD_ONLY,
    GROUPINGS,
    Submenu,
    add_choices,
    build_menus,
    create_actions,
)
from ui.card_keys import CardKeys
from ui.dialogs.help import Help
from ui.filter_scope import FilterScope
from ui.first_day import FirstDay
from ui.followup_controller import FollowUpController
from ui.lead_files import LeadFiles, dropped_file
from ui.operations import OperationRunner
from ui.product import APP_NAME
from ui.rescoring import Rescoring
from ui.returning_leads import ReturningLeads
from ui.saved_views import SavedViews
from ui.sync_dialogs import SyncDialogs
from ui.team_sync import TeamSync
from ui.text import plural
from ui.triage_controller import TriageController
from ui.views.board import BOARD_ORDER, BoardView
from ui.views.detail import LeadDetailPane
from ui.views.feedback import Feedback
from ui.views.filter_bar import FigureChip, FilterBar
from ui.views.lead_split import LeadSplit
from ui.views.queue import QueueView
from ui.views.reports import ReportsView
from ui.views.status_counts import StatusCounts
from workbench.rules.stages import Stage
from workbench.services import triage
from workbench.services.changes import EVERYTHING, Changes, StageMove
from workbench.store.leads import BoardGrouping, Store

STATUS_MESSAGE_MS = 8000


class MainWindow(QMainWindow):
    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.setWindowTitle(f"{APP_NAME} — {store.path.name}")
        self.resize(1440, 900)
        self.actions_by_id = create_actions(self)

        self.filters = FilterBar(self)
        toolbar = QToolBar("Filters", self)
        toolbar.setObjectName("filters")
        toolbar.setMovable(False)
        toolbar.addWidget(self.filters)
        self.addToolBar(toolbar)

        self.board = BoardView(store, self)
        self.queue = QueueView(store, self)
        self.reports = ReportsView(store, self)
        self.views = QTabWidget(self)
        self.views.setDocumentMode(True)
        for view, title in ((self.board, "Board  (Ctrl+1)"), (self.queue, "My queue  (Ctrl+2)"),
                            (self.reports, "Reports  (Ctrl+3)")):
            self.views.addTab(view, title)
        # the leads behind a report figure, while the board lists them: (ids, words)
        self.figure: tuple[list[int], str] | None = None
        self.figure_chip = FigureChip(self)
        self.views.setCornerWidget(self.figure_chip, Qt.Corner.TopRightCorner)
        self._stages_before_figure: list[Stage] = []
        self._viewer: object = ()  # the "You" the queue and reports were read for
        self.detail = LeadDetailPane(store, self)
        self.splitter = LeadSplit(self.views, self.detail, self)
        self.filter_scope = FilterScope(self.filters, self.views, self.board)
        self.setCentralWidget(self.splitter)

        self.counts = StatusCounts(store, self.statusBar())
        self.team_sync = TeamSync(store, self.statusBar(), self)

        acting = self.filters.me.currentData  # "You": who acts, whose queue it is
        self.cards = CardKeys(self.views, self.board, self.queue)
        self.triage = TriageController(store, self, self.cards, acting,
                                       self.actions_by_id[ActionId.UNDO])
        self.sync = SyncDialogs(store, self.team_sync, self, acting)
        self.help = Help(self, self.actions_by_id, store.path)
        self.feedback = Feedback(self.triage, self.cards, self.statusBar(), self.splitter.notice,
                                 self.actions_by_id[ActionId.UNDO])
        self.followup = FollowUpController(store, self, self.cards, acting, self.actions_by_id,
                                           self.views)
        self.operations = OperationRunner(self, store.path)  # rescore, export: one at a time
        self.scores = Rescoring(store, self.operations, self)
        self.returning = ReturningLeads(store, self)
        self.files = LeadFiles(store, self.operations, self.board, self)
        self.setAcceptDrops(True)  # a CSV or XLSX dropped on the window is imported
        self._build_menus()
        self.saved_views = SavedViews(self)  # View › Save view…, Ctrl+Shift+1 … 9
        self._connect()
        self.first_day = FirstDay(self)  # the welcome, people, databases and backups
        self.use_criteria(store.current_criteria())
        self._seen_version = store.data_version()
        self.filters.set_choices(store.users(), *store.sources_and_campaigns())
        window_state.restore(self)
        self.apply_filters()
        self.counts.read_overdue(self.criteria.sla_hours)
        # once the board is on screen: bring back recycled leads whose date has come, and
        # scores made on an earlier day up to date
        QTimer.singleShot(0, self._after_start)

    # -- wiring --------------------------------------------------------------

    def _build_menus(self) -> None:
        submenus = build_menus(self.menuBar(), self.actions_by_id)
        self.grouping_actions = add_choices(submenus[Submenu.GROUP_BY], GROUPINGS,
                                            checkable=True, exclusive=True)
        self.grouping_actions[BoardGrouping.STAGE].setChecked(True)
        for by, action in self.grouping_actions.items():
            action.triggered.connect(lambda _checked=False, by=by: self.group_by(by))
        stages = [(stage, stage.label) for stage in BOARD_ORDER]
        self.column_actions = add_choices(submenus[Submenu.COLUMNS], stages, checkable=True)
        for action in self.column_actions.values():
            action.toggled.connect(self._columns_toggled)
        self.move_actions = add_choices(submenus[Submenu.MOVE_TO], stages)
        for stage, action in self.move_actions.items():
            action.triggered.connect(
                lambda _checked=False, stage=stage: self.triage.move_current_lead(stage))
        submenus[Submenu.MOVE_TO].aboutToShow.connect(
            lambda: self.triage.offer_allowed_moves(self.move_actions))
        # single-key actions work while the focus is on the board's or the queue's cards
        for cards in (self.board, self.queue):
            cards.addActions([self.actions_by_id[i] for i in BOARD_ONLY])

    def _connect(self) -> None:
        handlers = {
            ActionId.REFRESH: self.refresh, ActionId.QUIT: self.close,
            ActionId.IMPORT: self.files.import_file, ActionId.EXPORT: self.files.export_leads,
            ActionId.FOCUS_SEARCH: self.filter_scope.focus_search,
            ActionId.CLEAR_SEARCH: self.clear_search,
            ActionId.FOCUS_BOARD: self.cards.focus_cards,
            ActionId.SHOW_BOARD: lambda: self.show_view(self.board),
            ActionId.SHOW_QUEUE: lambda: self.show_view(self.queue),
            ActionId.SHOW_REPORTS: lambda: self.show_view(self.reports),
            ActionId.OPEN_DETAIL: self.splitter.focus_pane,
            ActionId.NEXT_CARD: lambda: self.cards.step_card(1),
            ActionId.PREVIOUS_CARD: lambda: self.cards.step_card(-1),
            ActionId.SELECT_NEXT: lambda: self.cards.extend_selection(1),
            ActionId.SELECT_PREVIOUS: lambda: self.cards.extend_selection(-1),
            ActionId.COLUMN_LEFT: lambda: self.cards.step_column(-1),
            ActionId.COLUMN_RIGHT: lambda: self.cards.step_column(1),
            ActionId.ABOUT: self.help.show_about, ActionId.HELP: self.help.show_keys,
            ActionId.RESCORE: self.scores.rescore_all,
            ActionId.CRITERIA: self.edit_criteria, ActionId.DUPLICATES: self.review_duplicates,
            ActionId.SYNC: self.sync.sync_now, ActionId.TEAM_SERVER: self.sync.choose_team_server,
            ActionId.CONFLICTS: self.sync.review_conflicts,
            ActionId.UNDO: self.triage.undo_last_move, ActionId.ACCEPT: self.triage.accept_current,
            ActionId.REJECT: lambda: self.triage.triage_current(Stage.DISQUALIFIED),
            ActionId.RECYCLE: lambda: self.triage.triage_current(Stage.RECYCLED),
            **{key: lambda n=n: self.say(self.detail.cycle_bant(n))
               for n, key in enumerate(BANT_KEYS, 1)},
        }
        for action_id, handler in handlers.items():
            self.actions_by_id[action_id].triggered.connect(
                lambda _checked=False, handler=handler: handler())
        for source in (self.triage, self.followup, self.sync, self.scores, self.files,
                       self.returning):
            source.changed.connect(self.apply)
            source.message.connect(self.say)
        self.detail.changed.connect(self.apply)
        self.saved_views.message.connect(self.say)
        self.splitter.use_action(self.actions_by_id[ActionId.LEAD_PANE])
        self.operations.busy_changed.connect(self._operation_busy)
        self.returning.done.connect(self.scores.bring_scores_up_to_date)
        self.filters.changed.connect(self.apply_filters)
        self.filters.search.returnPressed.connect(self.search_entered)
        self.cards.current_lead_changed.connect(self.detail.show_lead)
        self.views.currentChanged.connect(self._view_changed)
        self.reports.figure_requested.connect(self.show_figure_leads)
        self.figure_chip.cleared.connect(self.clear_figure)
        self.board.move_requested.connect(self.triage.move_leads)
        self.board.columns_shown.connect(lambda: self.counts.show_leads(self.board))
        QApplication.instance().applicationStateChanged.connect(self._application_state)

    def say(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    # -- refreshing by what changed --------------------------------------------

    def apply(self, changes: Changes) -> None:
        """The one place the views are refreshed after a change, by what it changed. Leads
        that moved adjust the board's columns and header counts, the queue and the overdue
        count one by one: a million leads are not recounted for one triage action."""
        if changes.criteria:  # scores are explained and SLAs counted by the new version
            self.use_criteria(self.store.current_criteria())
        read_again = changes.leads or changes.criteria
        # an undo restores owner and SLA clock: the counts cannot be adjusted by it
        recount = any(move.restores for move in changes.moves)
        if read_again:
            self._seen_version = self.store.data_version()
            self.filters.set_choices(self.store.users(), *self.store.sources_and_campaigns())
            self.first_day.show_welcome_if_empty()
            self._report_for_viewer()
        if read_again or recount:
            self.board.refresh()
            self.counts.read_overdue(self.criteria.sla_hours)
        else:
            self._adjust_by_moves(changes.moves)
        if read_again or recount or any(m.to_stage == Stage.MQL for m in changes.moves):
            self._queue_changed()
        if read_again or self.detail.lead_id in changes.touched():
            self.detail.show_lead(self.detail.lead_id)
        self.counts.show_leads(self.board)
        if changes.criteria:
            self.scores.bring_scores_up_to_date()

    def _adjust_by_moves(self, moves: tuple[StageMove, ...]) -> None:
        for move in moves:
            self.board.move_card(move.lead_id, move.from_stage, move.to_stage,
                                 move.before.score,
                                 self.store.board_card(self.board.board, move.lead_id))
            self.counts.show_overdue(self.counts.overdue - move.was_overdue)
            if move.left_queue:
                self.queue.view.remove_lead(move.lead_id)
                self.queue.show_summary(self.queue.count - 1,
                                        self.queue.overdue - move.was_overdue)

    def refresh(self) -> None:
        """Read everything again (F5, or another process changed the database); recycled
        leads whose date has come are back first."""
        returned = triage.return_recycled(self.store)
        if returned:
            self.say(f"{plural(len(returned), 'recycled lead')} came back to the queue today.")
        self.apply(EVERYTHING)

    def use_criteria(self, criteria) -> None:
        """The team's current criteria: scores are explained and SLAs counted with them."""
        self.criteria = self.detail.criteria = criteria
        self.board.set_sla_hours(criteria.sla_hours)
        self.saved_views.use_team_views(criteria.views)
        self.board.set_rotting(criteria.rotting)
        self.queue.view.itemDelegate().rotting = criteria.rotting
        self.queue.model.sla_hours = self.queue.view.itemDelegate().sla_hours = \
            criteria.sla_hours

    def _application_state(self, state: Qt.ApplicationState) -> None:
        if state != Qt.ApplicationState.ApplicationActive or not self.isVisible():
            return  # a closed window reads nothing
        if self.store.data_version() != self._seen_version:
            self.refresh()
        self.scores.bring_scores_up_to_date()  # the laptop may have slept through midnight

    def _after_start(self) -> None:
        if self.isHidden():  # closed before it was ever shown: nothing to start
            return
        self.team_sync.start_auto_sync()
        self.returning.start()  # then the day's scores: a rescore holds the database

    # -- what is shown -------------------------------------------------------

    def apply_filters(self) -> None:
        board, sort = self.filters.query(self.criteria)
        if self.figure is not None:
            board = replace(board, lead_ids=tuple(self.figure[0]))
        self.detail.set_user(board.me)
        self.board.set_query(board, sort)
        self.counts.show_leads(self.board)
        if board.me != self._viewer:  # the queue and the reports are the viewer's
            self._viewer = board.me
            for view in (self.queue, self.followup):  # whose queue, whose day
                view.set_rep(board.me, self.filters.me.currentText() or None)
            self._queue_changed()
            self._report_for_viewer()

    def _queue_changed(self) -> None:
        """The queue is read when it is shown: a filter or a move on the board never
        waits for it."""
        self.queue.stale = True
        if self.views.currentWidget() is self.queue:
            self.queue.reload()

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
        self.cards.focus_cards()

    def clear_figure(self) -> None:
        self.figure = None
        self.figure_chip.show_figure(None)
        self.board.set_visible_stages(self._stages_before_figure)
        self.apply_filters()

    def group_by(self, by: BoardGrouping) -> None:
        self.grouping_actions[by].setChecked(True)
        self.board.set_grouping(by)
        self.counts.show_leads(self.board)

    def _columns_toggled(self) -> None:
        self.board.set_visible_stages([s for s, a in self.column_actions.items()
                                       if a.isChecked()])

    # -- keyboard ------------------------------------------------------------

    def search_entered(self) -> None:
        """Enter in the search box: the matches now, and the keys on them."""
        self.filters.flush()
        self.cards.focus_cards()

    def clear_search(self) -> None:
        if self.filters.search.text():
            self.filters.search.clear()
            self.filters.flush()
        self.board.focus_first_card()

    def show_view(self, view) -> None:
        self.views.setCurrentWidget(view)
        self.cards.focus_cards()

    def _view_changed(self) -> None:
        if self.views.currentWidget() is self.queue and self.queue.stale:
            self.queue.reload()
        on_reports = self.views.currentWidget() is self.reports
        self.splitter.set_pane_visible(not on_reports)  # reports want the width
        if on_reports and self.reports.stale:
            self.reports.refresh()
        elif not on_reports:  # a tab clicked works like its shortcut: the keys act at once
            self.cards.focus_cards()
        self.cards.announce()

    # -- dialogs -------------------------------------------------------------

    def _operation_busy(self, busy: bool) -> None:
        for action_id in (ActionId.RESCORE, ActionId.EXPORT, ActionId.EXPORT_SELECTION,
                          ActionId.EXPORT_ACTIVITIES):
            self.actions_by_id[action_id].setEnabled(not busy)

    def edit_criteria(self) -> None:
        """Edit the team's criteria as a new version; scores follow it at once."""
        from ui.dialogs.criteria import CriteriaDialog  # dialogs load when opened, not at start
        saved = CriteriaDialog.edit_and_save(self, self.store, by=self.filters.me.currentData())
        if saved is not None:
            self.say(f"Criteria version {saved.version} saved.")
            self.apply(Changes(criteria=True))

    def review_duplicates(self) -> None:
        from ui.dialogs.duplicates import DuplicatesDialog
        dialog = DuplicatesDialog(self.store, self.filters.me.currentData(), self)
        dialog.exec()
        self.apply(dialog.changes)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_file(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = dropped_file(event.mimeData())
        if path is not None:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.import_file(path))

    def closeEvent(self, event: QCloseEvent) -> None:
        window_state.save(self)
        self.team_sync.finish()
        self.reports.finish_jobs()
        self.returning.finish()
        self.operations.cancel()  # it writes nothing, and ends before the database closes
        super().closeEvent(event)

