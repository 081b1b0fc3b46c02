"""people a team stops working with are deactivated, not removed: their history, owners
and reports keep their name (laptops only: on a team laptop people come from the server)

Revision ID: 20261206_0015
Revises: 20261204_0014
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0015"
down_revision: str | None = "20261204_0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN: rebuilding the table would trip the triggers that read users
    op.add_column("users", sa.Column("deactivated_at", sa.DateTime()))


def downgrade() -> None:
    with op.batch_alter_table("users") as table:
        table.drop_column("deactivated_at")
