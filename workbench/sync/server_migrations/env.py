"""Alembic environment of the team server: migrations run on the connection
workbench.server hands over. The laptop-only tables are not part of it."""

from alembic import context

from workbench.store.tables import Base
from workbench.sync.server import on_server

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run server migrations through workbench.server.init_server().")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    include_object=on_server,
)
with context.begin_transaction():
    context.run_migrations()
