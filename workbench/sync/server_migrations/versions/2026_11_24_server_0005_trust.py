"""what a rep's own SQL client could do and may not: tombstones are written by the server
when a lead is really removed, history is never rewritten or removed and its author is the
account that writes it, companies change only for a manager or a rep with a lead there,
and a rep gives no lead back to the pool

Revision ID: server_0005
Revises: server_0004
Create Date: 2026-11-24 09:00:00
"""

from collections.abc import Sequence

from alembic import op

from workbench.sync.server import MANAGER_ROLE, REP_ROLE

revision: str = "server_0005"
down_revision: str | None = "server_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# history tables and the column that names their author
HISTORY = {"stage_changes": "user_id", "activities": "user_id", "criteria_versions": "author_id"}
# what a merge of two leads may change on a history row: the lead, and the sync stamps
MOVABLE = "ARRAY['lead_id', 'sync_version', 'sync_clocks']"
REFUSE = "RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege', MESSAGE ="

# A lead's removal is what a tombstone says: written here, by the server, for a lead that
# someone allowed to remove it (a manager, see leads_remove) did remove. Security definer:
# nobody writes the table itself.
TOMBSTONE = """
CREATE FUNCTION workbench_tombstone() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF OLD.uid IS NOT NULL THEN
        INSERT INTO sync_tombstones (uid) VALUES (OLD.uid) ON CONFLICT (uid) DO NOTHING;
    END IF;
    RETURN OLD;
END $$"""

# The author of a history row is the account that writes it, whatever the client says; a
# row without one (the workbench's own: a promotion by score, an import) stays without.
# A role without an account writes no author.
AUTHOR = """
CREATE FUNCTION workbench_history_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF to_jsonb(NEW) ->> TG_ARGV[0] IS NOT NULL THEN
        NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0],
                                                             workbench_user_id()));
    END IF;
    RETURN NEW;
END $$"""

# History is append-only for everyone, the tables' owner included. A row goes only with
# its lead (a manager removing a merged lead: the cascade runs after the lead is gone),
# and only a manager's merge moves it to another lead. Security definer: the lead is
# looked for whatever the connected role may see.
KEPT = f"""
CREATE FUNCTION workbench_history_kept() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF to_jsonb(OLD) ? 'lead_id' AND NOT EXISTS (
                SELECT 1 FROM leads WHERE id = (to_jsonb(OLD) ->> 'lead_id')::integer) THEN
            RETURN OLD;
        END IF;
        {REFUSE} 'history is kept: it goes only with its lead';
    END IF;
    IF to_jsonb(NEW) - {MOVABLE} <> to_jsonb(OLD) - {MOVABLE} THEN
        {REFUSE} 'history is kept as it was written: it is never changed';
    END IF;
    IF to_jsonb(NEW) -> 'lead_id' <> to_jsonb(OLD) -> 'lead_id'
            AND NOT workbench_is_manager() THEN
        {REFUSE} 'only a manager merges leads, moving history to the kept lead';
    END IF;
    RETURN NEW;
END $$"""

# A rep takes a pool lead but gives no lead away, not even back to the pool (the leads
# policies already keep a rep from giving one to someone else). Roles without an account
# (the tables' owner) are not reps.
KEEP_OWNER = f"""
CREATE FUNCTION workbench_keep_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.owner_id IS NOT NULL AND NEW.owner_id IS DISTINCT FROM OLD.owner_id
            AND workbench_user_id() IS NOT NULL AND NOT workbench_is_manager() THEN
        {REFUSE} 'only a manager gives a lead to someone else or back to the pool';
    END IF;
    RETURN NEW;
END $$"""

# A company is the team's: anyone adds one (a rep's import brings its companies), a
# manager changes any, a rep only one where they own a lead.
CHANGES_COMPANY = ("(SELECT workbench_is_manager()) OR EXISTS (SELECT 1 FROM leads l "
                   "WHERE l.company_id = companies.id "
                   "AND l.owner_id = (SELECT workbench_user_id()))")


def upgrade() -> None:
    op.execute(TOMBSTONE)
    op.execute("CREATE TRIGGER leads_tombstone AFTER DELETE ON leads FOR EACH ROW "
               "EXECUTE FUNCTION workbench_tombstone()")
    op.execute(f"REVOKE INSERT, UPDATE ON sync_tombstones FROM {REP_ROLE}, {MANAGER_ROLE}")

    op.execute(AUTHOR)
    op.execute(KEPT)
    for table, author in HISTORY.items():
        op.execute(f"CREATE TRIGGER {table}_author BEFORE INSERT ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION workbench_history_author('{author}')")
        op.execute(f"CREATE TRIGGER {table}_kept BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION workbench_history_kept()")
    op.execute(f"REVOKE DELETE ON stage_changes, activities FROM {MANAGER_ROLE}")
    op.execute(f"REVOKE UPDATE ON criteria_versions FROM {MANAGER_ROLE}")

    op.execute(KEEP_OWNER)
    op.execute("CREATE TRIGGER leads_keep_owner BEFORE UPDATE OF owner_id ON leads "
               "FOR EACH ROW EXECUTE FUNCTION workbench_keep_owner()")

    op.execute("ALTER TABLE companies ENABLE ROW LEVEL SECURITY")
    op.execute("CREATE POLICY companies_read ON companies FOR SELECT USING (true)")
    op.execute("CREATE POLICY companies_add ON companies FOR INSERT WITH CHECK (true)")
    op.execute(f"CREATE POLICY companies_change ON companies FOR UPDATE "
               f"USING ({CHANGES_COMPANY}) WITH CHECK ({CHANGES_COMPANY})")


def downgrade() -> None:
    for policy in ("companies_change", "companies_add", "companies_read"):
        op.execute(f"DROP POLICY {policy} ON companies")
    op.execute("ALTER TABLE companies DISABLE ROW LEVEL SECURITY")
    op.execute("DROP TRIGGER leads_keep_owner ON leads")
    op.execute("DROP FUNCTION workbench_keep_owner()")
    op.execute(f"GRANT UPDATE ON criteria_versions TO {MANAGER_ROLE}")
    op.execute(f"GRANT DELETE ON stage_changes, activities TO {MANAGER_ROLE}")
    for table in HISTORY:
        op.execute(f"DROP TRIGGER {table}_kept ON {table}")
        op.execute(f"DROP TRIGGER {table}_author ON {table}")
    op.execute("DROP FUNCTION workbench_history_kept(), workbench_history_author()")
    op.execute(f"GRANT INSERT, UPDATE ON sync_tombstones TO {REP_ROLE}, {MANAGER_ROLE}")
    op.execute("DROP TRIGGER leads_tombstone ON leads")
    op.execute("DROP FUNCTION workbench_tombstone()")
