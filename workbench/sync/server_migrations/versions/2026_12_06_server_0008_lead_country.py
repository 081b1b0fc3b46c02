"""a lead's own country, for a lead without a company, as on a laptop (laptop migration
20261206_0018): it syncs with the lead's contact details

Revision ID: server_0008
Revises: server_0007
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "server_0008"
down_revision: str | None = "server_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("country", sa.String(length=2), nullable=True))


def downgrade() -> None:
    op.drop_column("leads", "country")
