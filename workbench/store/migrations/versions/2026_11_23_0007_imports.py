"""imports: custom fields and historic outcomes on leads, company intent signals

Revision ID: 20261123_0007
Revises: 20261123_0006
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0007"
down_revision: str | None = "20261123_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("custom_fields", sa.Text(), nullable=True))
        batch.add_column(sa.Column("historic_outcome", sa.String(length=8), nullable=True))
    op.create_table(
        "intent_signals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_domain", sa.String(length=253), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("observed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intent_signals")),
    )
    op.create_index("ix_intent_signals_company_domain", "intent_signals", ["company_domain"])
    op.create_index("uq_intent_signals_signal", "intent_signals",
                    ["company_domain", "topic", "observed_at"], unique=True)


def downgrade() -> None:
    op.drop_table("intent_signals")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("historic_outcome")
        batch.drop_column("custom_fields")
