"""the token of each laptop database (device): passed on at every sync, so that a copy of
a database file, or an old backup of it, is recognised before it sends anything; and
everyone may read the schema's revision, so that a laptop can tell the server is behind

Revision ID: server_0004
Revises: server_0003
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

from alembic import op

from workbench.sync.server import MANAGER_ROLE, REP_ROLE

revision: str = "server_0004"
down_revision: str | None = "server_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# True when the laptop holds the token the server holds for its device (or the device is
# new): the offered token replaces it. Offered again after a sync that stopped before the
# laptop kept the answer, it is accepted again. A device belongs to the role that first
# synced it. Security definer: nobody reads or writes the table itself.
CLAIM_DEVICE = """
CREATE FUNCTION workbench_claim_device(wanted text, held text, offered text)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    current_token text;
    owner_role text;
BEGIN
    SELECT token, role_name INTO current_token, owner_role
        FROM sync_devices WHERE device = wanted FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO sync_devices (device, token, role_name)
            VALUES (wanted, offered, session_user) ON CONFLICT (device) DO NOTHING;
        RETURN FOUND;
    END IF;
    IF owner_role <> session_user THEN
        RETURN false;
    END IF;
    IF current_token = offered THEN
        RETURN true;
    END IF;
    IF current_token IS DISTINCT FROM held THEN
        RETURN false;
    END IF;
    UPDATE sync_devices SET token = offered, seen_at = now() WHERE device = wanted;
    RETURN true;
END $$"""


def upgrade() -> None:
    op.execute("""CREATE TABLE sync_devices (
        device text PRIMARY KEY,
        token text NOT NULL,
        role_name text NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now())""")
    op.execute("REVOKE ALL ON sync_devices FROM PUBLIC")
    op.execute(CLAIM_DEVICE)
    op.execute("REVOKE ALL ON FUNCTION workbench_claim_device(text, text, text) FROM PUBLIC")
    for role in (REP_ROLE, MANAGER_ROLE):
        op.execute(f"GRANT EXECUTE ON FUNCTION workbench_claim_device(text, text, text) "
                   f"TO {role}")
        op.execute(f"GRANT SELECT ON alembic_version TO {role}")


def downgrade() -> None:
    for role in (REP_ROLE, MANAGER_ROLE):
        op.execute(f"REVOKE SELECT ON alembic_version FROM {role}")
    op.execute("DROP FUNCTION workbench_claim_device(text, text, text)")
    op.execute("DROP TABLE sync_devices")
