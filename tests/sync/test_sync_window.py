"""The window's team sync: status, Sync now, conflicts to resolve, and retrying with
backoff while the server cannot be reached."""

import shutil

from PySide6.QtWidgets import QMessageBox

from tests.sync.test_sync import me
from ui.team_sync import FIRST_RETRY_MS, status_text
from workbench.rules.stages import Stage
from workbench.services.sync import synchronise
from workbench.store.leads import BoardFilter, Store
from workbench.sync.protocol import SyncBlocked


def test_sync_now_brings_the_team_leads_and_shows_the_status(team, open_window,
                                                             tmp_path, qtbot):
    with Store.open(tmp_path / "ana.db") as ana:
        synchronise(ana, team["ana"])
        ana.add_lead(first_name="Maria", last_name="Lopez", stage=Stage.MQL,
                     owner_id=me(ana, "ana"))
        synchronise(ana, team["ana"])
    window = open_window("dana")
    assert window.team_sync.label.text() == "Not syncing with a team server"
    with qtbot.waitSignal(window.team_sync.synced, timeout=30_000):
        assert window.team_sync.sync_now(team["dana"])
        assert window.team_sync.cancel_button.isVisible()
    assert not window.team_sync.cancel_button.isVisible()
    assert window.team_sync.label.text() == "Synced just now · up to date"
    assert "received" in window.statusBar().currentMessage()
    assert window.counts.lead_count.text().startswith("1 lead")


def test_a_conflict_is_shown_and_resolved_from_the_window(team, open_window,
                                                         tmp_path, qtbot, monkeypatch):
    with Store.open(tmp_path / "ana.db") as ana:
        synchronise(ana, team["ana"])
        lead = ana.add_lead(first_name="Maria", last_name="L", stage=Stage.MQL,
                            owner_id=me(ana, "ana"))
        synchronise(ana, team["ana"])
        with Store.open(tmp_path / "dana.db") as dana:
            synchronise(dana, team["dana"])
            [on_dana] = dana.board_lead_ids(BoardFilter())
            dana.move_lead(on_dana, Stage.DISQUALIFIED, by=me(dana, "dana"),
                           reason_code="no_budget")
            synchronise(dana, team["dana"])
        ana.move_lead(lead, Stage.SAL, by=me(ana, "ana"))
    window = open_window("ana")  # a database with a team server syncs when opened
    qtbot.waitUntil(lambda: "1 conflict" in window.team_sync.label.text(),
                    timeout=30_000)
    assert "conflict" in window.statusBar().currentMessage()
    window.detail.show_lead(lead)
    assert "Stage conflict" in window.detail.document.toPlainText()

    from ui.dialogs.conflicts import ConflictsDialog

    def keep_sal(dialog):
        assert dialog.choice_buttons[0].text().startswith("Keep ")
        button = next(b for b in dialog.choice_buttons if b.text() == "Keep SAL")
        button.click()
        return 0

    monkeypatch.setattr(ConflictsDialog, "exec", keep_sal)
    with qtbot.waitSignal(window.team_sync.synced, timeout=30_000):
        window.sync.review_conflicts()  # resolving syncs at once
    assert window.store.lead(lead).stage == Stage.SAL
    assert window.store.stage_conflicts() == []
    assert "Stage conflict" not in window.detail.document.toPlainText()


def test_an_unreachable_server_is_retried_with_backoff(open_window, qtbot):
    window = open_window("ana")
    sync = window.team_sync
    for expected in (FIRST_RETRY_MS, 2 * FIRST_RETRY_MS, 4 * FIRST_RETRY_MS):
        with qtbot.waitSignal(sync.problem, timeout=30_000) as problem:
            sync.sync_now("postgresql://ana:pw@127.0.0.1:1/team")
        assert problem.args[0].startswith("Cannot reach the team server")
        assert not isinstance(problem.args[1], SyncBlocked)  # retried by itself
        assert sync.retry_ms == expected and sync.timer.isActive()
    assert sync.label.text().startswith("Offline, retrying in 2 min")
    window.store.add_lead(first_name="Still", last_name="Working", stage=Stage.MQL)
    sync.show_status()
    assert "2 changes to send" in sync.label.text()


def test_a_refused_password_stops_the_retries_and_says_what_to_do(team, open_window, qtbot):
    window = open_window("ana")
    sync = window.team_sync
    wrong = team["ana"].replace(":ana-pw@", ":not-her-password@")
    with qtbot.waitSignal(sync.problem, timeout=30_000) as problem:
        sync.sync_now(wrong)
    assert isinstance(problem.args[1], SyncBlocked)
    assert not sync.timer.isActive() and sync.retry_ms is None
    assert sync.label.text().startswith("Sync stopped: needs you")
    [notice] = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert notice.windowTitle() == "Team sync stopped"
    assert "did not accept the password" in notice.text()
    notice.accept()
    with qtbot.waitSignal(sync.synced, timeout=30_000):
        sync.sync_now(team["ana"])  # the right password: syncing again by itself
    assert sync.timer.isActive() and sync.label.text().startswith("Synced just now")


def test_a_copied_file_is_offered_to_sync_as_a_new_device(team, open_window, tmp_path,
                                                          qtbot):
    with Store.open(tmp_path / "copy.db") as copy:
        synchronise(copy, team["ana"])
    shutil.copy(tmp_path / "copy.db", tmp_path / "ana.db")
    with Store.open(tmp_path / "ana.db") as original:
        synchronise(original, team["ana"])  # the twin syncs first
    window = open_window("copy")  # opening syncs: refused as a copy
    sync = window.team_sync
    qtbot.waitUntil(lambda: sync.label.text().startswith("Sync stopped"), timeout=30_000)
    [notice] = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert "copy of one that has synced" in notice.text()
    carry_on = next(b for b in notice.buttons() if b.text() == "Sync as a new device")
    with qtbot.waitSignal(sync.synced, timeout=30_000):
        carry_on.click()
    assert sync.label.text().startswith("Synced just now")


def test_status_words():
    from datetime import datetime

    from workbench.store.sync import SyncStatus

    status = SyncStatus("dev", "postgresql://a@h/t", datetime(2026, 11, 23, 9, 0), None,
                        3, 0, 1, False, True)
    assert status_text(status, now=datetime(2026, 11, 23, 9, 0, 30)) == \
        "Synced just now · 3 changes to send · 1 conflict"
    assert status_text(status, retry_ms=240_000).startswith("Offline, retrying in 4 min")

