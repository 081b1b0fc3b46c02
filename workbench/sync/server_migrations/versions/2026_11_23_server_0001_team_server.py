"""team server: the shared tables, roles for reps and managers, row-level security, and
the sync bookkeeping (versions stamped in commit order, a high-water mark, tombstones)

Revision ID: server_0001
Revises:
Create Date: 2026-11-23 13:31:36.251195
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from workbench.sync.server import MANAGER_ROLE, REP_ROLE

revision: str = 'server_0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


LEAD_CHILDREN = ("stage_changes", "activities", "qualifications", "stage_conflicts")
SYNCED = ("companies", "leads", *LEAD_CHILDREN, "criteria_versions")
SHARED_READ = ("users", "reasons", "criteria_versions", "intent_signals", "sync_high_water")

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


TABLES = ("companies", "intent_signals", "reasons", "users", "criteria_versions", "leads",
          "activities", "qualifications", "stage_changes", "stage_conflicts")


def upgrade() -> None:
    op.create_table('companies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('domain', sa.String(length=253), nullable=True),
    sa.Column('industry', sa.String(length=100), nullable=True),
    sa.Column('employee_band', sa.String(length=20), nullable=True),
    sa.Column('revenue_band', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('uid', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_companies'))
    )
    op.create_index(op.f('ix_companies_domain'), 'companies', ['domain'], unique=False)
    op.create_index('uq_companies_uid', 'companies', ['uid'], unique=True, sqlite_where=sa.text('uid IS NOT NULL'))
    op.create_table('intent_signals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_domain', sa.String(length=253), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('strength', sa.Float(), nullable=False),
    sa.Column('observed_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intent_signals'))
    )
    op.create_index(op.f('ix_intent_signals_company_domain'), 'intent_signals', ['company_domain'], unique=False)
    op.create_index('uq_intent_signals_signal', 'intent_signals', ['company_domain', 'topic', 'observed_at'], unique=True)
    op.create_table('reasons',
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'code', name=op.f('pk_reasons'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('criteria_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('uid', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_criteria_versions_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criteria_versions'))
    )
    op.create_index('uq_criteria_versions_uid', 'criteria_versions', ['uid'], unique=True, sqlite_where=sa.text('uid IS NOT NULL'))
    op.create_table('leads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=False),
    sa.Column('last_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('job_title', sa.String(length=200), nullable=True),
    sa.Column('seniority', sa.String(length=30), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=40), nullable=True),
    sa.Column('campaign', sa.String(length=200), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('stage', sa.String(length=16), nullable=False),
    sa.Column('fit_score', sa.Integer(), nullable=False),
    sa.Column('engagement_score', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('stage_entered_at', sa.DateTime(), nullable=False),
    sa.Column('mql_at', sa.DateTime(), nullable=True),
    sa.Column('revisit_on', sa.Date(), nullable=True),
    sa.Column('first_touch_at', sa.DateTime(), nullable=True),
    sa.Column('last_activity_at', sa.DateTime(), nullable=True),
    sa.Column('grade', sa.String(length=2), nullable=True),
    sa.Column('buyer_stage', sa.String(length=12), nullable=True),
    sa.Column('custom_fields', sa.Text(), nullable=True),
    sa.Column('historic_outcome', sa.String(length=8), nullable=True),
    sa.Column('predicted_conversion', sa.Float(), nullable=True),
    sa.Column('prediction_reasons', sa.Text(), nullable=True),
    sa.Column('uid', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_leads_company_id_companies')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_leads_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_leads')),
    sa.UniqueConstraint('external_id', name=op.f('uq_leads_external_id'))
    )
    op.create_index('ix_leads_campaign', 'leads', ['campaign'], unique=False)
    op.create_index(op.f('ix_leads_company_id'), 'leads', ['company_id'], unique=False)
    op.create_index(op.f('ix_leads_email'), 'leads', ['email'], unique=False)
    op.create_index('ix_leads_owner_stage', 'leads', ['owner_id', 'stage'], unique=False)
    op.create_index('ix_leads_source', 'leads', ['source'], unique=False)
    op.create_index('ix_leads_stage_activity', 'leads', ['stage', 'last_activity_at', 'id'], unique=False)
    op.create_index('ix_leads_stage_entered', 'leads', ['stage', 'stage_entered_at', 'id'], unique=False)
    op.create_index('ix_leads_stage_score', 'leads', ['stage', 'score', 'id'], unique=False)
    op.create_index('uq_leads_uid', 'leads', ['uid'], unique=True, sqlite_where=sa.text('uid IS NOT NULL'))
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('page_kind', sa.String(length=20), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('uid', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_activities_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activities_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    op.create_index('ix_activities_lead_time', 'activities', ['lead_id', 'occurred_at'], unique=False)
    op.create_index('ix_activities_touch', 'activities', ['lead_id', 'occurred_at'], unique=False, sqlite_where=sa.text("kind IN ('call', 'email_sent', 'meeting')"))
    op.create_index('uq_activities_uid', 'activities', ['uid'], unique=True, sqlite_where=sa.text('uid IS NOT NULL'))
    op.create_table('qualifications',
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('budget', sa.String(length=12), nullable=False),
    sa.Column('budget_note', sa.Text(), nullable=True),
    sa.Column('authority', sa.String(length=12), nullable=False),
    sa.Column('authority_note', sa.Text(), nullable=True),
    sa.Column('need', sa.String(length=12), nullable=False),
    sa.Column('need_note', sa.Text(), nullable=True),
    sa.Column('timeline', sa.String(length=12), nullable=False),
    sa.Column('timeline_note', sa.Text(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_qualifications_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_qualifications_updated_by_users')),
    sa.PrimaryKeyConstraint('lead_id', name=op.f('pk_qualifications'))
    )
    op.create_table('stage_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('from_stage', sa.String(length=16), nullable=True),
    sa.Column('to_stage', sa.String(length=16), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason_code', sa.String(length=40), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('uid', sa.String(length=40), nullable=True),
    sa.Column('hlc', sa.BigInteger(), nullable=True),
    sa.Column('follows', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_stage_changes_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_stage_changes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_changes'))
    )
    op.create_index('ix_stage_changes_lead', 'stage_changes', ['lead_id', 'id'], unique=False)
    op.create_index('ix_stage_changes_time', 'stage_changes', ['changed_at'], unique=False)
    op.create_index('ix_stage_changes_undo', 'stage_changes', ['lead_id', 'id'], unique=False, sqlite_where=sa.text("reason_code = 'undo'"))
    op.create_index('uq_stage_changes_uid', 'stage_changes', ['uid'], unique=True, sqlite_where=sa.text('uid IS NOT NULL'))
    op.create_table('stage_conflicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=90), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('first_change', sa.String(length=40), nullable=False),
    sa.Column('second_change', sa.String(length=40), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('kept_stage', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['lead_id'], ['leads.id'], name=op.f('fk_stage_conflicts_lead_id_leads'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_stage_conflicts_resolved_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stage_conflicts')),
    sa.UniqueConstraint('uid', name=op.f('uq_stage_conflicts_uid'))
    )
    op.create_index(op.f('ix_stage_conflicts_lead_id'), 'stage_conflicts', ['lead_id'], unique=False)
    for statement in [*SETUP, *(s for t in LEAD_CHILDREN for s in _child_policies(t)),
                      *SYNC_SETUP, *(s for t in (*SYNCED, "sync_tombstones")
                                     for s in _sync_columns(t)),
                      *_grants([*TABLES, "sync_high_water", "sync_tombstones"])]:
        op.execute(statement)


def downgrade() -> None:
    for table in ("sync_tombstones", "sync_high_water", "server_accounts"):
        op.drop_table(table)
    op.execute("DROP SEQUENCE sync_version_seq")
    op.drop_index(op.f('ix_stage_conflicts_lead_id'), table_name='stage_conflicts')
    op.drop_table('stage_conflicts')
    op.drop_index('uq_stage_changes_uid', table_name='stage_changes', sqlite_where=sa.text('uid IS NOT NULL'))
    op.drop_index('ix_stage_changes_undo', table_name='stage_changes', sqlite_where=sa.text("reason_code = 'undo'"))
    op.drop_index('ix_stage_changes_time', table_name='stage_changes')
    op.drop_index('ix_stage_changes_lead', table_name='stage_changes')
    op.drop_table('stage_changes')
    op.drop_table('qualifications')
    op.drop_index('uq_activities_uid', table_name='activities', sqlite_where=sa.text('uid IS NOT NULL'))
    op.drop_index('ix_activities_touch', table_name='activities', sqlite_where=sa.text("kind IN ('call', 'email_sent', 'meeting')"))
    op.drop_index('ix_activities_lead_time', table_name='activities')
    op.drop_table('activities')
    op.drop_index('uq_leads_uid', table_name='leads', sqlite_where=sa.text('uid IS NOT NULL'))
    op.drop_index('ix_leads_stage_score', table_name='leads')
    op.drop_index('ix_leads_stage_entered', table_name='leads')
    op.drop_index('ix_leads_stage_activity', table_name='leads')
    op.drop_index('ix_leads_source', table_name='leads')
    op.drop_index('ix_leads_owner_stage', table_name='leads')
    op.drop_index(op.f('ix_leads_email'), table_name='leads')
    op.drop_index(op.f('ix_leads_company_id'), table_name='leads')
    op.drop_index('ix_leads_campaign', table_name='leads')
    op.drop_table('leads')
    op.drop_index('uq_criteria_versions_uid', table_name='criteria_versions', sqlite_where=sa.text('uid IS NOT NULL'))
    op.drop_table('criteria_versions')
    op.drop_table('users')
    op.drop_table('reasons')
    op.drop_index('uq_intent_signals_signal', table_name='intent_signals')
    op.drop_index(op.f('ix_intent_signals_company_domain'), table_name='intent_signals')
    op.drop_table('intent_signals')
    op.drop_index('uq_companies_uid', table_name='companies', sqlite_where=sa.text('uid IS NOT NULL'))
    op.drop_index(op.f('ix_companies_domain'), table_name='companies')
    op.drop_table('companies')
    op.execute("DROP FUNCTION sync_stamp, sync_mark_high_water, workbench_user_id, "
               "workbench_is_manager")
