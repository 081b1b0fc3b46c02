"""the index of a rep's open leads with no next step holds only leads someone owns: Today
reads it for one rep, never for the pool, and routing new MQLs out of the pool then only
adds to it (it was half of routing's writes: 50,000 leads routed at a million)

Revision ID: 20261206_0021
Revises: 20261206_0020
Create Date: 2026-12-06 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0021"
down_revision: str | None = "20261206_0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_UNPLANNED = "next_step_due IS NULL AND stage IN ('mql', 'opportunity', 'sal', 'sql')"


def _unplanned(where: str) -> None:
    op.drop_index("ix_leads_unplanned", "leads")
    op.create_index("ix_leads_unplanned", "leads", ["owner_id", "last_activity_at"],
                    sqlite_where=sa.text(where))


def upgrade() -> None:
    _unplanned(f"owner_id IS NOT NULL AND {OPEN_UNPLANNED}")


def downgrade() -> None:
    _unplanned(OPEN_UNPLANNED)
