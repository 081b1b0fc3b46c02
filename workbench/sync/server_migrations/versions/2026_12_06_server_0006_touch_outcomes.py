"""a rep's touch says how it went: the activity's outcome, as on a laptop (laptop
migration 20261206_0016)

Revision ID: server_0006
Revises: server_0005
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "server_0006"
down_revision: str | None = "server_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("activities", sa.Column("outcome", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("activities", "outcome")
