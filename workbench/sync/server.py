"""The team's PostgreSQL server: the same tables as a laptop (SQLAlchemy models), PostgreSQL
roles for reps and managers, and row-level security, so that ownership holds for any
client, a hand-written SQL one included.

A rep connects with a PostgreSQL role of their own. They read and change their own leads
and the unassigned pool, may take a pool lead, and cannot give a lead away (to someone else
or back to the pool); the stage history, activities and BANT of a lead follow the lead, and
they change a company only where they own a lead. Managers see and change everything,
reassign and remove leads (the server writes the tombstone). History is append-only for
everyone, and its author is the account that writes it (server_0005). The role that runs
`server init` owns the tables.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from workbench.rules.refusals import BadInput, Refused
from workbench.store.tables import Base, mapped_in_orm

REP_ROLE = "workbench_rep"
MANAGER_ROLE = "workbench_manager"
# the laptop's derived and local-only tables stay on the laptop
LOCAL_ONLY = frozenset({"handovers", "scoring_models", "score_state", "score_moments",
                        "stage_totals", "sync_state", "sync_outbox", "sync_refused"})
SERVER_MIGRATIONS = Path(__file__).parent / "server_migrations"


# what the server migrations add beside the models: accounts and the sync bookkeeping
SERVER_ONLY_TABLES = frozenset({"server_accounts", "sync_high_water", "sync_tombstones",
                                "sync_devices"})
SERVER_SCHEMA_REVISION = "server_0012"  # the server migrations' head: what a laptop needs
SERVER_ONLY_COLUMNS = frozenset({"sync_version", "sync_clocks"})
# (table, column) of the laptop's models that the server does not have
LOCAL_ONLY_COLUMNS = frozenset({("users", "deactivated_at")})
# indexes for what only a laptop does (an import matches companies by name; the board,
# reports, Today and duplicates; server_0010): the server would write them for nothing
LOCAL_ONLY_INDEXES = frozenset({
    "ix_companies_name", "ix_leads_untouched_mql", "ix_leads_unplanned",
    "ix_leads_recycled_due", "ix_leads_stage_score", "ix_leads_stage_entered",
    "ix_leads_stage_activity",
    "ix_leads_source", "ix_leads_campaign", "ix_leads_email", "ix_activities_touch",
    "ix_stage_changes_time", "ix_stage_changes_undo"})


def on_server(item: object, name: str | None, type_: str, reflected: bool,
              _compare_to: object) -> bool:
    """Alembic's include_object hook for the server: the laptop's own tables stay out, and
    the server's own additions are not the models' business."""
    table = getattr(item, "table", item)
    if getattr(table, "name", name) in LOCAL_ONLY | SERVER_ONLY_TABLES:
        return False
    if type_ == "index" and name in LOCAL_ONLY_INDEXES:
        return False
    if type_ == "table":
        return mapped_in_orm(name, type_)
    if type_ == "column" and (getattr(table, "name", None), name) in LOCAL_ONLY_COLUMNS:
        return False
    if reflected and type_ in ("column", "index"):
        columns = [name] if type_ == "column" else [c.name for c in item.columns]
        return not SERVER_ONLY_COLUMNS & set(columns)
    return True


ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def libpq_url(url: str) -> str:
    """A team server URL as PostgreSQL's own clients write it."""
    if not url.startswith(("postgresql://", "postgresql+psycopg://")):
        raise BadInput(f"A team server is a PostgreSQL URL (postgresql://...), not '{url}'.")
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def server_engine(url: str) -> Engine:
    return create_engine(libpq_url(url).replace("postgresql://", "postgresql+psycopg://", 1))


def init_server(url: str) -> list[str]:
    """Set up schema, roles and policies on an empty database, or bring a team server up
    to date (its own Alembic migrations); returns the shared tables. Run by the role that
    will own the tables."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    engine = server_engine(url)
    try:
        with engine.begin() as conn:
            found = set(inspect(conn).get_table_names())
            if found and "alembic_version" not in found:
                raise Refused("This database already has tables of its own; set up the "
                              "team server on an empty database.")
            config = Config()
            config.set_main_option("script_location", str(SERVER_MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")
            shared = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    return sorted(name for name in Base.metadata.tables if name in shared)


def add_account(url: str, *, email: str, name: str, password: str,
                manager: bool = False) -> str:
    """A team member's own PostgreSQL role and user row; returns the role name. Adding
    someone again sets their password and role (a manager added without `manager` is
    a rep again). Run by the tables' owner."""
    email = email.strip().lower()
    base = re.sub(r"[^a-z0-9_]", "_", email)[:63]
    if not ROLE_NAME.fullmatch(base):
        raise BadInput(f"'{email}' does not make a valid role name.")
    engine = server_engine(url)
    with engine.begin() as conn:
        user_id = _user(conn, email, name, manager)
        role = _role_of(conn, user_id, base)
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                              {"r": role}).first()
        # role names and passwords cannot be bound parameters in DDL: quoted safely
        password_sql = conn.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar()
        verb = "ALTER" if exists else "CREATE"
        conn.execute(text(f'{verb} ROLE "{role}" LOGIN PASSWORD {password_sql}'))
        granted, revoked = (MANAGER_ROLE, REP_ROLE) if manager else (REP_ROLE, MANAGER_ROLE)
        conn.execute(text(f'GRANT {granted} TO "{role}"'))
        if exists:
            conn.execute(text(f'REVOKE {revoked} FROM "{role}"'))
        conn.execute(text(
            "INSERT INTO server_accounts (role_name, user_id, is_manager) "
            "VALUES (:r, :u, :m) ON CONFLICT (role_name) DO UPDATE "
            "SET is_manager = excluded.is_manager"),
            {"r": role, "u": user_id, "m": manager})
    engine.dispose()
    return role


def _role_of(conn: Connection, user_id: int, base: str) -> str:
    """The user's own role: the one they have, else the name from their email, or with a
    number when another user or any other role of the server has it (repa.x@com and
    repa@x.com both make repa_x_com): another's role is never taken over."""
    mine = conn.execute(text("SELECT role_name FROM server_accounts WHERE user_id = :u"),
                        {"u": user_id}).scalar()
    if mine is not None:
        return mine
    taken = set(conn.execute(text("SELECT rolname FROM pg_roles")).scalars())
    suffixes = itertools.chain([""], (f"_{n}" for n in itertools.count(2)))
    names = (base[:63 - len(suffix)] + suffix for suffix in suffixes)
    return next(name for name in names if name not in taken)


def _user(conn: Connection, email: str, name: str, manager: bool) -> int:
    role = "manager" if manager else "rep"
    found = conn.execute(text("UPDATE users SET role = :r WHERE email = :e RETURNING id"),
                         {"e": email, "r": role}).scalar()
    if found is not None:
        return found
    return conn.execute(text("INSERT INTO users (name, email, role) VALUES (:n, :e, :r) "
                             "RETURNING id"), {"n": name, "e": email, "r": role}).scalar()
