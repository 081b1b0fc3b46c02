"""The team's PostgreSQL server: the same tables as a laptop (SQLAlchemy models), PostgreSQL
roles for reps and managers, and row-level security, so that ownership holds for any
client, a hand-written SQL one included.

A rep connects with a PostgreSQL role of their own. They read and change their own leads
and the unassigned pool, may take a pool lead, and cannot give a lead to someone else; the
stage history, activities and BANT of a lead follow the lead. Managers see and change
everything and reassign. The role that runs `server init` owns the tables.
"""

from __future__ import annotations

import re

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from workbench.models import Base

REP_ROLE = "workbench_rep"
MANAGER_ROLE = "workbench_manager"
# the laptop's derived and local-only tables stay on the laptop
LOCAL_ONLY = frozenset({"handovers", "scoring_models", "sync_state", "sync_outbox",
                        "sync_refused"})
LEAD_CHILDREN = ("stage_changes", "activities", "qualifications", "stage_conflicts")
SYNCED = ("companies", "leads", *LEAD_CHILDREN, "criteria_versions")
SHARED_READ = ("users", "reasons", "criteria_versions", "intent_signals", "sync_high_water")
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")

# A lead the connected role may see and change: a manager's, their own, or the pool's.
# The functions are called in sub-selects, so they run once per statement, not per row.
VISIBLE_LEAD = ("(SELECT workbench_is_manager()) OR owner_id = (SELECT workbench_user_id()) "
                "OR owner_id IS NULL")
SETUP = [
    f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{REP_ROLE}') "
    f"THEN CREATE ROLE {REP_ROLE} NOLOGIN; END IF; END $$",
    f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MANAGER_ROLE}') "
    f"THEN CREATE ROLE {MANAGER_ROLE} NOLOGIN; END IF; END $$",
    """CREATE TABLE IF NOT EXISTS server_accounts (
        role_name text PRIMARY KEY,
        user_id integer NOT NULL REFERENCES users (id),
        is_manager boolean NOT NULL DEFAULT false)""",
    # who the connected role is: security definer, so that reps need no access to the table
    """CREATE OR REPLACE FUNCTION workbench_user_id() RETURNS integer LANGUAGE sql STABLE
       SECURITY DEFINER SET search_path = public AS
       $$ SELECT user_id FROM server_accounts WHERE role_name = session_user $$""",
    """CREATE OR REPLACE FUNCTION workbench_is_manager() RETURNS boolean LANGUAGE sql STABLE
       SECURITY DEFINER SET search_path = public AS
       $$ SELECT coalesce((SELECT is_manager FROM server_accounts
                           WHERE role_name = session_user), false) $$""",
    "REVOKE ALL ON server_accounts FROM PUBLIC",
    "ALTER TABLE leads ENABLE ROW LEVEL SECURITY",
    "DROP POLICY IF EXISTS leads_read ON leads",
    f"CREATE POLICY leads_read ON leads FOR SELECT USING ({VISIBLE_LEAD})",
    "DROP POLICY IF EXISTS leads_change ON leads",
    f"CREATE POLICY leads_change ON leads FOR UPDATE USING ({VISIBLE_LEAD}) "
    f"WITH CHECK ({VISIBLE_LEAD})",
    "DROP POLICY IF EXISTS leads_add ON leads",
    f"CREATE POLICY leads_add ON leads FOR INSERT WITH CHECK ({VISIBLE_LEAD})",
    "DROP POLICY IF EXISTS leads_remove ON leads",
    "CREATE POLICY leads_remove ON leads FOR DELETE USING ((SELECT workbench_is_manager()))",
]


# Sync bookkeeping (see workbench.server_sync): every write to a synced table takes one
# advisory lock and stamps its row with the next version, so versions commit in order;
# the high-water mark is the last version committed, read with the rows in one snapshot.
SYNC_LOCK = 7400121
SYNC_SETUP = [
    "CREATE SEQUENCE IF NOT EXISTS sync_version_seq",
    """CREATE TABLE IF NOT EXISTS sync_high_water (
        one boolean PRIMARY KEY DEFAULT true CHECK (one), version bigint NOT NULL)""",
    "INSERT INTO sync_high_water VALUES (true, 0) ON CONFLICT DO NOTHING",
    """CREATE TABLE IF NOT EXISTS sync_tombstones (
        uid text PRIMARY KEY, sync_version bigint)""",
    f"""CREATE OR REPLACE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({SYNC_LOCK});
        NEW.sync_version := nextval('sync_version_seq');
        PERFORM set_config('workbench.stamped', NEW.sync_version::text, true);
        RETURN NEW;
    END $$""",
    """CREATE OR REPLACE FUNCTION sync_mark_high_water() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public AS $$
    DECLARE stamped text := current_setting('workbench.stamped', true);
    BEGIN
        IF coalesce(stamped, '') <> '' THEN
            UPDATE sync_high_water SET version = greatest(version, stamped::bigint);
        END IF;
        RETURN NULL;
    END $$""",
]


def _sync_columns(table: str) -> list[str]:
    return [f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS sync_version bigint",
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS sync_clocks jsonb",
            f"CREATE INDEX IF NOT EXISTS ix_{table}_sync_version ON {table} (sync_version)",
            f"CREATE OR REPLACE TRIGGER {table}_sync_stamp BEFORE INSERT OR UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION sync_stamp()",
            f"CREATE OR REPLACE TRIGGER {table}_sync_mark AFTER INSERT OR UPDATE OR DELETE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION sync_mark_high_water()"]


def _child_policies(table: str) -> list[str]:
    """A lead's history and evidence are visible and writable with the lead itself: the
    subquery on leads runs under the leads policies of the connected role (managers skip
    it: they see every lead)."""
    visible = ("(SELECT workbench_is_manager()) OR "
               "EXISTS (SELECT 1 FROM leads l WHERE l.id = lead_id)")
    return [f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {table}_with_lead ON {table}",
            f"CREATE POLICY {table}_with_lead ON {table} USING ({visible}) "
            f"WITH CHECK ({visible})"]


def _grants(tables: list[str]) -> list[str]:
    grants = []
    for role in (REP_ROLE, MANAGER_ROLE):
        grants += [f"GRANT USAGE ON SCHEMA public TO {role}",
                   f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                   f"GRANT EXECUTE ON FUNCTION workbench_user_id(), workbench_is_manager() "
                   f"TO {role}"]
        for table in tables:
            if table in SHARED_READ:
                grants.append(f"GRANT SELECT ON {table} TO {role}")
            else:
                grants.append(f"GRANT SELECT, INSERT, UPDATE ON {table} TO {role}")
    grants += [f"GRANT INSERT, UPDATE ON {t} TO {MANAGER_ROLE}" for t in SHARED_READ]
    grants += [f"GRANT DELETE ON {t} TO {MANAGER_ROLE}" for t in ("leads", *LEAD_CHILDREN)]
    return grants


def libpq_url(url: str) -> str:
    """A team server URL as PostgreSQL's own clients write it."""
    if not url.startswith(("postgresql://", "postgresql+psycopg://")):
        raise ValueError(f"A team server is a PostgreSQL URL (postgresql://...), not '{url}'.")
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def server_engine(url: str) -> Engine:
    return create_engine(libpq_url(url).replace("postgresql://", "postgresql+psycopg://", 1))


def init_server(url: str) -> list[str]:
    """Set up (or bring up to date) schema, roles and policies on the server; returns the
    tables. Run by the role that will own the tables."""
    engine = server_engine(url)
    tables = [t for name, t in Base.metadata.tables.items() if name not in LOCAL_ONLY]
    with engine.begin() as conn:
        Base.metadata.create_all(conn, tables=tables)
        names = [t.name for t in tables]
        for statement in [*SETUP, *(s for t in LEAD_CHILDREN for s in _child_policies(t)),
                          *SYNC_SETUP, *(s for t in (*SYNCED, "sync_tombstones")
                                         for s in _sync_columns(t)),
                          *_grants([*names, "sync_high_water", "sync_tombstones"])]:
            conn.execute(text(statement))
    engine.dispose()
    return sorted(names)


def add_account(url: str, *, email: str, name: str, password: str,
                manager: bool = False) -> str:
    """A team member's own PostgreSQL role (named from the email) and user row; returns the
    role name. Run by the tables' owner."""
    role = re.sub(r"[^a-z0-9_]", "_", email.strip().lower())[:63]
    if not ROLE_NAME.fullmatch(role):
        raise ValueError(f"'{email}' does not make a valid role name.")
    engine = server_engine(url)
    with engine.begin() as conn:
        user_id = _user(conn, email, name, manager)
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                              {"r": role}).first()
        # role names and passwords cannot be bound parameters in DDL: quoted safely
        password_sql = conn.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(text(f'{verb} ROLE "{role}" LOGIN PASSWORD {password_sql}'))
        conn.execute(text(f'GRANT {MANAGER_ROLE if manager else REP_ROLE} TO "{role}"'))
        conn.execute(text(
            "INSERT INTO server_accounts (role_name, user_id, is_manager) "
            "VALUES (:r, :u, :m) ON CONFLICT (role_name) DO UPDATE "
            "SET user_id = excluded.user_id, is_manager = excluded.is_manager"),
            {"r": role, "u": user_id, "m": manager})
    engine.dispose()
    return role


def _user(conn: Connection, email: str, name: str, manager: bool) -> int:
    found = conn.execute(text("SELECT id FROM users WHERE email = :e"),
                         {"e": email.strip().lower()}).scalar()
    if found is not None:
        return found
    return conn.execute(text("INSERT INTO users (name, email, role) VALUES (:n, :e, :r) "
                             "RETURNING id"),
                        {"n": name, "e": email.strip().lower(),
                         "r": "manager" if manager else "rep"}).scalar()
