"""Today: a rep's day in one list, in the order to work it (services.followup.today):
next steps due or overdue, MQLs whose follow-up SLA falls due today, then the leads
touched with no next step planned."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from ui.text import plural
from ui.theme import theme
from workbench.clock import utcnow
from workbench.rules.followup import TodayItem, TodayReason
from workbench.services import followup
from workbench.store.leads import Store

KEY_HINTS = ("T log a touch  ·  N plan the next step  ·  ↑/↓ next/previous  ·  "
             "Ctrl+4 Today")
COLUMNS = ("Due", "What", "Lead", "Company", "Note")
WHAT = {TodayReason.SLA: "Follow-up SLA", TodayReason.NO_NEXT_STEP: "No next step planned"}

def local_time(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


class TodayView(QWidget):
    lead_selected = Signal(int)
    """The rep chose a lead of the list: the window shows it."""

    def __init__(self, store: Store, parent=None) -> None:
        super().__init__(parent)
        self.store = store
        self.me: int | None = None
        self.stale = True  # read again when next shown
        self.items: list[TodayItem] = []
        self.title = QLabel("Today", self)
        self.title.setStyleSheet("font-weight: 600; font-size: 14pt;")
        self.summary = QLabel(self)
        hints = QLabel(KEY_HINTS, self)
        colours = theme()
        hints.setStyleSheet(f"background: {colours.css('selected')};"
                            f" color: {colours.css('text')}; border-radius: 4px;"
                            " padding: 4px 8px;")
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels(COLUMNS)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAlternatingRowColors(True)
        self.list.setColumnWidth(0, 140)
        self.list.setColumnWidth(1, 170)
        self.list.setColumnWidth(2, 200)
        self.list.setColumnWidth(3, 220)
        self.list.currentItemChanged.connect(self._current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        for widget in (self.title, self.summary, hints):
            widget.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(widget)
        layout.addWidget(self.list, 1)

    def set_rep(self, me: int | None, rep_name: str | None) -> None:
        """Whose day; read when next shown."""
        self.me, self.stale = me, True
        self.title.setText(f"Today — {rep_name}" if rep_name else "Today — unassigned leads")

    def reload(self) -> None:
        """Read the list again, the selected lead kept selected when it is still on it."""
        self.stale = False
        selected, row = self.current_lead(), self.list.currentIndex().row()
        now = utcnow()
        self.items = followup.today(self.store, self.me, now)
        self.list.blockSignals(True)
        self.list.clear()
        for item in self.items:
            what = item.kind.capitalize() if item.kind else WHAT[item.reason]
            row_item = QTreeWidgetItem([local_time(item.due) if item.due else "", what,
                                        item.name, item.company or "", item.note or ""])
            if item.overdue(now):
                for column in range(2):
                    row_item.setForeground(column, QBrush(theme().overdue))
            self.list.addTopLevelItem(row_item)
        self.list.blockSignals(False)
        late = sum(item.overdue(now) for item in self.items)
        self.summary.setText(f"{plural(len(self.items), 'lead')} to work today"
                             + (f"  ·  {late:,} overdue" if late else "")
                             if self.items else "Nothing due today.")
        ids = [item.lead_id for item in self.items]
        if self.items:
            keep = ids.index(selected) if selected in ids else min(max(row, 0), len(ids) - 1)
            self.list.setCurrentItem(self.list.topLevelItem(keep))

    def current_lead(self) -> int | None:
        row = self.list.currentIndex().row()
        return self.items[row].lead_id if 0 <= row < len(self.items) else None

    def focus_list(self) -> None:
        self.list.setFocus()
        if self.list.currentItem() is None and self.items:
            self.list.setCurrentItem(self.list.topLevelItem(0))

    def _current_changed(self) -> None:
        lead_id = self.current_lead()
        if lead_id is not None:
            self.lead_selected.emit(lead_id)
