"""Asks for a touch (T: its kind, how it went, when, a note) and for the next step (N: its
kind, when it is due, a note)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
)

from ui.dialogs.lead_form import lead_form, note_box
from workbench.clock import local_today, utcnow
from workbench.rules.followup import OUTCOMES, TouchKind

TIME_FORMAT = "yyyy-MM-dd HH:mm"  # as times show everywhere else


@dataclass(frozen=True)
class NextStepAnswer:
    kind: str
    due: datetime  # naive UTC
    note: str | None


@dataclass(frozen=True)
class TouchAnswer:
    kind: str
    outcome: str
    at: datetime  # naive UTC
    note: str | None


def local_edit_time(moment_utc: datetime) -> QDateTime:
    """A stored (naive UTC) moment as the local time a person edits."""
    return QDateTime(moment_utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None))


def utc_of(edit: QDateTimeEdit) -> datetime:
    """The local time in an editor as naive UTC."""
    return edit.dateTime().toPython().astimezone().astimezone(UTC).replace(tzinfo=None)


class TouchDialog(QDialog):
    def __init__(self, lead_name: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Log a touch with {lead_name}")
        self.kind = QComboBox(self)
        for kind in TouchKind:
            self.kind.addItem(kind.value.capitalize(), kind.value)
        self.outcome = QComboBox(self)
        self.kind.currentIndexChanged.connect(self._offer_outcomes)
        self._offer_outcomes()
        self.when = QDateTimeEdit(local_edit_time(utcnow()), self)
        self.when.setDisplayFormat(TIME_FORMAT)
        self.when.setMaximumDateTime(local_edit_time(utcnow()))  # never in the future
        self.note = note_box(self, "What was said (optional)")
        lead_form(self, "Lead:", lead_name, [
            ("&Kind:", self.kind), ("&Outcome:", self.outcome), ("&When:", self.when),
            ("&Note:", self.note)], "Log")

    def _offer_outcomes(self) -> None:
        self.outcome.clear()
        for outcome in OUTCOMES[TouchKind(self.kind.currentData())]:
            self.outcome.addItem(outcome.label.capitalize(), outcome.value)

    def answer(self) -> TouchAnswer:
        return TouchAnswer(self.kind.currentData(), self.outcome.currentData(),
                           utc_of(self.when), self.note.toPlainText().strip() or None)

    @classmethod
    def ask(cls, parent, lead_name: str) -> TouchAnswer | None:
        """The answer, or None when the user cancels. Tests replace this method."""
        dialog = cls(lead_name, parent)
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None


class NextStepDialog(QDialog):
    def __init__(self, lead_name: str, current: tuple[str, datetime, str | None] | None,
                 parent=None) -> None:
        """current: the step planned now (kind, due, note), which this one replaces."""
        super().__init__(parent)
        self.setWindowTitle(f"Next step with {lead_name}")
        self.kind = QComboBox(self)
        for kind in TouchKind:
            self.kind.addItem(kind.value.capitalize(), kind.value)
        # tomorrow at nine by default: a time in the past is allowed (shown overdue)
        tomorrow = datetime.combine(local_today() + timedelta(days=1), time(9))
        self.due = QDateTimeEdit(QDateTime(tomorrow), self)
        self.due.setDisplayFormat(TIME_FORMAT)
        self.due.setCalendarPopup(True)
        self.note = note_box(self, "What it is for (optional)")
        if current is not None:
            kind, due, note = current
            self.kind.setCurrentIndex(self.kind.findData(kind))
            self.due.setDateTime(local_edit_time(due))
            self.note.setPlainText(note or "")
        lead_form(self, "Lead:", lead_name, [
            ("&Kind:", self.kind), ("&Due:", self.due), ("&Note:", self.note)], "Plan")

    def answer(self) -> NextStepAnswer:
        return NextStepAnswer(self.kind.currentData(), utc_of(self.due),
                              self.note.toPlainText().strip() or None)

    @classmethod
    def ask(cls, parent, lead_name: str,
            current: tuple[str, datetime, str | None] | None) -> NextStepAnswer | None:
        """The answer, or None when the user cancels. Tests replace this method."""
        dialog = cls(lead_name, current, parent)
        return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
