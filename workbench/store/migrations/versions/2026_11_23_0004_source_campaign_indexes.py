"""indexes on lead source and campaign (filter pickers, filters and reports by them)

Revision ID: 20261123_0004
Revises: 20261123_0003
Create Date: 2026-11-23 07:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261123_0004"
down_revision: str | None = "20261123_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_leads_source", "leads", ["source"])
    op.create_index("ix_leads_campaign", "leads", ["campaign"])


def downgrade() -> None:
    op.drop_index("ix_leads_campaign", "leads")
    op.drop_index("ix_leads_source", "leads")
