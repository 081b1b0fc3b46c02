"""scoring: grade and buyer-journey stage on leads, versioned criteria

Revision ID: 20261123_0005
Revises: 20261123_0004
Create Date: 2026-11-23 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0005"
down_revision: str | None = "20261123_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("grade", sa.String(length=2), nullable=True))
        batch.add_column(sa.Column("buyer_stage", sa.String(length=12), nullable=True))
    op.create_table(
        "criteria_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_criteria_versions_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria_versions")),
    )


def downgrade() -> None:
    op.drop_table("criteria_versions")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("buyer_stage")
        batch.drop_column("grade")
