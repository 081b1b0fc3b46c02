"""when and by which criteria the stored scores were computed: behaviour points decay, so
every stored score is as of one moment, kept here (unknown on an existing database: its
next start rescores)

Revision ID: 20261204_0014
Revises: 20261123_0013
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261204_0014"
down_revision: str | None = "20261123_0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "score_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scores_as_of", sa.DateTime(), nullable=True),
        sa.Column("criteria_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_state")),
    )
    op.bulk_insert(table, [{"id": 1, "scores_as_of": None, "criteria_version": None}])


def downgrade() -> None:
    op.drop_table("score_state")
