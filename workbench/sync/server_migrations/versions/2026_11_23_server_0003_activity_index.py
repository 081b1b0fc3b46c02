"""the lead-and-time index of activities holds kind and page kind, as on a laptop
(laptop migration 20261123_0011): one model for both

Revision ID: server_0003
Revises: server_0002
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "server_0003"
down_revision: str | None = "server_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_activities_lead_time", table_name="activities")
    op.create_index("ix_activities_lead_time", "activities",
                    ["lead_id", "occurred_at", "kind", "page_kind"])


def downgrade() -> None:
    op.drop_index("ix_activities_lead_time", table_name="activities")
    op.create_index("ix_activities_lead_time", "activities", ["lead_id", "occurred_at"])
