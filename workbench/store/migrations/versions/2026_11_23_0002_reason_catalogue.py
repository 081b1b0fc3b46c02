"""default catalogue of reject and recycle reasons

Revision ID: 20261123_0002
Revises: 20261123_0001
Create Date: 2026-11-23 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0002"
down_revision: str | None = "20261123_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A snapshot, as migrations must be: later catalogue edits are data, not code.
DEFAULT_REASONS = [
    ("reject", "no_budget", "No budget"),
    ("reject", "not_decision_maker", "Not the decision maker"),
    ("reject", "no_need", "No need"),
    ("reject", "bad_timing", "Bad timing"),
    ("reject", "bad_data", "Bad or fake data"),
    ("reject", "competitor", "Competitor"),
    ("reject", "existing_customer", "Existing customer"),
    ("reject", "duplicate", "Duplicate"),
    ("recycle", "not_ready", "Not ready to buy yet"),
    ("recycle", "bad_timing", "Bad timing"),
    ("recycle", "no_budget", "No budget this period"),
    ("recycle", "wrong_contact", "Wrong contact"),
]

reasons = sa.table(
    "reasons", sa.column("kind", sa.String), sa.column("code", sa.String),
    sa.column("label", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(
        reasons, [{"kind": k, "code": c, "label": label} for k, c, label in DEFAULT_REASONS]
    )


def downgrade() -> None:
    op.execute(reasons.delete())
