"""each open lead can have a next step (a call, an email or a meeting, when it is due, and
a note): three columns of the lead that sync as one group, and indexes for a rep's Today

Revision ID: 20261206_0017
Revises: 20261206_0016
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0017"
down_revision: str | None = "20261206_0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("next_step_kind", "next_step_due", "next_step_note")
# as migration 0009's triggers: a change made here is recorded in the outbox with the
# clock of its group; changes pulled from the server (applying = 1) are not
TRIGGER = (
    "CREATE TRIGGER sync_lead_next_step AFTER UPDATE OF " + ", ".join(COLUMNS) + " ON leads "
    "WHEN (SELECT applying FROM sync_state) = 0 AND ("
    + " OR ".join(f"new.{c} IS NOT old.{c}" for c in COLUMNS) + ") BEGIN "
    "UPDATE sync_state SET hlc = max(hlc + 1, "
    "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 65536); "
    "INSERT INTO sync_outbox (entity, row_id, grp, hlc) "
    "VALUES ('lead', new.id, 'next_step', (SELECT hlc FROM sync_state)); END")


# a rep's Today reads its untouched MQLs and its unplanned open leads from these
TODAY_INDEXES = (
    ("ix_leads_untouched_mql", ["owner_id", "mql_at"],
     "stage = 'mql' AND first_touch_at IS NULL"),
    ("ix_leads_unplanned", ["owner_id", "last_activity_at"],
     "next_step_due IS NULL AND stage IN ('mql', 'opportunity', 'sal', 'sql')"),
)


def upgrade() -> None:
    op.add_column("leads", sa.Column("next_step_kind", sa.String(length=16), nullable=True))
    op.add_column("leads", sa.Column("next_step_due", sa.DateTime(), nullable=True))
    op.add_column("leads", sa.Column("next_step_note", sa.Text(), nullable=True))
    op.create_index("ix_leads_owner_next_step", "leads", ["owner_id", "next_step_due"],
                    sqlite_where=sa.text("next_step_due IS NOT NULL"))
    for name, columns, where in TODAY_INDEXES:
        op.create_index(name, "leads", columns, sqlite_where=sa.text(where))
    op.execute(TRIGGER)


def downgrade() -> None:
    op.execute("DROP TRIGGER sync_lead_next_step")
    for name, _columns, _where in TODAY_INDEXES:
        op.drop_index(name, "leads")
    op.drop_index("ix_leads_owner_next_step", "leads")
    with op.batch_alter_table("leads") as batch:
        for column in reversed(COLUMNS):
            batch.drop_column(column)
