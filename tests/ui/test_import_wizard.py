"""The import wizard and export as a user meets them: file, columns, dry run, import."""

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox, QWizard

from ui.dialogs.import_wizard import ImportWizard

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


def copy(name, tmp_path):
    target = tmp_path / name
    shutil.copy(FIXTURES / name, target)
    return target


def next_page(wizard, qtbot):
    wizard.next()
    page = wizard.currentPage()
    if hasattr(page, "done"):
        qtbot.waitUntil(lambda: page.done or "cancel" in page.summary.text().lower()
                        or not page.cancel.isEnabled(), timeout=30000)
    return page


def test_a_salesforce_export_goes_through_the_wizard(window, qtbot, tmp_path):
    path = copy("salesforce_leads.csv", tmp_path)
    before = window.store.stats().leads
    wizard = ImportWizard(window.store, path, window)
    qtbot.addWidget(wizard)
    wizard.show()
    mapping_page = next_page(wizard, qtbot)
    assert "Salesforce leads export" in mapping_page.recognised.text()
    headers = [mapping_page.table.horizontalHeaderItem(i).text()
               for i in range(mapping_page.table.columnCount())]
    rating = mapping_page.pickers[headers.index("Rating")]
    assert rating.currentData() == "custom"
    rating.setCurrentIndex(rating.findData("ignore"))
    assert wizard.mapping.columns["Rating"] == "ignore"
    title = mapping_page.pickers[headers.index("Title")]
    title.setCurrentIndex(title.findData("company"))  # the company column steps back
    assert wizard.mapping.columns["Company / Account"] == "custom"
    title.setCurrentIndex(title.findData("job_title"))
    company = mapping_page.pickers[headers.index("Company / Account")]
    company.setCurrentIndex(company.findData("company"))
    check = next_page(wizard, qtbot)
    assert check.done and "4 new leads would be added" in check.summary.text()
    assert window.store.stats().leads == before  # a dry run writes nothing
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "&Import"
    done = next_page(wizard, qtbot)
    assert done.done and "4 new leads were added" in done.summary.text()
    assert "no user with this email or name" in done.problems.item(0, 3).text()
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()  # written
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert window.store.stats().leads == before + 4
    emails = {window.store.lead(i).email for i in window.store.search_ids("Fernández") or []}
    assert emails == {"laura.fernandez@acmelogistics.com"}


def test_a_file_that_cannot_be_imported_says_why_on_the_first_page(window, qtbot, tmp_path):
    path = tmp_path / "picture.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    wizard = ImportWizard(window.store, path, window)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.currentPage() is wizard.file_page
    assert "not a CSV or XLSX file" in wizard.file_page.problem.text()


def test_dropping_a_csv_on_the_window_opens_the_import(window, monkeypatch, tmp_path):
    opened = []
    monkeypatch.setattr(type(window.files), "import_file",
                        lambda self, path=None: opened.append(path))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "leads.csv"))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                       Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    assert opened == [tmp_path / "leads.csv"]
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.pdf"))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                                Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    QApplication.processEvents()
    assert len(opened) == 1


def test_export_the_boards_leads(window, qtbot, monkeypatch, tmp_path):
    window.filters.source.setCurrentIndex(window.filters.source.findData("partner"))
    window.filters.flush()
    target = tmp_path / "partner.csv"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr("ui.lead_files.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), ""))
    window.files.export_leads()
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    lines = target.read_text(encoding="utf-8-sig").splitlines()
    partner = window.store.stats().by_source["partner"]
    assert len(lines) == partner + 1 and all(",partner," in line for line in lines[1:])


def test_possible_duplicates_are_reviewed_and_merged(window, qtbot):
    from ui.dialogs.duplicates import DuplicatesDialog

    store = window.store
    first = store.add_lead(first_name="Dup", last_name="One", email="dup@twice.example")
    second = store.add_lead(first_name="Dup", last_name="Two", email="dup@twice.example",
                            phone="+1 555 0100")
    dialog = DuplicatesDialog(store, None, window)
    qtbot.addWidget(dialog)
    row = next(i for i, p in enumerate(dialog.items) if (p.first, p.second) == (first, second))
    assert dialog.table.item(row, 6).text() == "same email"
    dialog.table.selectRow(row)
    dialog.choice_buttons[0].click()  # merge into the first
    assert all(second not in (p.first, p.second) for p in dialog.items)
    assert store.lead_detail(first).phone == "+1 555 0100"


def test_the_first_page_says_what_comes_next_and_what_is_read(window, qtbot):
    wizard = ImportWizard(window.store, None, window)
    qtbot.addWidget(wizard)
    guide = wizard.file_page.guide.text()
    assert "writes nothing" in guide and "Email" in guide and "custom fields" in guide
    kind = wizard.file_page.kind
    kind.setCurrentIndex(kind.findData("intent"))
    assert "Company domain" in wizard.file_page.guide.text()
    assert "custom fields" not in wizard.file_page.guide.text()


def test_cells_the_import_cannot_read_are_marked_in_the_preview(window, qtbot, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_text("Email,First name,Last name,Created\n"
                    "ada@example.com,Ada,Lovelace,2026-03-01\n"
                    "not an email,Bob,Ray,someday\n"
                    "cy@example.com,Cy,Young,2026-03-02\n", encoding="utf-8")
    wizard = ImportWizard(window.store, path, window)
    qtbot.addWidget(wizard)
    wizard.show()
    page = next_page(wizard, qtbot)
    headers = [page.table.horizontalHeaderItem(i).text()
               for i in range(page.table.columnCount())]
    marked = {(row, headers[column]) for row in range(1, page.table.rowCount())
              for column in range(page.table.columnCount())
              if page.table.item(row, column).toolTip()}
    assert marked and all(row == 2 for row, _header in marked), marked  # the file's row 3
    assert "cannot be read" in page.flags.text()
    assert not (tmp_path / "leads.errors.csv").exists()


def test_the_check_writes_no_errors_file_unless_asked(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    path = tmp_path / "leads.csv"
    path.write_text("Email,First name,Last name,Created\n"
                    "ada@example.com,Ada,Lovelace,2026-03-01\n"
                    "not an email,Bob,Ray,someday\n", encoding="utf-8")
    wizard = ImportWizard(window.store, path, window)
    qtbot.addWidget(wizard)
    wizard.show()
    next_page(wizard, qtbot)
    check = next_page(wizard, qtbot)
    assert check.done and check.problems.rowCount() >= 1
    assert check.problems.item(0, 0).text() == "3"  # the file's row
    assert not (tmp_path / "leads.errors.csv").exists()
    assert check.save_problems.isVisible() and "only if you ask" in check.summary.text()
    target = tmp_path / "kept.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(target), "")))
    check.save_problems.click()
    assert target.read_text(encoding="utf-8").startswith("row,column,value,reason")
    assert f"saved in {target}" in check.summary.text()
