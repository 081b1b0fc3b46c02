"""A team's first day in the window: the welcome in the board's place, empty columns and a
search that finds nothing saying so, "Who are you?" asked once, Edit › People…, and the
databases (new, open, recent, demo, back up)."""

import shutil

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from ui import databases
from ui.dialogs.people import PeopleDialog
from workbench import paths
from workbench.rules.stages import Stage
from workbench.services.changes import Changes
from workbench.store.leads import Store


def test_an_empty_database_shows_the_welcome_with_three_working_buttons(
        open_window, tmp_path, qtbot, monkeypatch):
    window = open_window(tmp_path / "new.db")
    welcome = window.first_day.welcome
    assert welcome.isVisible() and welcome.geometry() == window.board.rect()
    labels = [b.text() for b in welcome.buttons]
    assert labels == ["Import a file…", "Open the demo", "Connect to a team server…"]

    asked = []
    monkeypatch.setattr(window.files, "import_file", lambda: asked.append("import"))
    monkeypatch.setattr("ui.dialogs.team_server.TeamServerDialog.exec",
                        lambda dialog: asked.append("team") or 0)
    qtbot.mouseClick(welcome.buttons[0], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(welcome.buttons[2], Qt.MouseButton.LeftButton)
    assert asked == ["import", "team"]
    assert window.queue.empty.text().startswith("Nothing to triage")

    window.store.add_lead(first_name="Ann", last_name="Lee", email="ann@example.com",
                          stage=Stage.MQL)
    window.apply(Changes(leads=True))  # as an import does
    window.scores.bring_scores_up_to_date()  # its score, or the window would rescore later
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert not welcome.isVisible()
    empty = window.board.columns[Stage.SAL].empty
    assert empty.isVisible() and empty.text() == "No leads in this stage."
    assert not window.board.columns[Stage.MQL].empty.isVisible()


def test_open_the_demo_opens_a_window_on_it_in_place_of_this_one(open_window, demo_db,
                                                                tmp_path, qtbot):
    paths.data_dir().mkdir(parents=True, exist_ok=True)
    shutil.copy(demo_db, paths.demo_db_path())
    window = open_window(tmp_path / "new.db")
    qtbot.mouseClick(window.first_day.welcome.buttons[1], Qt.MouseButton.LeftButton)
    demo_window = next(w for w in databases._opened.values())
    try:
        assert demo_window.store.path == paths.demo_db_path()
        assert demo_window.isVisible() and not window.isVisible()
        assert not demo_window.first_day.welcome.isVisible()
        assert demo_window.first_day.you_dialog is None  # the demo has its people
        assert databases.recent_databases()[:2] == [paths.demo_db_path().resolve(),
                                                    (tmp_path / "new.db").resolve()]
    finally:
        demo_window.close()
    qtbot.waitUntil(lambda: not databases._opened)


def test_an_empty_column_and_a_search_without_match_say_so(window, qtbot):
    window.filters.search.setText("zzqxj")
    window.filters.flush()
    for column in window.board.shown_columns():
        assert column.empty.isVisible()
        assert column.empty.text() == "No lead matches “zzqxj”. Esc clears the search."
    assert not window.first_day.welcome.isVisible()  # the database has leads
    name = window.store.lead(1).last_name  # found in some columns, not in all
    window.filters.search.setText(name)
    window.filters.flush()
    assert any(not c.empty.isVisible() for c in window.board.shown_columns())
    texts = {c.empty.text() for c in window.board.shown_columns() if c.empty.isVisible()}
    assert texts == {f"No lead here matches “{name}”."}
    window.filters.search.clear()
    window.filters.min_score.setValue(1000)
    window.filters.flush()
    assert {c.empty.text() for c in window.board.shown_columns()} == {
        "No lead here matches the filters."}


def test_the_first_person_is_asked_for_once_and_becomes_you(open_window, tmp_path, qtbot):
    path = tmp_path / "new.db"
    window = open_window(path)
    qtbot.waitUntil(lambda: window.first_day.you_dialog is not None)
    dialog = window.first_day.you_dialog
    assert dialog.isVisible() and not dialog.isModal()
    dialog.form.name.setText("Jane Doe")
    dialog.form.email.setText("jane@acme")
    dialog.accept()
    assert "not an email address" in dialog.form.message.text() and dialog.isVisible()
    dialog.form.email.setText("Jane.Doe@acme.com")
    dialog.accept()
    assert not dialog.isVisible()
    assert [p.email for p in window.store.people()] == ["jane.doe@acme.com"]
    assert window.store.people()[0].role == "manager"
    assert window.filters.me.currentText() == "Jane Doe"
    assert window.filters.me.currentData() == window.store.people()[0].id
    window.close()
    other = open_window(tmp_path / "other.db")
    qtbot.waitUntil(lambda: other.first_day.you_dialog is not None)
    other.first_day.you_dialog.reject()  # "Later": not asked again for this database
    other.close()
    again = open_window(tmp_path / "other.db")
    qtbot.waitUntil(lambda: again.first_day._started)
    assert again.first_day.you_dialog is None


def test_no_one_is_asked_on_a_team_laptop(open_window, tmp_path, qtbot):
    with Store.open(tmp_path / "team.db") as store:
        store.set_sync_server("postgresql://jane@team.example/leads")
    window = open_window(tmp_path / "team.db")
    qtbot.waitUntil(lambda: window.first_day._started)
    assert window.first_day.you_dialog is None


def test_the_people_dialog_adds_deactivates_and_brings_back(store, qtbot):
    store.add_user("Jane Doe", "jane@acme.com", "manager")
    dialog = PeopleDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and not dialog.deactivate.isEnabled()
    dialog.form.name.setText("Bob Ray")
    dialog.form.email.setText("JANE@acme.com")
    qtbot.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    assert "jane@acme.com is already Jane Doe" in dialog.form.message.text()
    dialog.form.email.setText("bob@acme.com")
    qtbot.mouseClick(dialog.add, Qt.MouseButton.LeftButton)
    assert dialog.changed and dialog.form.message.text() == ""
    assert [dialog.table.item(r, 0).text() for r in range(2)] == ["Bob Ray", "Jane Doe"]
    assert dialog.selected().email == "bob@acme.com"  # the one just added
    assert dialog.deactivate.isEnabled() and not dialog.bring_back.isEnabled()
    qtbot.mouseClick(dialog.deactivate, Qt.MouseButton.LeftButton)
    assert dialog.table.item(0, 3).text() == "2026-11-23"
    assert [u[2] for u in store.users()] == ["jane@acme.com"]
    assert dialog.bring_back.isEnabled()
    qtbot.mouseClick(dialog.bring_back, Qt.MouseButton.LeftButton)
    assert dialog.table.item(0, 3).text() == "" and len(store.users()) == 2


def test_on_a_team_laptop_the_people_dialog_only_lists(store, qtbot):
    store.set_sync_server("postgresql://jane@team.example/leads")
    store.add_user("Jane Doe", "jane@acme.com")
    dialog = PeopleDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert "come from the team server" in dialog.note.text()
    assert not dialog.add.isEnabled() and not dialog.form.isEnabled()


def test_edit_people_refreshes_the_you_box(window, monkeypatch):
    def add_someone(dialog):
        dialog.form.name.setText("Zoe Zed")
        dialog.form.email.setText("zoe@example.com")
        dialog._add()

    monkeypatch.setattr(PeopleDialog, "exec", add_someone)
    window.actions_by_id["people"].trigger()
    assert window.filters.me.findText("Zoe Zed") >= 0


def test_a_new_database_opens_in_a_new_window_and_never_replaces_a_file(
        open_window, tmp_path, qtbot, monkeypatch):
    window = open_window(tmp_path / "first.db")
    warned = []
    monkeypatch.setattr("ui.databases.QMessageBox.warning",
                        lambda *args: warned.append(args[2]))
    existing = tmp_path / "notes.db"
    existing.write_text("mine")
    assert window.first_day.databases.create(existing) is None
    assert "already exists" in warned[0] and existing.read_text() == "mine"
    opened = window.first_day.databases.create(tmp_path / "second.db")
    try:
        assert opened.store.path == tmp_path / "second.db" and opened.store.is_empty()
        assert opened.first_day.welcome.isVisible() and not window.isVisible()
        recent = opened.first_day.databases
        recent._fill_recent()
        assert [a.text() for a in recent.recent_menu.actions()] == [
            f"&1 first.db  —  {tmp_path}"]
    finally:
        if opened.first_day.you_dialog is not None:
            opened.first_day.you_dialog.close()
        opened.close()
    qtbot.waitUntil(lambda: not databases._opened)  # deleted, and its store closed


def test_back_up_from_the_window_copies_the_database_whole(window, tmp_path, qtbot):
    target = tmp_path / "copy.wbk"
    window.first_day.databases.back_up_to(target)
    qtbot.waitUntil(lambda: not window.operations.running(), timeout=30_000)
    assert "Backed up to" in window.statusBar().currentMessage()
    with Store.open(target) as copy:
        assert copy.stats() == window.store.stats()


def test_the_import_wizard_offers_to_add_the_owners_it_does_not_know(window, qtbot, tmp_path):
    from tests.ui.test_import_wizard import next_page
    from ui.dialogs.import_wizard import ImportWizard

    path = tmp_path / "crm.csv"
    path.write_text("email,first name,last name,owner\n"
                    "ann@example.com,Ann,Lee,jane.roe@acme.com\n"
                    "bo@example.com,Bo,Chan,Bob Ray\n"
                    "cy@example.com,Cy,Dee,Jane.Roe@acme.com\n")
    wizard = ImportWizard(window.store, path, window)
    qtbot.addWidget(wizard)
    wizard.show()
    next_page(wizard, qtbot)
    check = next_page(wizard, qtbot)
    owners = check.owners
    assert owners.isVisible() and "2 owners in the file are not people here" in \
        owners.words.text()
    table = owners.table
    assert [[table.item(r, c).text() for c in range(3)] for r in range(2)] == [
        ["jane.roe@acme.com", "Jane Roe", "jane.roe@acme.com"], ["Bob Ray", "Bob Ray", ""]]
    assert [table.item(r, 0).checkState() for r in range(2)] == [
        Qt.CheckState.Checked, Qt.CheckState.Unchecked]
    table.item(1, 0).setCheckState(Qt.CheckState.Checked)  # ticked without an email
    wizard.next()
    assert wizard.currentPage() is check and "Bob Ray: '' is not an email" in \
        owners.words.text()
    table.item(1, 2).setText("bob.ray@acme.com")
    done = next_page(wizard, qtbot)
    assert done.done and "3 new leads were added" in done.summary.text()
    owners_of = {window.store.lead(i).email: window.store.lead(i).owner_id
                 for i in window.store.search_ids("example.com") or []}
    jane = window.store.user_by_email("jane.roe@acme.com")
    bob = window.store.user_by_email("bob.ray@acme.com")
    assert owners_of == {"ann@example.com": jane, "bo@example.com": bob,
                         "cy@example.com": jane}
    wizard.button(QWizard.WizardButton.FinishButton).click()


def test_you_is_the_first_person_then_whoever_was_chosen_on_this_database(
        open_window, tmp_path, qtbot):
    path = tmp_path / "team.db"
    with Store.open(path) as store:
        store.add_user("Zoe Zed", "zoe@acme.com", "manager")  # the first, last by name
        store.add_user("Al Ames", "al@acme.com")
    window = open_window(path)
    qtbot.waitUntil(lambda: window.filters.me.currentText() == "Zoe Zed")
    assert window.first_day.you_dialog is None  # it has its people
    window.filters.me.setCurrentIndex(window.filters.me.findText("Al Ames"))
    window.close()
    other = open_window(tmp_path / "other.db")  # its id 1 is someone else
    other.store.add_user("Cy Cole", "cy@acme.com")
    other.close()
    again = open_window(path)
    qtbot.waitUntil(lambda: again.first_day._started)
    assert again.filters.me.currentText() == "Al Ames"


def test_empty_columns_say_where_the_leads_are_when_only_hidden_columns_hold_them(
        open_window, tmp_path, qtbot):
    path = tmp_path / "imported.db"
    with Store.open(path) as store:  # an import of fresh leads: all in the hidden Lead
        store.add_user("Jane Doe", "jane@acme.com")
        for n in range(3):
            store.add_lead(first_name=f"P{n}", last_name="Q", stage=Stage.LEAD)
    window = open_window(path)
    texts = {c.empty.text() for c in window.board.shown_columns()}
    assert texts == {"No leads in this stage. The leads are in hidden columns (3 in Lead): "
                     "View › Columns shows them."}
    window.column_actions[Stage.LEAD].setChecked(True)
    window.board.refresh_counts()
    assert not window.board.columns[Stage.LEAD].empty.isVisible()
    assert window.board.columns[Stage.MQL].empty.text() == "No leads in this stage."


def test_a_screenshot_of_a_new_database_ends_cleanly_and_asks_nothing(tmp_path, data_dir):
    import subprocess
    import sys

    Store.open(tmp_path / "new.db").close()  # its scores not yet of today: a rescore starts
    result = subprocess.run([sys.executable, "-m", "ui.main", "--db", "new.db",
                             "--screenshot", "new.png"], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # it aborted on a thread still running
    assert result.stderr == ""
    settings = data_dir / "window.ini"
    assert not settings.exists() or "asked_who_you_are" not in settings.read_text()
