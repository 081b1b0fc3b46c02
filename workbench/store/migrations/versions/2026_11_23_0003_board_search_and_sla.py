"""board: sort columns, follow-up SLA touch time, full-text search

Revision ID: 20261123_0003
Revises: 20261123_0002
Create Date: 2026-11-23 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0003"
down_revision: str | None = "20261123_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The search index is an FTS5 table keyed by lead id; triggers keep it in step with every
# writer (window, CLI, import, sync). Its SQL lives here, as a snapshot.
SEARCH_TABLE = """
CREATE VIRTUAL TABLE lead_search USING fts5(
    name, email, company, title, notes,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')
"""
SEARCH_FILL = """
INSERT INTO lead_search (rowid, name, email, company, title, notes)
SELECT l.id, l.first_name || ' ' || l.last_name, l.email, c.name, l.job_title,
       (SELECT group_concat(a.note, ' ') FROM activities a
        WHERE a.lead_id = l.id AND a.kind = 'note')
FROM leads l LEFT JOIN companies c ON c.id = l.company_id
"""
SEARCH_TRIGGERS = [
    """CREATE TRIGGER lead_search_insert AFTER INSERT ON leads BEGIN
        INSERT INTO lead_search (rowid, name, email, company, title)
        VALUES (new.id, new.first_name || ' ' || new.last_name, new.email,
                (SELECT name FROM companies WHERE id = new.company_id), new.job_title);
    END""",
    """CREATE TRIGGER lead_search_update
    AFTER UPDATE OF first_name, last_name, email, job_title, company_id ON leads BEGIN
        UPDATE lead_search SET name = new.first_name || ' ' || new.last_name,
            email = new.email, title = new.job_title,
            company = (SELECT name FROM companies WHERE id = new.company_id)
        WHERE rowid = new.id;
    END""",
    """CREATE TRIGGER lead_search_delete AFTER DELETE ON leads BEGIN
        DELETE FROM lead_search WHERE rowid = old.id;
    END""",
    """CREATE TRIGGER lead_search_note AFTER INSERT ON activities WHEN new.kind = 'note' BEGIN
        UPDATE lead_search SET notes = coalesce(notes || ' ', '') || new.note
        WHERE rowid = new.lead_id;
    END""",
    """CREATE TRIGGER lead_search_company AFTER UPDATE OF name ON companies BEGIN
        UPDATE lead_search SET company = new.name
        WHERE rowid IN (SELECT id FROM leads WHERE company_id = new.id);
    END""",
]


def upgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("first_touch_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_activity_at", sa.DateTime(), nullable=True))
    # never NULL, so that the board can page by it: a new lead's last activity is its creation
    op.execute("""UPDATE leads SET last_activity_at = coalesce(
                  (SELECT max(occurred_at) FROM activities a WHERE a.lead_id = leads.id),
                  created_at)""")
    op.execute("""UPDATE leads SET first_touch_at =
                  (SELECT min(occurred_at) FROM activities a WHERE a.lead_id = leads.id
                   AND a.kind IN ('call', 'email_sent', 'meeting')
                   AND a.occurred_at >= leads.mql_at)
                  WHERE mql_at IS NOT NULL""")
    op.create_index("ix_leads_stage_entered", "leads", ["stage", "stage_entered_at", "id"])
    op.create_index("ix_leads_stage_activity", "leads", ["stage", "last_activity_at", "id"])
    op.execute(SEARCH_TABLE)
    op.execute(SEARCH_FILL)
    for trigger in SEARCH_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    for name in ("insert", "update", "delete", "note", "company"):
        op.execute(f"DROP TRIGGER lead_search_{name}")
    op.execute("DROP TABLE lead_search")
    op.drop_index("ix_leads_stage_activity", "leads")
    op.drop_index("ix_leads_stage_entered", "leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("last_activity_at")
        batch.drop_column("first_touch_at")
