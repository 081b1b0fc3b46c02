"""a lead's own country, for a lead without a company (an export of people only): kept
with the lead's contact details, so it syncs with them

Revision ID: 20261206_0018
Revises: 20261206_0017
Create Date: 2026-12-06 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0018"
down_revision: str | None = "20261206_0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in migration 0009: the trigger that records a change of a lead's contact details
ACTIVE = "(SELECT applying FROM sync_state) = 0"
TICK = ("UPDATE sync_state SET hlc = max(hlc + 1, "
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 65536);")
CONTACT = ("first_name", "last_name", "email", "phone", "job_title", "seniority", "company_id",
           "external_id", "source", "campaign", "custom_fields", "historic_outcome")


def _contact_trigger(columns: Sequence[str]) -> str:
    changed = " OR ".join(f"new.{c} IS NOT old.{c}" for c in columns)
    return (f"CREATE TRIGGER sync_lead_contact AFTER UPDATE OF {', '.join(columns)} ON leads "
            f"WHEN {ACTIVE} AND ({changed}) BEGIN {TICK}"
            "INSERT INTO sync_outbox (entity, row_id, grp, hlc) "
            "VALUES ('lead', new.id, 'contact', (SELECT hlc FROM sync_state)); END")


def upgrade() -> None:
    op.add_column("leads", sa.Column("country", sa.String(length=2), nullable=True))
    op.execute("DROP TRIGGER sync_lead_contact")
    op.execute(_contact_trigger((*CONTACT, "country")))


def downgrade() -> None:
    op.execute("DROP TRIGGER sync_lead_contact")
    op.execute(_contact_trigger(CONTACT))
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("country")
