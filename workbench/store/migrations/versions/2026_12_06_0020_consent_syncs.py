"""a lead's erasure on request and its do-not-contact mark travel through the team sync, as
their own group of the lead ("consent"): a change of either is recorded in the outbox, and a
laptop that synced before keeps the leads it erased or marked to send at its next sync; an
index of the erased leads, for the sync's merge of their history

Revision ID: 20261206_0020
Revises: 20261206_0019
Create Date: 2026-12-06 23:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261206_0020"
down_revision: str | None = "20261206_0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("erased_at", "do_not_contact")
# as migration 0009's triggers: a change made here is recorded in the outbox with the
# clock of its group; changes pulled from the server (applying = 1) are not
TICK = ("UPDATE sync_state SET hlc = max(hlc + 1, "
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 65536);")
TRIGGER = (
    "CREATE TRIGGER sync_lead_consent AFTER UPDATE OF " + ", ".join(COLUMNS) + " ON leads "
    "WHEN (SELECT applying FROM sync_state) = 0 AND ("
    + " OR ".join(f"new.{c} IS NOT old.{c}" for c in COLUMNS) + f") BEGIN {TICK} "
    "INSERT INTO sync_outbox (entity, row_id, grp, hlc) "
    "VALUES ('lead', new.id, 'consent', (SELECT hlc FROM sync_state)); END")


def upgrade() -> None:
    op.execute(TRIGGER)
    op.create_index("ix_leads_erased", "leads", ["id"],
                    sqlite_where=sa.text("erased_at IS NOT NULL"))
    # a laptop that has pushed everything once sends only its outbox from then on; one
    # that has not sends every row at its first push anyway
    op.execute(TICK)
    op.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) "
               "SELECT 'lead', id, 'consent', (SELECT hlc FROM sync_state) FROM leads "
               "WHERE (erased_at IS NOT NULL OR do_not_contact) "
               "AND (SELECT pushed_all FROM sync_state) = 1")


def downgrade() -> None:
    op.drop_index("ix_leads_erased", "leads")
    op.execute("DROP TRIGGER sync_lead_consent")
