"""Importing other systems' files and exporting ours: recognition, messy values, errors,
atomicity, idempotence, formula neutralising, round trip."""

import csv
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import pytest

from workbench import cli
from workbench.clock import local_today
from workbench.files.reading import ImportFatal, ImportKind, Mapping, open_table
from workbench.rules.stages import Stage
from workbench.services.export import export_leads
from workbench.services.imports import run_import
from workbench.store.leads import Store

FIXTURES = Path(__file__).parent.parent / "fixtures" / "imports"


@pytest.fixture
def team(store):
    return {"ana": store.add_user("Ana Rep", "ana@sales.example"),
            "ben": store.add_user("Ben Rep", "ben@sales.example")}


@pytest.fixture
def files(tmp_path):
    """The fixtures copied beside the test's database: error files are written there."""
    folder = tmp_path / "files"
    shutil.copytree(FIXTURES, folder)
    return folder


def write_csv(path: Path, rows: list[list[str]], encoding="utf-8", delimiter=","):
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def leads(store, *columns):
    with closing(sqlite3.connect(store.path)) as conn:
        return conn.execute(f"SELECT {', '.join(columns)} FROM leads l LEFT JOIN companies c "
                            "ON c.id = l.company_id ORDER BY l.id").fetchall()


@pytest.mark.parametrize(("name", "format", "expected"), [
    ("hubspot_contacts.csv", "HubSpot contacts export",
     {"Record ID": "external_id", "Lifecycle Stage": "stage", "Lead Status": "custom",
      "Contact owner": "owner", "Original Source": "source", "Website URL": "website",
      "Number of Employees": "employees", "Country/Region": "country"}),
    ("salesforce_leads.csv", "Salesforce leads export",
     {"Lead ID": "external_id", "Company / Account": "company", "Lead Status": "stage",
      "Lead Owner": "owner", "No. of Employees": "employees", "Converted": "outcome",
      "Rating": "custom", "Title": "job_title"}),
    ("odoo_crm.csv", "Odoo CRM export",
     {"ID": "external_id", "Contact Name": "full_name", "Customer": "company",
      "Salesperson": "owner", "Job Position": "job_title", "Opportunity": "custom",
      "Created on": "created_at"}),
    ("plain_cp1252_semicolon.csv", "plain headers",
     {"First Name": "first_name", "Lead Status": "stage", "Lead Source": "source",
      "Employees": "employees", "Created": "created_at"}),
])
def test_headers_of_each_crm_export_are_recognised(name, format, expected):
    table = open_table(FIXTURES / name)
    table.rows.close()
    mapping = Mapping.detect(table.headers, ImportKind.LEADS)
    assert mapping.format == format
    for header, target in expected.items():
        assert mapping.columns[header] == target, header


def test_each_format_imports_with_normalised_values(store, team, files):
    for name in ("hubspot_contacts.csv", "salesforce_leads.csv", "odoo_crm.csv",
                 "plain_cp1252_semicolon.csv"):
        result = run_import(store, files / name)
        assert (result.imported, result.skipped) == (result.read, 0), name
    rows = {r[0]: r[1:] for r in leads(
        store, "l.email", "l.first_name", "l.last_name", "l.stage", "l.source", "l.seniority",
        "l.owner_id", "c.domain", "c.employee_band", "c.revenue_band", "c.country",
        "l.historic_outcome", "l.custom_fields")}
    assert rows["hanna.berg@nordlicht.io"][:7] == (
        "Hanna", "Berg", "mql", "organic_search", "vp", team["ana"], "nordlicht.io")
    assert rows["hanna.berg@nordlicht.io"][7:10] == ("51-200", "10M-50M", "DE")
    assert json.loads(rows["hanna.berg@nordlicht.io"][11]) == {"Lead Status": "OPEN"}
    assert rows["owen.clarke@brightpath.co.uk"][5] == team["ben"]  # owner by name
    raj = rows["raj.patel@gmail.com"]  # N/A, Select and - are missing values
    assert raj[6:10] == (None, None, None, None) and raj[4] == "student"
    laura = rows["laura.fernandez@acmelogistics.com"]
    assert laura[2:4] == ("mql", "web_form") and laura[7:10] == ("1001-5000", "50M-250M", "US")
    assert laura[10] is None  # Converted = 0 on an open lead: no outcome yet
    assert rows["mia@lotusanalytics.sg"][2] == "opportunity"
    assert rows["mia@lotusanalytics.sg"][10] == "won"
    assert rows["peter.nowak@nowak.pl"][2::8] == ("disqualified", "lost")
    assert rows["sofie.janssens@vlaanderen-data.be"][:2] == ("Sofie", "Janssens")
    assert rows["anna@nilsson.se"][2] == "customer"
    juergen = rows["juergen.mueller@stahlwerk-sued.de"]  # cp1252, semicolons, 1.200
    assert (juergen[0], juergen[4], juergen[7], juergen[9]) == (
        "Jürgen", "c_level", "1001-5000", "DE")
    with closing(sqlite3.connect(store.path)) as conn:
        assert conn.execute("SELECT count(*) FROM lead_search WHERE lead_search MATCH "
                            "'\"nordlicht\"*'").fetchone()[0] == 1
        history = conn.execute("SELECT from_stage, to_stage, reason_code FROM stage_changes "
                               "ORDER BY id LIMIT 1").fetchone()
    assert history == (None, "mql", "import")
    assert store.lead(1).score != 0  # scored after the import


def test_messy_rows_are_reported_and_left_out_the_rest_goes_in(store, team, tmp_path):
    path = write_csv(tmp_path / "messy.csv", [
        ["First Name", "Last Name", "Email", "Company", "Country", "Employees", "Created",
         "Lead Status", "Owner"],
        ["Ada", "Ok", "  ADA@Example.COM ", "=HYPERLINK(\"http://x\")", "uk", "51 to 200",
         "11/23/2026", "", "nobody@else.example"],
        ["Bad", "Email", "not-an-email", "X", "DE", "", "", "", ""],
        ["Bad", "Country", "c@x.example", "X", "Atlantis", "", "", "", ""],
        ["Bad", "Date", "d@x.example", "X", "", "", "31/31/2026", "", ""],
        ["Bad", "Stage", "e@x.example", "X", "", "", "", "Thinking about it", ""],
        ["", "", "", "Nameless Ltd", "", "", "", "", ""],
        ["Dora", "Fine", "dora@x.example", "null", "Deutschland", "1,200", "23.11.2026",
         "Open - Not Contacted", ""],
    ])
    result = run_import(store, path)
    assert (result.read, result.imported, result.skipped) == (7, 3, 4)
    with result.errors_file.open(encoding="utf-8") as f:
        problems = list(csv.DictReader(f))
    assert [(p["row"], p["column"], p["reason"][:24]) for p in problems] == [
        ("2", "Owner", "no user with this email "), ("3", "Email", "not an email address"),
        ("4", "Country", "not a country name or co"), ("5", "Created", "not a date"),
        ("6", "Lead Status", "not a stage the workbenc"), ("7", "", "no name, email or id")]
    assert [p["row imported"] for p in problems] == ["yes", "no", "yes", "no", "no", "no"]
    rows = leads(store, "l.email", "c.name", "c.country", "c.employee_band", "l.created_at",
                 "l.stage", "l.owner_id")
    assert rows[0] == ("ada@example.com", "=HYPERLINK(\"http://x\")", "GB", "51-200",
                       "2026-11-23 00:00:00.000000", "lead", None)
    assert rows[1][:3] == ("c@x.example", "X", None)  # an unknown country keeps its row
    assert rows[2][1:6] == (None, None, None, "2026-11-23 00:00:00.000000", "mql")


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV or XLSX file"),
    (b"PK\x03\x04 not really a workbook", "not a CSV or XLSX file"),
    (b"", "is empty"),
    (b"Company,Industry\nAcme,Software\n", "no usable name, email or id column"),
    (b"Email,Email\na@b.example,c@d.example\n", "two columns named 'Email'"),
])
def test_fatal_problems_stop_with_a_message_and_write_nothing(store, tmp_path, content,
                                                              message):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    before = store.stats().leads
    with pytest.raises(ImportFatal, match=message):
        run_import(store, path)
    assert store.stats().leads == before
    assert not (tmp_path / "input.errors.csv").exists()


def test_a_wrong_encoding_after_the_start_writes_nothing(store, tmp_path):
    good = [f"Lead{i},Person,p{i}@x.example" for i in range(3000)]
    data = ("First Name,Last Name,Email\n" + "\n".join(good) + "\n").encode("utf-8")
    path = tmp_path / "late.csv"
    path.write_bytes(data + "Zoë,Broken,z@x.example\n".encode("latin-1"))
    with pytest.raises(ImportFatal, match="is not utf-8 text"):
        run_import(store, path)
    assert store.stats().leads == 0


def test_utf16_and_xlsx_files(store, tmp_path):
    write_csv(tmp_path / "u16.csv", [["Name", "Email"], ["Ana Lima", "ana@lima.example"]],
              encoding="utf-16", delimiter="\t")
    assert run_import(store, tmp_path / "u16.csv").imported == 1
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["First Name", "Last Name", "Email", "Create Date", "Number of Employees"])
    sheet.append(["Bo", "Xu", "bo@xu.example", datetime(2026, 5, 4, 10, 30), 75])
    book.save(tmp_path / "leads.xlsx")
    result = run_import(store, tmp_path / "leads.xlsx")
    assert result.imported == 1 and "XLSX" in result.format
    assert leads(store, "l.created_at", "c.employee_band")[-1] == (
        "2026-05-04 10:30:00.000000", None)  # no company: no band to keep


def test_importing_again_adds_nothing_and_never_moves_a_lead_back(store, team, files):
    first = run_import(store, files / "salesforce_leads.csv")
    lead = next(r[0] for r in leads(store, "l.id", "l.email")
                if r[1] == "laura.fernandez@acmelogistics.com")
    store.move_lead(lead, Stage.SAL, by=team["ana"])  # sales accepted it since
    again = run_import(store, files / "salesforce_leads.csv")
    assert (first.imported, again.imported, again.updated, again.unchanged) == (4, 0, 0, 4)
    assert store.lead(lead).stage == Stage.SAL
    assert store.stats().leads == 4


def test_a_changed_file_updates_values_and_advances_stages(store, team, tmp_path):
    path = write_csv(tmp_path / "v1.csv", [["Email", "First Name", "Lead Status", "Phone"],
                                           ["x@y.example", "Xi", "Lead", "1"]])
    run_import(store, path)
    write_csv(path, [["Email", "First Name", "Lead Status", "Phone"],
                     ["X@Y.example", "Xiu", "MQL", ""]])
    result = run_import(store, path)
    assert (result.imported, result.updated) == (0, 1)
    assert leads(store, "l.first_name", "l.phone", "l.stage") == [("Xiu", "1", "mql")]
    assert [(c.from_stage, c.to_stage) for c in store.stage_history(1)][-1] == (
        Stage.LEAD, Stage.MQL)
    # as the row triggers would have: clocks, and the move after the first follows it
    with closing(sqlite3.connect(store.path)) as conn:
        device = conn.execute("SELECT device FROM sync_state").fetchone()[0]
        first, second = conn.execute("SELECT id, hlc, follows FROM stage_changes "
                                     "ORDER BY id").fetchall()
    assert first[1] < second[1] and first[2] is None and second[2] == f"{device}-{first[0]}"


def test_imported_leads_are_found_by_search_and_the_index_keeps_merging(store, files):
    run_import(store, files / "salesforce_leads.csv", score=False)
    assert len(store.search_ids("fernandez")) == 1
    with closing(sqlite3.connect(store.path)) as conn:
        # the import changes how FTS5 merges its segments while it writes, then sets it back
        merging = dict(conn.execute("SELECT k, v FROM lead_search_config "
                                    "WHERE k IN ('automerge', 'crisismerge')").fetchall())
    assert merging == {"automerge": 4, "crisismerge": 16}


def test_a_row_cut_short_has_its_missing_cells_empty(store, tmp_path):
    path = write_csv(tmp_path / "short.csv", [
        ["Email", "First Name", "Company", "Country", "Favourite colour"],
        ["ana@alpha.example", "Ana", "Alpha", "DE", "blue"],
        ["bo@beta.example", "Bo", "Beta"],  # a spreadsheet that dropped the empty cells
    ])
    result = run_import(store, path, score=False)
    assert (result.imported, result.errors_file) == (2, None)
    assert leads(store, "l.first_name", "c.name", "c.country", "l.custom_fields") == [
        ("Ana", "Alpha", "DE", '{"Favourite colour":"blue"}'), ("Bo", "Beta", None, None)]


def test_a_saved_mapping_is_used_and_checked(store, files, tmp_path):
    saved = tmp_path / "sf.toml"
    assert cli.main(["import", str(files / "salesforce_leads.csv"), "--db", str(store.path),
                     "--save-mapping", str(saved)]) == 0
    text = saved.read_text().replace('Rating = "custom"', 'Rating = "ignore"')
    saved.write_text(text + '\n[stages]\n"Working - Contacted" = "mql"\n')
    run_import(store, files / "salesforce_leads.csv", mapping_path=saved, score=False)
    rows = {r[0]: r[1:] for r in leads(store, "l.email", "l.stage", "l.custom_fields")}
    assert rows["tom@beckertools.de"] == ("mql", None)
    saved.write_text('[columns]\n"Shoe Size" = "email"\n')  # another file's column: a warning
    again = run_import(store, files / "salesforce_leads.csv", mapping_path=saved)
    assert again.warnings == ["The mapping sf.toml names a column 'Shoe Size' that this file "
                              "does not have; it was left out."]
    saved.write_text('[columns]\n"Email" = "shoe_size"\n')
    with pytest.raises(ImportFatal, match="maps 'Email' to 'shoe_size', which is not one of"):
        run_import(store, files / "salesforce_leads.csv", mapping_path=saved)


def test_a_dry_run_counts_and_writes_nothing(store, files):
    result = run_import(store, files / "odoo_crm.csv", dry_run=True)
    assert (result.imported, result.dry_run) == (3, True) and store.stats().leads == 0


def test_activities_and_intent_signals(store, team, tmp_path):
    store.add_lead(first_name="Ann", last_name="Act", email="ann@act.example",
                   external_id="EXT-1", stage=Stage.RECYCLED, at=datetime(2026, 11, 1),
                   revisit_on=date(2027, 2, 1))
    path = write_csv(tmp_path / "events.csv", [
        ["Email", "External ID", "Timestamp", "Event Type", "Page URL"],
        ["ann@act.example", "", "2026-11-20 10:00", "Page View", "https://x.example/pricing"],
        ["", "EXT-1", "2026-11-21 11:00", "demo request", ""],
        ["who@nobody.example", "", "2026-11-21 11:00", "page_view", ""],
        ["ann@act.example", "", "2026-11-21 12:00", "teleport", ""],
    ])
    result = run_import(store, path, ImportKind.ACTIVITIES)
    assert (result.imported, result.skipped) == (2, 2)
    detail = store.lead_detail(1)
    assert {(a.kind, a.page_kind) for a in detail.activities} >= {
        ("page_view", "pricing"), ("demo_request", None)}
    assert store.lead(1).stage == Stage.MQL  # strong intent brought it back
    assert store.lead(1).score > 0
    assert run_import(store, path, ImportKind.ACTIVITIES).imported == 0  # idempotent
    intent = write_csv(tmp_path / "intent.csv", [
        ["Company Domain", "Topic", "Intent Score", "Week"],
        ["act.example", "Lead scoring", "82", "2026-11-16"],
        ["www.act.example", "CRM migration", "61", "2026-11-16"],
    ])
    assert run_import(store, intent, ImportKind.INTENT).imported == 2
    assert run_import(store, intent, ImportKind.INTENT).unchanged == 2


def test_export_neutralises_formulas_and_round_trips(store, team, tmp_path):
    store.add_lead(first_name="=cmd|' /C calc'!A0", last_name="@SUM(1)",
                   email="f@formula.example", phone="+49 30 1", stage=Stage.MQL,
                   custom_fields='{"Tier":"-gold","Region":"EMEA"}', owner_id=team["ana"])
    store.add_lead(first_name="Plain", last_name="Person", email="p@plain.example",
                   external_id="P-1", historic_outcome="won")
    csv_path, xlsx_path = tmp_path / "out.csv", tmp_path / "out.xlsx"
    assert export_leads(store, csv_path) == 2 and export_leads(store, xlsx_path) == 2
    text = csv_path.read_text(encoding="utf-8-sig")
    assert "'=cmd|" in text and "'@SUM(1)" in text and "'+49 30 1" in text
    assert "'-gold" in text and ",=cmd" not in text
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx_path).active
    first = [c for c in sheet[2]]
    assert first[1].value == "=cmd|' /C calc'!A0" and first[1].data_type == "s"
    for target in (tmp_path / "a.db", tmp_path / "b.db"):
        with Store.open(target) as empty:
            empty.add_user("Ana Rep", "ana@sales.example")
            run_import(empty, csv_path if target.name == "a.db" else xlsx_path)
            columns = ("l.first_name", "l.last_name", "l.email", "l.phone", "l.stage",
                       "l.external_id", "l.custom_fields", "l.historic_outcome", "l.owner_id")
            assert [tuple(json.loads(v) if c == "l.custom_fields" and v else v
                          for c, v in zip(columns, row, strict=True))
                    for row in leads(empty, *columns)] == \
                [tuple(json.loads(v) if c == "l.custom_fields" and v else v
                       for c, v in zip(columns, row, strict=True))
                 for row in leads(store, *columns)]


def test_export_of_one_stage_and_a_bad_target(store, capsys, tmp_path):
    store.add_lead(first_name="M", last_name="Q", email="m@q.example", stage=Stage.MQL)
    store.add_lead(first_name="L", last_name="D", email="l@d.example")
    out = tmp_path / "mql.csv"
    assert cli.main(["export", "--db", str(store.path), "--out", str(out),
                     "--stage", "mql"]) == 0
    assert out.read_text(encoding="utf-8-sig").count("\n") == 2
    assert cli.main(["export", "--db", str(store.path), "--out", str(tmp_path / "x.pdf")]) == 1
    assert "Export to a .csv or .xlsx file" in capsys.readouterr().err


def test_the_cli_import_json_contract_and_fatal_exit(store, team, files, capsys):
    assert cli.main(["import", str(files / "hubspot_contacts.csv"), "--db", str(store.path),
                     "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("imported", "updated", "skipped", "errors_file")} == {
        "imported": 4, "updated": 0, "skipped": 0, "errors_file": None}
    (files / "image.csv").write_bytes(b"\x00\x01\x02binary")
    assert cli.main(["import", str(files / "image.csv"), "--db", str(store.path)]) == 1
    err = capsys.readouterr().err
    assert "not a CSV or XLSX file" in err and err.count("\n") == 1


@pytest.mark.slow
def test_an_import_killed_midway_leaves_the_database_as_it_was(store, team, tmp_path):
    store.add_lead(first_name="Kept", last_name="Lead", email="kept@x.example")
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["First Name", "Last Name", "Email", "Company", "Country"])
        for i in range(300_000):
            writer.writerow([f"Name{i}", "Big", f"p{i}@big{i % 997}.example",
                             f"Company {i % 997}", "DE"])
    store.close()
    process = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "import", str(path), "--db", str(store.path),
         "--no-score"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wal = store.path.with_name(store.path.name + "-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if wal.exists() and wal.stat().st_size > 2_000_000:  # it is writing its transaction
            break
        time.sleep(0.05)
    assert process.poll() is None, "the import ended before it could be killed"
    process.kill()
    process.wait()
    with Store.open(store.path) as reopened:
        assert reopened.stats().leads == 1
        with closing(sqlite3.connect(reopened.path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*) FROM companies").fetchone()[0] == 0
        assert run_import(reopened, path, score=False).imported == 300_000


def _messy_big_rows(count: int) -> list[list[str]]:
    rows = [["Record ID", "First Name", "Last Name", "Email", "Country", "Notes"]]
    for i in range(count):
        notes = f"line one\nline two, of row {i}" if i % 7 == 0 else f"plain {i}"
        email = "not-an-email" if i % 50 == 3 else f"p{i}@x{i % 13}.example"
        country = "Atlantis" if i % 61 == 5 else "DE"
        rows.append([f"R-{i % (count - 20)}", f"Name{i}", "Big", email, country, notes])
        if i % 97 == 0:
            rows.append(["", "", "", "", "", ""])
    return rows


def test_a_large_file_read_in_two_parts_imports_as_one_reader_would(tmp_path, monkeypatch):
    from workbench.files import split

    # quoted line breaks, blank rows, bad values and repeated leads (the last row wins)
    # on both sides of the middle, CRLF line ends (the csv module's)
    path = write_csv(tmp_path / "big.csv", _messy_big_rows(3000))
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 0)
    assert split.plan_split(path, open_table(path).csv_format) is not None
    results, tables, problems, shares = [], [], [], []
    for name, threshold in (("halves", 0), ("one", 10**12)):
        monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", threshold)
        with Store.open(tmp_path / f"{name}.db") as opened:
            result = run_import(opened, path, score=False, progress=shares.append)
            results.append(result.to_json())
            tables.append(leads(opened, "l.id", "l.external_id", "l.first_name", "l.email",
                                "l.custom_fields", "c.country"))
            problems.append(result.errors_file.read_text(encoding="utf-8"))
    assert results[0] == results[1] and results[0]["skipped"] > 50
    assert shares[-1] == 1.0 and all(0 < share <= 1 for share in shares)  # 1: all read
    # R-0 again after the middle: row 2 + 2,980 rows + 31 blank ones
    assert problems[0].splitlines()[1] == '2,,,"the same lead as row 3013, which was used ' \
        'instead",no'
    assert results[0]["rows"] == 3000 and tables[0] == tables[1] and problems[0] == problems[1]
    notes = {row[1]: json.loads(row[4])["Notes"] for row in tables[0]}
    assert notes["R-21"] == "line one\nline two, of row 21"


def test_a_large_file_of_one_huge_record_is_read_by_one_reader(store, tmp_path,
                                                                monkeypatch):
    import multiprocessing
    import tempfile

    from workbench.files import split

    # large enough to split, but no record begins after the first part: the helper finds
    # nothing to read, and goes
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = write_csv(tmp_path / "huge.csv", [["Email", "Notes"], ["a@x.example", "short"],
                                             ["b@x.example", "long " * 20_000]])
    assert split.may_split(path, open_table(path))
    assert split.plan_split(path, open_table(path).csv_format) is None
    assert run_import(store, path, score=False).imported == 2
    assert not multiprocessing.active_children()
    assert not list(tmp_path.glob(f"{split.FOLDER_PREFIX}*"))


def test_the_folders_of_killed_imports_are_removed_once_stale(tmp_path):
    import os

    from workbench.files import split

    stale, current = tmp_path / "workbench-import-old", tmp_path / "workbench-import-new"
    for folder in (stale, current):
        folder.mkdir()
        (folder / "second-part.db").write_bytes(b"rows")
    os.utime(stale, (time.time() - 2 * 24 * 3600,) * 2)
    os.utime(current, (time.time() - 3600,) * 2)  # by the process's clock, however set
    split.remove_stale_folders(tmp_path)
    assert not stale.exists() and (current / "second-part.db").exists()


def test_a_fatal_problem_in_the_second_part_writes_nothing(store, tmp_path, monkeypatch):
    from workbench.files import split

    path = write_csv(tmp_path / "big.csv", _messy_big_rows(3000))
    path.write_bytes(path.read_bytes() + b"Ok,Bad \xff byte,x,bad@x.example,DE,x\r\n")
    last_line = path.read_bytes().count(b"\n")
    monkeypatch.setattr(split, "PARALLEL_MIN_BYTES", 0)
    with pytest.raises(ImportFatal, match=f"line {last_line} is not utf-8 text"):
        run_import(store, path)
    assert store.count_leads() == 0


def test_a_repeated_bad_value_is_reported_on_every_row_and_custom_text_is_kept(store,
                                                                               tmp_path):
    # each distinct value is parsed once: its problem must still reach every row with it
    odd = 'He said "yes" \\ ünïcode\ttab'
    path = write_csv(tmp_path / "repeats.csv", [
        ["Email", "Company", "Country", "Created", "Notes"],
        *[[f"p{i}@x.example", "X", "DE", "someday" if i % 2 else "2026-11-23", odd]
          for i in range(6)]])
    result = run_import(store, path, score=False)
    assert (result.imported, result.skipped) == (3, 3)
    with result.errors_file.open(encoding="utf-8") as f:
        assert [(p["row"], p["value"]) for p in csv.DictReader(f)] == [
            ("3", "someday"), ("5", "someday"), ("7", "someday")]
    rows = leads(store, "l.custom_fields", "c.country", "l.created_at")
    assert [json.loads(r[0]) for r in rows] == [{"Notes": odd}] * 3
    assert {r[1:] for r in rows} == {("DE", "2026-11-23 00:00:00.000000")}


def test_possible_duplicates_are_listed_and_a_merge_keeps_both_histories(store, team,
                                                                         capsys):
    acme = dict(company="Acme", website="acme.example")
    run_import_rows = [
        {"first_name": "Ann", "last_name": "Lee", "email": "ann@acme.example", **acme,
         "stage": "mql", "external_id": "A-1", "custom_fields": '{"Tier":"gold"}'},
        {"first_name": "ann", "last_name": "LEE", "email": "ann.lee@acme.example", **acme,
         "phone": "+1 555", "external_id": "B-7", "custom_fields": '{"Tier":"x","Lang":"en"}'},
        {"first_name": "Bob", "last_name": "Kay", "email": "ann@acme.example"},
    ]
    store.import_leads(({"row": i + 2, **r} for i, r in enumerate(run_import_rows)),
                       note="test", at=datetime(2026, 11, 1))
    pairs = [(p.first, p.second, p.why) for p in store.possible_duplicates()]
    assert pairs == [(1, 2, "same name at acme.example"), (1, 3, "same email")]
    store.set_bant(2, "need", "confirmed", "Leads lost in a shared inbox")
    store.add_note(2, "Called, wants a demo")
    store.move_lead(2, Stage.MQL, by=team["ana"])
    history = len(store.stage_history(1)) + len(store.stage_history(2))
    assert cli.main(["merge", "1", "2", "--db", str(store.path), "--as",
                     "ana@sales.example"]) == 0
    assert "merged into lead 1" in capsys.readouterr().out
    row = leads(store, "l.id", "l.external_id", "l.phone", "l.custom_fields")[0]
    assert row[:3] == (1, "A-1", "+1 555")
    assert json.loads(row[3]) == {"Tier": "gold", "Lang": "en"}  # the kept lead's value wins
    assert len(store.stage_history(1)) == history
    notes = [a.note for a in store.lead_detail(1).activities if a.kind == "note"]
    assert "Called, wants a demo" in notes and any(n.startswith("Merged with lead 2") for n in
                                                   notes)
    assert store.bant(1)["need"] == ("confirmed", "Leads lost in a shared inbox")
    assert store.search_ids("demo") == [1]
    assert [p.second for p in store.possible_duplicates()] == [3]
    assert cli.main(["merge", "1", "99", "--db", str(store.path)]) == 1
    assert "There is no lead 99" in capsys.readouterr().err


def test_company_intent_counts_for_every_lead_there_with_decay(store, tmp_path):
    from workbench.services import scoring

    for name in ("Ann", "Bo"):
        store.add_lead(first_name=name, last_name="Acme", email=f"{name.lower()}@acme.example",
                       company_id=None)
    store.import_leads(({"row": 2, "email": "ann@acme.example", "company": "Acme",
                         "website": "acme.example"},
                        {"row": 3, "email": "bo@acme.example", "company": "Acme",
                         "website": "acme.example"}), note="test", at=datetime(2026, 11, 1))
    today = local_today()
    path = write_csv(tmp_path / "intent.csv", [
        ["Domain", "Topic", "Strength", "Date"],
        ["acme.example", "Lead scoring", "90", today.isoformat()],
        ["acme.example", "CRM", "50", today.isoformat()],
        ["acme.example", "Payroll", "10", today.isoformat()],  # too weak to count
    ])
    run_import(store, path, ImportKind.INTENT)
    for lead_id in (1, 2):
        parts = {p.rule: p.points for p in scoring.explain(
            store, store.current_criteria(), lead_id).breakdown}
        assert parts["Their company researches our topics (strong intent)"] == 6
        assert parts["Their company researches our topics"] == 3
        assert store.lead(lead_id).score == sum(parts.values())
