"""A team's first day from the command line: an empty database of its own, its people,
and a backup that comes back whole (issue 22)."""

import json
import shutil
import sqlite3
from contextlib import closing
from datetime import datetime

import pytest

from workbench.store.leads import Store


def test_init_makes_an_empty_database_and_never_replaces_a_file(workbench, tmp_path):
    path = tmp_path / "team.db"
    result = workbench("init", "--db", path)
    assert result.returncode == 0, result.stderr
    assert "users add" in result.stdout
    stats = json.loads(workbench("stats", "--db", path, "--json").stdout)
    assert stats["leads"] == 0
    assert workbench("users", "list", "--db", path, "--json").stdout.strip() == "[]"
    again = workbench("init", "--db", path)
    assert again.returncode == 1 and "already exists" in again.stderr
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    assert workbench("init", "--db", notes).returncode == 1
    assert notes.read_text() == "mine"


def test_init_goes_to_the_data_folder_by_default(workbench, tmp_path):
    assert workbench("init", env_dir=tmp_path).returncode == 0
    assert (tmp_path / "workbench.db").exists() and not (tmp_path / "demo.db").exists()


def test_importing_into_a_missing_database_says_how_to_make_one(workbench, tmp_path):
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text("email,first name\nann@example.com,Ann\n")
    result = workbench("import", csv_file, "--db", tmp_path / "new.db")
    assert result.returncode == 1
    assert f"workbench init --db {tmp_path / 'new.db'}" in result.stderr
    assert "demo" not in result.stderr
    assert not (tmp_path / "new.db").exists()


@pytest.fixture
def team_db(workbench, tmp_path):
    path = tmp_path / "team.db"
    assert workbench("init", "--db", path).returncode == 0
    return path


def people(workbench, path):
    return json.loads(workbench("users", "list", "--db", path, "--json").stdout)


def test_people_are_added_listed_and_deactivated(workbench, team_db):
    added = workbench("users", "add", "--db", team_db, "--email", " Jane.Doe@Acme.com ",
                      "--name", "Jane  Doe", "--manager")
    assert added.returncode == 0, added.stderr
    assert "Added Jane Doe <jane.doe@acme.com> as a manager" in added.stdout
    assert workbench("users", "add", "--db", team_db, "--email", "bob@acme.com",
                     "--name", "Bob Ray").returncode == 0
    assert [(p["email"], p["name"], p["role"]) for p in people(workbench, team_db)] == [
        ("bob@acme.com", "Bob Ray", "rep"), ("jane.doe@acme.com", "Jane Doe", "manager")]
    assert "Bob Ray" in workbench("users", "list", "--db", team_db).stdout

    off = workbench("users", "deactivate", "bob@acme.com", "--db", team_db)
    assert off.returncode == 0, off.stderr
    bob = people(workbench, team_db)[0]
    assert bob["deactivated_at"] == "2026-11-23T12:00:00"  # the suite's clock
    assert "deactivated 2026-11-23" in workbench("users", "list", "--db", team_db).stdout
    with Store.open(team_db) as store:  # no longer "You" or an owner; still in reports
        assert [u[2] for u in store.users()] == ["jane.doe@acme.com"]
        assert "bob@acme.com" not in store.owner_keys()
        assert len(store.users(deactivated=True)) == 2
    back = workbench("users", "add", "--db", team_db, "--email", "bob@acme.com",
                     "--name", "Robert Ray")
    assert "Brought back Robert Ray" in back.stdout
    assert people(workbench, team_db)[1]["deactivated_at"] is None


@pytest.mark.parametrize(("args", "message"), [
    (["add", "--email", "bob-at-acme.com", "--name", "Bob"], "'bob-at-acme.com' is not an "
                                                            "email address"),
    (["add", "--email", "jane@acme.com", "--name", "  "], "Give jane@acme.com a name"),
    (["add", "--email", "JANE@acme.com", "--name", "Other"], "jane@acme.com is already Jane"),
    (["deactivate", "nobody@acme.com"], "There is no person with email nobody@acme.com"),
])
def test_bad_people_are_refused_in_one_line(workbench, team_db, args, message):
    workbench("users", "add", "--db", team_db, "--email", "jane@acme.com", "--name", "Jane")
    before = people(workbench, team_db)
    result = workbench("users", *args, "--db", team_db)
    assert result.returncode == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert people(workbench, team_db) == before


def test_on_a_team_laptop_people_come_from_the_server(workbench, team_db):
    with Store.open(team_db) as store:
        store.set_sync_server("postgresql://jane@team.example/leads")
        store.add_user("Bob Ray", "bob@acme.com")
    for args in (["add", "--email", "ann@acme.com", "--name", "Ann"],
                 ["deactivate", "bob@acme.com"]):
        result = workbench("users", *args, "--db", team_db)
        assert result.returncode == 1 and "server add-user" in result.stderr
    with Store.open(team_db) as store:
        store.deactivate_person("bob@acme.com", datetime(2026, 11, 1))  # before it joined
        store.apply_users([("bob@acme.com", "Bob Ray", "rep"), ("ann@acme.com", "Ann", "rep")])
        assert [(p.email, p.active) for p in store.people()] == [
            ("ann@acme.com", True), ("bob@acme.com", True)]


def test_an_owner_who_was_deactivated_is_reported_and_the_lead_imported(workbench, team_db,
                                                                     tmp_path):
    workbench("users", "add", "--db", team_db, "--email", "bob@acme.com", "--name", "Bob")
    workbench("users", "deactivate", "bob@acme.com", "--db", team_db)
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text("email,first name,owner\nann@example.com,Ann,bob@acme.com\n")
    result = workbench("import", csv_file, "--db", team_db, "--json")
    assert json.loads(result.stdout)["imported"] == 1
    assert "no user with this email" in (tmp_path / "leads.errors.csv").read_text()


def dump(path):
    with closing(sqlite3.connect(path)) as conn:
        return list(conn.iterdump())


def test_a_backup_restores_exactly(workbench, demo_db, tmp_path):
    original = tmp_path / "original.db"
    shutil.copy(demo_db, original)
    backup = tmp_path / "copies" / "monday.wbk"
    backup.parent.mkdir()
    result = workbench("backup", backup, "--db", original)
    assert result.returncode == 0, result.stderr
    assert "2,000 leads" in result.stdout
    assert sorted(p.name for p in backup.parent.iterdir()) == ["monday.wbk"]
    restored = tmp_path / "restored" / "team.db"
    result = workbench("restore", backup, "--db", restored)
    assert result.returncode == 0, result.stderr
    assert "2,000 leads" in result.stdout
    assert dump(restored) == dump(original)
    for args in (["stats", "--json"], ["report", "--by", "rep", "--format", "json"],
                 *(["lead", "show", str(i), "--json"] for i in (1, 77, 1500))):
        assert workbench(*args, "--db", restored).stdout == \
            workbench(*args, "--db", original).stdout != ""
    with Store.open(restored) as store:
        assert store.count_leads() == 2000 and store.people()


def test_restore_never_writes_over_a_file_and_refuses_what_is_no_backup(workbench, demo_db,
                                                                       tmp_path):
    backup = tmp_path / "demo.wbk"
    assert workbench("backup", backup, "--db", demo_db).returncode == 0
    existing = tmp_path / "existing.db"
    existing.write_text("keep me")
    result = workbench("restore", backup, "--db", existing)
    assert result.returncode == 1 and "already exists" in result.stderr
    assert existing.read_text() == "keep me"
    notes = tmp_path / "notes.txt"
    notes.write_text("not a backup")
    for source, message in ((notes, "not a workbench database"),
                            (tmp_path / "missing.wbk", "There is no backup at")):
        result = workbench("restore", source, "--db", tmp_path / "new.db")
        assert result.returncode == 1 and message in result.stderr
        assert not (tmp_path / "new.db").exists()
    damaged = tmp_path / "damaged.wbk"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2:len(data) // 2 + 4096] = b"\xff" * 4096
    damaged.write_bytes(bytes(data))
    result = workbench("restore", damaged, "--db", tmp_path / "new.db")
    assert result.returncode == 1 and "damaged" in result.stderr
    assert not (tmp_path / "new.db").exists()


def test_a_backup_replaces_an_older_backup_but_no_other_file(workbench, demo_db, tmp_path):
    backup = tmp_path / "team.wbk"
    assert workbench("backup", backup, "--db", demo_db).returncode == 0
    assert workbench("backup", backup, "--db", demo_db).returncode == 0
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    result = workbench("backup", notes, "--db", demo_db)
    assert result.returncode == 1 and "not a workbench backup" in result.stderr
    assert notes.read_text() == "mine"
    result = workbench("backup", demo_db, "--db", demo_db)
    assert result.returncode == 1 and "is the database" in result.stderr


def test_a_backup_of_an_older_version_is_restored_at_this_version(workbench, tmp_path):
    from workbench.store import db

    old = tmp_path / "old.wbk"
    engine = db.create_sqlite_engine(old)
    db.migrate(engine, "20261204_0014")  # before people could be deactivated
    with db.write_connection(engine) as conn:
        conn.exec_driver_sql("INSERT INTO users (name, email, role) "
                             "VALUES ('Ada Byron', 'ada@example.com', 'rep')")
    engine.dispose()
    restored = tmp_path / "restored.db"
    result = workbench("restore", old, "--db", restored)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("restored")] == [
        "restored.db"]  # no copy of the backup before its upgrade beside it
    assert people(workbench, restored) == [{"email": "ada@example.com", "name": "Ada Byron",
                                             "role": "rep", "deactivated_at": None}]


OWNED = ("email,first name,last name,owner\n"
         "ann@example.com,Ann,Lee,jane.roe@acme.com\n"
         "bo@example.com,Bo,Chan,Bob Ray\n"
         "cy@example.com,Cy,Dee,JANE.ROE@acme.com\n"
         "di@example.com,Di,Eck,old@acme.com\n")


def owners_by_email(path):
    with Store.open(path) as store:
        names = {uid: email for uid, _n, email, _r in store.users(deactivated=True)}
        return {card.email: names.get(card.owner_id)
                for card in map(store.lead, range(1, store.count_leads() + 1))}


def test_import_reports_unknown_owners_and_creates_them_when_asked(workbench, team_db,
                                                                  tmp_path):
    workbench("users", "add", "--db", team_db, "--email", "old@acme.com", "--name", "Old")
    workbench("users", "deactivate", "old@acme.com", "--db", team_db)
    csv_file = tmp_path / "crm.csv"
    csv_file.write_text(OWNED)
    result = workbench("import", csv_file, "--db", team_db, "--dry-run", "--create-owners")
    assert "jane.roe@acme.com, Bob Ray, old@acme.com" in result.stdout
    assert [p["email"] for p in people(workbench, team_db)] == ["old@acme.com"]

    result = workbench("import", csv_file, "--db", team_db, "--create-owners", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["owners_created"] == ["jane.roe@acme.com"]
    assert report["owners_unknown"] == ["Bob Ray", "old@acme.com"]
    assert [(p["email"], p["name"], p["role"]) for p in people(workbench, team_db)] == [
        ("jane.roe@acme.com", "Jane Roe", "rep"), ("old@acme.com", "Old", "rep")]
    assert people(workbench, team_db)[1]["deactivated_at"] is not None  # not brought back
    assert owners_by_email(team_db) == {
        "ann@example.com": "jane.roe@acme.com", "bo@example.com": None,
        "cy@example.com": "jane.roe@acme.com", "di@example.com": None}
    errors = (tmp_path / "crm.errors.csv").read_text()
    assert "Bob Ray" in errors and "jane.roe" not in errors

    again = workbench("import", csv_file, "--db", team_db)
    assert "Owners not people here" in again.stdout and "--create-owners" in again.stdout


def test_create_owners_on_a_team_laptop_is_refused_before_anything(workbench, team_db,
                                                                   tmp_path):
    with Store.open(team_db) as store:
        store.set_sync_server("postgresql://jane@team.example/leads")
    csv_file = tmp_path / "crm.csv"
    csv_file.write_text(OWNED)
    result = workbench("import", csv_file, "--db", team_db, "--create-owners")
    assert result.returncode == 1 and "come from the server" in result.stderr
    assert json.loads(workbench("stats", "--db", team_db, "--json").stdout)["leads"] == 0


def test_an_export_with_another_systems_status_column_keeps_its_stages(workbench, demo_db,
                                                                      tmp_path):
    import csv

    export = tmp_path / "all.csv"
    assert workbench("export", "--db", demo_db, "--out", export).returncode == 0
    with export.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    statuses = ("Open", "Contacted", "Qualified", "Unqualified")
    with (tmp_path / "status.csv").open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([rows[0] + ["Lead Status"]] + [
            row + [statuses[i % 4]] for i, row in enumerate(rows[1:])])
    stages = {}
    for name in ("all.csv", "status.csv"):
        target = tmp_path / f"{name}.db"
        workbench("init", "--db", target)
        result = workbench("import", tmp_path / name, "--db", target, "--create-owners",
                           "--json")
        assert json.loads(result.stdout)["owners_unknown"] == []
        stages[name] = json.loads(workbench("stats", "--db", target, "--json").stdout)
    assert stages["status.csv"] == stages["all.csv"]
