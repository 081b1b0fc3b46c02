"""Another program holds the database's write lock past the busy timeout: each of the
rep's writes says so in one line where the window says refusals, nothing stored is lost,
and the action can be done again once the lock is gone. The window's own rescore holds no
lock while it scores: a move meanwhile goes through."""

import dataclasses
import sqlite3
import threading
from datetime import datetime

import pytest
from PySide6.QtWidgets import QMessageBox

from ui.dialogs.followup import TouchAnswer, TouchDialog
from workbench.rules.stages import Stage
from workbench.services import scoring
from workbench.store import db

BUSY = "is busy: another program has been writing to it"


@pytest.fixture
def lock(window, monkeypatch):
    """The write lock, held by another connection until released (the window's writes
    give up after 50 ms instead of 5 s)."""
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    window.store.engine.dispose()  # its connections made again with that timeout
    holder = sqlite3.connect(window.store.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    holder.close()


def test_a_move_says_the_database_is_busy_and_goes_through_when_tried_again(window, lock):
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    window.triage.accept_current()
    assert BUSY in window.splitter.notice.text.text()
    assert window.store.lead(lead_id).stage == Stage.MQL  # the lead stays where it was
    assert window.cards.current_lead() == lead_id  # the same lead, to accept again
    lock.rollback()
    window.triage.accept_current()
    assert window.store.lead(lead_id).stage == Stage.SAL


def test_a_note_and_bant_evidence_stay_typed_until_saved(window, lock):
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    window.detail.note.setPlainText("Call back after the audit")
    window.detail.add_note()
    assert BUSY in window.detail.message.text()
    assert window.detail.note.toPlainText() == "Call back after the audit"
    bant = window.detail.bant
    bant.status["need"].setCurrentIndex(bant.status["need"].findData("confirmed"))
    bant.note["need"].setText("Their CRM contract ends in March")
    assert not bant.save("need")
    assert BUSY in window.detail.message.text()
    assert bant.note["need"].text() == "Their CRM contract ends in March"
    lock.rollback()
    assert bant.save("need")
    window.detail.add_note()
    assert window.store.lead_detail(lead_id).activities[0].note == "Call back after the audit"
    assert window.store.bant(lead_id)["need"] == ("confirmed",
                                                  "Their CRM contract ends in March")


def test_a_touch_says_the_database_is_busy(window, lock, monkeypatch):
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    before = len(window.store.lead_detail(lead_id).activities)
    monkeypatch.setattr(TouchDialog, "ask", classmethod(lambda cls, *a: TouchAnswer(
        "call", "connected", datetime(2026, 11, 23, 12), None)))
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, title, text: warned.append(
        (title, text)))
    window.followup.log_touch()
    assert len(warned) == 1 and BUSY in warned[0][1]
    assert len(window.store.lead_detail(lead_id).activities) == before


def test_a_move_while_the_rescore_scores_goes_through(window, qtbot, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 300)  # a move that waited would fail
    window.store.engine.dispose()
    lower = dataclasses.replace(window.criteria, mql_threshold=45)  # it will promote
    window.use_criteria(window.store.save_criteria(lower))
    scoring_started, released = threading.Event(), threading.Event()
    scoring_leads = scoring.score_leads

    def held(*args, **kwargs):  # the rescore waits, part way, until the move is made
        scoring_started.set()
        released.wait(10)
        yield from scoring_leads(*args, **kwargs)

    monkeypatch.setattr(scoring, "score_leads", held)
    window.actions_by_id["rescore"].trigger()
    assert scoring_started.wait(10)
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    window.triage.accept_current()
    assert window.store.lead(lead_id).stage == Stage.SAL
    assert window.splitter.notice.isHidden()
    released.set()
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert window.statusBar().currentMessage().startswith("Scored 2,000 leads")
    assert window.store.lead(lead_id).stage == Stage.SAL


def test_a_bant_key_that_could_not_save_leaves_the_stored_status_shown(window, lock):
    window.board.focus_first_card()
    lead_id = window.cards.current_lead()
    box = window.detail.bant.status["budget"]
    stored = box.currentData()
    window.detail.bant.note["need"].setText("Typed, not yet saved")
    assert window.detail.cycle_bant(1) == window.detail.message.text()
    assert BUSY in window.detail.message.text()
    assert box.currentData() == stored == window.store.bant(lead_id).get(
        "budget", ("unknown", None))[0]
    assert window.detail.bant.note["need"].text() == "Typed, not yet saved"
    lock.rollback()
    window.detail.cycle_bant(1)
    assert box.currentData() != stored
    assert window.store.bant(lead_id)["budget"][0] == box.currentData()
