"""Team criteria: thresholds, the SQL rule, reason catalogues and scoring rules, edited as
one new version. Validation is the domain's (Criteria.from_dict): a problem is shown in
the dialog and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.theme import theme
from workbench.files.criteria_file import CriteriaFileError, export_criteria, read_criteria
from workbench.rules.criteria import FIT_FIELDS, JOURNEY_STAGES, RANGES, REASON_KINDS, Criteria
from workbench.rules.qualification import BANT_ITEMS
from workbench.rules.refusals import BadInput, NotAllowed, Refused
from workbench.services import routing, triage
from workbench.store.leads import CriteriaVersionRecord, Store


def _number(text: str) -> float | int:
    value = float(text.replace(",", "."))
    return int(value) if value.is_integer() else value


def _optional_number(text: str) -> float | int | None:
    return _number(text) if text else None


def _box(parent: QWidget, name: str, *, decimals: int | None = None,
         suffix: str = "") -> QSpinBox | QDoubleSpinBox:
    """A box for a number of the criteria, taking the range the domain allows."""
    allowed = RANGES[name]
    if allowed.whole:
        return QSpinBox(parent, minimum=int(allowed.low), maximum=int(allowed.high),
                        suffix=suffix)
    return QDoubleSpinBox(parent, minimum=allowed.low, maximum=allowed.high,
                          decimals=decimals, suffix=suffix)


# a line under each threshold: what it does, in the team's words
THRESHOLD_HELP = {
    "mql": "A lead is handed to sales as an MQL when its score reaches this.",
    "sla": "Sales owes a new MQL a first call, email or meeting within this; later is "
           "overdue.",
    "recycle": "A recycled lead comes back to the queue after this, unless the rep picks "
               "another date.",
    "half_life": "Behaviour fades: a visit counts half as much after this, a quarter after "
                 "twice this.",
    "journey": "Only behaviour this recent places a lead in the buyer's journey.",
    "fit": "Fit points a lead needs for grade A, B or C; fewer is D.",
    "engagement": "Engagement points for 1, 2 or 3; fewer is 4. The grade pairs both (B2).",
}


def _with_help(parent: QWidget, boxes: list[QWidget], help_text: str) -> QWidget:
    """The boxes at their own size, and under them a muted line of help."""
    field = QWidget(parent)
    column = QVBoxLayout(field)
    column.setContentsMargins(0, 0, 0, 4)
    column.setSpacing(2)
    row = QHBoxLayout()
    for box in boxes:
        box.setMinimumWidth(box.sizeHint().width() + 12)  # room for the largest value
        row.addWidget(box)
    row.addStretch(1)
    column.addLayout(row)
    help_line = QLabel(help_text, field)
    help_line.setWordWrap(True)
    help_line.setStyleSheet(f"color: {theme().css('muted')};")
    column.addWidget(help_line)
    return field


def _values(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    parse: Callable[[str], Any] = str
    show: Callable[[Any], str] = lambda value: "" if value is None else str(value)
    hint: str = ""  # the header's tooltip: what the column takes


def _show_values(values) -> str:
    return ", ".join(values)


class RowsEditor(QWidget):
    """A small editable table of rules or reasons, one dict a row, with Add and Remove."""

    def __init__(self, name: str, columns: list[Column], parent=None) -> None:
        super().__init__(parent)
        self.name = name
        self.columns = columns
        self.table = QTableWidget(0, len(columns), self)
        for i, column in enumerate(columns):
            header = QTableWidgetItem(column.title)
            header.setToolTip(column.hint)
            self.table.setHorizontalHeaderItem(i, header)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setDefaultSectionSize(24)
        add = QPushButton(f"Add {name}", self)
        remove = QPushButton("Remove selected", self)
        add.clicked.connect(self.add_row)
        remove.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def set_rows(self, rows: list[dict]) -> None:
        self.table.setRowCount(0)
        for row in rows:
            self.add_row(row)
        self.table.resizeColumnsToContents()

    def add_row(self, row: dict | None = None) -> None:
        at = self.table.rowCount()
        self.table.insertRow(at)
        for i, column in enumerate(self.columns):
            text = column.show(row.get(column.key)) if row else ""
            self.table.setItem(at, i, QTableWidgetItem(text))
        if not row:
            self.table.setCurrentCell(at, 0)
            self.table.editItem(self.table.item(at, 0))

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.table.selectedIndexes()}, reverse=True):
            self.table.removeRow(row)

    def rows(self) -> list[dict]:
        """The rows as dicts; BadInput names the row and the column of a bad cell."""
        rows = []
        for r in range(self.table.rowCount()):
            texts = [(self.table.item(r, i).text().strip() if self.table.item(r, i) else "")
                     for i in range(len(self.columns))]
            if not any(texts):
                continue  # a row added and left empty
            row = {}
            for column, text in zip(self.columns, texts, strict=True):
                try:
                    value = column.parse(text)
                except ValueError:
                    raise BadInput(f"{self.name.capitalize()}, row {r + 1}, {column.title}: "
                                   f"'{text}' is not a number.") from None
                if value not in (None, ""):
                    row[column.key] = value
            rows.append(row)
        return rows


class CriteriaDialog(QDialog):
    def __init__(self, criteria: Criteria, versions: list[CriteriaVersionRecord],
                 parent=None, *, database: Path | None = None) -> None:
        super().__init__(parent)
        self.database = database  # an export never writes over it
        self.setWindowTitle("Team criteria")
        self.resize(860, 600)
        self.original = criteria
        tabs = QTabWidget(self)
        tabs.addTab(self._thresholds_tab(), "&Thresholds")
        tabs.addTab(self._sql_rule_tab(), "&SQL rule")
        tabs.addTab(self._reasons_tab(), "&Reasons")
        tabs.addTab(self._rules_tab(), "Scoring r&ules")
        tabs.addTab(self._history_tab(versions), "&History")
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("What changed and why (kept with this version)")
        self.problem = QLabel(self)
        self.problem.setStyleSheet(f"color: {theme().css('overdue')};")
        self.problem.setWordWrap(True)
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        load = buttons.addButton("&Import TOML…", QDialogButtonBox.ButtonRole.ActionRole)
        save_file = buttons.addButton("&Export TOML…", QDialogButtonBox.ButtonRole.ActionRole)
        load.clicked.connect(self.import_file)
        save_file.clicked.connect(self.export_file)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        version = (f"Editing version {criteria.version}" if criteria.version
                   else "Editing the built-in default (never saved yet)")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{version}. Saving makes a new version; old ones are kept.",
                                self))
        layout.addWidget(tabs, 1)
        form = QFormLayout()
        form.addRow("Note", self.note)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.tabs = tabs
        tabs.setCurrentIndex(0)  # always opens on the thresholds, the first field ready
        self.mql_threshold.setFocus()
        self.show_criteria(criteria)
        self.result_criteria: Criteria | None = None

    # -- tabs ----------------------------------------------------------------

    def _thresholds_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.mql_threshold = _box(page, "mql_threshold")
        self.sla_hours = _box(page, "sla_hours", decimals=1, suffix=" h")
        self.recycle_days = _box(page, "recycle_days", suffix=" days")
        self.half_life_days = _box(page, "half_life_days", decimals=1, suffix=" days")
        self.journey_window_days = _box(page, "journey_window_days", decimals=0,
                                        suffix=" days")
        self.fit_grades = [_box(page, "grades") for _ in range(3)]
        self.engagement_grades = [_box(page, "grades") for _ in range(3)]
        for label, boxes, help_text in (
                ("MQL score threshold", [self.mql_threshold], THRESHOLD_HELP["mql"]),
                ("Follow-up SLA for a new MQL", [self.sla_hours], THRESHOLD_HELP["sla"]),
                ("Recycled leads come back after", [self.recycle_days],
                 THRESHOLD_HELP["recycle"]),
                ("Behaviour points halve every", [self.half_life_days],
                 THRESHOLD_HELP["half_life"]),
                ("Buyer journey looks back", [self.journey_window_days],
                 THRESHOLD_HELP["journey"]),
                ("Fit grade A / B / C from", self.fit_grades, THRESHOLD_HELP["fit"]),
                ("Engagement 1 / 2 / 3 from", self.engagement_grades,
                 THRESHOLD_HELP["engagement"])):
            form.addRow(label, _with_help(page, boxes, help_text))
        for grades, boxes in (("ABC", self.fit_grades), ("123", self.engagement_grades)):
            for grade, box in zip(grades, boxes, strict=True):
                box.setPrefix(f"{grade}: ")
        return page

    def _sql_rule_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        explain = QLabel("An accepted lead (SAL) becomes sales qualified (SQL) only when its "
                         "BANT checklist meets this rule.", page)
        explain.setWordWrap(True)
        form.addRow(explain)
        self.confirmed = {item: QCheckBox(item.capitalize(), page) for item in BANT_ITEMS}
        row = QHBoxLayout()
        for box in self.confirmed.values():
            row.addWidget(box)
        row.addStretch(1)
        form.addRow("Must be confirmed", row)
        self.min_positive = QSpinBox(page, minimum=0, maximum=len(BANT_ITEMS),
                                     suffix=" of 4")
        form.addRow("Confirmed or partial, at least", self.min_positive)
        self.none_failed = QCheckBox("No item may have failed", page)
        form.addRow("", self.none_failed)
        return page

    def _reasons_tab(self) -> QWidget:
        page = QWidget(self)
        layout = QHBoxLayout(page)
        self.reason_editors = {}
        for kind in REASON_KINDS:
            box = QVBoxLayout()
            box.addWidget(QLabel(f"{kind.capitalize()} reasons (code, then what reps read)",
                                 page))
            editor = RowsEditor(f"{kind} reason", [Column("code", "Code"),
                                                   Column("label", "Label")], page)
            self.reason_editors[kind] = editor
            box.addWidget(editor)
            layout.addLayout(box)
        return page

    def _rules_tab(self) -> QWidget:
        tabs = QTabWidget(self)
        self.fit_rules = RowsEditor("fit rule", [
            Column("label", "Label"),
            Column("field", "Field", hint=f"One of: {', '.join(FIT_FIELDS)}"),
            Column("match", "Match", hint="equals (the default), contains or ends_with"),
            Column("points", "Points", _number),
            Column("values", "Values", _values, _show_values,
                   hint="Comma-separated; any one of them matches")], tabs)
        self.engagement_rules = RowsEditor("engagement rule", [
            Column("label", "Label"), Column("kind", "Activity kind"),
            Column("page_kind", "Page kind"), Column("points", "Points", _number),
            Column("cap", "Cap", _optional_number,
                   hint="The most points (or penalty) this rule gives; empty: no cap")],
            tabs)
        self.journey = RowsEditor("journey step", [
            Column("stage", "Stage", hint=f"One of: {', '.join(JOURNEY_STAGES)}"),
            Column("kind", "Activity kind"), Column("page_kind", "Page kind"),
            Column("min_count", "Seen at least", _optional_number)],
            tabs)
        tabs.addTab(self.fit_rules, "Fit")
        tabs.addTab(self.engagement_rules, "Engagement")
        tabs.addTab(self.journey, "Buyer journey")
        return tabs

    def _history_tab(self, versions: list[CriteriaVersionRecord]) -> QWidget:
        table = QTableWidget(len(versions), 4, self)
        table.setHorizontalHeaderLabels(["Version", "Saved", "By", "Note"])
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for r, v in enumerate(versions):
            for c, text in enumerate((str(v.version), f"{v.saved_at:%Y-%m-%d %H:%M} UTC",
                                      v.author or "—", v.note or "")):
                table.setItem(r, c, QTableWidgetItem(text))
        table.resizeColumnsToContents()
        return table

    # -- form <-> criteria ---------------------------------------------------

    def show_criteria(self, criteria: Criteria) -> None:
        data = criteria.to_dict()
        # routing rules and shared views are written in the criteria file: the form keeps
        # those it was shown
        self.routing, self.views = data["routing"], data["views"]
        for name in ("mql_threshold", "sla_hours", "recycle_days", "half_life_days",
                     "journey_window_days"):
            getattr(self, name).setValue(data[name])
        for name in ("fit_grades", "engagement_grades"):
            for box, value in zip(getattr(self, name), data[name], strict=True):
                box.setValue(value)
        rule = data["sql_rule"]
        for item, box in self.confirmed.items():
            box.setChecked(item in rule["confirmed"])
        self.min_positive.setValue(rule["min_positive"])
        self.none_failed.setChecked(rule["none_failed"])
        for kind, editor in self.reason_editors.items():
            editor.set_rows(data[f"{kind}_reasons"])
        for name in ("fit_rules", "engagement_rules", "journey"):
            getattr(self, name).set_rows(data[name])

    def edited_criteria(self) -> Criteria:
        """The form as criteria; BadInput says what is wrong and where."""
        data: dict[str, Any] = {
            name: getattr(self, name).value() for name in (
                "mql_threshold", "recycle_days", "sla_hours", "half_life_days",
                "journey_window_days")}
        for name in ("fit_grades", "engagement_grades"):
            data[name] = [box.value() for box in getattr(self, name)]
        data["sql_rule"] = {"confirmed": [i for i, box in self.confirmed.items()
                                          if box.isChecked()],
                            "min_positive": self.min_positive.value(),
                            "none_failed": self.none_failed.isChecked()}
        for kind, editor in self.reason_editors.items():
            data[f"{kind}_reasons"] = editor.rows()
        for name in ("fit_rules", "engagement_rules", "journey"):
            data[name] = getattr(self, name).rows()
        data["routing"], data["views"] = self.routing, self.views
        return Criteria.from_dict(data)

    def accept(self) -> None:
        try:
            self.result_criteria = self.edited_criteria()
        except BadInput as problem:
            self.problem.setText(f"Not saved: {problem}")
            return
        if self.result_criteria.to_dict() == self.original.to_dict():
            self.problem.setText("Nothing changed: there is no new version to save.")
            self.result_criteria = None
            return
        super().accept()

    @classmethod
    def edit(cls, parent, criteria: Criteria, versions: list[CriteriaVersionRecord],
             database: Path) -> tuple[Criteria, str | None] | None:
        """(new criteria, note), or None when cancelled. Tests replace this method."""
        dialog = cls(criteria, versions, parent, database=database)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.result_criteria is None:
            return None
        return dialog.result_criteria, dialog.note.text().strip() or None

    @classmethod
    def edit_and_save(cls, parent, store: Store, *, by: int | None) -> Criteria | None:
        """Edit the team's criteria and save them as a new version, by who acts; None when
        cancelled or refused (the refusal is shown)."""
        edited = cls.edit(parent, store.current_criteria(), store.criteria_versions(),
                          store.path)
        if edited is None:
            return None
        criteria, note = edited
        try:
            saved = triage.save_criteria(store, criteria, note=note, by=by)
        except NotAllowed as refused:
            QMessageBox.warning(parent, "Criteria not saved", str(refused))
            return None
        warnings = routing.warnings(store, saved)
        if warnings:  # saved all the same: the manager decides what to change
            QMessageBox.warning(parent, "Routing rules saved, with gaps",
                                "\n\n".join(warnings))
        return saved

    # -- files ---------------------------------------------------------------

    def import_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import criteria", "",
                                              "Criteria (*.toml)")
        if not name:
            return
        try:
            self.show_criteria(read_criteria(Path(name)))
        except CriteriaFileError as problem:
            self.problem.setText(str(problem).replace("Nothing was changed.",
                                                      "The form was not changed."))
            return
        self.problem.setText(f"Loaded {Path(name).name}: check it, then Save.")

    def export_file(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export criteria", "criteria.toml",
                                              "Criteria (*.toml)")
        if not name:
            return
        try:
            export_criteria(self.edited_criteria(), Path(name), self.database)
        except (Refused, OSError) as problem:
            self.problem.setText(f"Not exported: {problem}")
            return
        self.problem.setText(f"Written to {name}.")
