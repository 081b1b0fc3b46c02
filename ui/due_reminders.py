"""Reminders while the window is open: when a next step of the rep's falls due, a desktop
notification says so (the system tray's message where there is a tray, else the window's
status bar)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon, QWidget

from ui.text import plural
from workbench.clock import utcnow
from workbench.rules.followup import TodayItem
from workbench.store.leads import Store

CHECK_EVERY_MS = 60_000
MESSAGE_MS = 10_000


def reminder_text(items: list[TodayItem]) -> tuple[str, str]:
    """(title, body) of the reminder of these steps, now due."""
    first = items[0]
    title = (f"{first.kind.capitalize()} {first.name} now" if len(items) == 1
             else f"{plural(len(items), 'next step')} due now")
    body = "; ".join(f"{i.kind} {i.name}" + (f" ({i.note})" if i.note else "")
                     for i in items[:5])
    return title, body + ("…" if len(items) > 5 else "")


class DueReminders(QObject):
    fell_due = Signal(list)
    """Next steps of the rep fell due since the last look (the TodayItems): the window says
    so, and Today is read again."""

    def __init__(self, store: Store, window: QWidget, me: Callable[[], int | None]) -> None:
        super().__init__(window)
        self.store, self.window, self.me = store, window, me
        self.checked_until: datetime = utcnow()
        self.tray: QSystemTrayIcon | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self, now: datetime | None = None) -> list[TodayItem]:
        """Announce the steps that fell due since the last check."""
        now = now or utcnow()
        if now <= self.checked_until:
            return []
        due = self.store.next_steps_falling_due(self.me(), self.checked_until, now)
        self.checked_until = now
        if due:
            self.notify(*reminder_text(due))
            self.fell_due.emit(due)
        return due

    def notify(self, title: str, body: str) -> None:
        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            if self.tray is None:
                self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
                self.tray.setToolTip(self.window.windowTitle())
                self.tray.show()
            self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information,
                                  MESSAGE_MS)
        self.window.statusBar().showMessage(f"{title}: {body}", MESSAGE_MS)
