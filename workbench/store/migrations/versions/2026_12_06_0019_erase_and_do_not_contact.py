"""a lead erased on request keeps an anonymous row (its stage history counts in the
reports) with the moment it was erased; a lead not to be contacted stays out of the queue
and of routing

Revision ID: 20261206_0019
Revises: 20261206_0018
Create Date: 2026-12-06 21:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0019"
down_revision: str | None = "20261206_0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.add_column("leads", sa.Column("do_not_contact", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("do_not_contact")
        batch.drop_column("erased_at")
