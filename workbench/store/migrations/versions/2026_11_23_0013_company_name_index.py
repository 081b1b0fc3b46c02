"""companies are found by name as well as by domain (an import matches rows that have no
website, such as free-mail leads, by company name): an index, so that each name costs a
search instead of a scan of every company

Revision ID: 20261123_0013
Revises: 20261123_0012
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261123_0013"
down_revision: str | None = "20261123_0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_companies_name", "companies", ["name"])


def downgrade() -> None:
    op.drop_index("ix_companies_name", "companies")
