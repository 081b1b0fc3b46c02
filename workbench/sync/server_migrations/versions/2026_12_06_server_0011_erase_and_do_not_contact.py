"""a lead erased on request and a lead not to be contacted, as on a laptop (laptop migration
20261206_0019): the server's rows have the laptop's columns

Revision ID: server_0011
Revises: server_0010
Create Date: 2026-12-06 21:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "server_0011"
down_revision: str | None = "server_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("leads", sa.Column("erased_at", sa.DateTime(), nullable=True))
    op.add_column("leads", sa.Column("do_not_contact", sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("leads", "do_not_contact")
    op.drop_column("leads", "erased_at")
