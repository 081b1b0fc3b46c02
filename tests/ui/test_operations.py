"""Long operations off the GUI thread (ui/operations.py), and the views refreshed by what a
change changed (MainWindow.apply)."""

import csv
import dataclasses
import sqlite3
import threading
from pathlib import Path

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QMessageBox, QPushButton

from ui.operations import Operation, OperationRunner, message_of
from ui.text import plural
from workbench.rules.refusals import NotFound
from workbench.rules.stages import Stage
from workbench.services import scoring
from workbench.services.changes import Changes
from workbench.store.leads import Store


def press_cancel(runner: OperationRunner) -> None:
    runner.dialog.findChild(QPushButton).click()  # as the user does


def test_the_runner_shows_progress_and_hands_the_result_back_on_the_gui_thread(qtbot):
    parent = QPushButton()
    qtbot.addWidget(parent)
    runner = OperationRunner(parent, Path("leads.db"))
    released, handed = threading.Event(), []

    def task(progress, cancelled):
        progress(5, 10)
        released.wait(10)
        return threading.current_thread() is not threading.main_thread()

    busy = []
    runner.busy_changed.connect(busy.append)
    assert runner.run(task, title="Work", label="Working…", failed=handed.append,
                      done=lambda result: handed.append(
                          (result, QThread.currentThread() is parent.thread())))
    assert runner.running() and busy == [True]
    assert not runner.run(task, title="Twice", label="", done=print, failed=print)
    qtbot.waitUntil(lambda: runner.dialog.value() == 50)
    released.set()
    qtbot.waitUntil(lambda: not runner.running())
    # the task ran on a worker thread; its result came back on the GUI thread
    assert handed == [(True, True)] and busy == [True, False]


def test_a_failure_is_handed_back_as_the_exception(qtbot):
    parent = QPushButton()
    qtbot.addWidget(parent)
    runner, failed = OperationRunner(parent, Path("leads.db")), []

    def task(_progress, _cancelled):
        raise LookupError("no such lead")

    runner.run(task, title="Work", label="", done=print, failed=failed.append)
    qtbot.waitUntil(lambda: not runner.running())
    assert [type(e) for e in failed] == [LookupError] and str(failed[0]) == "no such lead"


def test_a_refusal_reads_as_itself_and_a_defect_as_a_defect(qtbot, capsys):
    assert message_of(NotFound("There is no lead 12."), None) == "There is no lead 12."
    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = 5  # SQLITE_BUSY, as sqlite3 sets it
    assert "leads.db is busy" in message_of(busy, Path("leads.db"))
    operation, said = Operation(lambda _p, _c: {}["no such key"]), []
    operation.failed.connect(said.append)
    operation.run()
    # a bug is not passed off as a refusal: it says so, and its trace goes to stderr
    assert said[0].startswith("Something went wrong that should not have (KeyError")
    assert "Nothing was saved" in said[0] and "Traceback" in capsys.readouterr().err


def test_cancel_stops_a_rescore_and_it_writes_nothing(window, qtbot, monkeypatch):
    lower = dataclasses.replace(window.criteria, mql_threshold=45)  # it would promote
    window.use_criteria(window.store.save_criteria(lower))
    before = window.store.stats(), window.store.scores_state()
    released, scoring_leads = threading.Event(), scoring.score_leads

    def held(*args, **kwargs):  # the rescore waits until Cancel was pressed
        released.wait(10)
        yield from scoring_leads(*args, **kwargs)

    monkeypatch.setattr(scoring, "score_leads", held)
    window.actions_by_id["rescore"].trigger()
    assert window.operations.running()
    press_cancel(window.operations)
    released.set()
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert window.statusBar().currentMessage() == "Rescoring cancelled: no score was changed."
    assert (window.store.stats(), window.store.scores_state()) == before
    assert window.actions_by_id["rescore"].isEnabled()


def test_an_export_runs_off_the_gui_thread_and_cancel_leaves_no_file(window, qtbot,
                                                                      monkeypatch, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    monkeypatch.setattr("ui.lead_files.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(out / "all.csv"), ""))
    released, export_rows, threads = threading.Event(), Store.export_rows, []

    def held(store, *args):
        threads.append(threading.current_thread())
        released.wait(10)
        yield from export_rows(store, *args)

    monkeypatch.setattr(Store, "export_rows", held)
    window.actions_by_id["export"].trigger()
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] is not threading.main_thread()
    assert not window.actions_by_id["export"].isEnabled()  # one operation at a time
    press_cancel(window.operations)
    released.set()
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert window.statusBar().currentMessage() == "Export cancelled: no file was written."
    assert list(out.iterdir()) == []

    window.actions_by_id["export"].trigger()  # not cancelled: every lead is written
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert window.statusBar().currentMessage() == f"2,000 leads written to {out / 'all.csv'}."
    assert len((out / "all.csv").read_text(encoding="utf-8-sig").splitlines()) == 2001


def test_export_the_selection_writes_the_picked_cards_only(window, qtbot, monkeypatch,
                                                          tmp_path):
    path = tmp_path / "picked.csv"
    monkeypatch.setattr("ui.lead_files.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(path), ""))
    window.board.focus_first_card()
    view = window.board.columns[Stage.MQL].view
    view.extend_selection(1)
    view.extend_selection(1)
    picked = {window.store.lead(i).email for i in view.selected_leads()}
    window.actions_by_id["export_selection"].trigger()
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert window.statusBar().currentMessage() == f"3 leads written to {path}."
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert len(picked) == 3 and {row["Email"] for row in rows} == picked


def test_the_activities_of_the_boards_leads_are_exported_to_import_back(window, qtbot,
                                                                        monkeypatch, tmp_path):
    path = tmp_path / "activities.csv"
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr("ui.lead_files.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(path), ""))
    window.board.focus_first_card()
    window.filters.search.setText(window.store.lead(window.board.current_lead()).name)
    window.filters.flush()
    shown = window.store.board_lead_ids(window.board.board)
    expected = sum(len(window.store.lead_detail(i).activities) for i in shown)
    window.actions_by_id["export_activities"].trigger()
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert 0 < expected < window.store.count_activities()
    assert window.statusBar().currentMessage() == (
        f"{plural(expected, 'activity')} written to {path}.")
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == expected
    assert {row["Lead email"] for row in rows} <= {window.store.lead(i).email for i in shown}


def mql_ids(window):
    model = window.board.columns[Stage.MQL].model
    return [model.card(row).id for row in range(model.rowCount())]


def test_a_move_adjusts_the_views_by_what_moved_without_recounting(window, monkeypatch):
    window.views.setCurrentWidget(window.queue)  # the queue is read now, then adjusted
    window.views.setCurrentWidget(window.board)
    lead_id = mql_ids(window)[0]
    summaries = dict(window.board.summaries)
    queue = window.queue.count, window.queue.overdue
    overdue = window.counts.overdue

    def recount(*_args, **_kwargs):
        raise AssertionError("a move recounted a million leads")

    monkeypatch.setattr(window.store, "column_summaries", recount)
    monkeypatch.setattr(window.store, "queue_summary", recount)
    window.triage.move_leads([lead_id], Stage.SAL)  # from the pool: it leaves the queue
    [(move,)] = window.triage.undo_stack  # one action of one move
    assert window.board.summaries[Stage.MQL].count == summaries[Stage.MQL].count - 1
    assert window.board.summaries[Stage.SAL].count == summaries[Stage.SAL].count + 1
    assert window.counts.overdue == overdue - move.was_overdue
    assert move.left_queue and (window.queue.count, window.queue.overdue) == (
        queue[0] - 1, queue[1] - move.was_overdue)
    assert window.queue.model.row_of(lead_id) is None
    assert lead_id not in mql_ids(window)
    monkeypatch.undo()
    recounted = window.store.column_summaries(window.board.board)
    assert window.board.summaries[Stage.MQL].count == recounted[Stage.MQL].count
    window.counts.read_overdue(window.criteria.sla_hours)
    assert window.counts.overdue == overdue - move.was_overdue


def test_a_changed_lead_is_shown_again_and_the_lists_are_left_alone(window, monkeypatch):
    window.board.focus_first_card()
    shown = window.detail.lead_id
    rendered = []
    monkeypatch.setattr(window.board, "refresh", lambda: rendered.append("board"))
    monkeypatch.setattr(window.detail, "show_lead", rendered.append)
    window.apply(Changes(details=frozenset({shown + 100_000})))  # another lead
    assert rendered == []
    window.apply(Changes(details=frozenset({shown})))
    assert rendered == [shown]


def test_bulk_changes_read_every_list_again(window):
    count = window.board.summaries[Stage.MQL].count
    with Store.open(window.store.path) as other:  # as an import or a sync writes
        other.add_lead(first_name="Bulk", last_name="Import", stage=Stage.MQL,
                       source="trade_show_2027")
    window.apply(Changes(leads=True))
    assert window.board.summaries[Stage.MQL].count == count + 1
    assert window.counts.lead_count.text().startswith("2,001 leads · ")
    assert window.filters.source.findData("trade_show_2027") >= 0  # new choices too
