"""A rep (and a manager) trying, with plain SQL as psql would send it, what their role may
not do on the team server: each attempt is refused by the server itself."""

import uuid
from datetime import datetime

import psycopg
import pytest

from tests.sync.conftest import role_url
from workbench.sync.server import add_account, init_server

AT = "2026-11-02 09:00:00"
PASSWORDS = {"ana": "ana-pw", "ben": "ben-pw", "dana": "dana-pw"}
Refused = psycopg.errors.InsufficientPrivilege


@pytest.fixture
def team(server_url):
    """Ana's lead at Acme, Ben's at Globex and a pool lead, each with a stage change and a
    note by its owner (the pool's by the manager)."""
    init_server(server_url)
    roles = {name: add_account(server_url, email=f"{name}@sales.example", name=name.title(),
                               password=password, manager=name == "dana")
             for name, password in PASSWORDS.items()}
    with psycopg.connect(server_url, autocommit=True) as owner:
        users = {email.split("@")[0]: id_ for email, id_ in owner.execute(
            "SELECT email, id FROM users")}
        for uid, name in (("c-acme", "Acme"), ("c-globex", "Globex")):
            owner.execute("INSERT INTO companies (uid, name) VALUES (%s, %s)", (uid, name))
        for uid, owner_name, company in (("l-ana", "ana", "c-acme"),
                                         ("l-ben", "ben", "c-globex"), ("l-pool", None, None)):
            owner.execute(
                "INSERT INTO leads (uid, first_name, last_name, stage, owner_id, company_id, "
                "fit_score, engagement_score, score, created_at, updated_at, stage_entered_at) "
                "VALUES (%s, %s, 'Lead', 'mql', %s, (SELECT id FROM companies WHERE uid = %s), "
                "0, 0, 0, %s, %s, %s)",
                (uid, uid, users.get(owner_name), company, AT, AT, AT))
            by = users[owner_name or "dana"]
            owner.execute("INSERT INTO stage_changes (uid, lead_id, to_stage, changed_at, "
                          "user_id) SELECT %s, id, 'mql', %s, %s FROM leads WHERE uid = %s",
                          (f"s-{uid}", AT, by, uid))
            owner.execute("INSERT INTO activities (uid, lead_id, occurred_at, kind, note, "
                          "user_id) SELECT %s, id, %s, 'note', 'first call', %s FROM leads "
                          "WHERE uid = %s", (f"a-{uid}", AT, by, uid))
    return server_url, roles, users


def connect(team, name: str) -> psycopg.Connection:
    url, roles, _users = team
    return psycopg.connect(role_url(url, roles[name], PASSWORDS[name]), autocommit=True)


def owner_sees(team, sql: str, params=()) -> list[tuple]:
    with psycopg.connect(team[0], autocommit=True) as owner:
        return owner.execute(sql, params).fetchall()


# -- 1. tombstones -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["ana", "dana"])
@pytest.mark.parametrize("uid", ["l-ben", "l-ana"])
def test_nobody_writes_a_tombstone_for_a_lead(team, name, uid):
    with connect(team, name) as conn, pytest.raises(Refused):
        conn.execute("INSERT INTO sync_tombstones (uid) VALUES (%s)", (uid,))
    assert owner_sees(team, "SELECT uid FROM sync_tombstones") == []


def test_a_rep_cannot_remove_a_lead_and_a_managers_removal_is_the_tombstone(team):
    with connect(team, "ana") as ana, pytest.raises(Refused):
        ana.execute("DELETE FROM leads WHERE uid = 'l-ana'")
    with connect(team, "dana") as dana:
        assert dana.execute("DELETE FROM leads WHERE uid = 'l-ben'").rowcount == 1
    assert owner_sees(team, "SELECT uid FROM sync_tombstones") == [("l-ben",)]
    # its history went with it, and only it
    assert owner_sees(team, "SELECT uid FROM stage_changes ORDER BY uid") == [
        ("s-l-ana",), ("s-l-pool",)]


# -- 2. history ----------------------------------------------------------------------

REWRITES = [
    "UPDATE stage_changes SET to_stage = 'customer' WHERE uid = 's-l-ana'",
    "UPDATE stage_changes SET user_id = (SELECT id FROM users WHERE email LIKE 'dana@%%') "
    "WHERE uid = 's-l-ana'",
    "UPDATE stage_changes SET changed_at = '2026-01-01' WHERE uid = 's-l-ana'",
    "UPDATE activities SET note = 'never called' WHERE uid = 'a-l-ana'",
    "DELETE FROM stage_changes WHERE uid = 's-l-ana'",
    "DELETE FROM activities WHERE uid = 'a-l-ana'",
]


@pytest.mark.parametrize("name", ["ana", "dana"])
@pytest.mark.parametrize("sql", REWRITES)
def test_history_is_never_rewritten_or_removed_not_even_by_a_manager(team, name, sql):
    before = owner_sees(team, "SELECT * FROM stage_changes ORDER BY id")
    notes = owner_sees(team, "SELECT * FROM activities ORDER BY id")
    with connect(team, name) as conn, pytest.raises(Refused):
        conn.execute(sql)
    assert owner_sees(team, "SELECT * FROM stage_changes ORDER BY id") == before
    assert owner_sees(team, "SELECT * FROM activities ORDER BY id") == notes


def test_only_a_managers_merge_moves_history_to_another_lead(team):
    move = ("UPDATE stage_changes SET lead_id = (SELECT id FROM leads WHERE uid = 'l-pool') "
            "WHERE uid = 's-l-ana'")
    with connect(team, "ana") as ana, pytest.raises(Refused, match="only a manager merges"):
        ana.execute(move)
    with connect(team, "dana") as dana:
        assert dana.execute(move).rowcount == 1


def test_the_author_of_history_is_the_account_that_writes_it(team):
    _url, _roles, users = team
    with connect(team, "ana") as ana:
        ana.execute("INSERT INTO stage_changes (uid, lead_id, to_stage, changed_at, user_id) "
                    "SELECT 's-forged', id, 'sal', %s, %s FROM leads WHERE uid = 'l-ana'",
                    (AT, users["dana"]))
        ana.execute("INSERT INTO activities (uid, lead_id, occurred_at, kind, note, user_id) "
                    "SELECT 'a-forged', id, %s, 'note', 'approved', %s FROM leads "
                    "WHERE uid = 'l-ana'", (AT, users["dana"]))
        # the workbench's own moves (a promotion by score) have no author, and keep none
        ana.execute("INSERT INTO stage_changes (uid, lead_id, to_stage, changed_at) "
                    "SELECT 's-scored', id, 'mql', %s FROM leads WHERE uid = 'l-ana'", (AT,))
    with connect(team, "dana") as dana:
        dana.execute("INSERT INTO criteria_versions (uid, created_at, author_id, body) "
                     "VALUES ('v-forged', %s, %s, '{}')", (AT, users["ana"]))
        with pytest.raises(Refused):
            dana.execute("UPDATE criteria_versions SET note = 'agreed by all' "
                         "WHERE uid = 'v-forged'")
    assert owner_sees(team, "SELECT uid, user_id FROM stage_changes WHERE uid IN "
                      "('s-forged', 's-scored') ORDER BY uid") == [
        ("s-forged", users["ana"]), ("s-scored", None)]
    assert owner_sees(team, "SELECT user_id FROM activities WHERE uid = 'a-forged'") == [
        (users["ana"],)]
    assert owner_sees(team, "SELECT author_id FROM criteria_versions") == [(users["dana"],)]


# -- 3. companies --------------------------------------------------------------------

def test_a_rep_changes_only_companies_where_they_own_a_lead(team):
    with connect(team, "ana") as ana:
        assert ana.execute("UPDATE companies SET name = 'PWNED'").rowcount == 1
        ana.execute("INSERT INTO companies (uid, name) VALUES ('c-new', 'Initech')")
    assert owner_sees(team, "SELECT uid, name FROM companies ORDER BY uid") == [
        ("c-acme", "PWNED"), ("c-globex", "Globex"), ("c-new", "Initech")]
    with connect(team, "dana") as dana:
        assert dana.execute("UPDATE companies SET industry = 'Software'").rowcount == 3


# -- 4. giving a lead away -----------------------------------------------------------

def test_a_rep_takes_a_pool_lead_but_gives_none_back(team):
    _url, _roles, users = team
    with connect(team, "ana") as ana:
        with pytest.raises(Refused, match="back to the pool"):
            ana.execute("UPDATE leads SET owner_id = NULL WHERE uid = 'l-ana'")
        taken = ana.execute("UPDATE leads SET owner_id = %s WHERE uid = 'l-pool'",
                            (users["ana"],))
        assert taken.rowcount == 1
        with pytest.raises(Refused):
            ana.execute("UPDATE leads SET owner_id = NULL WHERE uid = 'l-pool'")
    with connect(team, "dana") as dana:  # a manager puts it back
        assert dana.execute("UPDATE leads SET owner_id = NULL WHERE uid = 'l-pool'"
                            ).rowcount == 1


# -- 5. accounts ---------------------------------------------------------------------

def test_two_emails_that_make_one_role_name_get_two_roles(team):
    url = team[0]
    first = add_account(url, email="repa.x@com", name="Repa X", password="first-pw")
    second = add_account(url, email="repa@x.com", name="Repa", password="second-pw")
    assert first != second
    for role, password in ((first, "first-pw"), (second, "second-pw")):
        with psycopg.connect(role_url(url, role, password)) as conn:
            assert conn.execute("SELECT workbench_user_id()").fetchone()[0] is not None
    # adding someone again keeps their role and sets their password
    assert add_account(url, email="repa.x@com", name="Repa X", password="new-pw") == first
    psycopg.connect(role_url(url, first, "new-pw")).close()


def test_a_role_the_team_does_not_know_is_never_taken_over(team):
    url = team[0]
    other = f"reporting_{uuid.uuid4().hex[:8]}"  # another application's role on the server
    with psycopg.connect(url, autocommit=True) as owner:
        owner.execute(f"CREATE ROLE {other} LOGIN PASSWORD 'theirs'")
    assert add_account(url, email=other, name="Someone", password="mine") != other
    psycopg.connect(role_url(url, other, "theirs")).close()


def test_a_manager_added_again_as_a_rep_is_a_rep(team):
    url, roles, _users = team
    assert add_account(url, email="dana@sales.example", name="Dana",
                       password="dana-pw") == roles["dana"]
    with connect(team, "dana") as dana:
        assert [r[0] for r in dana.execute("SELECT uid FROM leads ORDER BY uid")] == ["l-pool"]
        with pytest.raises(Refused):
            dana.execute("DELETE FROM leads WHERE uid = 'l-pool'")
        assert not dana.execute("SELECT pg_has_role(session_user, 'workbench_manager', "
                                "'MEMBER')").fetchone()[0]
    assert owner_sees(team, "SELECT role FROM users WHERE email = 'dana@sales.example'") == [
        ("rep",)]


# -- 6. erasure ----------------------------------------------------------------------

def test_an_erasure_empties_the_leads_history_and_no_client_brings_the_person_back(team):
    with connect(team, "ana") as ana:
        with pytest.raises(Refused, match="never changed"):  # not before the erasure
            ana.execute("UPDATE activities SET note = NULL WHERE uid = 'a-l-ana'")
        ana.execute("UPDATE leads SET erased_at = %s WHERE uid = 'l-ana'", (AT,))
        ana.execute("UPDATE leads SET first_name = 'Back', email = 'back@acme.example', "
                    "erased_at = NULL, do_not_contact = false WHERE uid = 'l-ana'")
        with pytest.raises(Refused, match="never changed"):
            ana.execute("UPDATE activities SET note = 'called again' WHERE uid = 'a-l-ana'")
    assert owner_sees(team, "SELECT first_name, last_name, email, erased_at, do_not_contact "
                            "FROM leads WHERE uid = 'l-ana'") == [
        ("Erased person", "", None, datetime.fromisoformat(AT), True)]
    assert owner_sees(team, "SELECT uid, note FROM activities ORDER BY uid") == [
        ("a-l-ana", None), ("a-l-ben", "first call"), ("a-l-pool", "first call")]
