"""The status bar's counts: the leads the board shows, and the team's overdue MQLs whatever
the board's filter (read when data changes, adjusted by the window as leads move)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from ui.text import plural
from ui.theme import theme
from ui.views.board import BoardView
from workbench.clock import utcnow
from workbench.rules.sla import overdue_cutoff
from workbench.rules.stages import Stage
from workbench.store.leads import Store


class StatusCounts:
    def __init__(self, store: Store, status_bar: QStatusBar) -> None:
        self.store = store
        self.lead_count = QLabel(status_bar)
        self.overdue_count = QLabel(status_bar)
        self.overdue_count.setStyleSheet(f"color: {theme().css('overdue')};")
        status_bar.addPermanentWidget(self.overdue_count)
        status_bar.addPermanentWidget(self.lead_count)
        self.overdue = 0

    def show_leads(self, board: BoardView) -> None:
        """How many leads the board's filter finds; those in hidden columns, and which."""
        shown_keys = {column.key for column in board.shown_columns()}
        total = sum(summary.count for summary in board.summaries.values())
        hidden = [(key, summary.count) for key, summary in board.summaries.items()
                  if key not in shown_keys and summary.count]
        if self.store.search_is_capped(board.board.search):
            text = f"First {plural(total, 'match')}: type more to narrow the search"
        else:
            text = plural(total, "lead")
        if hidden:
            where = ", ".join(f"{key.label if isinstance(key, Stage) else key} {count:,}"
                              for key, count in hidden)
            text += f" · {sum(c for _k, c in hidden):,} in hidden columns ({where})"
        self.lead_count.setText(text)
        self.lead_count.setToolTip("View › Columns shows the hidden columns" if hidden else "")

    def read_overdue(self, sla_hours: float) -> None:
        self.show_overdue(self.store.overdue_count(overdue_cutoff(utcnow(), sla_hours)))

    def show_overdue(self, count: int) -> None:
        self.overdue = count
        self.overdue_count.setText(f"{plural(count, 'overdue MQL')}  " if count else "")
