"""the lead-and-time index of activities also holds kind and page kind, so that scoring
reads a lead's activities from the index alone (no seek into the table per activity)

Revision ID: 20261123_0011
Revises: 20261123_0010
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261123_0011"
down_revision: str | None = "20261123_0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_activities_lead_time", "activities")
    op.create_index("ix_activities_lead_time", "activities",
                    ["lead_id", "occurred_at", "kind", "page_kind"])


def downgrade() -> None:
    op.drop_index("ix_activities_lead_time", "activities")
    op.create_index("ix_activities_lead_time", "activities", ["lead_id", "occurred_at"])
