"""the moment of the scores of leads a rescore has already stored while it stores the rest
in short transactions (so a rep's write never waits for a whole rescore): leads numbered up
to through_id are as of as_of, the others as of score_state

Revision ID: 20261207_0024
Revises: 20261207_0023
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_0024"
down_revision: str | None = "20261207_0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "score_moments",
        sa.Column("through_id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("through_id", name=op.f("pk_score_moments")),
    )


def downgrade() -> None:
    op.drop_table("score_moments")
