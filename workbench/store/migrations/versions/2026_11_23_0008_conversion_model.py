"""conversion model: learned models, and each lead's predicted conversion with its reasons

Revision ID: 20261123_0008
Revises: 20261123_0007
Create Date: 2026-11-23 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0008"
down_revision: str | None = "20261123_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("predicted_conversion", sa.Float(), nullable=True))
        batch.add_column(sa.Column("prediction_reasons", sa.Text(), nullable=True))
    op.create_table(
        "scoring_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_scoring_models_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scoring_models")),
    )


def downgrade() -> None:
    op.drop_table("scoring_models")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("prediction_reasons")
        batch.drop_column("predicted_conversion")
