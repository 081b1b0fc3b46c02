"""stage totals: the count and sum of scores of the leads in each stage, kept by triggers,
so that the board's header counts of a board that shows everything are read from a few
rows instead of counting every lead (60-70 ms at a million, the longest read of a start)

Revision ID: 20261207_0023
Revises: 20261206_0022
Create Date: 2026-12-07 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261207_0023"
down_revision: str | None = "20261206_0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A snapshot, as migrations must be. Writes that suspend the triggers count the totals
# again (workbench.store.derived.restore_triggers).
TOTALS_FILL = ("INSERT INTO stage_totals (stage, leads, score_sum) "
               "SELECT stage, count(*), sum(score) FROM leads GROUP BY stage")
_ADD = ("INSERT INTO stage_totals (stage, leads, score_sum) VALUES (new.stage, 1, new.score) "
        "ON CONFLICT (stage) DO UPDATE SET leads = leads + 1, "
        "score_sum = score_sum + excluded.score_sum;")
_TAKE = ("UPDATE stage_totals SET leads = leads - 1, score_sum = score_sum - old.score "
         "WHERE stage = old.stage;")
TOTALS_TRIGGERS = {
    "stage_totals_insert": f"AFTER INSERT ON leads BEGIN {_ADD} END",
    "stage_totals_delete": f"AFTER DELETE ON leads BEGIN {_TAKE} END",
    "stage_totals_update": "AFTER UPDATE OF stage, score ON leads WHEN old.stage IS NOT "
                           f"new.stage OR old.score IS NOT new.score BEGIN {_TAKE} {_ADD} END",
}


def upgrade() -> None:
    op.create_table(
        "stage_totals",
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("score_sum", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("stage", name=op.f("pk_stage_totals")),
    )
    op.execute(TOTALS_FILL)
    for name, body in TOTALS_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TOTALS_TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.drop_table("stage_totals")
