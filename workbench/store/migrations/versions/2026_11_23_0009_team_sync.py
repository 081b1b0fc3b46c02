"""team sync: row uids, a hybrid logical clock, an outbox of local changes kept by
triggers, stage conflicts, and changes the server refused

Revision ID: 20261123_0009
Revises: 20261123_0008
Create Date: 2026-11-23 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0009"
down_revision: str | None = "20261123_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UID_TABLES = ("companies", "leads", "stage_changes", "activities", "criteria_versions")

# A snapshot, as migrations must be. Every change a person makes is recorded in
# sync_outbox by these triggers, whatever code path made it; changes pulled from the
# server are written with sync_state.applying = 1 and are not recorded again.
ACTIVE = "(SELECT applying FROM sync_state) = 0"
# hybrid logical clock: physical milliseconds * 65536 + counter, never going back
TICK = ("UPDATE sync_state SET hlc = max(hlc + 1, "
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 65536);")


def record(entity: str, row: str, group: str) -> str:
    return (TICK + "INSERT INTO sync_outbox (entity, row_id, grp, hlc) "
            f"VALUES ('{entity}', {row}, '{group}', (SELECT hlc FROM sync_state));")


def changed(columns: Sequence[str]) -> str:
    return " OR ".join(f"new.{c} IS NOT old.{c}" for c in columns)


# The groups of fields that merge as one (last writer wins per group); the laptop's
# workbench.sync module names the same groups.
LEAD_GROUPS = {
    "contact": ("first_name", "last_name", "email", "phone", "job_title", "seniority",
                "company_id", "external_id", "source", "campaign", "custom_fields",
                "historic_outcome"),
    "stage": ("stage", "stage_entered_at", "mql_at", "revisit_on"),
    "owner": ("owner_id",),
    "touch": ("first_touch_at",),
}
BANT_GROUPS = {item: (item, f"{item}_note") for item in ("budget", "authority", "need",
                                                         "timeline")}
COMPANY_COLUMNS = ("name", "domain", "industry", "employee_band", "revenue_band", "country")
CONFLICT_COLUMNS = ("resolved_at", "resolved_by", "kept_stage")
PREVIOUS_MOVE = """(SELECT coalesce(p.uid, (SELECT device FROM sync_state) || '-' || p.id)
    FROM stage_changes p WHERE p.lead_id = new.lead_id AND p.id <> new.id
    ORDER BY coalesce(p.hlc, 0) DESC, p.id DESC LIMIT 1)"""


def _update_triggers(table: str, entity: str, groups: dict[str, Sequence[str]],
                     row: str = "new.id") -> list[str]:
    return [f"CREATE TRIGGER sync_{entity}_{group} AFTER UPDATE OF {', '.join(columns)} "
            f"ON {table} WHEN {ACTIVE} AND ({changed(columns)}) BEGIN "
            f"{record(entity, row, group)} END"
            for group, columns in groups.items()]


SYNC_TRIGGERS = [
    f"CREATE TRIGGER sync_company_new AFTER INSERT ON companies WHEN {ACTIVE} BEGIN "
    f"{record('company', 'new.id', '*')} END",
    *_update_triggers("companies", "company", {"row": COMPANY_COLUMNS}),
    f"CREATE TRIGGER sync_lead_new AFTER INSERT ON leads WHEN {ACTIVE} BEGIN "
    f"{record('lead', 'new.id', '*')} END",
    *_update_triggers("leads", "lead", LEAD_GROUPS),
    f"""CREATE TRIGGER sync_lead_deleted AFTER DELETE ON leads WHEN {ACTIVE} BEGIN {TICK}
        INSERT INTO sync_outbox (entity, row_id, grp, hlc, uid)
        VALUES ('lead', old.id, 'deleted', (SELECT hlc FROM sync_state),
                coalesce(old.uid, (SELECT device FROM sync_state) || '-' || old.id));
    END""",
    f"""CREATE TRIGGER sync_stage_change_new AFTER INSERT ON stage_changes WHEN {ACTIVE}
    BEGIN {TICK}
        UPDATE stage_changes SET hlc = (SELECT hlc FROM sync_state),
               follows = {PREVIOUS_MOVE} WHERE id = new.id;
        INSERT INTO sync_outbox (entity, row_id, grp, hlc)
        VALUES ('stage_change', new.id, '*', (SELECT hlc FROM sync_state));
    END""",
    # a merge of two leads moves the other's history to the kept lead
    *_update_triggers("stage_changes", "stage_change", {"lead": ("lead_id",)}),
    f"CREATE TRIGGER sync_activity_new AFTER INSERT ON activities WHEN {ACTIVE} BEGIN "
    f"{record('activity', 'new.id', '*')} END",
    *_update_triggers("activities", "activity", {"lead": ("lead_id",)}),
    # a new checklist records only the items it sets: two laptops that each start the
    # checklist of one lead offline must not undo each other's items
    *(f"CREATE TRIGGER sync_qualification_new_{item} AFTER INSERT ON qualifications "
      f"WHEN {ACTIVE} AND (new.{item} <> 'unknown' OR new.{item}_note IS NOT NULL) BEGIN "
      f"{record('qualification', 'new.lead_id', item)} END" for item in BANT_GROUPS),
    *_update_triggers("qualifications", "qualification", BANT_GROUPS, row="new.lead_id"),
    f"CREATE TRIGGER sync_criteria_new AFTER INSERT ON criteria_versions WHEN {ACTIVE} "
    f"BEGIN {record('criteria', 'new.id', '*')} END",
    *_update_triggers("stage_conflicts", "conflict", {"resolution": CONFLICT_COLUMNS}),
]


def upgrade() -> None:
    for table in UID_TABLES:
        op.add_column(table, sa.Column("uid", sa.String(length=40), nullable=True))
        op.create_index(f"uq_{table}_uid", table, ["uid"], unique=True,
                        sqlite_where=sa.text("uid IS NOT NULL"))
    op.add_column("stage_changes", sa.Column("hlc", sa.BigInteger(), nullable=True))
    op.add_column("stage_changes", sa.Column("follows", sa.String(length=40), nullable=True))
    op.create_table(
        "stage_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(length=90), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("first_change", sa.String(length=40), nullable=False),
        sa.Column("second_change", sa.String(length=40), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("kept_stage", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"],
                                name=op.f("fk_stage_conflicts_lead_id_leads"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resolved_by"], ["users.id"],
                                name=op.f("fk_stage_conflicts_resolved_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_conflicts")),
        sa.UniqueConstraint("uid", name=op.f("uq_stage_conflicts_uid")),
    )
    op.create_index("ix_stage_conflicts_lead_id", "stage_conflicts", ["lead_id"])
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=16), nullable=False),
        sa.Column("hlc", sa.BigInteger(), nullable=False),
        sa.Column("applying", sa.Integer(), nullable=False),
        sa.Column("server_url", sa.Text(), nullable=True),
        sa.Column("server_cursor", sa.BigInteger(), nullable=False),
        sa.Column("pushed_all", sa.Integer(), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("is_demo", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.execute("INSERT INTO sync_state (id, device, hlc, applying, server_cursor, pushed_all, "
               "is_demo) VALUES (1, lower(hex(randomblob(6))), 0, 0, 0, 0, 0)")
    op.create_table(
        "sync_outbox",
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("row_id", sa.Integer(), nullable=False),
        sa.Column("grp", sa.String(length=20), nullable=False),
        sa.Column("hlc", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_sync_outbox")),
    )
    op.create_index("ix_sync_outbox_row", "sync_outbox", ["entity", "row_id"])
    op.create_table(
        "sync_refused",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("refused_at", sa.DateTime(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("uid", sa.String(length=90), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_refused")),
    )
    for trigger in SYNC_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    for (name,) in op.get_bind().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'sync_%'"):
        op.execute(f"DROP TRIGGER {name}")
    for table in ("sync_refused", "sync_outbox", "sync_state", "stage_conflicts"):
        op.drop_table(table)
    with op.batch_alter_table("stage_changes") as batch:
        batch.drop_column("follows")
        batch.drop_column("hlc")
    for table in UID_TABLES:
        op.drop_index(f"uq_{table}_uid", table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("uid")
