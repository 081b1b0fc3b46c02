"""Real marketing and CRM exports imported as they are (issue 22, item 4): each with a small
file written here, imported with at most a mapping that names columns."""

import csv
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from workbench.services.imports import run_import
from workbench.store.leads import BoardFilter


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def column(database, sql: str) -> list:
    """The rows of a query on a store's database (or a database file): values, or tuples."""
    with closing(sqlite3.connect(getattr(database, "path", database))) as conn:
        return [r[0] if len(r) == 1 else r for r in conn.execute(sql)]


def problems(result) -> list[dict]:
    if result.errors_file is None:
        return []
    with result.errors_file.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize(("header", "yes", "no"), [
    ("Converted", "1", "0"), ("Converted", "yes", "no"), ("Is converted", "TRUE", "false"),
    ("Outcome", "won", "lost"), ("Won date", "2026-03-14", ""),
])
def test_an_outcome_column_gives_won_and_lost_outcomes(store, tmp_path, header, yes, no):
    path = write_csv(tmp_path / "history.csv", [
        ["Email", "First name", header],
        ["a@one.example", "Ann", yes], ["b@two.example", "Bo", no],
        ["c@three.example", "Cy", no], ["d@four.example", "Di", yes],
    ])
    result = run_import(store, path)
    assert (result.imported, result.skipped) == (4, 0)
    assert column(store, "SELECT historic_outcome FROM leads ORDER BY id") == [
        "won", "lost", "lost", "won"]


def test_a_not_converted_flag_on_a_lead_still_worked_is_no_outcome_yet(store, tmp_path):
    path = write_csv(tmp_path / "open.csv", [
        ["Email", "Status", "Converted"],
        ["a@one.example", "Working - Contacted", "0"], ["b@two.example", "Unqualified", "0"],
    ])
    run_import(store, path)
    assert column(store, "SELECT historic_outcome FROM leads ORDER BY id") == [None, "lost"]


def test_a_row_with_only_an_id_imports_and_is_shown_by_it_until_named(store, tmp_path):
    ids = write_csv(tmp_path / "ids.csv", [["Lead ID", "Company"], ["4711", "Acme"],
                                           ["4712", ""], ["", "Nobody Ltd"]])
    result = run_import(store, ids)
    assert (result.imported, result.skipped) == (2, 1)
    assert [(p["row"], p["reason"]) for p in problems(result)] == [("4", "no name, email or id")]
    lead = column(store, "SELECT id FROM leads WHERE external_id = '4711'")[0]
    assert store.lead(lead).name == "No name (id 4711)"
    named = write_csv(tmp_path / "named.csv", [["Lead ID", "Name"], ["4711", "Ada Lovelace"]])
    assert run_import(store, named).updated == 1
    assert store.lead(lead).name == "Ada Lovelace"
    cards = store.board_page("lead", BoardFilter())
    assert sorted((c.name, c.company) for c in cards) == [
        ("Ada Lovelace", "Acme"), ("No name (id 4712)", None)]


def test_a_lead_is_found_by_the_id_its_export_gave_it(store, tmp_path):
    run_import(store, write_csv(tmp_path / "ids.csv", [["Lead ID", "Name"], ["4711", ""],
                                                      ["L-22", "Ada Lovelace"]]))
    by_id = {i: column(store, f"SELECT id FROM leads WHERE external_id = '{i}'")[0]
             for i in ("4711", "L-22")}
    assert store.search_ids("4711") == [by_id["4711"]]
    assert store.search_ids(" L-22 ") == [by_id["L-22"]]
    assert [c.name for c in store.board_page("lead", BoardFilter(search="4711"))] == [
        "No name (id 4711)"]
    assert store.search_ids("471") == []  # an id is matched whole, not by its start


def test_a_file_of_closed_deals_marks_those_leads_won_joined_by_id(store, tmp_path):
    write_csv(tmp_path / "leads.csv", [["Lead ID", "Email"], ["L-1", "a@one.example"],
                                       ["L-2", "b@two.example"], ["L-3", "c@three.example"]])
    run_import(store, tmp_path / "leads.csv")
    deals = write_csv(tmp_path / "closed.csv", [["Deal", "Closed on"], ["L-1", "2026-03-01"],
                                                ["L-3", "03/02/2026"]])
    mapping = tmp_path / "closed.toml"
    mapping.write_text('[columns]\nDeal = "external_id"\n"Closed on" = "ignore"\n\n'
                       '[constants]\noutcome = "won"\n', encoding="utf-8")
    result = run_import(store, deals, mapping_path=mapping)
    assert (result.imported, result.updated, result.skipped) == (0, 2, 0)
    assert column(store, "SELECT external_id, historic_outcome FROM leads ORDER BY id") == [
        ("L-1", "won"), ("L-2", None), ("L-3", "won")]


def test_a_mapping_maps_a_columns_values(store, tmp_path):
    path = write_csv(tmp_path / "crm.csv", [["Email", "Result", "Phase"],
                                            ["a@one.example", "Signed", "Neu"],
                                            ["b@two.example", "Dropped", "Verloren"],
                                            ["c@three.example", "", "Neu"]])
    mapping = tmp_path / "crm.toml"
    mapping.write_text('[columns]\nResult = "outcome"\nPhase = "stage"\n\n'
                       '[values.Result]\nsigned = "won"\nDropped = "lost"\n\n'
                       '[values.Phase]\nneu = "lead"\nverloren = "disqualified"\n',
                       encoding="utf-8")
    result = run_import(store, path, mapping_path=mapping)
    assert (result.imported, result.skipped) == (3, 0)
    assert column(store, "SELECT stage, historic_outcome FROM leads ORDER BY id") == [
        ("lead", "won"), ("disqualified", "lost"), ("lead", None)]


def test_a_mapping_naming_a_column_the_file_lacks_warns_and_imports(store, tmp_path, capsys):
    from workbench import cli

    mapping = tmp_path / "system.toml"
    mapping.write_text('[columns]\n"Won date" = "won_on"\n"Rep" = "owner"\n\n'
                       '[values."Won date"]\nnever = ""\n', encoding="utf-8")
    fresh = write_csv(tmp_path / "fresh.csv", [["Email", "Name"], ["a@one.example", "Ann"]])
    result = run_import(store, fresh, mapping_path=mapping)
    assert result.imported == 1
    assert result.warnings == [
        f"The mapping system.toml names a column '{header}' that this file does not have; "
        "it was left out." for header in ("Won date", "Rep")]
    assert cli.main(["import", "--db", str(store.path), str(fresh), "--mapping",
                     str(mapping)]) == 0
    assert "Warning: The mapping system.toml names a column 'Rep'" in capsys.readouterr().err


@pytest.mark.parametrize(("toml", "message"), [
    ('[constants]\noutcome = "maybe"', "gives 'outcome' the constant 'maybe': not an outcome"),
    ('[constants]\nshoe_size = "42"', "gives 'shoe_size' a constant, but that is not one of"),
    ('[columns]\nEmail = "email"\n[constants]\nemail = "x@y.example"',
     "gives 'email' a constant and the column 'Email' too; keep one"),
    ('[columns]\nEmail = "e-mail"', "maps 'Email' to 'e-mail', which is not one of"),
    ('[values]\nEmail = "x"', 'must list values as "in the file" = "read as"'),
    ('[columns\n', "cannot be read"),
])
def test_a_bad_mapping_is_refused_in_one_line_and_nothing_changes(store, tmp_path, toml,
                                                                  message):
    from workbench.files.reading import ImportFatal

    path = write_csv(tmp_path / "leads.csv", [["Email"], ["a@one.example"]])
    mapping = tmp_path / "bad.toml"
    mapping.write_text(toml + "\n", encoding="utf-8")
    with pytest.raises(ImportFatal, match=message) as refused:
        run_import(store, path, mapping_path=mapping)
    assert "\n" not in str(refused.value) and str(mapping) in str(refused.value)
    assert store.count_leads() == 0


# marketing tools' headers, a file per family: ids, origin or channel, first contact date,
# landing page (each spelled as one tool writes it)
HEADER_FAMILIES = {
    "prospects": ["Prospect Id", "Email", "Origin", "First Contact Date", "Landing Page"],
    "leads": ["LeadId", "Email", "Channel", "First contact", "Landing page URL"],
    "contacts": ["Contact ID", "Email", "Lead channel", "Date of first contact",
                 "First page seen"],
    "persons": ["Person ID", "Email", "Lead Origin", "Created At", "Entry page"],
}


@pytest.mark.parametrize("family", HEADER_FAMILIES)
def test_common_headers_of_marketing_tools_are_recognised(store, tmp_path, family):
    headers = HEADER_FAMILIES[family]
    path = write_csv(tmp_path / f"{family}.csv", [
        headers, ["P-77", "ann@one.example", "Paid Search", "2026-02-03", "https://x.example/demo"],
    ])
    result = run_import(store, path)
    assert (result.imported, result.skipped, result.format.split(" (")[0]) == (
        1, 0, "plain headers")
    assert column(store, "SELECT external_id, source, created_at, custom_fields FROM leads") == [
        ("P-77", "paid_ads", "2026-02-03 00:00:00.000000",
         '{"Landing page":"https://x.example/demo"}')]


def test_country_is_kept_on_a_lead_without_a_company_and_an_unknown_one_keeps_its_row(
        store, tmp_path):
    from workbench.services.export import export_leads

    path = write_csv(tmp_path / "people.csv", [
        ["Email", "Name", "Company", "Country"],
        ["a@one.example", "Ann One", "", "Germany"],
        ["b@two.example", "Bo Two", "Acme", "fr"],
        ["c@three.example", "Cy Three", "", "Atlantis"],
    ])
    result = run_import(store, path)
    assert (result.imported, result.skipped) == (3, 0)
    assert column(store, "SELECT l.country, c.country, l.custom_fields FROM leads l LEFT JOIN "
                         "companies c ON c.id = l.company_id ORDER BY l.id") == [
        ("DE", None, None), (None, "FR", None), (None, None, '{"Country":"Atlantis"}')]
    assert [(p["row"], p["column"], p["value"], p["reason"], p["row imported"])
            for p in problems(result)] == [
        ("4", "Country", "Atlantis",
         "not a country name or code; kept as the custom field 'Country'", "yes")]
    # the model, the fit rules and exports read a lead's own country without a company
    facts = {row[0]: row[7] for row in store.conversion_facts(labelled=False)}
    assert list(facts.values()) == ["DE", "FR", None]
    export_leads(store, tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert {len(row) for row in rows} == {len(rows[0])}  # the kept "Country" has no column
    assert [row[rows[0].index("Country")] for row in rows[1:]] == ["DE", "FR", ""]


def test_an_export_imported_into_a_new_database_keeps_its_leads_stages_and_owners(
        demo_db, tmp_path):
    """What the README says an export keeps; an extra "Lead Status" column (another system's
    values) stays a custom field and moves no lead."""
    from workbench.files.reading import ImportKind
    from workbench.services.export import export_activities, export_leads
    from workbench.store.leads import Store

    copy = tmp_path / "demo.db"
    copy.write_bytes(demo_db.read_bytes())
    with closing(sqlite3.connect(copy)) as conn, conn:
        assert conn.execute("UPDATE activities SET outcome = CASE WHEN id % 2 THEN 'connected' "
                            "ELSE 'no_answer' END WHERE kind = 'call'").rowcount > 10
    exported, activities = tmp_path / "leads.csv", tmp_path / "activities.csv"
    with Store.open(copy) as old:
        export_leads(old, exported)
        assert export_activities(old, activities) == column(
            copy, "SELECT count(*) FROM activities")[0]
        users = [(name, email) for _id, name, email, _role in old.users()]
    with exported.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    statuses = ("Open", "Contacted", "Thinking about it", "")
    write_csv(exported, [rows[0] + ["Lead Status"]]
              + [row + [statuses[i % 4]] for i, row in enumerate(rows[1:])])
    with Store.open(tmp_path / "new.db") as new:
        for name, email in users:
            new.add_user(name, email)
        result = run_import(new, exported, score=False)
        assert result.format.startswith("Workbench export")
        # leads sharing an email (and no external id) are one lead to an import
        shared = column(copy, "SELECT count(*) - count(DISTINCT coalesce(external_id, email)) "
                              "FROM leads")[0]
        assert (result.read, result.imported, result.skipped) == (2000, 2000 - shared, shared)
        kept = ("SELECT coalesce(l.external_id, l.email), l.stage, u.email, l.created_at, "
                "l.source, l.historic_outcome FROM leads l LEFT JOIN users u ON u.id = "
                "l.owner_id WHERE l.id IN (SELECT max(id) FROM leads GROUP BY "
                "coalesce(external_id, email)) ORDER BY 1")
        assert column(new, kept) == column(copy, kept)
        acted = run_import(new, activities, ImportKind.ACTIVITIES)
        assert (acted.skipped, acted.errors_file) == (0, None)
    # every activity, with its rep and note, on the lead of its external id, else of its
    # email (of two leads sharing an email, the older one)
    done = ("SELECT l.email, a.occurred_at, a.kind, a.url, u.email, a.note, a.outcome "
            "FROM activities a "
            "JOIN leads l ON l.id = a.lead_id LEFT JOIN users u ON u.id = a.user_id "
            "ORDER BY 1, 2, 3, 4, 6, 7")
    assert column(tmp_path / "new.db", done) == column(copy, done)
    assert column(tmp_path / "new.db", "SELECT DISTINCT json_extract(custom_fields, "
                  "'$.\"Lead Status\"') FROM leads ORDER BY 1") == [None, *sorted(statuses[:3])]



def test_an_activity_file_names_the_rep_and_how_a_touch_went(store, tmp_path):
    from workbench.files.reading import ImportKind

    ana = store.add_user("Ana Rep", "ana@sales.example")
    run_import(store, write_csv(tmp_path / "leads.csv", [["Email"], ["a@one.example"]]))
    path = write_csv(tmp_path / "touches.csv", [
        ["Lead email", "Time", "Kind", "By", "Note", "Outcome"],
        ["a@one.example", "2026-11-02 10:00", "call", "ana@sales.example", "Busy", "No answer"],
        ["a@one.example", "2026-11-03 10:00", "call", "zed@else.example", "", "connected"],
        ["a@one.example", "2026-11-04 10:00", "call", "", "", "maybe"],
    ])
    result = run_import(store, path, ImportKind.ACTIVITIES)
    assert (result.imported, result.skipped) == (2, 1)
    assert [(p["row"], p["column"], p["reason"][:36], p["row imported"])
            for p in problems(result)] == [
        ("3", "By", "no user with this email or name; imp", "yes"),
        ("4", "Outcome", "not how a touch went (one of connect", "no")]
    assert column(store, "SELECT user_id, note, outcome FROM activities ORDER BY occurred_at") == [
        (ana, "Busy", "no_answer"), (None, None, "connected")]
