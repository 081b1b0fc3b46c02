"""the same sync bookkeeping for less work per row: a write statement on a synced table takes
the sync lock once, before its first row (not once per row), each row only draws its version,
and the high-water mark is the sequence's last value when the statement ends (no setting
written per row); a history row's author is set without turning the row into JSON, and only
when the row names one. A laptop's first push of 100,000 leads writes some 850,000 rows.

Revision ID: server_0009
Revises: server_0008
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "server_0009"
down_revision: str | None = "server_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SYNC_LOCK = 7400121  # server_0001's
SYNCED = ("companies", "leads", "stage_changes", "activities", "qualifications",
          "stage_conflicts", "criteria_versions", "intent_signals", "sync_tombstones")
HISTORY = {"stage_changes": "user_id", "activities": "user_id", "criteria_versions": "author_id"}

# Versions commit in order because every transaction that draws one holds the lock until
# it commits: taken here, before the statement writes its first row.
LOCK = f"""
CREATE FUNCTION sync_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({SYNC_LOCK});
    RETURN NULL;
END $$"""

STAMP = """
CREATE OR REPLACE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.sync_version := nextval('sync_version_seq');
    RETURN NEW;
END $$"""

# With the lock held, every version drawn so far is this transaction's or one that has
# ended: the sequence's last value is a safe high-water mark once this one commits.
MARK = """
CREATE OR REPLACE FUNCTION sync_mark_high_water() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public AS $$
BEGIN
    UPDATE sync_high_water SET version = greatest(version, (
        SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM sync_version_seq));
    RETURN NULL;
END $$"""


def _author(column: str) -> str:
    """server_0005's workbench_history_author for one author column, read directly."""
    return f"""
CREATE FUNCTION workbench_history_{column}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.{column} := workbench_user_id();
    RETURN NEW;
END $$"""


def upgrade() -> None:
    op.execute(LOCK)
    op.execute(STAMP)
    op.execute(MARK)
    for table in SYNCED:
        op.execute(f"CREATE TRIGGER {table}_sync_lock BEFORE INSERT OR UPDATE OR DELETE ON "
                   f"{table} FOR EACH STATEMENT EXECUTE FUNCTION sync_lock()")
    for column in sorted(set(HISTORY.values())):
        op.execute(_author(column))
    for table, column in HISTORY.items():
        op.execute(f"DROP TRIGGER {table}_author ON {table}")
        # a row without an author (the workbench's own: a promotion by score) stays without
        op.execute(f"CREATE TRIGGER {table}_author BEFORE INSERT ON {table} FOR EACH ROW "
                   f"WHEN (NEW.{column} IS NOT NULL) "
                   f"EXECUTE FUNCTION workbench_history_{column}()")


def downgrade() -> None:
    for table, column in HISTORY.items():
        op.execute(f"DROP TRIGGER {table}_author ON {table}")
        op.execute(f"CREATE TRIGGER {table}_author BEFORE INSERT ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION workbench_history_author('{column}')")
    for column in sorted(set(HISTORY.values())):
        op.execute(f"DROP FUNCTION workbench_history_{column}()")
    for table in SYNCED:
        op.execute(f"DROP TRIGGER {table}_sync_lock ON {table}")
    op.execute("DROP FUNCTION sync_lock()")
    op.execute(f"""CREATE OR REPLACE FUNCTION sync_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock({SYNC_LOCK});
        NEW.sync_version := nextval('sync_version_seq');
        PERFORM set_config('workbench.stamped', NEW.sync_version::text, true);
        RETURN NEW;
    END $$""")
    op.execute("""CREATE OR REPLACE FUNCTION sync_mark_high_water() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
    DECLARE stamped text := current_setting('workbench.stamped', true);
    BEGIN
        IF coalesce(stamped, '') <> '' THEN
            UPDATE sync_high_water SET version = greatest(version, stamped::bigint);
        END IF;
        RETURN NULL;
    END $$""")
