"""Search, filters and sort above the board; emits the board's query when it changes."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QToolButton,
    QWidget,
)

from ui.text import source_label
from ui.theme import theme
from workbench.clock import utcnow
from workbench.rules.criteria import Criteria
from workbench.rules.rotting import stale_cutoffs
from workbench.rules.sla import overdue_cutoff
from workbench.store.leads import BoardFilter, BoardSort, OwnerFilter

SEARCH_DELAY_MS = 150  # wait for a pause in typing before asking the database
FIGURE_WIDTH = 320  # pixels for the words of a report figure listed on the board
# the search box's hint, longest first: the box shows the longest its width holds, so the
# key that reaches it ( / ) is never cut off (a 1280 screen leaves the box about 200 pixels)
SEARCH_HINTS = ("Search name, email, company, title, notes, id   ( / )",
                "Search name, company…  ( / )", "Search  ( / )")
HINT_MARGIN = 16  # pixels of the box's frame and padding around its text


class SearchBox(QLineEdit):
    """The search box; its hint fits its width, and its tooltip says it all."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setToolTip(SEARCH_HINTS[0])
        self.setPlaceholderText(SEARCH_HINTS[0])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        room = self.width() - HINT_MARGIN
        self.setPlaceholderText(next(
            (hint for hint in SEARCH_HINTS
             if self.fontMetrics().horizontalAdvance(hint) <= room), SEARCH_HINTS[-1]))


class FilterBar(QWidget):
    changed = Signal()
    """The user changed the search, a filter or the sort."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.search = SearchBox(self)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(180)
        self.me = QComboBox(self)
        self.me.setToolTip("You: the rep whose leads 'Mine' shows and who writes notes")
        self.owner = QComboBox(self)
        for value, label in ((OwnerFilter.ALL, "All owners"), (OwnerFilter.MINE, "Mine"),
                             (OwnerFilter.UNASSIGNED, "Unassigned")):
            self.owner.addItem(label, value.value)
        self.source = QComboBox(self)
        self.campaign = QComboBox(self)
        # the pickers say what they filter ("Any source"), so a laptop's width holds them all
        for box in (self.source, self.campaign):
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        self.min_score = QSpinBox(self)
        self.max_score = QSpinBox(self)
        for box, special in ((self.min_score, "min"), (self.max_score, "max")):
            box.setRange(-1000, 1000)
            box.setSpecialValueText(special)  # shown at the lowest value: no bound
            box.setValue(box.minimum())
        self.overdue = QCheckBox("Overdue only", self)
        self.overdue.setToolTip("MQLs past their follow-up SLA, untouched")
        self.stale = QCheckBox("Stale", self)  # "only" as above: a 1280 screen holds the bar
        self.stale.setToolTip("Stale only: open leads nobody has touched for the days "
                              "their stage allows (the criteria's rotting)")
        self.sort = QComboBox(self)
        for sort in BoardSort:
            self.sort.addItem(f"Sort: {sort.label}", sort.value)
        self.set_choices([], [], [])

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.search, 2)
        self.board_only: list[QWidget] = [self.search]  # what only the board reads
        for label, widget in (("You", self.me), ("Owner", self.owner), ("Source", self.source),
                              ("Campaign", self.campaign), ("Score", self.min_score)):
            widget.setAccessibleName(label)
            if label in ("You", "Score"):  # the others' choices say what they are
                caption = QLabel(label, self)
                caption.setBuddy(widget)
                layout.addWidget(caption)
                if label == "Score":
                    self.board_only.append(caption)
            layout.addWidget(widget)
            if widget is not self.me:
                self.board_only.append(widget)
        dash = QLabel("–", self)
        layout.addWidget(dash)
        self.max_score.setAccessibleName("Highest score")
        for widget in (self.max_score, self.overdue, self.stale, self.sort):
            layout.addWidget(widget)
        self.board_only += [dash, self.max_score, self.overdue, self.stale, self.sort]
        layout.addStretch(0)

        self._delay = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._delay.timeout.connect(self.changed)
        self.search.textChanged.connect(self._delay.start)
        for box in (self.me, self.owner, self.source, self.campaign, self.sort):
            box.currentIndexChanged.connect(self._delay.start)
        for spin in (self.min_score, self.max_score):
            spin.valueChanged.connect(self._delay.start)
        for check in (self.overdue, self.stale):
            check.toggled.connect(self._delay.start)

    def focus_search(self) -> None:
        """/: into the search box, its text selected to type over."""
        self.search.setFocus()
        self.search.selectAll()

    def show_board_filters(self, shown: bool) -> None:
        """Show or hide all but "You", the one filter every view reads (ui/filter_scope.py)."""
        for widget in self.board_only:
            widget.setVisible(shown)

    def set_choices(self, users, sources, campaigns) -> None:
        """Fill the pickers, keeping what is chosen."""
        for box, items in ((self.me, [(name, uid) for uid, name, _email, _role in users]),
                           (self.source, [("Any source", None)]
                            + [(source_label(s), s) for s in sources]),
                           (self.campaign, [("Any campaign", None)]
                            + [(c, c) for c in campaigns])):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            for label, value in items:
                box.addItem(label, value)
            found = box.findData(chosen)
            box.setCurrentIndex(found if found >= 0 else 0)
            box.blockSignals(False)

    def query(self, criteria: Criteria) -> tuple[BoardFilter, BoardSort]:
        now = utcnow()
        board = BoardFilter(
            owner=OwnerFilter(self.owner.currentData()), me=self.me.currentData(),
            source=self.source.currentData(), campaign=self.campaign.currentData(),
            min_score=self._bound(self.min_score), max_score=self._bound(self.max_score),
            overdue_before=(overdue_cutoff(now, criteria.sla_hours)
                            if self.overdue.isChecked() else None),
            stale_cutoffs=(stale_cutoffs(criteria.rotting, now) if self.stale.isChecked()
                           else None),
            search=self.search.text(),
        )
        return board, BoardSort(self.sort.currentData())

    def flush(self) -> None:
        """Apply a pending change now (tests, and Enter in the search box)."""
        if self._delay.isActive():
            self._delay.stop()
            self.changed.emit()

    # -- saved views (ui/saved_views.py) ---------------------------------------

    def view_filters(self) -> dict:
        """The filters as a saved view keeps them (rules.views): what is set, not "You"."""
        filters = {"owner": self.owner.currentData(), "source": self.source.currentData(),
                   "campaign": self.campaign.currentData(),
                   "min_score": self._bound(self.min_score),
                   "max_score": self._bound(self.max_score),
                   "overdue": self.overdue.isChecked(), "stale": self.stale.isChecked(),
                   "search": self.search.text()}
        return {key: value for key, value in filters.items()
                if value not in (None, "", False, OwnerFilter.ALL.value)}

    @staticmethod
    def _bound(spin: QSpinBox) -> int | None:
        return None if spin.value() == spin.minimum() else spin.value()

    def show_view(self, filters: dict, sort: str) -> list[str]:
        """Set the filters and sort of a saved view, every one it does not name to "any";
        returns the source or campaign it names that this database does not have."""
        missing = []
        for key, box in (("owner", self.owner), ("source", self.source),
                         ("campaign", self.campaign), ("sort", self.sort)):
            wanted = sort if key == "sort" else filters.get(key)
            found = box.findData(wanted)
            if found < 0 and wanted is not None:
                missing.append(f"{key} {wanted}")
            box.setCurrentIndex(max(found, 0))
        for key, spin in (("min_score", self.min_score), ("max_score", self.max_score)):
            spin.setValue(filters.get(key, spin.minimum()))
        self.overdue.setChecked(bool(filters.get("overdue")))
        self.stale.setChecked(bool(filters.get("stale")))
        self.search.setText(filters.get("search", ""))
        self._delay.stop()
        self.changed.emit()
        return missing

    # -- state kept between runs ---------------------------------------------

    def state(self) -> dict:
        return {"me": self.me.currentData(), "owner": self.owner.currentData(),
                "source": self.source.currentData(), "campaign": self.campaign.currentData(),
                "min_score": self.min_score.value(), "max_score": self.max_score.value(),
                "overdue": self.overdue.isChecked(), "stale": self.stale.isChecked(),
                "sort": self.sort.currentData()}

    def restore(self, state: dict) -> None:
        for key, box in (("me", self.me), ("owner", self.owner), ("source", self.source),
                         ("campaign", self.campaign), ("sort", self.sort)):
            found = box.findData(state.get(key))
            if found >= 0:
                box.setCurrentIndex(found)
        for key, spin in (("min_score", self.min_score), ("max_score", self.max_score)):
            if isinstance(state.get(key), int):
                spin.setValue(state[key])
        self.overdue.setChecked(bool(state.get("overdue")))
        self.stale.setChecked(bool(state.get("stale")))
        self._delay.stop()  # the window applies the restored query itself


class FigureChip(QWidget):
    """Says that the board lists the leads behind a report figure, with a way back."""

    cleared = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setStyleSheet(f"background: {theme().css('notice')}; border-radius: 4px;"
                                 " padding: 2px 6px;")
        clear = QToolButton(self, text="✕ Show all leads", autoRaise=True)
        clear.clicked.connect(self.cleared)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.addWidget(self.label)
        layout.addWidget(clear)
        self.show_figure(None)

    def show_figure(self, description: str | None) -> None:
        text = f"Listing: {description}" if description else ""
        self.label.setToolTip(text)
        self.label.setText(self.label.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideMiddle, FIGURE_WIDTH))
        self.setVisible(bool(description))
