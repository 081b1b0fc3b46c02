"""The team server on a real PostgreSQL: schema, roles, and row-level security that holds
for a rep's own SQL client."""

import psycopg
import pytest

from workbench import cli
from workbench.sync.server import add_account, init_server


def as_role(url: str, role: str, password: str):
    host = url.split("@", 1)[1]
    return psycopg.connect(f"postgresql://{role}:{password}@{host}", autocommit=True)


@pytest.fixture
def team(server_url):
    tables = init_server(server_url)
    assert {"leads", "stage_changes", "activities", "users"} <= set(tables)
    assert "handovers" not in tables
    roles = {
        "ana": add_account(server_url, email="ana@sales.example", name="Ana", password="a-pw"),
        "ben": add_account(server_url, email="ben@sales.example", name="Ben", password="b-pw"),
        "dana": add_account(server_url, email="dana@sales.example", name="Dana",
                            password="d-pw", manager=True),
    }
    with psycopg.connect(server_url, autocommit=True) as owner:
        users = dict(owner.execute("SELECT email, id FROM users").fetchall())
        for name, owner_email in (("Ana's", "ana@sales.example"),
                                  ("Ben's", "ben@sales.example"), ("Pool", None)):
            owner.execute(
                "INSERT INTO leads (first_name, last_name, stage, owner_id, fit_score, "
                "engagement_score, score, created_at, updated_at, stage_entered_at) "
                "VALUES (%s, 'Lead', 'mql', %s, 0, 0, 0, now(), now(), now())",
                (name, users.get(owner_email)))
        owner.execute("INSERT INTO stage_changes (lead_id, to_stage, changed_at) "
                      "SELECT id, 'mql', now() FROM leads")
    return server_url, roles, users


def names(conn, table="leads"):
    if table == "leads":
        return sorted(r[0] for r in conn.execute("SELECT first_name FROM leads"))
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_a_rep_sees_own_leads_and_the_pool_only_even_in_raw_sql(team):
    url, roles, users = team
    with as_role(url, roles["ana"], "a-pw") as ana:
        assert names(ana) == ["Ana's", "Pool"]
        assert names(ana, "stage_changes") == 2  # the history follows the lead
        bens = ana.execute("UPDATE leads SET stage = 'sal' WHERE first_name = 'Ben''s'")
        assert bens.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ana.execute("UPDATE leads SET owner_id = %s WHERE first_name = 'Ana''s'",
                        (users["ben@sales.example"],))  # giving a lead away
        taken = ana.execute("UPDATE leads SET owner_id = %s WHERE first_name = 'Pool'",
                            (users["ana@sales.example"],))
        assert taken.rowcount == 1  # taking one from the pool
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ana.execute("DELETE FROM leads")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ana.execute("SELECT * FROM server_accounts")
    with as_role(url, roles["ben"], "b-pw") as ben:
        assert names(ben) == ["Ben's"]  # the pool lead is Ana's now
        anas = 1  # the first lead, Ana's, which Ben cannot see
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ben.execute("INSERT INTO stage_changes (lead_id, to_stage, changed_at) "
                        "VALUES (%s, 'sal', now())", (anas,))


def test_a_manager_sees_everything_and_reassigns(team):
    url, roles, users = team
    with as_role(url, roles["dana"], "d-pw") as dana:
        assert names(dana) == ["Ana's", "Ben's", "Pool"]
        moved = dana.execute("UPDATE leads SET owner_id = %s WHERE first_name = 'Ben''s'",
                             (users["ana@sales.example"],))
        assert moved.rowcount == 1
    with as_role(url, roles["ana"], "a-pw") as ana:
        assert names(ana) == ["Ana's", "Ben's", "Pool"]


def test_a_wrong_password_is_refused(team):
    url, roles, _users = team
    with pytest.raises(psycopg.OperationalError):
        as_role(url, roles["ana"], "wrong")


def test_server_init_from_the_cli_is_repeatable(server_url, capsys):
    assert cli.main(["server", "init", "--url", server_url]) == 0
    assert cli.main(["server", "init", "--url", server_url]) == 0
    assert "leads" in capsys.readouterr().out
    assert cli.main(["server", "init", "--url", "sqlite:///x.db"]) == 1
    assert "is a PostgreSQL URL" in capsys.readouterr().err


def test_the_server_schema_comes_from_its_migrations_and_matches_the_models(server_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from workbench.store.tables import Base
    from workbench.sync.server import (
        SERVER_MIGRATIONS,
        SERVER_SCHEMA_REVISION,
        on_server,
        server_engine,
    )

    init_server(server_url)
    engine = server_engine(server_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": on_server})
        head = ScriptDirectory(str(SERVER_MIGRATIONS)).get_current_head()
        assert context.get_current_revision() == head == SERVER_SCHEMA_REVISION
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_server_init_leaves_a_database_of_something_else_alone(server_url, capsys):
    with psycopg.connect(server_url, autocommit=True) as owner:
        owner.execute("CREATE TABLE invoices (id int PRIMARY KEY)")
    assert cli.main(["server", "init", "--url", server_url]) == 1
    assert "empty database" in capsys.readouterr().err
    with psycopg.connect(server_url, autocommit=True) as owner:
        tables = [r[0] for r in owner.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    assert tables == ["invoices"]
