"""a rep's touch says how it went (connected, no answer, left a message, bounced,
replied): a column of the activity, synced with it

Revision ID: 20261206_0016
Revises: 20261206_0015
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0016"
down_revision: str | None = "20261206_0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("activities", sa.Column("outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("outcome")
