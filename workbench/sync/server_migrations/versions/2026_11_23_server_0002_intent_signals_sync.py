"""team sync of company intent signals: a uid and the sync bookkeeping on the table, and
reps may add signals (any rep may import a provider's file; the signals are the team's)

Revision ID: server_0002
Revises: server_0001
Create Date: 2026-11-23 14:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from workbench.sync.server import REP_ROLE

revision: str = "server_0002"
down_revision: str | None = "server_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("intent_signals", sa.Column("uid", sa.String(length=40), nullable=True))
    op.create_index("uq_intent_signals_uid", "intent_signals", ["uid"], unique=True)
    op.add_column("intent_signals", sa.Column("sync_version", sa.BigInteger()))
    op.add_column("intent_signals", sa.Column("sync_clocks", postgresql.JSONB()))
    op.create_index("ix_intent_signals_sync_version", "intent_signals", ["sync_version"])
    # the same stamping as every synced table (server_0001)
    op.execute("CREATE TRIGGER intent_signals_sync_stamp BEFORE INSERT OR UPDATE ON "
               "intent_signals FOR EACH ROW EXECUTE FUNCTION sync_stamp()")
    op.execute("CREATE TRIGGER intent_signals_sync_mark AFTER INSERT OR UPDATE OR DELETE ON "
               "intent_signals FOR EACH STATEMENT EXECUTE FUNCTION sync_mark_high_water()")
    op.execute(f"GRANT INSERT ON intent_signals TO {REP_ROLE}")


def downgrade() -> None:
    op.execute(f"REVOKE INSERT ON intent_signals FROM {REP_ROLE}")
    op.execute("DROP TRIGGER intent_signals_sync_mark ON intent_signals")
    op.execute("DROP TRIGGER intent_signals_sync_stamp ON intent_signals")
    op.drop_index("ix_intent_signals_sync_version", "intent_signals")
    op.drop_index("uq_intent_signals_uid", "intent_signals")
    for column in ("sync_clocks", "sync_version", "uid"):
        op.drop_column("intent_signals", column)
