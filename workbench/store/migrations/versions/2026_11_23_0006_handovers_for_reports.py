"""handovers: one row per MQL handed to sales and what sales did with it, for reports

Revision ID: 20261123_0006
Revises: 20261123_0005
Create Date: 2026-11-23 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0006"
down_revision: str | None = "20261123_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A snapshot, as migrations must be. A handover is a stage change into MQL that an undo
# did not make. Its decision is the lead's next stage change, skipping undone ones (rare:
# the tiny undo index says when to look). Its response is the first rep touch or the
# decision, whichever came first. Its furthest stage counts until the next handover.
HANDOVERS_SELECT = """
SELECT x.id, x.lead_id, x.handed_at, date(x.handed_at, 'weekday 0', '-6 days'),
       substr(x.handed_at, 1, 7), l.source, l.campaign, l.owner_id,
       d.to_stage, d.changed_at, d.user_id, d.reason_code,
       (julianday(CASE WHEN d.changed_at IS NULL THEN x.touched_at
                       WHEN x.touched_at IS NULL THEN d.changed_at
                       ELSE min(d.changed_at, x.touched_at) END)
        - julianday(x.handed_at)) * 24,
       coalesce((SELECT max(CASE n.to_stage WHEN 'sal' THEN 1 WHEN 'sql' THEN 2
                            WHEN 'opportunity' THEN 3 WHEN 'customer' THEN 4
                            WHEN 'evangelist' THEN 4 ELSE 0 END)
                 FROM stage_changes n WHERE n.lead_id = x.lead_id AND n.id > x.id
                 AND n.id < x.next_handover), 0)
FROM (
    SELECT h.id, h.lead_id, h.changed_at AS handed_at,
           CASE WHEN EXISTS (SELECT 1 FROM stage_changes u WHERE u.reason_code = 'undo'
                             AND u.lead_id = h.lead_id AND u.id > h.id)
           THEN (SELECT min(n.id) FROM stage_changes n
                 WHERE n.lead_id = h.lead_id AND n.id > h.id
                 AND n.reason_code IS NOT 'undo'
                 AND coalesce((SELECT u.reason_code FROM stage_changes u
                               WHERE u.lead_id = n.lead_id AND u.id > n.id
                               ORDER BY u.id LIMIT 1), '') <> 'undo')
           ELSE (SELECT min(n.id) FROM stage_changes n
                 WHERE n.lead_id = h.lead_id AND n.id > h.id) END AS decision_id,
           (SELECT min(a.occurred_at) FROM activities a
            WHERE a.kind IN ('call', 'email_sent', 'meeting') AND a.lead_id = h.lead_id
            AND a.occurred_at >= h.changed_at) AS touched_at,
           coalesce((SELECT min(m.id) FROM stage_changes m
                     WHERE m.lead_id = h.lead_id AND m.id > h.id AND m.to_stage = 'mql'
                     AND m.reason_code IS NOT 'undo'), 9223372036854775807) AS next_handover
    FROM stage_changes h
    WHERE h.to_stage = 'mql' AND h.reason_code IS NOT 'undo' AND {lead_filter}
) x
JOIN leads l ON l.id = x.lead_id
LEFT JOIN stage_changes d ON d.id = x.decision_id
"""
HANDOVERS_INSERT = ("INSERT INTO handovers (id, lead_id, handed_at, week, month, source, "
                    "campaign, owner_id, outcome, decided_at, decided_by, reason_code, "
                    "response_hours, furthest)" + HANDOVERS_SELECT)
REFRESH_LEAD = ("DELETE FROM handovers WHERE lead_id = {lead};"
                + HANDOVERS_INSERT.format(lead_filter="h.lead_id = {lead}") + ";")
HANDOVER_TRIGGERS = [
    "CREATE TRIGGER handovers_stage_change AFTER INSERT ON stage_changes BEGIN "
    + REFRESH_LEAD.format(lead="new.lead_id") + " END",
    "CREATE TRIGGER handovers_stage_change_gone AFTER DELETE ON stage_changes BEGIN "
    + REFRESH_LEAD.format(lead="old.lead_id") + " END",
    "CREATE TRIGGER handovers_touch AFTER INSERT ON activities "
    "WHEN new.kind IN ('call', 'email_sent', 'meeting') BEGIN "
    + REFRESH_LEAD.format(lead="new.lead_id") + " END",
    """CREATE TRIGGER handovers_lead AFTER UPDATE OF source, campaign, owner_id ON leads BEGIN
        UPDATE handovers SET source = new.source, campaign = new.campaign,
               owner_id = new.owner_id
        WHERE lead_id = new.id;
    END""",
]


def upgrade() -> None:
    op.create_index("ix_activities_touch", "activities", ["lead_id", "occurred_at"],
                    sqlite_where=sa.text("kind IN ('call', 'email_sent', 'meeting')"))
    op.create_index("ix_stage_changes_undo", "stage_changes", ["lead_id", "id"],
                    sqlite_where=sa.text("reason_code = 'undo'"))
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("handed_at", sa.DateTime(), nullable=False),
        sa.Column("week", sa.String(length=10), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=True),
        sa.Column("campaign", sa.String(length=200), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("reason_code", sa.String(length=40), nullable=True),
        sa.Column("response_hours", sa.Float(), nullable=True),
        sa.Column("furthest", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["leads.id"],
                                name=op.f("fk_handovers_lead_id_leads"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handovers")),
    )
    op.execute(HANDOVERS_INSERT.format(lead_filter="1"))
    op.create_index("ix_handovers_lead_id", "handovers", ["lead_id"])
    for trigger in HANDOVER_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    for name in ("stage_change", "stage_change_gone", "touch", "lead"):
        op.execute(f"DROP TRIGGER handovers_{name}")
    op.drop_table("handovers")
    op.drop_index("ix_stage_changes_undo", "stage_changes")
    op.drop_index("ix_activities_touch", "activities")
