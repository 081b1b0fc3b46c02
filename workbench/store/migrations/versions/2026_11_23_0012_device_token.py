"""a token this database file and the team server pass on at every sync, so that a copy
of the file (or an old backup) that syncs after its twin is recognised before it sends
rows under uids the twin already used

Revision ID: 20261123_0012
Revises: 20261123_0011
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0012"
down_revision: str | None = "20261123_0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN: rebuilding the table would trip the triggers that read it
    op.add_column("sync_state", sa.Column("device_token", sa.String(length=32)))
    op.add_column("sync_state", sa.Column("next_device_token", sa.String(length=32)))


def downgrade() -> None:
    with op.batch_alter_table("sync_state") as table:
        table.drop_column("next_device_token")
        table.drop_column("device_token")
