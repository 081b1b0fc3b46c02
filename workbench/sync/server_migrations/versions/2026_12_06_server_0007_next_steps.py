"""each open lead can have a next step: three columns of the lead, as on a laptop (laptop
migration 20261206_0017); they follow the lead's row-level security

Revision ID: server_0007
Revises: server_0006
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "server_0007"
down_revision: str | None = "server_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("next_step_kind", sa.String(length=16), nullable=True))
    op.add_column("leads", sa.Column("next_step_due", sa.DateTime(), nullable=True))
    op.add_column("leads", sa.Column("next_step_note", sa.Text(), nullable=True))
    op.create_index("ix_leads_owner_next_step", "leads", ["owner_id", "next_step_due"],
                    sqlite_where=sa.text("next_step_due IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("ix_leads_owner_next_step", "leads")
    for column in ("next_step_note", "next_step_due", "next_step_kind"):
        op.drop_column("leads", column)
