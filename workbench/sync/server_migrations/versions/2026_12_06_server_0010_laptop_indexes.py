"""the indexes only a laptop reads with (its board, reports, searches by email and the moves
it undoes) leave the server: the server reads rows by uid, by lead, by owner and by sync
version, and every index is written for each of the 850,000 rows of a large first push.
(Without SQLite's partial index conditions, two of them were copies of another.)

Revision ID: server_0010
Revises: server_0009
Create Date: 2026-12-06 20:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "server_0010"
down_revision: str | None = "server_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as server_0001 and server_0003 made them (name: table, columns)
LAPTOP_INDEXES = {
    "ix_leads_stage_score": ("leads", "stage, score, id"),
    "ix_leads_stage_entered": ("leads", "stage, stage_entered_at, id"),
    "ix_leads_stage_activity": ("leads", "stage, last_activity_at, id"),
    "ix_leads_source": ("leads", "source"),
    "ix_leads_campaign": ("leads", "campaign"),
    "ix_leads_email": ("leads", "email"),
    "ix_activities_touch": ("activities", "lead_id, occurred_at"),
    "ix_stage_changes_time": ("stage_changes", "changed_at"),
    "ix_stage_changes_undo": ("stage_changes", "lead_id, id"),
}


def upgrade() -> None:
    for name in LAPTOP_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")


def downgrade() -> None:
    for name, (table, columns) in LAPTOP_INDEXES.items():
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")
