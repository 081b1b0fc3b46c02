"""team sync of company intent signals: a uid, and a trigger that records each new signal
in the outbox; signals a laptop already shared before are queued once

Revision ID: 20261123_0010
Revises: 20261123_0009
Create Date: 2026-11-23 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0010"
down_revision: str | None = "20261123_0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as in migration 0009: pulled rows are written with applying = 1 and not recorded again
TICK = ("UPDATE sync_state SET hlc = max(hlc + 1, "
        "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) * 65536);")


def upgrade() -> None:
    op.add_column("intent_signals", sa.Column("uid", sa.String(length=40), nullable=True))
    op.create_index("uq_intent_signals_uid", "intent_signals", ["uid"], unique=True,
                    sqlite_where=sa.text("uid IS NOT NULL"))
    op.execute(f"""CREATE TRIGGER sync_intent_new AFTER INSERT ON intent_signals
        WHEN (SELECT applying FROM sync_state) = 0 BEGIN {TICK}
        INSERT INTO sync_outbox (entity, row_id, grp, hlc)
        VALUES ('intent', new.id, '*', (SELECT hlc FROM sync_state)); END""")
    # a laptop that has synced already sends its signals at the next sync (a first push
    # sends every row anyway)
    op.execute("INSERT INTO sync_outbox (entity, row_id, grp, hlc) SELECT 'intent', i.id, "
               "'*', s.hlc FROM intent_signals i, sync_state s WHERE s.pushed_all = 1")


def downgrade() -> None:
    op.execute("DROP TRIGGER sync_intent_new")
    op.execute("DELETE FROM sync_outbox WHERE entity = 'intent'")
    op.drop_index("uq_intent_signals_uid", "intent_signals")
    with op.batch_alter_table("intent_signals") as batch:
        batch.drop_column("uid")
